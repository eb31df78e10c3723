"""One model's vector space: the durable Chroma store, the in-memory exact index that searches
it, the index's snapshot on disk, and their reconciliation with the catalog.

The catalog is the record of which photos have a vector; the store holds the vectors; the index
is a copy of the store in memory; the snapshot is a copy of the index for a fast start. The
snapshot is used only when it matches the catalog *and* the store (a cheap count check, read
from the store's SQLite file without chromadb where it can be:
:mod:`~photoclip.core.store_count`), so a store that lost data (its folder deleted, an old
backup, a server that lost a collection) is never hidden: the photos whose vectors are gone
are queued to be embedded again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from photoclip.core import index_cache
from photoclip.core.catalog import Catalog, PhotoRecord
from photoclip.core.indexer import VectorSink
from photoclip.core.store_count import local_count
from photoclip.core.store_tags import sync_store_tags
from photoclip.core.vector_index import ExactIndex
from photoclip.core.vectors import (
    VectorStore,
    collection_name_for,
    preload,
    server_address,
)

log = logging.getLogger(__name__)

__all__ = ["VectorSpace"]


class VectorSpace:
    """The vectors of one model in one library (see the module docstring).

    ``dim`` is asked only when the store or the index is first needed (it may read the model's
    configuration); ``library_id`` names the library's collections on a shared Chroma server.
    """

    def __init__(
        self,
        catalog: Catalog,
        library_dir: Path,
        model_key: str,
        dim: Callable[[], int],
        *,
        chroma_server: str = "",
        library_id: Callable[[], str] = lambda: "",
    ) -> None:
        self._catalog = catalog
        self._dir = library_dir
        self.model_key = model_key
        self._dim = dim
        self._server = chroma_server
        self._library_id = library_id
        self._guard = threading.RLock()
        self._store: VectorStore | None = None
        self._index: ExactIndex | None = None
        self._snapshot_version = -1

    # ----- the parts ---------------------------------------------------------------------------

    @property
    def store(self) -> VectorStore:
        """The Chroma collection, opened on first use (a lazy accessor: it reconciles nothing)."""
        with self._guard:
            if self._store is None:
                name = collection_name_for(self.model_key)
                if self._server:  # a library's own collection on a shared server
                    self._store = VectorStore(
                        f"{name}_{self._library_id()}", self._dim(), **server_address(self._server)
                    )
                else:
                    self._store = VectorStore(name, self._dim(), path=self._dir / "chroma")
                sync_store_tags(self._store, self._catalog, self.model_key)  # once per store
            return self._store

    def sync_tags(self, ids: Iterable[int]) -> None:
        """Copy these photos' current tags into the store's metadata (for plain Chroma
        clients that filter by tag); nothing to do where no store exists yet."""
        ids = list(ids)
        if ids and self.has_store():
            sync_store_tags(self.store, self._catalog, self.model_key, ids)

    def index(self) -> ExactIndex:
        """The in-memory exact index; the first call loads it and reconciles the catalog with
        the store (crash leftovers and lost vectors are repaired here)."""
        with self._guard:
            if self._index is None:
                self._index = self._load_index()
            return self._index

    @property
    def loaded(self) -> bool:
        """Whether :meth:`index` has been loaded (nothing is loaded by asking)."""
        return self._index is not None

    def has_store(self) -> bool:
        """Whether a store exists or is open (a library never indexed has none to clean)."""
        return self._store is not None or bool(self._server) or (self._dir / "chroma").exists()

    def sink(self) -> VectorSink:
        return VectorSink(self.store, self.index())

    def preload(self) -> None:
        """Import the store's client library now, unless the store is open (a run's warm-up
        does this on a thread of its own: see core/run_warmup.py)."""
        if self._store is None:
            preload()

    def close(self) -> None:
        with self._guard:
            self.save_snapshot()
            if self._store is not None:
                self._store.close()
            self._store = self._index = None

    # ----- the snapshot ------------------------------------------------------------------------

    @property
    def snapshot_path(self) -> Path:
        return self._dir / f"index-{collection_name_for(self.model_key)}.npz"

    def save_snapshot(self) -> None:
        """Save the in-memory index if it changed since it was loaded or last saved."""
        index = self._index
        if index is None or index.version == self._snapshot_version:
            return
        ids, vectors = index.snapshot()
        try:
            index_cache.save(
                self.snapshot_path, ids, vectors, self._catalog.embedding_hashes(self.model_key)
            )
            self._snapshot_version = index.version
        except OSError as exc:  # a full disk must not stop a close; Chroma has everything
            log.warning("Could not save the index snapshot: %s", exc)

    def invalidate_snapshot(self) -> None:
        """Before vectors change: a snapshot exists only in step with a clean close."""
        with contextlib.suppress(FileNotFoundError):
            self.snapshot_path.unlink()

    # ----- loading and reconciling -------------------------------------------------------------

    def _load_index(self) -> ExactIndex:
        index = self._load_snapshot()
        if index is None:
            index = self._load_from_store()
            self._index = index
            self.save_snapshot()
        self._snapshot_version = index.version
        return index

    def _store_agrees(self, count: int) -> bool:
        """The cheap check that keeps a snapshot honest: the store holds as many vectors."""
        if not self._server and not (self._dir / "chroma").exists():
            return count == 0
        if not self._server and self._store is None:  # without importing chromadb, if it can
            known = local_count(self._dir / "chroma", collection_name_for(self.model_key))
            if known is not None:
                return known == count
        try:
            return self.store.count() == count
        except Exception as exc:  # an unreachable server: reconciling will say why
            log.warning("Cannot count the vector store: %s", exc)
            return False

    def _load_snapshot(self) -> ExactIndex | None:
        """The index from its snapshot, if that matches the catalog and the store."""
        dim = self._dim()
        snap = index_cache.load(
            self.snapshot_path, self._catalog.embedding_hashes(self.model_key), dim
        )
        if snap is None:
            return None
        ids, vectors = snap
        if not self._store_agrees(len(ids)):
            log.warning(
                "The vector store does not hold the %d vectors the catalog records; "
                "reconciling (photos whose vectors are gone will be indexed again)", len(ids),
            )
            return None
        records = self._catalog.get_many(ids.tolist())
        if len(records) != len(ids):
            return None
        index = ExactIndex(dim)
        index.reserve(len(ids))
        recs = [records[i] for i in ids.tolist()]
        index.add(ids.tolist(), vectors, [r.folder for r in recs], [r.date for r in recs])
        return index

    def _load_from_store(self) -> ExactIndex:
        """Every vector from the store, reconciled with the catalog (repairs crash leftovers)."""
        model = self.model_key
        store = self.store
        index = ExactIndex(self._dim())
        index.reserve(store.count())
        embedded = self._catalog.embedded_ids(model)
        orphans: list[int] = []
        stale_meta: list[PhotoRecord] = []
        for ids, vectors, metas in store.iter_all():
            records = self._catalog.get_many(i for i in ids if i in embedded)
            keep = [k for k, i in enumerate(ids) if i in records]
            orphans.extend(i for i in ids if i not in records)
            if not keep:
                continue
            recs = [records[ids[k]] for k in keep]
            index.add(
                [r.id for r in recs], vectors[keep], [r.folder for r in recs],
                [r.date for r in recs],
            )
            stale_meta.extend(r for r, k in zip(recs, keep) if metas[k].get("path") != r.path)
        if orphans:  # a vector written just before a crash, never recorded: drop it
            log.info("Removing %d vectors the catalog does not know", len(orphans))
            store.delete(orphans)
        lost = embedded - {int(i) for i in index.ids()}
        if lost:  # recorded but the vector is gone: embed again
            log.warning("%d photos lost their vectors; they will be indexed again", len(lost))
            self._catalog.forget_embeddings(model, lost)
        if stale_meta:
            VectorSink(store, index).move(stale_meta)
        return index

    # ----- forgetting --------------------------------------------------------------------------

    def drop(self, ids: Sequence[int]) -> None:
        """Remove photos the user sent away (the trash): their vectors and catalog rows, with
        no heir taking their identity over (a copy left behind stays itself)."""
        ids = list(ids)
        if not ids:
            return
        self.invalidate_snapshot()
        if self.has_store():
            self.sink().remove(ids)
        self._catalog.delete(ids)

    def forget(self, ids: Sequence[int]) -> tuple[int, int]:
        """Drop photos whose files are gone; returns (removed, moved).

        A photo whose content now lives in a newer file (copied, then the original deleted) is
        not removed: it moves to that file and keeps its identity and vector.
        """
        if not ids:
            return 0, 0
        cat = self._catalog
        self.invalidate_snapshot()
        heirs = cat.heirs(ids)
        has_store = self.has_store()
        if heirs:
            with cat.transaction():
                for old, heir in heirs.items():
                    cat.inherit(old, heir)
            if has_store:
                sink = self.sink()
                sink.remove(list(heirs.values()))
                moved = cat.get_many(heirs)
                sink.move([moved[i] for i in heirs if i in moved])
        gone = [i for i in ids if i not in heirs]
        if gone:
            if has_store:
                self.sink().remove(gone)
            cat.delete(gone)
        return len(gone), len(heirs)
