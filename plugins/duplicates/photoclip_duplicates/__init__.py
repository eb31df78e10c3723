"""The ``duplicates`` plugin: exact and near-duplicate groups for review.

``photoclip duplicates`` (or the GUI's "Find duplicates") groups photos that are byte-identical
(the content hash photoclip already keeps), look the same to a perceptual hash (robust to
resizing, re-encoding, grey conversion, central crops and, by default, flips and 90-degree
turns), or whose stored CLIP vectors are nearly identical (catches crops and edits with a real
model). Each group is a *star*: one keeper, the likely original (``original_first``, the
core's one rule, also the GUI's duplicates review), and copies that each matched the keeper
itself, with how and how closely; nothing chains. Nothing is deleted: with ``--trash`` the
copies move to the system trash after the user has seen the groups and confirmed, and
``photoclip undo`` brings them back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from photoclip.plugin_api import (
    Action,
    ActionResult,
    Count,
    Option,
    Photo,
    PluginContext,
    PluginError,
    Said,
    counted,
    hookimpl,
    open_image,
    original_first,
)

from . import finder

log = logging.getLogger(__name__)

PLUGIN = "duplicates"
METHODS = ("all", "exact", "phash", "vectors")
#: How many groups the --trash question lists before "... and N more".
QUESTION_GROUPS = 10


@dataclass
class Match:
    """Why a photo is in its keeper's group: the methods that matched the pair, and scores."""

    methods: list[str] = field(default_factory=list)
    similarity: float | None = None  # cosine of the stored vectors, when both have one
    phash_bits: int | None = None
    phash_how: str | None = None

    def describe(self) -> str:
        parts = []
        if "exact" in self.methods:
            parts.append("identical file")
        if self.phash_bits is not None and "phash" in self.methods:
            parts.append(f"perceptual hash {self.phash_bits} bits apart ({self.phash_how})")
        if self.similarity is not None:
            tag = "" if "vectors" in self.methods else ", not a match by itself"
            parts.append(f"vector similarity {self.similarity:.3f}{tag}")
        return "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {"matched_by": list(self.methods), "similarity": self.similarity,
                "phash_bits": self.phash_bits, "phash_how": self.phash_how}


@dataclass
class Found:
    """Duplicate groups (``[keeper, *copies]`` ids), why each copy matched, the thresholds."""

    groups: list[list[int]]
    matches: dict[tuple[int, int], Match]  # (keeper, copy) -> why
    thresholds: dict[str, Any]
    #: Blank photos (a black frame, a white scan, a solid colour): compared as files only.
    blank: list[int] = field(default_factory=list)


def perceptual_hashes(
    context: PluginContext, photos: list[Photo]
) -> tuple[dict[int, list[int]], set[int]]:
    """:func:`finder.photo_hashes` of each photo that is not blank (:func:`finder.is_blank`),
    and the ids of the blank ones; cached by content hash in the plugin's data folder (a blank
    photo as an empty list)."""
    cache_file = context.data_dir(PLUGIN) / "phash-v3.json"
    try:
        cache: dict[str, list[int]] = json.loads(cache_file.read_text())
    except (OSError, ValueError):
        cache = {}
    out: dict[int, list[int]] = {}
    blank: set[int] = set()
    changed = False
    for photo in photos:
        key = photo.content_hash
        cached = cache.get(key) if key else None
        if cached is None or len(cached) not in (0, finder.N_HASHES):
            try:
                image = open_image(photo.path, min_side=64)
            except (ValueError, OSError) as exc:
                log.info("No perceptual hash for %s: %s", photo.path, exc)
                continue
            cached = [] if finder.is_blank(image) else finder.photo_hashes(image)
            if key:
                cache[key] = cached
                changed = True
        if cached:
            out[photo.id] = cached
        else:
            blank.add(photo.id)
    if changed:
        tmp = cache_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(cache))
        tmp.replace(cache_file)
    return out, blank


def find_groups(
    context: PluginContext,
    photos: list[Photo],
    *,
    method: str = "all",
    threshold: float | None = None,
    max_distance: int | None = None,
    invariant: bool = True,
) -> Found:
    """Duplicate groups among ``photos``: stars around the likeliest original.

    ``threshold``: cosine similarity for ``vectors`` (None: :func:`finder.vector_threshold` of
    this library's vectors); ``max_distance``: pHash bits (None: :data:`finder.MAX_DISTANCE`).
    A blank photo (:func:`finder.is_blank`) is a duplicate only of a byte-identical file: blank
    frames look alike to every method without being copies of each other.
    """
    if method not in METHODS:
        raise PluginError(f"method must be one of {', '.join(METHODS)}")
    if threshold is not None and not -1.0 <= threshold <= 1.0:
        raise PluginError(f"threshold is a cosine similarity in [-1, 1], not {threshold:g}")
    bits = finder.MAX_DISTANCE if max_distance is None else int(max_distance)
    if not 0 <= bits <= 63:
        raise PluginError(f"max-distance is a number of bits in 0..63, not {bits}")
    matched: dict[tuple[int, int], set[str]] = {}
    thresholds: dict[str, Any] = {"method": method}
    if method in ("all", "exact"):
        for pair in finder.exact_pairs({p.id: p.content_hash for p in photos}):
            matched.setdefault(pair, set()).add("exact")
    hashes: dict[int, list[int]] = {}
    blank: set[int] = set()
    if method != "exact":
        hashes, blank = perceptual_hashes(context, photos)
    if method in ("all", "phash"):
        thresholds["phash_bits"] = bits
        for pair in finder.phash_pairs(hashes, bits, invariant=invariant):
            matched.setdefault(pair, set()).add("phash")
    ids, vectors = context.vectors([p.id for p in photos])
    row = {pid: r for r, pid in enumerate(ids)}
    if method in ("all", "vectors") and len(ids) >= 2:
        if threshold is None:
            ratio = finder.VECTOR_RATIO_CONFIRMED if method == "all" else finder.VECTOR_RATIO
            threshold = finder.vector_threshold(vectors, ratio)
            thresholds["vector_rule"] = f"1 - {ratio:g} x this library's median distance"
        thresholds["vectors"] = round(float(threshold), 4)
        close = finder.vector_pairs(ids, vectors, threshold)
        if method == "all":  # vectors alone are not enough: a loose pHash check must agree
            thresholds["vectors_confirmed_by_phash_bits"] = finder.CONFIRM_BITS
            loose = finder.phash_pairs(
                {i: hashes[i] for pair in close for i in pair if i in hashes},
                finder.CONFIRM_BITS, invariant=invariant)
            close = {pair: sim for pair, sim in close.items() if pair in loose}
        for pair in close:
            if not blank.intersection(pair):
                matched.setdefault(pair, set()).add("vectors")
    order = [p.id for p in original_first(photos)]
    grouped = finder.star_groups(order, matched)
    matches: dict[tuple[int, int], Match] = {}
    for keeper, *copies in grouped:
        for pid in copies:
            methods = matched[(min(keeper, pid), max(keeper, pid))]
            m = Match([k for k in ("exact", "phash", "vectors") if k in methods])
            if keeper in row and pid in row:
                m.similarity = round(float(vectors[row[keeper]] @ vectors[row[pid]]), 4)
            if keeper in hashes and pid in hashes:
                pair = finder.phash_pairs({keeper: hashes[keeper], pid: hashes[pid]}, 63,
                                          invariant=invariant)
                m.phash_bits, m.phash_how = next(iter(pair.values()))
            matches[(keeper, pid)] = m
    return Found(grouped, matches, thresholds, sorted(blank))


def _thresholds_text(t: dict[str, Any]) -> str:
    parts = []
    if "phash_bits" in t:
        parts.append(f"perceptual hash <= {t['phash_bits']} bits")
    if "vectors" in t:
        rule = f" ({t['vector_rule']})" if "vector_rule" in t else ""
        also = (f" and perceptual hash <= {t['vectors_confirmed_by_phash_bits']} bits"
                if "vectors_confirmed_by_phash_bits" in t else "")
        parts.append(f"vector similarity >= {t['vectors']:.3f}{rule}{also}")
    return "; ".join(parts)


def run(context: PluginContext, photos: list[Photo], options: dict[str, Any]) -> ActionResult:
    by_id = {p.id: p for p in photos}
    found = find_groups(
        context, photos,
        method=options.get("method") or "all",
        threshold=None if options.get("threshold") is None else float(options["threshold"]),
        max_distance=options.get("max-distance"),
        invariant=not options.get("exact-orientation"),
    )
    details: list[str] = []
    data: list[dict[str, Any]] = []
    extra: list[Photo] = []
    for n, (keeper, *copies) in enumerate(found.groups, 1):
        keep = by_id[keeper]
        details.append(f"group {n}: keep {keep.path} ({keep.width or '?'}x{keep.height or '?'})")
        members = []
        for pid in copies:
            p, why = by_id[pid], found.matches[(keeper, pid)]
            extra.append(p)
            details.append(f"    copy {p.path} ({why.describe()})")
            members.append({"path": p.path, **why.as_dict()})
        data.append({"keep": keep.path, "duplicates": [m["path"] for m in members],
                     "members": members})
    blank = [by_id[pid].path for pid in found.blank]
    if found.groups:
        details.append(f"matched when: {_thresholds_text(found.thresholds) or 'identical files'}")
    if found.blank:
        details.append(
            f"{counted(len(found.blank), 'blank photo')} (a black frame, a white page, a solid "
            "colour) compared as files only: blank photos look alike without being copies of "
            "each other, so only identical files are called duplicates")
    message = Said("{groups} of duplicates among {photos}; {extra}", {
        "groups": Count(len(found.groups), "group"), "photos": Count(len(photos), "photo"),
        "extra": Count(len(extra), "extra copy", "extra copies")})
    trashed: list[str] = []
    if options.get("trash") and extra:
        shown = details[: sum(1 + len(g) for g in found.groups[:QUESTION_GROUPS])]
        more = len(found.groups) - QUESTION_GROUPS
        review = "\n".join(shown + ([f"... and {counted(more, 'more group')}"] if more > 0 else []))
        review += f"\n{message}; each group's keeper stays, its copies move."
        moved = context.move_to_trash([p.path for p in extra], reason="duplicates",
                                      review=review)
        trashed = [str(m) for m in moved]
        message = Said("{message}; moved {n} to the system trash" if trashed
                       else "{message}; nothing moved", {"message": message, "n": len(trashed)})
    return ActionResult(message, details, {"groups": data, "trashed": trashed,
                                           "thresholds": found.thresholds, "blank": blank})


@hookimpl
def photoclip_actions(register: Callable[[Action], None]) -> None:
    register(Action(
        "duplicates", "Find duplicates",
        "Group identical and near-identical photos for review (nothing is deleted)",
        run,
        options=(
            Option("method", "how to compare: all, exact (same bytes), phash, vectors",
                   choices=METHODS, default="all"),
            Option("threshold", "vectors: cosine similarity counted as a duplicate (default: "
                   "set from this library's own spread of similarities)", type=float),
            Option("max-distance", "phash: differing bits (of 63) still a duplicate",
                   type=int, default=finder.MAX_DISTANCE),
            Option("exact-orientation", "phash: a flipped or turned copy is not a duplicate",
                   type=bool, default=False),
            Option("trash", "move all but the keeper of each group to the system trash "
                   "(shows the groups and asks first; `photoclip undo` brings them back)",
                   type=bool, default=False),
        ),
        selection="optional",
    ))


