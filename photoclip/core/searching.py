"""Searching a library: text queries (with weighted terms and example images), similar
photos, and the filters they share with browsing (:class:`photoclip.core.browse.Browsing`).
Plugins' filters (query operators such as ``text:"wifi"``) and scorers come in through
:mod:`photoclip.core.search_hooks`."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from photoclip.core import images, scanner
from photoclip.core.browse import Browsing, SearchFilters, epoch
from photoclip.core.query import QueryError, parse_query
from photoclip.core.search_hooks import Boost, SearchContributions
from photoclip.core.types import Match, SearchHit
from photoclip.core.vector_index import ExactIndex

__all__ = ["Searcher"]


@dataclass
class _TextCache:
    size: int = 256
    items: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict)

    def get(self, text: str) -> np.ndarray | None:
        vec = self.items.get(text)
        if vec is not None:
            self.items.move_to_end(text)
        return vec

    def put(self, text: str, vec: np.ndarray) -> None:
        self.items[text] = vec
        while len(self.items) > self.size:
            self.items.popitem(last=False)


class Searcher:
    """Text and similarity search over one library's exact index. Handed in: the model
    (a callable: it loads lazily and changes with the model), the index, the browsing answers
    (records and filters), the decode limit and the plugins' search contributions."""

    def __init__(
        self,
        embedder: Callable[[], Any],
        index: Callable[[], ExactIndex],
        browse: Browsing,
        max_megapixels: Callable[[], float],
        contributions: SearchContributions | None = None,
    ) -> None:
        self._embedder = embedder
        self._index = index
        self._browse = browse
        self._max_megapixels = max_megapixels
        self._contrib = contributions
        self._text_cache = _TextCache()

    def model_changed(self) -> None:
        """Forget the previous model's text vectors."""
        self._text_cache = _TextCache()

    def search(
        self, query: str, *, limit: int = 20, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Photos that best match a text query (``"beach" + "sunset" - "people"`` allowed;
        plugins' filter operators such as ``text:"wifi"`` too, and their scorers' boosts)."""
        filters = filters or SearchFilters()
        if self._contrib is not None:
            query, operators = self._contrib.split(query)
            if operators:
                filters = replace(filters, where=filters.where + tuple(operators))
            if not query and filters.where:
                return self._filtered_only(filters, limit)
        terms = parse_query(query)
        matches = self._browse.where_matches(filters)  # a bad filter value: said before the model
        # is needed (a missing model would hide it)
        texts = [t.text for t in terms if not _is_image_file(t.text)]
        text_vecs = dict(zip(texts, self.embed_texts(texts))) if texts else {}
        combined = np.zeros(self._embedder().dim, dtype=np.float32)
        for term in terms:
            vec = text_vecs.get(term.text)
            if vec is None:
                vec = self.embed_file(term.text)
            combined += term.weight * vec
        words = " ".join(t.text for t in terms if t.weight > 0 and t.text in text_vecs)
        boosts = self._contrib.boosts(words, 5 * limit + 50) if self._contrib and words else {}
        return self.search_vector(combined, limit, filters, boosts, matches=matches)

    def _filtered_only(self, filters: SearchFilters, limit: int) -> list[SearchHit]:
        """A query made only of plugins' filters: the photos passing them, best match first
        (then newest); the score is the matches' mean score."""
        matches = self._browse.where_matches(filters) or {}
        items = self._browse.everything(filters, matches)

        def mean(ms: list[Match]) -> float:
            return sum(m.score for m in ms) / len(ms) if ms else 0.0

        items.sort(key=lambda r: mean(matches.get(r.photo_id, [])), reverse=True)  # stable
        return [
            SearchHit(rank, r.photo_id, r.path, mean(matches.get(r.photo_id, [])),
                      _reasons(matches.get(r.photo_id, [])))
            for rank, r in enumerate(items[:limit], start=1)
        ]

    def similar(
        self, target: str | Path | int, *, limit: int = 20, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Photos most like a photo: an indexed photo's id or path, or any image file."""
        filters = filters or SearchFilters()
        matches = self._browse.where_matches(filters)  # its errors first, as in :meth:`search`
        return self.search_vector(self.photo_vector(target), limit, filters, matches=matches)

    def photo_vector(self, target: str | Path | int) -> np.ndarray:
        """The stored vector of an indexed photo (by id or path), else the file embedded now."""
        if isinstance(target, int):
            vec = self._index().vector(target)
            if vec is None:
                raise KeyError(f"photo {target} is not indexed")
            return vec
        rec = self._browse.record_at(target)
        vec = self._index().vector(rec.id) if rec is not None else None
        return vec if vec is not None else self.embed_file(target)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Text embeddings, cached (a query typed again costs no model call)."""
        missing = [t for t in dict.fromkeys(texts) if self._text_cache.get(t) is None]
        if missing:
            for text, vec in zip(missing, self._embedder().embed_texts(missing)):
                self._text_cache.put(text, vec)
        return np.stack([self._text_cache.get(t) for t in texts])

    def embed_file(self, path: str | Path) -> np.ndarray:
        """Embed any image file (indexed or not)."""
        path = Path(path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"no such image file: {path}")
        spec = self._embedder().preprocess_spec
        image, _ = images.load_image(
            path, min_side=spec.min_side, max_megapixels=self._max_megapixels()
        )
        return self._embedder().embed_images(images.preprocess(image, spec)[None])[0]

    def search_vector(
        self, vec: np.ndarray, limit: int, filters: SearchFilters,
        boosts: dict[int, Boost] | None = None, *,
        matches: dict[int, list[Match]] | None = None,
    ) -> list[SearchHit]:
        """Photos nearest to a query vector that pass the filters, best first. ``boosts``
        (the plugins' scorers') are added to the cosine; boosted photos are ranked even when
        the cosine alone would leave them out. ``matches``: the plugins' filters' answer if
        already asked (:meth:`Browse.where_matches`)."""
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            raise QueryError("the query's terms cancel each other out")
        boosts = boosts or {}
        q = (vec / norm).astype(np.float32)
        folder = scanner.normalise_folder(filters.folder) if filters.folder else None
        if matches is None:
            matches = self._browse.where_matches(filters)
        allowed = self._browse.allowed_ids(filters, matches)  # one rule for search and browse
        where = dict(folder=folder, after=epoch(filters.after), before=epoch(filters.before))
        index = self._index()
        found = index.search(
            q, limit, min_score=filters.min_score,
            allowed_ids=None if allowed is None else np.fromiter(allowed, dtype=np.int64),
            **where,  # type: ignore[arg-type]
        )
        scored = {pid: float(s) for pid, s in found}
        extra = [p for p in boosts if p not in scored and (allowed is None or p in allowed)]
        if extra:  # boosted photos the cosine alone left out: their cosine, then the boost
            scored.update((pid, float(s)) for pid, s in index.search(
                q, len(extra), allowed_ids=np.asarray(extra, dtype=np.int64),
                **where,  # type: ignore[arg-type]
            ))
        ranked = sorted(
            ((pid, s + (boosts[pid].score if pid in boosts else 0.0)) for pid, s in scored.items()),
            key=lambda ps: (-ps[1], ps[0]),
        )
        if filters.min_score is not None:
            ranked = [(p, s) for p, s in ranked if s >= filters.min_score]
        ranked = ranked[:limit]
        records = self._browse.records(pid for pid, _ in ranked)
        hits = []
        for pid, score in ranked:
            if pid not in records:
                continue
            reasons = _reasons((matches or {}).get(pid, []))
            if pid in boosts:
                reasons += tuple(r for r in boosts[pid].reasons if r not in reasons)
            hits.append(SearchHit(len(hits) + 1, pid, records[pid].path, score, reasons))
        return hits


def _reasons(matches: list[Match]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.reason for m in matches if m.reason))


def _is_image_file(text: str) -> bool:
    return images.is_supported(text) and Path(text).expanduser().is_file()
