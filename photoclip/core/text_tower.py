"""The text tower alone: encoding at the length the prompts need, and loading without the image
tower.

Cut length: open_clip pads every prompt to the context length (77) although photoclip's prompts are
short (the longest built-in one is 16 tokens). open_clip's own CLIP text towers use a *causal*
attention mask: a token attends only to the tokens before it, so the padding after a prompt's end-
of-text token cannot change anything at or before it, and the pooled feature (taken at the end-of-
text token, ``argmax`` pooling, or at a fixed early position) is the same when the padding is cut
off. Encoding a batch only up to its longest prompt was measured 3.3x cheaper (bench/embed.py
``--texts``) with outputs equal to cosine 0.9999998.

Only towers where this provably holds get the cut: open_clip's ``CLIP`` and ``TextTransformer``
text towers with a causal mask, no class token, no padding mask and ``argmax``/``eos``/``first``
pooling, tokenised by open_clip's ``SimpleTokenizer`` (pads with 0). Everything else (Hugging
Face text towers, SigLIP's bidirectional towers, CoCa) is encoded at full length, as before. A
one-off self-check on the loaded model (at its first batch of 64 or more texts, e.g. label
prototypes: a one-shot query does not pay for it) compares the cut path with ``encode_text`` and
turns the cut off (with a warning) if they ever disagree, e.g. after an open_clip change.

Text tower only. A text query needs no image tower, but open_clip builds and loads both. For an
open_clip ``CLIP`` model whose weights are a safetensors file, :func:`load_text_only` builds the
model with a token image tower and no random init, drops that tower, and reads only the text
tower's tensors from the file (safetensors reads tensors by name). (torch's ``meta`` device would
avoid the allocation, but building on it imports ``torch._dynamo``: 2 s.) Anything unusual
(another file format, a third-party key layout that open_clip would convert, a custom text tower)
returns None and the caller loads the whole model as before.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

__all__ = ["CHECK_PROMPTS", "cut_text_encoder", "load_text_only", "token_lengths"]

_CUT_POOLS = ("argmax", "eos", "first")
CHECK_PROMPTS = ("a photo of a dog.", "a blurry photo of a red bicycle leaning on a wall.")
_MIN_COSINE = 0.99999
_CHECK_AT = 64  # texts in a call: the first such call runs the self-check


def token_lengths(tokens: Any) -> Any:
    """(N,) the length of each row of padded token ids up to its last non-pad token (pad = 0)."""
    import torch

    n = tokens.shape[1]
    nonzero = (tokens != 0).to(torch.int64)
    # index of the last non-zero token + 1 (0 for an all-pad row)
    positions = torch.arange(1, n + 1, device=tokens.device)
    return (nonzero * positions).amax(dim=1)


def _tower(model: Any) -> tuple[Any, str, Any] | None:
    """(the module holding the text transformer, its pooling, its eos id), if it can be cut."""
    from open_clip.model import CLIP
    from open_clip.transformer import TextTransformer

    if isinstance(model, CLIP):
        tower, pool, eos = model, model.text_pool_type, getattr(model, "text_eos_id", None)
    elif isinstance(getattr(model, "text", None), TextTransformer):
        text = model.text
        if getattr(text, "cls_emb", None) is not None or getattr(text, "use_pad_mask", False):
            return None
        tower, pool, eos = text, text.pool_type, getattr(text, "eos_id", None)
    else:
        return None
    if getattr(tower, "attn_mask", None) is None or pool not in _CUT_POOLS:
        return None
    if pool == "eos" and eos is None:
        return None
    return tower, pool, eos


def cut_text_encoder(model: Any, tokenizer: Any) -> Callable[[Any], Any] | None:
    """A function ``tokens (N, 77) -> features (N, D)`` that runs the text transformer only up to
    the batch's longest prompt, or None where the model's text tower does not allow it (then use
    ``model.encode_text``). The result is checked against ``encode_text`` once, here."""
    import torch
    from open_clip.tokenizer import SimpleTokenizer
    from open_clip.transformer import text_global_pool

    if not isinstance(tokenizer, SimpleTokenizer):
        return None
    found = _tower(model)
    if found is None:
        return None
    tower, pool, eos = found

    def encode(tokens: Any) -> Any:
        full = tokens.shape[1]
        length = int(token_lengths(tokens).max()) if len(tokens) else full
        length = max(length, 1)
        if length >= full:
            return model.encode_text(tokens)
        cut = tokens[:, :length]
        cast = tower.transformer.get_cast_dtype()
        x = tower.token_embedding(cut).to(cast)
        x = x + tower.positional_embedding[:length].to(cast)
        x = tower.transformer(x, attn_mask=tower.attn_mask[:length, :length])
        x = tower.ln_final(x)
        x = text_global_pool(x, cut, pool, eos_token_id=eos)
        proj = tower.text_projection
        if proj is not None:
            x = proj(x) if isinstance(proj, torch.nn.Linear) else x @ proj
        return x

    return _checked(model, tokenizer, encode)


def _checked(model: Any, tokenizer: Any, encode: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``encode``, compared once with ``encode_text`` on the first batch of at least
    ``_CHECK_AT`` texts (label prototypes; the check costs one full-length encode, too much for
    a one-shot query); from then on ``encode_text`` if they disagreed."""
    state = {"checked": False, "ok": True}

    def run(tokens: Any) -> Any:
        if not state["checked"] and len(tokens) >= _CHECK_AT:
            state["checked"] = True
            state["ok"] = _agrees(model, tokenizer, encode)
            if not state["ok"]:
                log.warning("Cut-length text encoding disagrees with open_clip's encode_text "
                            "for this model: encoding texts at full length")
        return encode(tokens) if state["ok"] else model.encode_text(tokens)

    return run


def _agrees(model: Any, tokenizer: Any, encode: Callable[[Any], Any]) -> bool:
    import torch

    try:
        with torch.inference_mode():
            device = next(model.parameters()).device
            tokens = tokenizer(list(CHECK_PROMPTS)).to(device)
            # the shorter prompt, padded inside the cut, against the same prompt at full length
            a = torch.nn.functional.normalize(model.encode_text(tokens[:1]).float(), dim=-1)
            b = torch.nn.functional.normalize(encode(tokens)[:1].float(), dim=-1)
            low_precision = next(model.parameters()).dtype in (torch.bfloat16, torch.float16)
            return bool((a * b).sum(dim=-1).min() >= (0.999 if low_precision else _MIN_COSINE))
    except Exception as exc:  # any structural surprise: full length
        log.debug("Cut-length text encoding is not usable: %s", exc)
        return False


_TINY_VISION = {"image_size": 32, "layers": 1, "width": 8, "head_width": 8, "patch_size": 32}
_INIT_FUNCTIONS = ("normal_", "uniform_", "trunc_normal_", "kaiming_uniform_", "kaiming_normal_",
                   "xavier_uniform_", "xavier_normal_", "zeros_", "ones_", "constant_")


@contextlib.contextmanager
def _no_weight_init() -> Iterator[None]:
    """In this thread, ``torch.nn.init`` functions do nothing (the weights are about to be
    overwritten: random init of a 63M-parameter text tower costs seconds). Other threads are
    unaffected."""
    from torch.nn import init

    me = threading.get_ident()
    originals = {name: getattr(init, name) for name in _INIT_FUNCTIONS if hasattr(init, name)}

    def skipper(original: Callable[..., Any]) -> Callable[..., Any]:
        def fn(tensor: Any, *args: Any, **kwargs: Any) -> Any:
            if threading.get_ident() == me:
                return tensor
            return original(tensor, *args, **kwargs)

        return fn

    with _init_lock:
        for name, original in originals.items():
            setattr(init, name, skipper(original))
        try:
            yield
        finally:
            for name, original in originals.items():
                setattr(init, name, original)


_init_lock = threading.Lock()


class _DropRandomInitWarning(logging.Filter):
    """Drops open_clip's "No pretrained weights loaded ... initialized randomly" (it logs on
    the root logger): here the weights are loaded from the file right after, so on every
    search the user would read a false warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("No pretrained weights loaded")


@contextlib.contextmanager
def _quiet_random_init_warning() -> Iterator[None]:
    root, drop = logging.getLogger(), _DropRandomInitWarning()
    root.addFilter(drop)
    try:
        yield
    finally:
        root.removeFilter(drop)


def load_text_only(
    oc: Any, arch: str, path: Path, *, device: str, precision: str, **create_kwargs: Any
) -> Any | None:
    """An open_clip ``CLIP`` model with its text tower loaded from the safetensors file ``path``
    and no image tower (``model.visual`` is None), in ``precision`` on ``device``; None where
    that cannot be done exactly (the caller then loads the whole model).

    The model is built by open_clip's ``create_model`` with a token image tower (dropped at
    once) and without random init; then every text tensor is read from the file by name, and a
    strict ``load_state_dict`` guarantees that every parameter was overwritten."""
    from open_clip.model import CLIP

    if path.suffix != ".safetensors" or precision not in ("fp32", "bf16", "fp16"):
        return None
    try:
        from safetensors import safe_open
    except ImportError:
        return None
    with _no_weight_init(), _quiet_random_init_warning():
        model = oc.create_model(arch, pretrained=None, precision=precision, device=device,
                                vision_cfg=dict(_TINY_VISION), **create_kwargs)
    if type(model) is not CLIP:
        return None
    model.visual = None
    wanted = list(model.state_dict().keys())
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            present = set(f.keys())
            if not set(wanted) <= present:  # another key layout: open_clip's loader converts it
                return None
            params = model.state_dict()
            # in the model's dtypes, then adopted (assign): no second copy of 250 MB in memory
            state = {k: f.get_tensor(k).to(params[k].dtype) for k in wanted}
        model.load_state_dict(state, strict=True, assign=True)
    except (RuntimeError, ValueError, OSError) as exc:  # shapes differ, damaged file
        log.debug("Text-tower-only load not possible: %s", exc)
        return None
    return model
