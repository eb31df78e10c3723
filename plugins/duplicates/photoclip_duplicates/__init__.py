"""The ``duplicates`` plugin: exact and near-duplicate groups for review.

``photoclip duplicates`` (or the GUI's "Find duplicates" on selected photos) groups photos that
are byte-identical (the content hash photoclip already keeps), look the same to a perceptual hash
(robust to resizing, re-encoding, grey conversion and, by default, flips and 90-degree turns), or
whose stored CLIP vectors are nearly identical (catches crops and edits with a real model). It
prints the groups, best copy first (most pixels, then largest file). Nothing is deleted: with
``--trash`` the other copies move to photoclip's trash folder after the user confirms.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from photoclip.plugin_api import (
    Action,
    ActionResult,
    Option,
    Photo,
    PluginContext,
    PluginError,
    hookimpl,
    open_image,
)

from . import finder

log = logging.getLogger(__name__)

PLUGIN = "duplicates"
METHODS = ("all", "exact", "phash", "vectors")


def perceptual_hashes(context: PluginContext, photos: list[Photo]) -> dict[int, list[int]]:
    """pHash variants of each photo, cached by content hash in the plugin's data folder."""
    cache_file = context.data_dir(PLUGIN) / "phash-v1.json"
    try:
        cache: dict[str, list[int]] = json.loads(cache_file.read_text())
    except (OSError, ValueError):
        cache = {}
    out: dict[int, list[int]] = {}
    changed = False
    for photo in photos:
        key = photo.content_hash
        if key and key in cache:
            out[photo.id] = cache[key]
            continue
        try:
            image = open_image(photo.path, min_side=64)
        except (ValueError, OSError) as exc:
            log.info("No perceptual hash for %s: %s", photo.path, exc)
            continue
        out[photo.id] = finder.phash_variants(finder.dct_block(image))
        if key:
            cache[key] = out[photo.id]
            changed = True
    if changed:
        tmp = cache_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(cache))
        tmp.replace(cache_file)
    return out


def find_groups(
    context: PluginContext,
    photos: list[Photo],
    *,
    method: str = "all",
    threshold: float = 0.95,
    max_distance: int = 8,
    invariant: bool = True,
) -> tuple[list[list[int]], dict[tuple[int, int], str]]:
    """Duplicate groups among ``photos`` and why each pair was matched."""
    if method not in METHODS:
        raise PluginError(f"method must be one of {', '.join(METHODS)}")
    reasons: dict[tuple[int, int], str] = {}
    if method in ("all", "exact"):
        for pair in finder.exact_pairs({p.id: p.content_hash for p in photos}):
            reasons.setdefault(pair, "identical files")
    if method in ("all", "phash"):
        hashes = perceptual_hashes(context, photos)
        for pair, dist in finder.phash_pairs(hashes, max_distance, invariant=invariant).items():
            reasons.setdefault(pair, f"perceptual hash, {dist} bits apart")
    if method in ("all", "vectors"):
        ids, vectors = context.vectors([p.id for p in photos])
        for pair, sim in finder.vector_pairs(ids, vectors, threshold).items():
            reasons.setdefault(pair, f"vectors, similarity {sim:.3f}")
    return finder.groups(reasons), reasons


def _best_first(group: list[Photo]) -> list[Photo]:
    return sorted(group, key=lambda p: (-(p.width or 0) * (p.height or 0), -p.size, p.path))


def run(context: PluginContext, photos: list[Photo], options: dict[str, Any]) -> ActionResult:
    by_id = {p.id: p for p in photos}
    grouped, reasons = find_groups(
        context, photos,
        method=options.get("method") or "all",
        threshold=float(options.get("threshold") or 0.95),
        max_distance=int(options.get("max-distance") if options.get("max-distance") is not None
                         else 8),
        invariant=not options.get("exact-orientation"),
    )
    details: list[str] = []
    data: list[dict[str, Any]] = []
    extra: list[Photo] = []
    for n, ids in enumerate(grouped, 1):
        members = _best_first([by_id[i] for i in ids])
        keep, others = members[0], members[1:]
        extra += others
        details.append(f"group {n}: keep {keep.path}")
        for p in others:
            why = reasons.get(tuple(sorted((keep.id, p.id)))) or "via another copy"
            details.append(f"    duplicate {p.path} ({why})")
        data.append({"keep": keep.path, "duplicates": [p.path for p in others]})
    message = (
        f"{len(grouped)} groups of duplicates among {len(photos)} photos; "
        f"{len(extra)} extra copies"
    )
    trashed: list[str] = []
    if options.get("trash") and extra:
        moved = context.move_to_trash([p.path for p in extra], reason="duplicates")
        trashed = [str(m) for m in moved]
        message += f"; moved {len(trashed)} to the trash folder" if trashed else "; nothing moved"
    return ActionResult(message, details, {"groups": data, "trashed": trashed})


@hookimpl
def photoclip_actions(register: Callable[[Action], None]) -> None:
    register(Action(
        "duplicates", "Find duplicates",
        "Group identical and near-identical photos for review (nothing is deleted)",
        run,
        options=(
            Option("method", "how to compare: all, exact (same bytes), phash, vectors",
                   choices=METHODS, default="all"),
            Option("threshold", "vectors: cosine similarity counted as a duplicate",
                   type=float, default=0.95),
            Option("max-distance", "phash: differing bits (of 63) still a duplicate",
                   type=int, default=8),
            Option("exact-orientation", "phash: a flipped or turned copy is not a duplicate",
                   type=bool, default=False),
            Option("trash", "move all but the best copy of each group to photoclip's trash "
                   "folder (asks first)", type=bool, default=False),
        ),
        selection="optional",
    ))
