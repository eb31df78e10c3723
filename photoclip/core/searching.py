"""Searching a library: text queries (with weighted terms and example images), similar
photos, and the filters they share with browsing (:class:`photoclip.core.browse.Browsing`)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from photoclip.core import images, scanner
from photoclip.core.browse import Browsing, SearchFilters, epoch
from photoclip.core.query import QueryError, parse_query
from photoclip.core.types import SearchHit
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
    (records and filters) and the decode limit."""

    def __init__(
        self,
        embedder: Callable[[], Any],
        index: Callable[[], ExactIndex],
        browse: Browsing,
        max_megapixels: Callable[[], float],
    ) -> None:
        self._embedder = embedder
        self._index = index
        self._browse = browse
        self._max_megapixels = max_megapixels
        self._text_cache = _TextCache()

    def model_changed(self) -> None:
        """Forget the previous model's text vectors."""
        self._text_cache = _TextCache()

    def search(
        self, query: str, *, limit: int = 20, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Photos that best match a text query (``"beach" + "sunset" - "people"`` allowed)."""
        terms = parse_query(query)
        texts = [t.text for t in terms if not _is_image_file(t.text)]
        text_vecs = dict(zip(texts, self.embed_texts(texts))) if texts else {}
        combined = np.zeros(self._embedder().dim, dtype=np.float32)
        for term in terms:
            vec = text_vecs.get(term.text)
            if vec is None:
                vec = self.embed_file(term.text)
            combined += term.weight * vec
        return self.search_vector(combined, limit, filters or SearchFilters())

    def similar(
        self, target: str | Path | int, *, limit: int = 20, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Photos most like a photo: an indexed photo's id or path, or any image file."""
        return self.search_vector(self.photo_vector(target), limit, filters or SearchFilters())

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
        self, vec: np.ndarray, limit: int, filters: SearchFilters
    ) -> list[SearchHit]:
        """Photos nearest to a query vector that pass the filters, best first."""
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            raise QueryError("the query's terms cancel each other out")
        folder = scanner.normalise_folder(filters.folder) if filters.folder else None
        allowed = self._browse.allowed_ids(filters)  # one rule for searching and browsing
        found = self._index().search(
            (vec / norm).astype(np.float32),
            limit,
            folder=folder,
            after=epoch(filters.after),
            before=epoch(filters.before),
            min_score=filters.min_score,
            allowed_ids=None if allowed is None else np.fromiter(allowed, dtype=np.int64),
        )
        records = self._browse.records(pid for pid, _ in found)
        return [
            SearchHit(rank, pid, records[pid].path, float(score))
            for rank, (pid, score) in enumerate(
                ((p, s) for p, s in found if p in records), start=1
            )
        ]


def _is_image_file(text: str) -> bool:
    return images.is_supported(text) and Path(text).expanduser().is_file()
