"""Duplicate finding: exact (same bytes), perceptual hash (DCT pHash) and CLIP vectors.

Everything here is plain numpy on data the caller provides, so the benchmark and the tests use
the same code as the ``duplicates`` action.

The perceptual hash is the classic pHash: the image in grey at 32x32, its 2-D DCT-II, the 8x8
lowest frequencies without the DC term compared with their median, 63 bits. Because a DCT
coefficient (u, v) of a mirrored image only changes sign by (-1)^v (and a transpose swaps u and
v), the hashes of all eight flips and 90-degree rotations come from one DCT for free: with
``invariant=True`` two photos are compared by the smallest distance over those variants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

HASH_SIZE = 8
_SAMPLE = 32


def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)
    mat = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n))
    mat[0] *= 1 / np.sqrt(2)
    return mat * np.sqrt(2 / n)


_DCT = _dct_matrix(_SAMPLE)


def dct_block(image: Any) -> np.ndarray:
    """The 8x8 lowest-frequency DCT coefficients of a PIL image (grey, 32x32, Lanczos)."""
    from PIL import Image

    grey = image.convert("L").resize((_SAMPLE, _SAMPLE), Image.Resampling.LANCZOS)
    pixels = np.asarray(grey, dtype=np.float64)
    return (_DCT @ pixels @ _DCT.T)[:HASH_SIZE, :HASH_SIZE]


def _bits(block: np.ndarray) -> int:
    coeffs = block.reshape(-1)[1:]  # without the DC term
    bits = coeffs > np.median(coeffs)
    return int(np.packbits(np.concatenate([[False], bits])).view(">u8")[0])


def phash_variants(block: np.ndarray) -> list[int]:
    """pHashes of the image and its 7 flips/rotations (first: the image as it is)."""
    signs = (-1.0) ** np.arange(HASH_SIZE)
    flip_x = block * signs[None, :]  # mirrored left-right: coefficient (u, v) * (-1)^v
    flip_y = block * signs[:, None]
    variants = [block, flip_x, flip_y, flip_x * signs[:, None]]
    variants += [v.T for v in variants]  # transposes give the 90-degree rotations
    return [_bits(v) for v in variants]


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def phash_pairs(
    hashes: dict[int, Sequence[int]], max_distance: int, *, invariant: bool = True
) -> dict[tuple[int, int], int]:
    """Pairs (a < b) whose hashes differ in at most ``max_distance`` bits -> the distance.
    ``hashes[id]`` are the variants of :func:`phash_variants` (only the first unless
    ``invariant``)."""
    ids = sorted(hashes)
    if len(ids) < 2:
        return {}
    width = len(next(iter(hashes.values()))) if invariant else 1
    base = np.array([hashes[i][0] for i in ids], dtype=np.uint64)
    variants = np.array([list(hashes[i][:width]) for i in ids], dtype=np.uint64)
    found: dict[tuple[int, int], int] = {}
    for row, a in enumerate(ids[:-1]):
        xor = variants[row][None, :] ^ base[row + 1 :][:, None]  # (rest, variants)
        dist = _popcount(xor).min(axis=1)
        for k in np.flatnonzero(dist <= max_distance):
            found[(a, ids[row + 1 + k])] = int(dist[k])
    return found


def _popcount(x: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x)
    as_bytes = x.view(np.uint8).reshape(*x.shape, 8)
    return np.unpackbits(as_bytes, axis=-1).sum(axis=-1)


def vector_pairs(
    ids: Sequence[int], vectors: np.ndarray, threshold: float, chunk: int = 512
) -> dict[tuple[int, int], float]:
    """Pairs (a < b) of L2-normalised vectors with cosine similarity >= threshold."""
    ids_arr = np.asarray(ids, dtype=np.int64)
    order = np.argsort(ids_arr)
    ids_arr, vecs = ids_arr[order], np.asarray(vectors, dtype=np.float32)[order]
    found: dict[tuple[int, int], float] = {}
    for lo in range(0, len(ids_arr), chunk):
        sims = vecs[lo : lo + chunk] @ vecs.T
        rows, cols = np.nonzero(sims >= threshold)
        for r, c in zip(rows, cols):
            if lo + r < c:
                found[(int(ids_arr[lo + r]), int(ids_arr[c]))] = float(sims[r, c])
    return found


def exact_pairs(content_hashes: dict[int, str | None]) -> set[tuple[int, int]]:
    """Pairs of photos with identical bytes."""
    by_hash: dict[str, list[int]] = {}
    for pid, digest in content_hashes.items():
        if digest:
            by_hash.setdefault(digest, []).append(pid)
    return {
        (a, b) for group in by_hash.values() for i, a in enumerate(sorted(group))
        for b in sorted(group)[i + 1 :]
    }


def groups(pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components (union-find) of the pairs, each sorted, largest group first."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    comps: dict[int, list[int]] = {}
    for x in parent:
        comps.setdefault(find(x), []).append(x)
    return sorted((sorted(c) for c in comps.values()), key=lambda c: (-len(c), c[0]))


def pair_scores(
    found: Iterable[tuple[int, int]], truth: Iterable[tuple[int, int]]
) -> tuple[float, float, int, int, int]:
    """Precision, recall, true positives, false positives, false negatives of pairs."""
    got = {tuple(sorted(p)) for p in found}
    want = {tuple(sorted(p)) for p in truth}
    tp, fp, fn = len(got & want), len(got - want), len(want - got)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, tp, fp, fn


def group_pairs(grouped: Iterable[Sequence[int]]) -> set[tuple[int, int]]:
    """Every pair inside every group (groups are transitive: what a user reviews)."""
    return {
        (a, b) for g in grouped for i, a in enumerate(sorted(g)) for b in sorted(g)[i + 1 :]
    }
