"""The ``ocr`` plugin: text in photos. Reads the text in every indexed photo (receipts, signs,
menus, screenshots; Chinese and English) with RapidOCR's PP-OCR models, on this machine only,
and makes it searchable.

- The ``text`` analyzer (the core's analysis stage) runs after photos are searchable, so an
  existing library catches up in the background and a crash goes on where it stopped; it stores
  each photo's lines with their boxes and confidences, and a full-text index, in the plugin's
  own SQLite file (:mod:`photoclip_ocr.store`). Text-free photos are skipped after a quick look.
- Search: a query's words found in a photo's text raise it (the ``text`` scorer: the CLIP
  score plus :data:`WEIGHT` times the share of the query's words found, squared), and
  ``text:"wifi password"`` in a query (or ``--text``, ``--where text=...``) keeps only photos
  whose text holds every word. Results say ``text: <the line>``.
- ``photoclip text PHOTO`` prints a photo's lines with boxes (``--json``); the photo view and
  ``photoclip photo`` get the lines as ``text`` regions.

On by default where rapidocr is installed (``pip install "photoclip[ocr]"``); without it the
plugin registers nothing. ``photoclip analyzers off text`` stops reading new photos.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from photoclip.plugin_api import (
    Action,
    ActionResult,
    Analyzer,
    AnalyzerError,
    Count,
    Match,
    Photo,
    PluginContext,
    Region,
    Said,
    SearchFilter,
    SearchScorer,
    hookimpl,
)

from . import engine
from . import store as text_store

log = logging.getLogger(__name__)

PLUGIN = "ocr"
NAME = "text"  # the analyzer, the search filter and the scorer
WEIGHT = 0.25  # a photo holding every word of the query: its CLIP score + 0.25
INDEX_VERSION = "1"  # the rule of tokens.py: a change indexes every photo again
VERSION = f"{engine.ENGINE_VERSION}/idx{INDEX_VERSION}"


def open_store(context: PluginContext) -> text_store.TextStore:
    """The plugin's text store of the context's library (close it)."""
    return text_store.TextStore(context.data_dir(PLUGIN))


def _with_store(context: PluginContext, fn: Callable[[text_store.TextStore], Any],
                empty: Any) -> Any:
    """``fn(store)`` on a read-only connection, or ``empty`` when no text was ever stored
    (nothing is created)."""
    folder = context.data_dir(PLUGIN)
    if not (folder / text_store.FILE_NAME).exists():
        return empty
    store = text_store.TextStore(folder, readonly=True)
    try:
        return fn(store)
    finally:
        store.close()


def analyze(context: PluginContext, photos: list[Photo], vectors: np.ndarray
            ) -> Mapping[int, str] | None:
    """The analyzer: each photo's lines, stored in one transaction per batch."""
    reader = engine.shared_reader()
    found, failed = {}, {}

    def read(photo: Photo) -> tuple[Photo, list[engine.Line] | str]:
        size = (photo.width, photo.height) if photo.width and photo.height else None
        try:
            return photo, reader.read_file(photo.path, size)
        except (OSError, ValueError) as exc:
            return photo, str(exc)

    try:
        reader.load()
        with ThreadPoolExecutor(min(engine.WORKERS, len(photos)) or 1,
                                thread_name_prefix="photoclip-ocr") as pool:
            for photo, result in pool.map(read, photos):
                if isinstance(result, str):
                    failed[photo.id] = result
                else:
                    found[photo.id] = result
    except engine.OcrUnavailable as exc:
        raise AnalyzerError(str(exc)) from exc
    store = open_store(context)
    try:
        store.replace_photos(found)
    finally:
        store.close()
    return failed or None


def _reason(line: str) -> str:
    line = " ".join(line.split())
    return f"text: {line if len(line) <= 60 else line[:57] + '...'}"


def text_filter(context: PluginContext, value: str) -> dict[int, Match]:
    """``text:"..."``: the photos whose text holds every word of ``value``, best first."""
    hits = _with_store(context, lambda s: s.search(value, limit=100_000), [])
    out = {}
    for h in hits:
        if len(h.matched) == h.terms:  # every word (one letter away counts)
            strength = max(0.0, -h.rank)
            out[h.photo_id] = Match(strength / (1 + strength), _reason(h.line))
    return out


def text_score(context: PluginContext, text: str, limit: int) -> dict[int, Match]:
    """The scorer: photos whose text holds words of the query, by the share found, squared."""
    hits = _with_store(context, lambda s: s.search(text, limit=limit), [])
    return {h.photo_id: Match(h.coverage ** 2, _reason(h.line)) for h in hits}


def show_text(context: PluginContext, photos: list[Photo], options: dict[str, Any]
              ) -> ActionResult:
    """``photoclip text PHOTOS``: each photo's lines with boxes and confidences."""
    def read(store: text_store.TextStore) -> list[dict[str, Any]]:
        return [{"photo_id": p.id, "path": p.path, "read": store.read(p.id),
                 "lines": [{"id": s.id, "text": s.line.text, "confidence": s.line.confidence,
                            "box": [round(v, 1) for v in s.line.box],
                            "quad": [[round(x, 1), round(y, 1)] for x, y in s.line.quad]}
                           for s in store.lines(p.id)]} for p in photos]

    data = _with_store(context, read, [
        {"photo_id": p.id, "path": p.path, "read": False, "lines": []} for p in photos])
    details: list[str | Said] = []
    for item in data:
        details.append(item["path"])
        if not item["read"]:
            details.append(Said("  {note}", {"note": Said(
                "(not read yet: `photoclip index` runs the text analyzer)")}))
        for ln in item["lines"]:
            x, y, w, h = (round(v) for v in ln["box"])
            details.append(f"  {ln['text']}    [{x},{y} {w}x{h}] {ln['confidence']:.2f}")
    lines = sum(len(i["lines"]) for i in data)
    return ActionResult(Said("{lines} of text in {photos}", {
        "lines": Count(lines, "line"), "photos": Count(len(data), "photo")}),
                        details, data={"photos": data})


@hookimpl
def photoclip_analyzers(register: Callable[[Analyzer], None]) -> None:
    if engine.available():
        register(Analyzer(NAME, "Reading text in photos", version=VERSION, analyze=analyze,
                          batch_size=8))


@hookimpl
def photoclip_search_filters(register: Callable[[SearchFilter], None]) -> None:
    register(SearchFilter(NAME, "only photos whose text holds every one of these words",
                          photos=text_filter))


@hookimpl
def photoclip_search_scorers(register: Callable[[SearchScorer], None]) -> None:
    register(SearchScorer(NAME, text_score, weight=WEIGHT))


@hookimpl
def photoclip_actions(register: Callable[[Action], None]) -> None:
    register(Action("text", "Text in photos", "The text read in photos, with boxes",
                    show_text))


@hookimpl
def photoclip_photo_regions(photo: Photo, context: PluginContext) -> list[Region]:
    return _with_store(context, lambda s: [
        Region("text", s.line.box, s.line.text, confidence=s.line.confidence, id=str(s.id))
        for s in s.lines(photo.id)], [])
