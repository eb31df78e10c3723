"""The text tower through ONNX Runtime on the CPU, beside the image tower (:mod:`.onnx_image`).

Where the image tower runs through ONNX (:func:`~photoclip.core.precision.onnx_plan`: the one
rule), the text tower of an open_clip CLIP model is exported too, from the loaded weights: in
the image lane once the embedder has embedded 16 photos (the image tower's first batch; those
photos' vectors for the labels check, :func:`calibration_prompts` as the texts), or on a
bulk-lane text call of at least :data:`CALIBRATION_MIN` texts (never in the interactive lane: a
query does not wait for an export), and cached in ``<models_dir>/.onnx/`` by (model, weights
hash, precision). The file takes token ids cut to the batch's longest prompt (``length`` is a
dynamic axis: the cut of :mod:`~photoclip.core.text_tower`, exact for open_clip's causal text
towers); tokenisation stays open_clip's own (its tokenizer while torch is loaded; without
torch, the numpy BPE of :mod:`~photoclip.core.clip_bpe`, used only where it gave the very same
ids as open_clip's on every calibration prompt).

Verdict. torch fp32 embeds the calibration texts (those vectors are returned for them); int8
(static: the activation ranges of the first :data:`CALIBRATION_TEXTS`, so a prompt's vector
does not depend on its batch) is kept only if every prompt's vector is within cosine 0.99 of
fp32 *and* the photos' image vectors the embedder has seen (else the prompts themselves) keep
the same top-10 labels; else the fp32 file is judged the same way. Under ``auto`` the kept file
must also be faster than torch (CPU-seconds on the same texts). Remembered per weights; any
failure logs one line and the text tower stays in torch. Other text towers (Hugging Face,
SigLIP's, CoCa, the multilingual and Chinese-CLIP providers) keep their torch towers.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from photoclip.core.model_catalogue import ModelSpec
from photoclip.core.model_facts import ModelFacts, fingerprint
from photoclip.core.onnx_image import (
    CACHE_DIR,
    MIN_COSINE,
    TOP_K,
    Verdict,
    _first_line,
    _unit,
    export_files,
    judge,
    open_session,
    weights_id,
)

__all__ = ["CALIBRATION_MIN", "OnnxTextTower", "calibration_prompts", "exportable",
           "token_lengths"]

log = logging.getLogger(__name__)

CALIBRATION_MIN = 64  # texts in the call that checks and times the ONNX text tower
CALIBRATION_TEXTS = 32  # of them, the first ones calibrate int8's activation ranges
CHUNK = 256  # texts per ONNX run (similar lengths together: shorter cuts)


def token_lengths(tokens: np.ndarray) -> np.ndarray:
    """(N,) each row's length up to its last non-pad (0) token."""
    nonzero = np.asarray(tokens) != 0
    return np.where(nonzero.any(axis=1), nonzero.shape[1] - np.argmax(nonzero[:, ::-1], axis=1),
                    0)


def calibration_prompts(n: int = 96) -> list[str]:
    """``n`` of the built-in label sets' distinct prompt texts (every k-th: their length mix):
    the texts the verdict made beside the image tower's is made on."""
    from photoclip.core.labels import builtin_label_sets
    from photoclip.core.tagging import _groups

    texts = list(dict.fromkeys(
        t for s in builtin_label_sets().values() for g in _groups(s) for t in g))
    return texts[:: max(1, len(texts) // n)][:n]


def exportable(model: Any, tokenizer: Any) -> tuple[Any, str, Any] | None:
    """(tower, pooling, eos id) where ``model``'s text tower can be cut and exported: open_clip's
    CLIP / TextTransformer towers of plain residual attention blocks, tokenised by its
    ``SimpleTokenizer``; None otherwise."""
    import torch
    from open_clip.tokenizer import SimpleTokenizer
    from open_clip.transformer import ResidualAttentionBlock

    from photoclip.core.text_tower import _tower

    if not isinstance(tokenizer, SimpleTokenizer) or getattr(
            tokenizer, "reduction_fn", None) is not None:
        return None
    found = _tower(model)
    if found is None:
        return None
    for block in found[0].transformer.resblocks:
        attn = getattr(block, "attn", None)
        if (type(block) is not ResidualAttentionBlock or hasattr(block, "ln_1_kv")
                or not isinstance(attn, torch.nn.MultiheadAttention)
                or not attn._qkv_same_embed_dim or attn.in_proj_bias is None
                or attn.bias_k is not None):
            return None
    return found


def _attention(block: Any, x: Any, mask: Any, n: Any, length: Any) -> Any:
    """``block.attn`` (torch's MultiheadAttention, causal ``mask``) on (N, L, D) as plain ops
    whose shapes come straight from the input's (MultiheadAttention's own traced export fixes
    the batch and the length it was traced at)."""
    import torch

    attn = block.attn
    heads = attn.num_heads
    dim = attn.embed_dim
    qkv = torch.nn.functional.linear(x, attn.in_proj_weight, attn.in_proj_bias)
    qkv = qkv.reshape(n, length, 3, heads, dim // heads).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    scores = (q * (dim // heads) ** -0.5) @ k.transpose(-1, -2) + mask
    out = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(n, length, dim)
    return torch.nn.functional.linear(out, attn.out_proj.weight, attn.out_proj.bias)


def _text_module(tower: Any, pool: str, eos: Any) -> Any:
    """The text tower as a module: token ids (N, L), any L up to the context length, ->
    features (N, D) (projection included, not normalised), as ``cut_text_encoder``."""
    import torch
    from open_clip.transformer import text_global_pool

    class TextTower(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tower = tower

        def forward(self, tokens: Any) -> Any:
            t = self.tower
            n, length = tokens.shape[0], tokens.shape[1]
            cast = t.transformer.get_cast_dtype()
            x = t.token_embedding(tokens).to(cast) + t.positional_embedding[:length].to(cast)
            mask = t.attn_mask[:length, :length].to(cast)
            for block in t.transformer.resblocks:
                x = x + block.ls_1(_attention(block, block.ln_1(x), mask, n, length))
                x = x + block.ls_2(block.mlp(block.ln_2(x)))
            x = text_global_pool(t.ln_final(x), tokens, pool, eos_token_id=eos)
            proj = t.text_projection
            if proj is not None:
                x = proj(x) if isinstance(proj, torch.nn.Linear) else x @ proj
            return x

    return TextTower()


class OnnxTextTower:
    """The ONNX text tower of one embedder: decided beside the image tower or on a big bulk
    text call (or from the remembered verdict), then used for every text call; torch until
    then and if it loses."""

    def __init__(
        self, spec: ModelSpec, models_dir: Path, facts: ModelFacts, precision: str, *,
        timed: bool, threads: int = 0,
    ) -> None:
        self.spec = spec
        self.models_dir = Path(models_dir)
        self.facts = facts
        self.precision = precision  # the plan's: onnx-int8 (then onnx-fp32) or onnx-fp32
        self.timed = timed
        self.threads = threads
        self.session: Any = None
        self.state = "undecided"  # then "onnx" or "torch"
        self.source = ""  # "cache" or "export"
        self.verdict: Verdict | None = None
        self.broken = False
        self._found: tuple[Any, str, Any] | None = None
        self._wid = ""

    @property
    def active(self) -> bool:
        return self.state == "onnx"

    @property
    def chosen(self) -> str:
        """The precision of the file in use (or to be judged first)."""
        return str((self.verdict or {}).get("precision") or self.precision)

    def cache_file(self, precision: str | None = None) -> Path:
        return (self.models_dir / CACHE_DIR / f"{fingerprint(self.spec)}-{self._wid}-text-"
                f"{precision or self.chosen}.onnx")

    def _key(self) -> str:
        return f"{self._wid}|{self.precision}|{'auto' if self.timed else 'explicit'}"

    def _remembered(self, weights: Path | None) -> Verdict | None:
        try:
            self._wid = weights_id(weights)
        except OSError as exc:
            log.warning("ONNX text tower off: cannot read the weights (%s)", exc)
            self.broken = True
            return None
        record = (self.facts.onnx_verdicts("text") or {}).get(self._key())
        return Verdict(record) if isinstance(record, dict) else None

    def ready(self, weights: Path | None) -> bool:
        """Whether texts can go through the cached file without torch: a remembered "use"
        verdict, its file, and the numpy tokenizer's ids found equal to open_clip's."""
        verdict = self._remembered(weights)
        return (not self.broken and verdict is not None and verdict.use_onnx
                and bool(verdict.get("bpe")) and self.cache_file(verdict["precision"]).is_file())

    def attach(self, model: Any, tokenizer: Any, weights: Path | None) -> None:
        """After a torch load (``model`` None: torch-free, where :meth:`ready`). A remembered
        verdict with its cached file decides at once."""
        self.session, self.state, self.source = None, "undecided", ""
        self._found = exportable(model, tokenizer) if model is not None else None
        self.verdict = self._remembered(weights)
        if self.broken or (self.verdict is not None and not self.verdict.use_onnx):
            self.state = "torch"
        elif self.verdict is not None:
            if self.cache_file().is_file() and self._open(self.chosen):
                self.source, self.state = "cache", "onnx"
            elif self._found is None:
                self.state = "torch"
        elif self._found is None:
            self.state = "torch"  # not an exportable tower: torch, not remembered

    def _open(self, precision: str) -> bool:
        path = self.cache_file(precision)
        try:
            self.session = open_session(path, self.threads)
            return True
        except Exception as exc:  # a damaged or foreign file: exported again
            log.warning("The cached ONNX text tower %s cannot be opened (%s)", path.name,
                        _first_line(exc))
            with contextlib.suppress(OSError):
                path.unlink()
            self.session = None
            return False

    def run(self, tokens: np.ndarray) -> np.ndarray:
        """Unit vectors for (N, 77) token ids, each chunk cut to its longest prompt."""
        tokens = np.asarray(tokens, dtype=np.int64)
        out = np.empty((len(tokens), 0), dtype=np.float32)
        lengths = token_lengths(tokens)
        order = np.argsort(lengths, kind="stable") if len(tokens) > CHUNK else np.arange(
            len(tokens))
        for start in range(0, len(tokens), CHUNK):
            rows = order[start : start + CHUNK]
            cut = max(int(lengths[rows].max()), 1)
            feats = self.session.run(["features"], {
                "tokens": np.ascontiguousarray(tokens[rows, :cut])})[0]
            if not out.shape[1]:
                out = np.empty((len(tokens), feats.shape[1]), dtype=np.float32)
            out[rows] = _unit(feats)
        return out

    @property
    def undecided(self) -> bool:
        """Whether a verdict is still to be made (on an exportable torch tower)."""
        return self.state == "undecided" and not self.broken and self._found is not None

    def embed(
        self, tokens: np.ndarray, texts: list[str], torch_embed: Callable[[np.ndarray], np.ndarray],
        probes: np.ndarray | None = None, *, decide: bool = True,
    ) -> np.ndarray:
        """Unit vectors for ``texts`` (``tokens``: open_clip's ids for them): ONNX once chosen;
        a ``decide`` call of at least :data:`CALIBRATION_MIN` texts decides (``probes``: photos'
        image vectors for the top-10 labels check)."""
        if self.state == "onnx":
            try:
                return self.run(tokens)
            except Exception as exc:
                log.warning("The ONNX text tower failed (%s); using torch", _first_line(exc))
                self.state, self.session, self.broken = "torch", None, True
        if not (decide and self.undecided and len(tokens) >= CALIBRATION_MIN):
            return torch_embed(tokens)
        half = len(tokens) // 2  # the first half warms torch up; the second half is timed
        first = torch_embed(tokens[:half])
        t = time.process_time()
        second = torch_embed(tokens[half:])
        torch_s = (time.process_time() - t) * len(tokens) / (len(tokens) - half)
        reference = np.concatenate([first, second])
        self._decide(tokens, texts, reference, torch_s, probes)
        return reference

    def _decide(self, tokens: np.ndarray, texts: list[str], reference: np.ndarray,
                torch_s: float, probes: np.ndarray | None) -> None:
        tried: list[dict[str, Any]] = []
        chosen: Verdict | None = None
        try:
            candidates = ["onnx-int8", "onnx-fp32"] if self.precision == "onnx-int8" else [
                "onnx-fp32"]
            assert self._found is not None
            tower, pool, eos = self._found
            calibration = tokens[:CALIBRATION_TEXTS]
            cut = max(int(token_lengths(calibration).max()), 1)
            sample = tokens[:2, :cut]
            t = time.perf_counter()
            if not all(self.cache_file(p).is_file() for p in candidates):
                # one export: int8's fp32 file is kept as the fp32 candidate
                export_files(_text_module(tower, pool, eos), (sample,),
                             self.cache_file(candidates[0]), candidates[0], input_name="tokens",
                             dynamic_axes={"tokens": {0: "n", 1: "length"},
                                           "features": {0: "n"}},
                             calibration=[{"tokens": row[None, : max(int(n), 1)]} for row, n
                                          in zip(calibration, token_lengths(calibration))],
                             keep_fp32=self.cache_file("onnx-fp32"))
                self.source = "export"
            if self.source:
                log.info("Exported the text tower of %s to ONNX (%s) in %.1f s", self.spec.key,
                         ", ".join(candidates), time.perf_counter() - t)
            for precision in candidates:
                if not self._open(precision):
                    raise RuntimeError("the exported file cannot be opened")
                self.run(tokens[:2])  # warm-up
                t = time.process_time()
                candidate = self.run(tokens)
                onnx_s = time.process_time() - t
                verdict = judge(reference, candidate, torch_s=torch_s, onnx_s=onnx_s,
                                timed=self.timed, probes=probes)
                verdict["precision"] = precision
                tried.append(dict(verdict))
                if verdict.get("accurate"):
                    chosen = verdict
                    break
        except Exception as exc:
            log.warning("ONNX text tower for %s not available (%s); the text tower stays in "
                        "torch", self.spec.key, _first_line(exc))
            log.debug("ONNX text export failed", exc_info=True)
            self.state, self.session, self.broken = "torch", None, True
            return
        if chosen is None:
            chosen = Verdict(tried[-1])
            chosen["use"] = False
        chosen["bpe"] = _same_tokens(texts, tokens)
        chosen["tried"] = [{k: v[k] for k in ("precision", "min_cosine", "changed_neighbours",
                                              "onnx_ms")} for v in tried]
        chosen["probes"] = 0 if probes is None else len(probes)
        self.verdict = chosen
        self.facts.remember_onnx_verdict(self._key(), dict(chosen), "text")
        log.info("ONNX text tower (%s) on %d texts, %d photos' top-%d labels: min cosine %.5f, "
                 "%d changed, %.0f vs torch %.0f CPU-ms: %s", chosen["precision"], len(tokens),
                 chosen["probes"], TOP_K, chosen["min_cosine"], chosen["changed_neighbours"],
                 chosen["onnx_ms"], torch_s * 1000, "used" if chosen.use_onnx else "not used")
        for precision in ("onnx-int8", "onnx-fp32"):  # only the file in use is kept
            if not chosen.use_onnx or precision != chosen["precision"]:
                with contextlib.suppress(OSError):
                    self.cache_file(precision).unlink()
        if chosen.use_onnx:  # the session of the last file judged: the chosen one
            self.state = "onnx"
        else:
            self.state, self.session = "torch", None
            if not self.timed:
                log.warning("The ONNX text tower is not accurate enough for %s (min cosine "
                            "%.4f < %.2f); using torch", self.spec.key, chosen["min_cosine"],
                            MIN_COSINE)

    def detach(self) -> None:
        """Forget the session and the torch model (the embedder closed)."""
        self.session, self._found = None, None
        self.state = "undecided"


def _same_tokens(texts: list[str], tokens: np.ndarray) -> bool:
    """Whether the numpy BPE gives open_clip's ids for every one of ``texts``."""
    try:
        from photoclip.core.clip_bpe import shared

        bpe = shared()
        return bool(bpe is not None and np.array_equal(bpe(texts), tokens))
    except Exception:  # a missing vocabulary, an odd text: torch's tokenizer only
        log.debug("numpy BPE check failed", exc_info=True)
        return False


def torch_free_tokens(texts: list[str]) -> np.ndarray | None:
    """open_clip's token ids for ``texts`` without torch (the verified numpy BPE), or None."""
    from photoclip.core.clip_bpe import shared

    bpe = shared()
    return None if bpe is None else bpe(texts)

