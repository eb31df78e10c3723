"""The durable vector store: one Chroma collection per model (the only module importing chromadb).

Chroma keeps the vectors and a copy of each photo's metadata on disk (``PersistentClient``) or in
a Chroma server (``HttpClient``). photoclip's searches normally run on the exact in-memory index
(:mod:`photoclip.core.vector_index`), loaded from here with :meth:`VectorStore.iter_all`;
:meth:`VectorStore.query` is Chroma's own approximate search, for deployments that query Chroma.

Facts this module is built on (chromadb 1.5.x): one ``add``/``upsert`` takes at most
``get_max_batch_size()`` items (5,461); ``upsert`` *merges* metadata into an existing record and a
``None`` value deletes a key (``add`` rejects ``None``, and an empty metadata dict is rejected);
embeddings come back as float64; collection configuration is fixed at creation except the
query-time settings (``ef_search``), which :meth:`chromadb.Collection.modify` can change; a
metadata value may be a non-empty list of strings, matched by ``{"key": {"$contains": "x"}}``.
On a server, an operation that cannot reach it is tried again for a while
(:mod:`photoclip.core.chroma_server`).
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import numpy as np

from photoclip.core.chroma_server import (  # noqa: F401  (server_address: part of this API)
    server_address,
    server_patience,
    server_url,
    unreachable,
)

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1

#: The metadata keys photoclip writes for a photo. An upsert sets the ones a caller leaves out
#: (or gives as None) to None, so a re-indexed photo loses stale values (e.g. a camera).
#: ``taken`` (capture time from EXIF) and ``date`` (``taken``, else the file's time) are POSIX
#: seconds for ``where`` filters (``{"date": {"$gte": 1704067200}}``); ``taken_iso`` and
#: ``date_iso`` are the same as local ISO 8601 text. The store derives the dates from ``taken``
#: and ``mtime``. ``tags`` (not set by an upsert, see :meth:`VectorStore.set_tags`) is the
#: photo's tags as a list: ``{"tags": {"$contains": "beach"}}``.
PHOTO_KEYS = ("path", "folder", "size", "mtime", "hash", "taken", "width", "height", "camera",
              "taken_iso", "date", "date_iso")
TAGS_KEY = "tags"

#: HNSW settings for new collections, chosen with bench/search.py. Recall@50 against exact search
#: (Chroma's defaults M=16, ef_construction=100, ef_search=100 in brackets): 100k CLIP-like
#: clustered vectors 1.000 (0.999); 10k random vectors 0.999 (0.45); 100k random vectors ~0.7
#: (0.08). Costs: inserts ~1.7x slower (~1,000/s at 100k), queries ~12 ms instead of ~8 ms at 100k.
#: Only ef_search can be changed after creation.
HNSW_CONFIG: dict[str, Any] = {
    "space": "cosine",
    "max_neighbors": 32,
    "ef_construction": 200,
    "ef_search": 800,
}

MetadataValue = str | int | float | bool | list[str]

class VectorStoreError(Exception):
    """The vector store cannot be opened or used (wrong dimension, Chroma failure, closed)."""


def _quiet_chroma() -> None:
    """Keep Chroma's chatter (and its HTTP client's) out of photoclip's logs."""
    for name in ("chromadb", "chromadb.telemetry", "httpx", "posthog"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)


def preload() -> None:
    """Import the Chroma client library now: most of what opening a store costs (~0.8 CPU-s of
    imports), for a caller that does it on a thread while other work goes on."""
    _quiet_chroma()
    import chromadb  # noqa: F401


def _settings() -> Any:
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False, allow_reset=False)


@contextmanager
def _chroma_errors(action: str) -> Iterator[None]:
    """Re-raise Chroma's (and its transport's) failures as VectorStoreError."""
    try:
        yield
    except VectorStoreError:
        raise
    except Exception as exc:
        raise VectorStoreError(f"vector store: cannot {action}: {exc}") from exc


def collection_name_for(model_key: str) -> str:
    """A valid Chroma collection name for a model key: ``photos_`` + the sanitised key.

    Chroma names are 3-512 characters of ``[a-zA-Z0-9._-]`` starting and ending with a letter or
    digit. Distinct keys that sanitise to the same text stay distinct through a short hash.
    """
    clean = re.sub(r"[^a-zA-Z0-9._-]+", "_", model_key).strip("._-")
    clean = re.sub(r"\.{2,}", ".", clean)
    name = f"photos_{clean}" if clean else "photos"
    if clean != model_key:
        import hashlib

        name += "_" + hashlib.sha1(model_key.encode("utf-8")).hexdigest()[:8]
    if len(name) > 512:
        import hashlib

        digest = hashlib.sha1(model_key.encode("utf-8")).hexdigest()[:16]
        name = name[: 512 - 17].rstrip("._-") + "_" + digest
    return name


class VectorStore:
    """A Chroma collection holding one model's photo vectors.

    ids are ``str(photo_id)`` (photo ids are ints from photoclip's SQLite catalog). Exactly one of
    ``path`` (a folder for an embedded ``PersistentClient``; one process per folder) and ``host``
    (a Chroma server) must be given. ``hnsw`` overrides :data:`HNSW_CONFIG` (benchmarks); it
    applies when the collection is created, except ``ef_search``, which is applied to an existing
    collection too (effective from its next opening).
    """

    def __init__(
        self,
        collection_name: str,
        dim: int,
        *,
        path: Path | None = None,
        host: str | None = None,
        port: int = 8000,
        ssl: bool = False,
        hnsw: Mapping[str, Any] | None = None,
    ) -> None:
        if (path is None) == (host is None):
            raise ValueError("give exactly one of path (a folder) or host (a Chroma server)")
        if dim <= 0:
            raise ValueError(f"dimension must be positive, got {dim}")
        _quiet_chroma()
        import chromadb

        self.dim = dim
        self.name = collection_name
        self._hnsw = dict(HNSW_CONFIG if hnsw is None else hnsw)
        self.path = Path(path) if path is not None else None
        #: The server's URL (None for a folder).
        self.url = server_url(host, port, ssl) if host is not None else None
        self._closed = False
        if self.path is not None:
            with _chroma_errors("open the vector store"):
                self.path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(str(self.path), settings=_settings())
        else:
            try:
                self._client = chromadb.HttpClient(
                    host=host, port=port, ssl=ssl, settings=_settings()
                )
                self._client.heartbeat()  # fail now, with a clear message, if it is not there
            except Exception as exc:
                if unreachable(exc):
                    raise VectorStoreError(self._unreachable_message("open the vector store",
                                                                     None)) from exc
                raise VectorStoreError(f"vector store: cannot open the vector store: {exc}"
                                       ) from exc
        try:
            self._col = self._call(
                f"open collection {collection_name!r}",
                lambda: self._client.get_or_create_collection(
                    collection_name,
                    configuration={"hnsw": dict(self._hnsw)},
                    metadata={"dim": dim, "photoclip_schema": SCHEMA_VERSION},
                    embedding_function=None,  # never instantiate Chroma's ONNX default
                ),
            )
            try:
                self._max_batch = int(self._client.get_max_batch_size())
            except Exception:  # an old server without the endpoint
                self._max_batch = 5461
            if self._max_batch <= 0:
                self._max_batch = 5461
            stored = (self._col.metadata or {}).get("dim")
            if stored is None:
                raise VectorStoreError(
                    f"collection {collection_name!r} was not made by photoclip (no 'dim')"
                )
            if stored != dim:
                raise VectorStoreError(
                    f"collection {collection_name!r} holds {stored}-dimensional vectors, "
                    f"not {dim}; was it made by another model?"
                )
            self._tune_existing()
        except BaseException:
            self.close()
            raise
        log.debug("Opened vector collection %s (%d vectors)", collection_name, self.count())

    def _tune_existing(self) -> None:
        """Give an existing collection today's ef_search (the one mutable HNSW knob that
        matters). Chroma persists the change but a running client keeps the old value until
        the collection is next opened."""
        want = self._hnsw.get("ef_search")
        if want is None:
            return
        try:
            hnsw = (self._col.configuration_json or {}).get("hnsw") or {}
            if hnsw.get("ef_search") != want:
                log.info(
                    "Setting ef_search of %s to %d (was %s)", self.name, want, hnsw.get("ef_search")
                )
                self._col.modify(configuration={"hnsw": {"ef_search": want}})
        except Exception as exc:  # not essential: searches normally run on the exact index
            log.warning("Could not update the collection's ef_search: %s", exc)

    # ----- writes ---------------------------------------------------------------------------

    def upsert(
        self,
        ids: Sequence[int],
        vectors: np.ndarray,
        metadatas: Sequence[Mapping[str, MetadataValue | None]],
    ) -> None:
        """Insert or replace photos' vectors and metadata (idempotent; any number of items).

        A photo key (:data:`PHOTO_KEYS`) that is None or missing is removed from a stored record.
        """
        vecs = self._check_vectors(ids, vectors)
        if len(metadatas) != len(ids):
            raise ValueError("ids and metadatas must have the same length")
        str_ids = [str(int(i)) for i in ids]
        metas = [_clean_metadata(_with_dates(m), fill=PHOTO_KEYS) for m in metadatas]
        for lo in range(0, len(str_ids), self._max_batch):
            hi = lo + self._max_batch
            self._call("store vectors", lambda lo=lo, hi=hi: self._collection().upsert(
                ids=str_ids[lo:hi], embeddings=vecs[lo:hi], metadatas=metas[lo:hi]))

    def update_metadata(
        self, ids: Sequence[int], metadatas: Sequence[Mapping[str, MetadataValue | None]]
    ) -> None:
        """Merge metadata into existing records (a None value removes that key; unknown ids
        are ignored)."""
        if len(metadatas) != len(ids):
            raise ValueError("ids and metadatas must have the same length")
        str_ids = [str(int(i)) for i in ids]
        metas = [_clean_metadata(_with_dates(m)) for m in metadatas]
        for lo in range(0, len(str_ids), self._max_batch):
            hi = lo + self._max_batch
            self._call("update metadata", lambda lo=lo, hi=hi: self._collection().update(
                ids=str_ids[lo:hi], metadatas=metas[lo:hi]))

    def set_tags(self, tags: Mapping[int, Sequence[str]]) -> None:
        """Make the ``tags`` metadata of these photos exactly these (sorted; a photo with none
        loses the key, as Chroma has no empty lists). Only metadata is written."""
        ids = list(tags)
        self.update_metadata(ids, [{TAGS_KEY: sorted(tags[i]) or None} for i in ids])

    def delete(self, ids: Sequence[int]) -> None:
        """Remove photos; ids that are not stored are fine."""
        str_ids = [str(int(i)) for i in ids]
        for lo in range(0, len(str_ids), self._max_batch):
            self._call("delete vectors", lambda lo=lo: self._collection().delete(
                ids=str_ids[lo : lo + self._max_batch]))

    # ----- reads ----------------------------------------------------------------------------

    def get_vectors(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The stored vectors (float32) of those ``ids`` that exist."""
        str_ids = list(dict.fromkeys(str(int(i)) for i in ids))
        out: dict[int, np.ndarray] = {}
        for lo in range(0, len(str_ids), self._max_batch):
            got = self._call("read vectors", lambda lo=lo: self._collection().get(
                ids=str_ids[lo : lo + self._max_batch], include=["embeddings"]))
            embs = _as_matrix(got["embeddings"], self.dim)
            for sid, vec in zip(got["ids"], embs):
                out[int(sid)] = vec
        return out

    def ids(self) -> set[int]:
        """Every stored photo id."""
        out: set[int] = set()
        offset = 0
        while True:
            got = self._call("list ids", lambda offset=offset: self._collection().get(
                include=[], limit=50_000, offset=offset))
            out.update(int(i) for i in got["ids"])
            if len(got["ids"]) < 50_000:
                return out
            offset += len(got["ids"])

    def iter_all(self, batch: int = 5000) -> Iterator[tuple[list[int], np.ndarray, list[dict]]]:
        """Every record, ``batch`` at a time: (ids, float32 vectors, metadatas)."""
        if batch <= 0:
            raise ValueError("batch must be positive")
        offset = 0
        while True:
            got = self._call("read vectors", lambda offset=offset: self._collection().get(
                include=["embeddings", "metadatas"], limit=batch, offset=offset))
            ids = [int(i) for i in got["ids"]]
            if not ids:
                return
            metas = [dict(m) if m else {} for m in (got["metadatas"] or [{}] * len(ids))]
            yield ids, _as_matrix(got["embeddings"], self.dim), metas
            if len(ids) < batch:
                return
            offset += len(ids)

    def count(self) -> int:
        return int(self._call("count vectors", lambda: self._collection().count()))

    def query(
        self, vector: np.ndarray, k: int, where: dict | None = None
    ) -> list[tuple[int, float]]:
        """Chroma's own approximate (HNSW) search: (id, cosine similarity), best first.

        ``where`` is a Chroma metadata filter, e.g. ``{"folder": "/photos/2024"}``.
        """
        vec = np.asarray(vector, dtype=np.float32).reshape(-1)
        if vec.shape != (self.dim,):
            raise ValueError(f"expected a query of dimension {self.dim}, got {vec.shape}")
        if k <= 0:
            return []
        available = self.count()
        if available == 0:
            return []
        got = self._call("search vectors", lambda: self._collection().query(
            query_embeddings=vec[None, :],
            n_results=min(k, available),
            where=where or None,
            include=["distances"],
        ))
        ids = got["ids"][0]
        dists = got["distances"][0] if got["distances"] else []
        hits = [(int(i), 1.0 - float(d)) for i, d in zip(ids, dists)]
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits

    def size_bytes(self) -> int:
        """On-disk size of the persistent folder (0 for a server)."""
        if self.path is None:
            return 0
        total = 0
        for root, _dirs, files in os.walk(self.path):
            for name in files:
                with suppress(OSError):
                    total += os.path.getsize(os.path.join(root, name))
        return total

    def close(self) -> None:
        """Release the client (and, for a folder, Chroma's hold on it). Idempotent."""
        if self._closed:
            return
        self._closed = True
        client = getattr(self, "_client", None)
        self._col = None
        if client is not None and hasattr(client, "close"):
            try:
                client.close()
            except Exception as exc:
                log.warning("Closing the vector store failed: %s", exc)

    def __enter__(self) -> VectorStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- internals ------------------------------------------------------------------------

    def _call(self, action: str, fn: Callable[[], Any]) -> Any:
        """``fn()``, its failures as VectorStoreError. On a server, a call that cannot reach it
        is tried again for up to :func:`server_patience` seconds (every call here is
        idempotent), then fails naming the server and the ``chroma_server`` setting."""
        start = time.monotonic()
        delay = 0.5
        warned = False
        while True:
            try:
                with _chroma_errors(action):
                    return fn()
            except VectorStoreError as err:
                cause = err.__cause__
                if self.url is None or cause is None or not unreachable(cause):
                    raise
                waited = time.monotonic() - start
                patience = server_patience()
                if waited + delay > patience:
                    raise VectorStoreError(self._unreachable_message(action, waited)) from cause
                if not warned:
                    log.warning("The Chroma server at %s does not answer (%s); trying again "
                                "for up to %.0f s", self.url, cause, patience)
                    warned = True
                time.sleep(delay)
                delay = min(delay * 2, 8.0)

    def _unreachable_message(self, action: str, waited: float | None) -> str:
        how_long = f" for {waited:.0f} s" if waited else ""
        return (f"vector store: cannot {action}: the Chroma server at {self.url} (the "
                f"chroma_server setting) did not answer{how_long}; start it, or change or "
                "clear chroma_server in settings.toml")

    def _collection(self) -> Any:
        if self._closed or self._col is None:
            raise VectorStoreError("the vector store is closed")
        return self._col

    def _check_vectors(self, ids: Sequence[int], vectors: np.ndarray) -> np.ndarray:
        vecs = np.asarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or vecs.shape[1] != self.dim:
            raise VectorStoreError(
                f"expected {self.dim}-dimensional vectors, got shape {vecs.shape}"
            )
        if len(vecs) != len(ids):
            raise ValueError("ids and vectors must have the same length")
        return vecs


def _with_dates(meta: Mapping[str, Any]) -> Mapping[str, Any]:
    """``meta`` plus ``taken_iso``, ``date`` and ``date_iso`` derived from ``taken`` and
    ``mtime`` (when ``meta`` has neither, as in a partial update, it is returned as is)."""
    if "taken" not in meta and "mtime" not in meta:
        return meta
    taken, mtime = meta.get("taken"), meta.get("mtime")
    date = taken if taken is not None else mtime
    return {**meta, "taken_iso": _iso(taken), "date": date, "date_iso": _iso(date)}


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    from datetime import datetime

    try:
        return datetime.fromtimestamp(float(seconds)).isoformat(timespec="seconds")
    except (OverflowError, OSError, ValueError):
        return None


def _clean_metadata(
    meta: Mapping[str, Any], fill: Sequence[str] = ()
) -> dict[str, MetadataValue | None] | None:
    """Plain Python values (numpy scalars unwrapped); ``fill`` keys absent -> None.

    None values survive: in an upsert/update Chroma deletes that key (for a new record it is
    simply absent). A record with nothing to say gets None (Chroma rejects an empty dict).
    """
    out: dict[str, MetadataValue | None] = {}
    for key, value in meta.items():
        if isinstance(value, np.generic):
            value = value.item()
        out[str(key)] = value
    for key in fill:
        out.setdefault(key, None)
    return out if out else None


def _as_matrix(embeddings: Any, dim: int) -> np.ndarray:
    if embeddings is None or len(embeddings) == 0:
        return np.empty((0, dim), dtype=np.float32)
    return np.asarray(embeddings, dtype=np.float32).reshape(-1, dim)


def stored_dim(
    collection_name: str, *, path: Path | None = None, host: str | None = None,
    port: int = 8000, ssl: bool = False,
) -> int | None:
    """The dimension of an existing photoclip collection; None if there is no such collection
    (nothing is created). For opening a store whose model is not loaded (catalog recovery)."""
    if path is not None and not Path(path).is_dir():
        return None
    _quiet_chroma()
    import chromadb

    with _chroma_errors("open the vector store"):
        if path is not None:
            client = chromadb.PersistentClient(str(path), settings=_settings())
        else:
            client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=_settings())
    try:
        try:
            col = client.get_collection(collection_name, embedding_function=None)
        except Exception:  # NotFoundError (or ValueError in older chromadb): none by that name
            return None
        dim = (col.metadata or {}).get("dim")
        return int(dim) if isinstance(dim, int) else None
    finally:
        if hasattr(client, "close"):
            with suppress(Exception):
                client.close()
