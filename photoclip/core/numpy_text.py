"""A text query without torch: the CLIP text tower in numpy, on the weights file memory-mapped.

Importing torch costs 2-4 s on a 2-core laptop, more than rclip's whole one-shot search, so a
cold ``photoclip search`` cannot import it. Encoding one short prompt needs ~1 GFLOP and only the
text tower's weights (mapped from the safetensors file: the token embedding's 100 MB are read
only for the prompt's rows). :class:`NumpyTextTower` runs open_clip's standard text transformer
(token and position embeddings, pre-norm residual blocks with causal multi-head attention and a
GELU or QuickGELU MLP, final LayerNorm, pooling, projection), cut to the batch's longest prompt as
:mod:`~photoclip.core.text_tower` explains.

It is used only for a model that was *verified* on this machine: whenever torch has loaded a
model from a safetensors file (an index run, a search that had to load it), :func:`verify` checks
that its text tower has exactly the standard layout, that :mod:`~photoclip.core.clip_bpe` gives
the same token ids as its tokenizer, and that this module's features equal ``encode_text``'s
(cosine > 0.9999, fp32), and remembers the result with the weights file's identity (path, size,
modification time) in the model's facts (:mod:`~photoclip.core.model_facts`). Another weights
file, another layout, a failed check, a non-fp32 runtime: torch, as before.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import glob
import json
import logging
import math
import mmap
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from photoclip.core.clip_bpe import ClipBpe, shared

log = logging.getLogger(__name__)

__all__ = ["NumpyTextTower", "verify", "weights_identity"]

VERSION = 1  # of the verification record: a change here verifies again
MIN_COSINE = 0.9999
_BLOCK_KEYS = ("ln_1.weight", "ln_1.bias", "attn.in_proj_weight", "attn.in_proj_bias",
               "attn.out_proj.weight", "attn.out_proj.bias", "ln_2.weight", "ln_2.bias",
               "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias")
_TOP_KEYS = ("token_embedding.weight", "positional_embedding", "ln_final.weight",
             "ln_final.bias", "text_projection")
_DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16}
_PROMPTS = ("a photo of a dog.", "a blurry photo of a red bicycle leaning on a wall.",
            "Café «crème» & 2 croissants, ÜBER-lecker!", "x " * 90)


def weights_identity(path: Path) -> str:
    """What names one weights file's content for the verification record."""
    st = Path(path).stat()
    return f"{Path(path).resolve()}|{st.st_size}|{st.st_mtime_ns}"


def text_keys(layers: int) -> list[str]:
    """The state-dict keys of a standard open_clip text tower of ``layers`` blocks."""
    return [*_TOP_KEYS, *(f"transformer.resblocks.{i}.{k}" for i in range(layers)
                          for k in _BLOCK_KEYS)]


class _SafeTensors:
    """The tensors of a safetensors file as numpy arrays over one read-only memory map."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        n = int.from_bytes(self._map[:8], "little")
        self._header = json.loads(self._map[8 : 8 + n])
        self._start = 8 + n

    def get(self, key: str) -> np.ndarray:
        entry = self._header[key]
        start, end = entry["data_offsets"]
        raw = np.frombuffer(self._map, dtype=_DTYPES[entry["dtype"]], count=(end - start) // (
            np.dtype(_DTYPES[entry["dtype"]]).itemsize), offset=self._start + start)
        arr = raw.reshape(entry["shape"])
        if entry["dtype"] == "BF16":
            return (arr.astype(np.uint32) << 16).view(np.float32)
        return arr if arr.dtype == np.float32 else arr.astype(np.float32)


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _erf(x: np.ndarray) -> np.ndarray:
    """erf with a relative error under 1.2e-7 (the Chebyshev fit of Numerical Recipes'
    ``erfcc``), vectorised; numpy has no erf and torch's exact GELU uses it."""
    z = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277))))))))
    erfc = t * np.exp(-z * z + poly)
    return np.where(x >= 0, 1.0 - erfc, erfc - 1.0).astype(np.float32)


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _quick_gelu(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.exp(-1.702 * x))


class NumpyTextTower:
    """``encode(tokens (N, 77) int64) -> (N, D) float32`` features of a verified text tower."""

    def __init__(self, path: Path, facts: dict[str, Any]) -> None:
        self._file = _SafeTensors(path)
        self.layers = int(facts["layers"])
        self.heads = int(facts["heads"])
        self.eps = float(facts["eps"])
        self.pool = str(facts["pool"])
        self.eos = facts.get("eos")
        self.act = _quick_gelu if facts["act"] == "quick_gelu" else _gelu
        self._w = {k: self._file.get(k) for k in text_keys(self.layers)}

    def encode(self, tokens: np.ndarray) -> np.ndarray:
        tokens = np.asarray(tokens, dtype=np.int64)
        nonzero = np.nonzero(tokens.any(axis=0))[0]
        length = max(int(nonzero[-1]) + 1 if len(nonzero) else 1, 1)
        cut = tokens[:, :length]  # causal: the padding after a prompt changes nothing before it
        w = self._w
        x = w["token_embedding.weight"][cut] + w["positional_embedding"][:length]
        mask = np.triu(np.full((length, length), -np.inf, dtype=np.float32), 1)
        n, t, d = x.shape
        hd = d // self.heads
        for i in range(self.layers):
            p = f"transformer.resblocks.{i}."
            h = _layer_norm(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"], self.eps)
            qkv = h @ w[p + "attn.in_proj_weight"].T + w[p + "attn.in_proj_bias"]
            q, k, v = (a.reshape(n, t, self.heads, hd).transpose(0, 2, 1, 3)
                       for a in np.split(qkv, 3, axis=-1))
            scores = (q / math.sqrt(hd)) @ k.transpose(0, 1, 3, 2) + mask
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            attn = (scores @ v).transpose(0, 2, 1, 3).reshape(n, t, d)
            x = x + attn @ w[p + "attn.out_proj.weight"].T + w[p + "attn.out_proj.bias"]
            h = _layer_norm(x, w[p + "ln_2.weight"], w[p + "ln_2.bias"], self.eps)
            h = self.act(h @ w[p + "mlp.c_fc.weight"].T + w[p + "mlp.c_fc.bias"])
            x = x + h @ w[p + "mlp.c_proj.weight"].T + w[p + "mlp.c_proj.bias"]
        x = _layer_norm(x, w["ln_final.weight"], w["ln_final.bias"], self.eps)
        if self.pool == "argmax":
            at = cut.argmax(axis=-1)
        elif self.pool == "eos":
            at = (cut == self.eos).argmax(axis=-1)
        else:  # "first"
            at = np.zeros(n, dtype=np.int64)
        pooled = x[np.arange(n), at]
        return (pooled @ w["text_projection"]).astype(np.float32, copy=False)


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """numpy's bundled OpenBLAS on one thread meanwhile (where it can be set): a query is
    ~1 GFLOP, and on a busy 2-core machine OpenBLAS's spinning threads made it 8x slower
    (0.9 s instead of 0.1 s, measured)."""
    get_set = _openblas_threads()
    if get_set is None:
        yield
        return
    get, set_ = get_set
    with _blas_lock:
        before = get()
        set_(1)
        try:
            yield
        finally:
            set_(before)


_blas_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _openblas_threads() -> tuple[Any, Any] | None:
    folder = os.path.dirname(np.__file__)
    patterns = [os.path.join(folder + ".libs", "*openblas*"),
                os.path.join(folder, ".dylibs", "*openblas*")]
    for lib_path in (p for pattern in patterns for p in sorted(glob.glob(pattern))):
        try:
            lib = ctypes.CDLL(lib_path)
        except OSError:
            continue
        for suffix in ("64_", ""):
            get = getattr(lib, f"scipy_openblas_get_num_threads{suffix}", None)
            set_ = getattr(lib, f"scipy_openblas_set_num_threads{suffix}", None)
            if get is not None and set_ is not None:
                set_.argtypes, get.restype = [ctypes.c_int], ctypes.c_int
                return get, set_
    return None


_towers: dict[str, NumpyTextTower] = {}
_towers_lock = threading.Lock()


def open_tower(path: Path, facts: dict[str, Any]) -> tuple[NumpyTextTower, ClipBpe] | None:
    """The verified tower of ``path`` and the tokenizer (shared in this process), or None."""
    tokenizer = shared()
    if tokenizer is None:
        return None
    key = weights_identity(path)
    with _towers_lock:
        if key not in _towers:
            _towers[key] = NumpyTextTower(path, facts)
        return _towers[key], tokenizer


# ----- verification (torch is loaded: called by the embedder after a load) --------------------


def _layout(model: Any, tokenizer: Any) -> dict[str, Any] | None:
    """The facts NumpyTextTower needs, if ``model`` has exactly the standard text tower."""
    import torch
    from open_clip.model import CLIP
    from open_clip.tokenizer import SimpleTokenizer
    from open_clip.transformer import QuickGELU

    from photoclip.core.text_tower import _tower

    found = _tower(model) if type(model) is CLIP else None
    if found is None or not isinstance(tokenizer, SimpleTokenizer):
        return None
    tower, pool, eos = found
    blocks = list(tower.transformer.resblocks)
    if (getattr(tokenizer, "reduction_fn", None) is not None or tokenizer.context_length != 77
            or not blocks or not isinstance(tower.text_projection, torch.nn.Parameter)):
        return None
    names = {k for k in model.state_dict() if not k.startswith("visual.")} - {
        "logit_scale", "logit_bias"}
    if names != set(text_keys(len(blocks))):  # layer scale, extra norms, ...: not this module's
        return None
    block = blocks[0]
    act = block.mlp.gelu
    if isinstance(act, QuickGELU):
        kind = "quick_gelu"
    elif isinstance(act, torch.nn.GELU) and act.approximate == "none":
        kind = "gelu"
    else:
        return None
    return {"layers": len(blocks), "heads": int(block.attn.num_heads), "eps": float(
        block.ln_1.eps), "pool": pool, "eos": eos, "act": kind}


def verify(model: Any, tokenizer: Any, path: Path) -> dict[str, Any] | None:
    """The verification record for ``model`` (fp32, loaded from safetensors ``path``): None
    where the torch-free path would not give the same features."""
    import torch

    try:
        facts = _layout(model, tokenizer)
        bpe = shared()
        if facts is None or bpe is None or Path(path).suffix != ".safetensors":
            return None
        texts = list(_PROMPTS)
        ref_tokens = tokenizer(texts)
        tokens = bpe(texts)
        if not np.array_equal(ref_tokens.numpy(), tokens):
            log.info("The torch-free tokenizer differs from open_clip's: not used")
            return None
        with torch.inference_mode():
            device = next(model.parameters()).device
            ref = model.encode_text(ref_tokens.to(device)).float().cpu().numpy()
        tower = NumpyTextTower(path, facts)
        cosines = []
        with one_blas_thread():
            for row in range(len(texts)):  # one by one (as a query)
                cosines.append(_cosine(tower.encode(tokens[row : row + 1])[0], ref[row]))
            short = len(texts) - 1  # and the short ones as a batch (padded to the longest)
            cosines.extend(_cosine(a, b) for a, b in zip(tower.encode(tokens[:short]), ref))
        low = min(cosines)
    except Exception as exc:  # any surprise: torch, as before
        log.debug("Torch-free text tower not usable: %s", exc, exc_info=True)
        return None
    if not low > MIN_COSINE:
        log.info("The torch-free text tower differs from open_clip's (cosine %.6f)", low)
        return None
    return {**facts, "version": VERSION, "weights": weights_identity(path), "cosine": low}


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


# ----- the embedder's two calls -------------------------------------------------------------


def remember_verified(facts: Any, model: Any, tokenizer: Any, path: Path) -> None:
    """After torch loaded ``model`` (fp32 text tower) from ``path``: verify the torch-free
    tower once per weights file and remember the result in ``facts`` (a ModelFacts)."""
    try:
        identity = weights_identity(path)
        old = facts.numpy_text()
        if old and old.get("weights") == identity and old.get("version") == VERSION:
            return
        record = verify(model, tokenizer, path)
        facts.remember_numpy_text(
            {**record, "usable": True} if record else
            {"weights": identity, "version": VERSION, "usable": False})
    except Exception:  # never a reason for a load to fail
        log.debug("Could not verify the torch-free text tower", exc_info=True)


def encode_verified(
    facts: Any, path: Path, precision: str, texts: list[str]
) -> np.ndarray | None:
    """L2-normalised features of ``texts`` if the tower of ``path`` was verified for this
    runtime precision (fp32; int8 keeps its text tower in fp32), else None."""
    record = facts.numpy_text()
    if (precision not in ("fp32", "int8") or not record or not record.get("usable")
            or record.get("version") != VERSION):
        return None
    try:
        if record.get("weights") != weights_identity(path):
            return None
        opened = open_tower(path, record)
        if opened is None:
            return None
        tower, tokenizer = opened
        tokens = tokenizer(texts)
        with one_blas_thread():
            feats = tower.encode(tokens)
    except (OSError, KeyError, ValueError) as exc:  # a changed or damaged file: torch says why
        log.debug("Torch-free text tower failed: %s", exc)
        return None
    norms = np.linalg.norm(feats, axis=1, keepdims=True)
    return (feats / np.maximum(norms, 1e-12)).astype(np.float32)
