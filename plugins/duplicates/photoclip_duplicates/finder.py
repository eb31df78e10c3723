"""Duplicate finding: exact (same bytes), perceptual hash (DCT pHash) and CLIP vectors.

Everything here is plain numpy on data the caller provides, so the benchmark and the tests use
the same code as the ``duplicates`` action.

The perceptual hash is the classic pHash: the image in grey at 32x32, its 2-D DCT-II, the 8x8
lowest frequencies without the DC term compared with their median, 63 bits. Because a DCT
coefficient (u, v) of a mirrored image only changes sign by (-1)^v (and a transpose swaps u and
v), the hashes of all eight flips and 90-degree rotations come from one DCT for free: with
``invariant=True`` two photos are compared by the smallest distance over those variants. Two
more hashes, of the photo's central 85% and 70%, catch a copy cropped around its centre.

Groups are *stars around a keeper* (:func:`star_groups`): every member matched the keeper
itself, so a chain of look-alikes (A~B, B~C, ... Y~Z) never becomes one group, which
single-linkage union-find would make of a big library.

The vector threshold is not a fixed cosine: models differ in how close unrelated photos lie
(a real CLIP model puts them at cosine ~0.5, a random one at ~0.96). :func:`vector_threshold`
scales the library's own typical distance instead (see ``VECTOR_RATIO``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

HASH_SIZE = 8
_SAMPLE = 32
#: The central part of a photo hashed besides the whole (fractions of each side).
CROPS = (0.85, 0.7)
#: Hashes per photo: 8 flips/turns, then one per crop.
N_HASHES = 8 + len(CROPS)
#: Default pHash distance (bits of 63) still a duplicate, from bench/duplicates.py: resized,
#: re-encoded and grey copies lie at 0-3 bits; among 351,541 pairs of unrelated photos
#: (coco-mini, imagenette-mini, faces) the closest over all flips/turns/crops were 4 (1 pair) and
#: 8 (2 pairs) bits apart, and unrelated pairs grow with a library's size (the old default of 8
#: paired a campfire with a parking lot in a 2,000-photo library).
MAX_DISTANCE = 5
#: A vector pair is a duplicate when its cosine distance (1 - similarity) is at most this
#: fraction of the library's median distance between photos. Calibrated with
#: bench/duplicates.py (docs/bench/duplicates.txt): the largest ratio with no false pair there,
#: for method "vectors" (vectors alone) and for "all" (a vector match must also pass
#: :data:`CONFIRM_BITS`). With a real CLIP model (median distance ~0.5) they mean cosine >= ~0.99
#: and >= ~0.975.
VECTOR_RATIO = 0.02
VECTOR_RATIO_CONFIRMED = 0.05
#: With method "all", a pair matched by vectors alone must also be within this many pHash bits
#: (over flips/turns/crops): unrelated photos lie ~31 bits apart, edited copies within ~16, so
#: two independent signals must agree before a photo is called a copy.
CONFIRM_BITS = 16
#: A photo whose grey 32x32 sample varies less than this (standard deviation, of 255 levels) is
#: blank: a black frame, a white scan, a solid colour. Its pHash is only rounding noise (a white
#: and a blue frame lie 1 bit apart) and CLIP puts all such frames close together, so blank
#: photos are duplicates only of byte-identical copies. Real photos, even foggy or dark ones,
#: lie well above it (a gentle grey gradient: ~11).
BLANK_STD = 2.0


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


def is_blank(image: Any) -> bool:
    """Whether a PIL image has no detail to compare (:data:`BLANK_STD`)."""
    from PIL import Image

    grey = image.convert("L").resize((_SAMPLE, _SAMPLE), Image.Resampling.LANCZOS)
    return float(np.asarray(grey, dtype=np.float64).std()) < BLANK_STD


def crop_blocks(image: Any) -> list[np.ndarray]:
    """:func:`dct_block` of the photo's central :data:`CROPS`."""
    w, h = image.size
    out = []
    for f in CROPS:
        box = (round(w * (1 - f) / 2), round(h * (1 - f) / 2),
               round(w * (1 + f) / 2), round(h * (1 + f) / 2))
        out.append(dct_block(image.crop(box)))
    return out


def photo_hashes(image: Any) -> list[int]:
    """The :data:`N_HASHES` hashes of a PIL image: its flips/turns, then its central crops."""
    return phash_variants(dct_block(image)) + [_bits(b) for b in crop_blocks(image)]


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
) -> dict[tuple[int, int], tuple[int, str]]:
    """Pairs (a < b) whose hashes differ in at most ``max_distance`` bits -> (distance, how):
    ``"as is"``, ``"mirrored or turned"`` or ``"cropped"``. ``hashes[id]`` are those of
    :func:`photo_hashes` (or only the 8 of :func:`phash_variants`: no crop check); flips and
    turns count only if ``invariant``."""
    ids = sorted(hashes)
    if len(ids) < 2:
        return {}
    width = min(len(h) for h in hashes.values())
    base = np.array([hashes[i][0] for i in ids], dtype=np.uint64)
    turns = np.array([list(hashes[i][1:8]) for i in ids], dtype=np.uint64) if invariant else None
    crops = np.array([list(hashes[i][8:width]) for i in ids], dtype=np.uint64)
    found: dict[tuple[int, int], tuple[int, str]] = {}
    for row, a in enumerate(ids[:-1]):
        rest = base[row + 1 :]
        kinds = [("as is", _popcount(base[row] ^ rest))]
        if turns is not None:
            kinds.append(("mirrored or turned",
                          _popcount(turns[row][None, :] ^ rest[:, None]).min(axis=1)))
        if crops.shape[1]:
            mine = _popcount(crops[row][None, :] ^ rest[:, None]).min(axis=1)  # b = crop of a
            theirs = _popcount(crops[row + 1 :] ^ base[row]).min(axis=1)  # a = crop of b
            kinds.append(("cropped", np.minimum(mine, theirs)))
        dists = np.stack([d.astype(np.int64) for _, d in kinds])
        best = dists.argmin(axis=0)
        low = dists.min(axis=0)
        for k in np.flatnonzero(low <= max_distance):
            found[(a, ids[row + 1 + k])] = (int(low[k]), kinds[int(best[k])][0])
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


def vector_threshold(
    vectors: np.ndarray, ratio: float = VECTOR_RATIO, sample: int = 2000, seed: int = 0
) -> float:
    """The cosine similarity above which two of these (L2-normalised) vectors are duplicates:
    ``1 - ratio * median distance`` between photos of this library (pairs among at most
    ``sample`` vectors). Fewer than 3 vectors: 1.0 (only identical vectors)."""
    vecs = np.asarray(vectors, dtype=np.float32)
    if len(vecs) < 3:
        return 1.0
    if len(vecs) > sample:
        vecs = vecs[np.random.default_rng(seed).choice(len(vecs), sample, replace=False)]
    sims = vecs @ vecs.T
    upper = sims[np.triu_indices(len(vecs), 1)]
    median_distance = float(np.median(1.0 - upper))
    return float(min(1.0, 1.0 - ratio * max(median_distance, 0.0)))


def exact_pairs(content_hashes: dict[int, str | None]) -> set[tuple[int, int]]:
    """Pairs of photos with identical bytes (a 64-digit SHA-256 and the 32-digit one that
    libraries indexed before kept are compared on their first 32 digits)."""
    by_hash: dict[str, list[int]] = {}
    for pid, digest in content_hashes.items():
        if digest:
            by_hash.setdefault(digest[:32], []).append(pid)
    return {
        (a, b) for group in by_hash.values() for i, a in enumerate(sorted(group))
        for b in sorted(group)[i + 1 :]
    }


def star_groups(
    preference: Sequence[int], pairs: Iterable[tuple[int, int]]
) -> list[list[int]]:
    """Groups as stars: ``preference`` lists photo ids best original first; each unassigned
    photo, in that order, becomes the keeper of every still unassigned photo it was paired with.
    Each group is ``[keeper, *members]`` (members in preference order), every member paired
    with its keeper; largest group first. Photos in no pair are in no group."""
    rank = {pid: r for r, pid in enumerate(preference)}
    neighbours: dict[int, set[int]] = {}
    for a, b in pairs:
        if a != b and a in rank and b in rank:
            neighbours.setdefault(a, set()).add(b)
            neighbours.setdefault(b, set()).add(a)
    assigned: set[int] = set()
    out: list[list[int]] = []
    for keeper in preference:
        if keeper in assigned or keeper not in neighbours:
            continue
        members = sorted((m for m in neighbours[keeper] if m not in assigned), key=rank.__getitem__)
        if not members:
            continue
        assigned.add(keeper)
        assigned.update(members)
        out.append([keeper, *members])
    return sorted(out, key=lambda g: (-len(g), rank[g[0]]))


def groups(pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components (union-find) of the pairs, each sorted, largest group first.
    Not for duplicate groups (it chains look-alikes: see :func:`star_groups`)."""
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
