"""CLIP's byte-pair tokenizer without torch (for a text query that needs no torch at all).

The same algorithm, vocabulary and cleaning as open_clip's default ``SimpleTokenizer``
(``clean="lower"``, no reduction mask, context length 77), which builds a torch tensor and so
imports torch; this one returns numpy. The vocabulary file is open_clip's own
(``bpe_simple_vocab_16e6.txt.gz``), found without importing open_clip. Token ids are checked
equal to open_clip's on the loaded model before the torch-free text path is ever used
(:mod:`~photoclip.core.numpy_text`).
"""

from __future__ import annotations

import gzip
import html
import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["ClipBpe", "default_vocab", "shared"]

CONTEXT_LENGTH = 77
_SPECIAL = ("<start_of_text>", "<end_of_text>")


def default_vocab() -> Path | None:
    """open_clip's BPE vocabulary file, if open_clip is installed (not imported)."""
    spec = importlib.util.find_spec("open_clip")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "bpe_simple_vocab_16e6.txt.gz"
        if path.is_file():
            return path
    return None


@lru_cache
def _bytes_to_unicode() -> dict[int, str]:
    bs = (list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1))
          + list(range(ord("®"), ord("ÿ") + 1)))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


def _pairs(word: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(word[i], word[i + 1]) for i in range(len(word) - 1)}


def _clean(text: str) -> str:
    import ftfy

    text = html.unescape(html.unescape(ftfy.fix_text(text))).strip()
    return " ".join(text.split()).strip().lower()


class ClipBpe:
    """``tokenizer(texts) -> (N, 77) int64``: start token, BPE ids, end token, zero padding
    (truncated to 77 with the end token last), as open_clip's ``SimpleTokenizer``."""

    def __init__(self, vocab: Path) -> None:
        import regex

        with gzip.open(vocab) as f:
            merges_text = f.read().decode("utf-8").split("\n")
        merges = [tuple(m.split()) for m in merges_text[1 : 49152 - 256 - 2 + 1]]
        units = list(_bytes_to_unicode().values())
        words = units + [u + "</w>" for u in units] + ["".join(m) for m in merges]
        words.extend(_SPECIAL)
        self.encoder = dict(zip(words, range(len(words))))
        self.bpe_ranks = dict(zip(merges, range(len(merges))))
        self._cache: dict[str, str] = {t: t for t in _SPECIAL}
        self._pat = regex.compile(
            "|".join(_SPECIAL)
            + r"""|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
            regex.IGNORECASE,
        )
        self.vocab_size = len(self.encoder)
        self.sot, self.eot = (self.encoder[t] for t in _SPECIAL)
        self._lock = threading.Lock()

    def _bpe(self, token: str) -> str:
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        word: tuple[str, ...] = (*token[:-1], token[-1] + "</w>")
        pairs = _pairs(word)
        if not pairs:
            return token + "</w>"
        while True:
            bigram = min(pairs, key=lambda p: self.bpe_ranks.get(p, float("inf")))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            merged: list[str] = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    merged.extend(word[i:])
                    break
                merged.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    merged.append(first + second)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = tuple(merged)
            if len(word) == 1:
                break
            pairs = _pairs(word)
        out = " ".join(word)
        with self._lock:
            self._cache[token] = out
        return out

    def encode(self, text: str) -> list[int]:
        byte_encoder = _bytes_to_unicode()
        ids: list[int] = []
        for token in self._pat.findall(_clean(text)):
            token = "".join(byte_encoder[b] for b in token.encode("utf-8"))
            ids.extend(self.encoder[t] for t in self._bpe(token).split(" "))
        return ids

    def __call__(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), CONTEXT_LENGTH), dtype=np.int64)
        for row, text in enumerate(texts):
            ids = [self.sot, *self.encode(text), self.eot]
            if len(ids) > CONTEXT_LENGTH:
                ids = ids[:CONTEXT_LENGTH]
                ids[-1] = self.eot
            out[row, : len(ids)] = ids
        return out


_shared: dict[Path, ClipBpe] = {}
_shared_lock = threading.Lock()


def shared(vocab: Path | None = None) -> ClipBpe | None:
    """One tokenizer per vocabulary file in this process (building one costs ~0.1-0.3 s);
    None where open_clip's vocabulary is not installed."""
    vocab = vocab or default_vocab()
    if vocab is None:
        return None
    with _shared_lock:
        if vocab not in _shared:
            _shared[vocab] = ClipBpe(vocab)
        return _shared[vocab]
