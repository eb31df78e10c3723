"""The one facade over the core that the CLI and the GUI use.

A :class:`Library` owns a catalog, one model's vector store and its in-memory exact index, and the
model (loaded lazily, on first need). Opening a library takes its process lock and reconciles the
catalog with the vector store, so whatever a crash left half-done is repaired before any use.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np

from photoclip.config import AppPaths, Settings, app_paths
from photoclip.core import images, index_cache, scanner, tagging
from photoclip.core import keywords as keyword_files
from photoclip.core.catalog import Catalog, PhotoRecord
from photoclip.core.embedder_process import EmbedderProcess
from photoclip.core.indexer import (
    Indexer,
    IndexProgress,
    IndexReport,
    ProgressCallback,
    VectorSink,
)
from photoclip.core.labels import BUILTIN, LabelSet, load_label_sets
from photoclip.core.lock import LibraryLock
from photoclip.core.models import (
    DEFAULT_MODEL_KEY,
    Embedder,
    ModelSpec,
    available_models,
    get_model_spec,
    weights_path,
)
from photoclip.core.plugin_context import PluginContext
from photoclip.core.plugin_host import PluginHost
from photoclip.core.query import QueryError, parse_query
from photoclip.core.tags import TagStore
from photoclip.core.types import FileInfo, SearchHit, photo_from_record
from photoclip.core.vector_index import ExactIndex
from photoclip.core.vectors import VectorStore, collection_name_for, server_address

log = logging.getLogger(__name__)

__all__ = [
    "Library", "LibraryStatus", "ModelEntry", "QueryError", "RetagReport", "SearchFilters",
]

_TAGGING_STATE = "tagging_state"  # catalog meta key: what the automatic tags were made with
_SIDECARS_KNOWN = "sidecars_known"  # catalog meta key: sidecar stamps are kept for every photo
_KEYWORDS_SKIPPED = "keywords_skipped"  # catalog meta key: photos were indexed without keywords
_RETAG_CHUNK = 4096
_KEYWORD_CHUNK = 256  # photos per transaction when catching up on keywords


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on which photos a search may return."""

    folder: str | None = None
    after: date | datetime | None = None  # inclusive
    before: date | datetime | None = None  # exclusive
    min_score: float | None = None
    tag: str | None = None  # the user's, a file keyword or an automatic tag
    album: str | None = None


@dataclass(frozen=True)
class LibraryStatus:
    folders: list[str]
    photos: int
    indexed: int
    pending: int
    failed: int
    failures: list[tuple[str, str]]
    model: str
    model_installed: bool
    device: str
    precision: str
    store_bytes: int
    data_dir: str


@dataclass(frozen=True)
class ModelEntry:
    spec: ModelSpec
    installed: bool
    in_use: bool


@dataclass(frozen=True)
class RetagReport:
    """What a re-tagging did: photos considered, automatic tags written."""

    photos: int
    tags: int
    seconds: float


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


class Library:
    """A photo library: folders, catalog, vectors and model, behind one lock."""

    def __init__(
        self,
        paths: AppPaths | None = None,
        *,
        settings: Settings | None = None,
        owner: str = "photoclip",
        model_process: bool = False,
    ) -> None:
        self.paths = (paths or app_paths()).ensure()
        self.settings = settings or Settings.load(self.paths.settings_file)
        self._lock = LibraryLock(self.paths.library_dir, owner)
        self._lock.acquire()
        try:
            self.catalog = Catalog(self.paths.library_dir / "catalog.sqlite3")
        except Exception:
            self._lock.release()
            raise
        self._guard = threading.RLock()
        # the desktop app runs the model in a child process: its own never imports torch
        self.model_process = model_process
        self._embedder: Embedder | EmbedderProcess | None = None
        self._store: VectorStore | None = None
        self._index: ExactIndex | None = None
        self._text_cache = _TextCache()
        self._snapshot_version = -1
        self._prototypes: tagging.TextPrototypes | None = None
        self.tags = TagStore(self.catalog, on_user_change=self._user_tags_changed)

    # ----- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        with self._guard:
            self._save_snapshot()
            if self._store is not None:
                self._store.close()
            if self._embedder is not None:
                self._embedder.close()
            self.catalog.close()
            self._lock.release()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save_settings(self) -> None:
        self.settings.save(self.paths.settings_file)

    # ----- parts, created on first need ------------------------------------------------------

    @property
    def user_models_dir(self) -> Path:
        return self.paths.config / "models"

    @property
    def model_spec(self) -> ModelSpec:
        return get_model_spec(self.settings.model or DEFAULT_MODEL_KEY, self.user_models_dir)

    @property
    def embedder(self) -> Embedder | EmbedderProcess:
        with self._guard:
            if self._embedder is None:
                s = self.settings
                cores = os.cpu_count() or 1
                make = EmbedderProcess if self.model_process else Embedder
                self._embedder = make(
                    self.model_spec,
                    models_dir=self.paths.models_dir,
                    device=s.device,
                    precision=s.precision,
                    weights_file=s.weights_file or None,
                    torch_threads=s.torch_threads or cores,
                    progress=self.download_progress,
                )
            return self._embedder

    #: Set by a front end to show model downloads: called with (bytes done, bytes total).
    download_progress: Callable[[int, int], None] | None = None

    @property
    def plugins(self) -> PluginHost:
        """The enabled plugins, loaded on first use (a broken plugin is reported, never fatal)."""
        with self._guard:
            host = self.__dict__.get("_plugins")
            if host is None:
                host = self.__dict__["_plugins"] = PluginHost(self.settings, self.paths).load()
            return host

    def plugin_context(self, confirm: Callable[[str], bool] | None = None) -> PluginContext:
        """What plugins may see and change of this library (``confirm`` asks the user)."""
        return PluginContext(self, confirm=confirm, exporters=self.plugins.exporters())

    def _accepted(self, files: Iterable[FileInfo]) -> Iterable[FileInfo]:
        """Scanned files minus those a plugin rejects (``photoclip_accept_file``)."""
        host = self.plugins
        if not host.has_accept_hooks():
            return files
        return (f for f in files if host.accept_file(f.path))

    @property
    def store(self) -> VectorStore:
        with self._guard:
            if self._store is None:
                spec = self.model_spec
                name = collection_name_for(spec.key)
                if self.settings.chroma_server:  # a library's own collection on a shared server
                    self._store = VectorStore(
                        f"{name}_{self._library_id()}", self.embedder.dim,
                        **server_address(self.settings.chroma_server),
                    )
                else:
                    self._store = VectorStore(
                        name, self.embedder.dim, path=self.paths.library_dir / "chroma"
                    )
            return self._store

    def _library_id(self) -> str:
        """A random id of this library (names its collections on a Chroma server)."""
        lib_id = self.catalog.get_meta("library_id")
        if not lib_id:
            import uuid

            lib_id = uuid.uuid4().hex[:12]
            self.catalog.set_meta("library_id", lib_id)
        return lib_id

    @property
    def index(self) -> ExactIndex:
        """The in-memory exact index, loaded (and reconciled) on first use."""
        with self._guard:
            if self._index is None:
                self._index = self._load_index()
            return self._index

    @property
    def _snapshot_path(self) -> Path:
        return self.paths.library_dir / f"index-{collection_name_for(self.model_spec.key)}.npz"

    def _save_snapshot(self) -> None:
        """Save the in-memory index if it changed since it was loaded or last saved."""
        index = self._index
        if index is None or index.version == self._snapshot_version:
            return
        ids, vectors = index.snapshot()
        try:
            index_cache.save(
                self._snapshot_path, ids, vectors,
                self.catalog.embedding_hashes(self.model_spec.key),
            )
            self._snapshot_version = index.version
        except OSError as exc:  # a full disk must not stop a close; Chroma has everything
            log.warning("Could not save the index snapshot: %s", exc)

    def _invalidate_snapshot(self) -> None:
        """Before vectors change: a snapshot exists only in step with a clean close."""
        with contextlib.suppress(FileNotFoundError):
            self._snapshot_path.unlink()

    def _load_index(self) -> ExactIndex:
        index = self._load_snapshot()
        if index is None:
            index = self._load_index_from_store()
            self._index = index
            self._save_snapshot()
        self._snapshot_version = index.version
        return index

    def _load_snapshot(self) -> ExactIndex | None:
        """The index from its snapshot, if that matches the catalog exactly."""
        dim = self.embedder.dim
        snap = index_cache.load(
            self._snapshot_path, self.catalog.embedding_hashes(self.model_spec.key), dim
        )
        if snap is None:
            return None
        ids, vectors = snap
        records = self.catalog.get_many(ids.tolist())
        if len(records) != len(ids):
            return None
        index = ExactIndex(dim)
        index.reserve(len(ids))
        recs = [records[i] for i in ids.tolist()]
        index.add(ids.tolist(), vectors, [r.folder for r in recs], [r.date for r in recs])
        return index

    def _load_index_from_store(self) -> ExactIndex:
        """Every vector from the store, reconciled with the catalog (repairs crash leftovers)."""
        model = self.model_spec.key
        store = self.store
        index = ExactIndex(self.embedder.dim)
        index.reserve(store.count())
        embedded = self.catalog.embedded_ids(model)
        orphans: list[int] = []
        stale_meta: list[PhotoRecord] = []
        for ids, vectors, metas in store.iter_all():
            records = self.catalog.get_many(i for i in ids if i in embedded)
            keep = [k for k, i in enumerate(ids) if i in records]
            orphans.extend(i for i in ids if i not in records)
            if not keep:
                continue
            recs = [records[ids[k]] for k in keep]
            index.add(
                [r.id for r in recs],
                vectors[keep],
                [r.folder for r in recs],
                [r.date for r in recs],
            )
            stale_meta.extend(
                r for r, k in zip(recs, keep) if metas[k].get("path") != r.path
            )
        if orphans:  # a vector written just before a crash, never recorded: drop it
            log.info("Removing %d vectors the catalog does not know", len(orphans))
            store.delete(orphans)
        lost = embedded - {int(i) for i in index.ids()}
        if lost:  # recorded but the vector is gone: embed again
            log.info("%d photos lost their vectors; they will be indexed again", len(lost))
            self.catalog.forget_embeddings(model, lost)
        if stale_meta:
            VectorSink(store, index).move(stale_meta)
        return index

    # ----- folders ---------------------------------------------------------------------------

    def add_folder(self, folder: str | Path) -> str:
        path = scanner.normalise_folder(folder)
        if not Path(path).is_dir():
            raise FileNotFoundError(f"not a folder: {path}")
        if path not in self.settings.folders:
            self.settings.folders.append(path)
            self.save_settings()
        return path

    def remove_folder(self, folder: str | Path) -> int:
        """Stop indexing a folder and drop its photos from the index (files are never touched)."""
        path = scanner.normalise_folder(folder)
        if path not in self.settings.folders:
            raise KeyError(f"not a library folder: {path}")
        self.settings.folders.remove(path)
        self.save_settings()
        ids = self.catalog.ids_outside(self.settings.folders)
        self._remove(ids)
        return len(ids)

    def _remove(self, ids: Sequence[int]) -> tuple[int, int]:
        """Drop photos whose files are gone; returns (removed, moved).

        A photo whose content now lives in a newer file (copied, then the original deleted) is
        not removed: it moves to that file and keeps its identity and vector.
        """
        if not ids:
            return 0, 0
        self._invalidate_snapshot()
        heirs = self.catalog.heirs(ids)
        has_store = self._store is not None or (self.paths.library_dir / "chroma").exists()
        if heirs:
            with self.catalog.transaction():
                for old, heir in heirs.items():
                    self.catalog.inherit(old, heir)
            if has_store:
                sink = VectorSink(self.store, self.index)
                sink.remove(list(heirs.values()))
                moved = self.catalog.get_many(heirs)
                sink.move([moved[i] for i in heirs if i in moved])
        gone = [i for i in ids if i not in heirs]
        if gone:
            if has_store:
                VectorSink(self.store, self.index).remove(gone)
            self.catalog.delete(gone)
        return len(gone), len(heirs)

    # ----- indexing --------------------------------------------------------------------------

    def index_folders(
        self,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        *,
        retry_failed: bool = False,
    ) -> IndexReport:
        """Scan the folders, embed what is new or changed, and drop what is gone."""
        folders = list(self.settings.folders)
        report = IndexReport()
        if progress:
            progress(IndexProgress("scanning", 0, 0, 0, 0, 0, 0.0))
        if retry_failed:
            self.catalog.retry_failed()
        sidecars: set[str] = set()
        files = scanner.scan(
            folders, accept=images.is_supported, exclude=self.settings.exclude, sidecars=sidecars
        )
        diff = self.catalog.apply_scan(self._accepted(files), folders)
        report.new, report.changed, report.unchanged = diff.new, diff.changed, diff.unchanged
        report.scanned = diff.new + diff.changed + diff.unchanged
        report.keywords_reread = self._reread_sidecars(
            self._changed_sidecars(folders, sidecars, whole_library=True)
        )
        if self.settings.read_keywords and self.catalog.get_meta(_KEYWORDS_SKIPPED):
            report.keywords_reread += self._catch_up_keywords(progress, stop)
        gone_outside = set(self.catalog.ids_outside(folders))
        return self._run(set(diff.missing_ids), gone_outside, progress, stop, report)

    def sync_paths(
        self,
        changed: Iterable[str],
        deleted: Iterable[str] = (),
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> IndexReport:
        """Bring specific files or folders up to date (what a folder watcher reports).

        ``changed``: created, modified or moved-in files and folders; ``deleted``: removed or
        moved-away ones. A file moved within the library keeps its identity and vector.
        """
        report = IndexReport()
        missing: set[int] = set()
        sidecar_events: set[str] = set()
        for path in deleted:
            if keyword_files.is_sidecar(path):
                sidecar_events.add(path)
                continue
            missing.update(
                pid for p, (pid, _, _) in self.catalog.stats_by_path([path]).items()
                if not os.path.exists(p)
            )
        for path in changed:
            if not self._in_library(path):
                continue
            if os.path.isdir(path):
                sidecars: set[str] = set()
                files = scanner.scan(
                    [path], accept=images.is_supported, exclude=self.settings.exclude,
                    sidecars=sidecars,
                )
                diff = self.catalog.apply_scan(self._accepted(files), [path])
                missing.update(diff.missing_ids)
                report.new += diff.new
                report.changed += diff.changed
                report.unchanged += diff.unchanged
                report.keywords_reread += self._reread_sidecars(
                    self._changed_sidecars([path], sidecars, whole_library=False)
                )
                continue
            if keyword_files.is_sidecar(path):
                sidecar_events.add(path)
                continue
            info = scanner.stat_file(path) if images.is_supported(path) else None
            if info is not None and not self.plugins.accept_file(info.path):
                info = None
            if info is None:
                rec = self.catalog.get_by_path(path)
                if rec is not None and not os.path.exists(path):
                    missing.add(rec.id)
                continue
            known = self.catalog.get_by_path(path) is not None
            _, needs_work = self.catalog.upsert_file(info)
            if needs_work:
                report.changed += known
                report.new += not known
            else:
                report.unchanged += 1
        report.scanned = report.new + report.changed + report.unchanged
        report.keywords_reread += self._reread_sidecars(self._photos_of_sidecars(sidecar_events))
        return self._run(missing, set(), progress, stop, report)

    # ----- keywords in files ----------------------------------------------------------------

    def _store_keywords(self, found: dict[int, keyword_files.FileKeywords]) -> None:
        """Keep keywords read from files as the user's tags, and note where they came from."""
        self.tags.set_keywords_many({pid: fk.keywords for pid, fk in found.items()})
        self.catalog.set_file_keywords(
            {pid: (fk.embedded, fk.sidecars) for pid, fk in found.items()}
        )

    def _changed_sidecars(
        self, folders: Sequence[str], sidecar_bases: set[str], *, whole_library: bool
    ) -> list[int]:
        """Photos under ``folders`` whose XMP sidecars were added, edited or removed since their
        keywords were read (by digiKam, darktable, Lightroom, ...). ``sidecar_bases``: what the
        folder walk saw (see :func:`scanner.scan`), so photos without a sidecar cost nothing.

        The first whole-library check of a library made before sidecars were tracked records
        them as they are: their keywords were read when the photos were indexed."""
        known = self.catalog.get_meta(_SIDECARS_KNOWN) is not None
        if not self.settings.read_keywords or not (known or whole_library):
            return []
        photos = self.catalog.stats_by_path(folders)
        stored = self.catalog.sidecar_stamps(
            None if whole_library else [pid for pid, _, _ in photos.values()]
        )
        changed: dict[int, str] = {}
        for path, (pid, _, _) in photos.items():
            now = keyword_files.sidecar_stamp(path, sidecar_bases)
            if now != stored.get(pid, ""):
                changed[pid] = now
        if not known:
            self.catalog.set_file_keywords({pid: (None, st) for pid, st in changed.items()})
            self.catalog.set_meta(_SIDECARS_KNOWN, "1")
            return []
        return list(changed)

    def _catch_up_keywords(
        self, progress: ProgressCallback | None, stop: threading.Event | None
    ) -> int:
        """Read the keywords of photos indexed while reading keywords was off (it is on now).
        Stoppable; the next run goes on with what is left."""
        pending = {r.id for r in self.catalog.pending(self.model_spec.key)}
        ids = [i for i in self.catalog.ids_without_file_keywords() if i not in pending]
        start, done = time.perf_counter(), 0
        with ThreadPoolExecutor(self.settings.decode_workers or 4) as pool:  # I/O bound
            for lo in range(0, len(ids), _KEYWORD_CHUNK):
                if stop is not None and stop.is_set():
                    return done
                records = list(self.catalog.get_many(ids[lo : lo + _KEYWORD_CHUNK]).values())
                found = pool.map(lambda r: keyword_files.read_file_keywords(r.path), records)
                self._store_keywords({r.id: fk for r, fk in zip(records, found)})
                done += len(records)
                if progress:
                    progress(IndexProgress("keywords", done, len(ids), 0, 0, 0,
                                           time.perf_counter() - start))
        self.catalog.set_meta(_KEYWORDS_SKIPPED, None)
        log.info("Keywords read from %d photos indexed while reading them was off", done)
        return done

    def _photos_of_sidecars(self, sidecars: Iterable[str]) -> set[int]:
        """The photos that the sidecar files at these paths belong to (``a.jpg.xmp``: ``a.jpg``;
        ``a.xmp``: ``a.jpg``, ``a.cr2``, ...). One catalog query per folder, however many
        sidecars changed in it (a "save metadata to files" touches thousands at once)."""
        by_folder: dict[str, list[str]] = {}
        for sidecar in sidecars:
            by_folder.setdefault(os.path.dirname(sidecar), []).append(sidecar)
        out: set[int] = set()
        for folder, changed in by_folder.items():
            if not self._in_library(folder):
                continue
            # a sidecar's name without .xmp, lower-cased (macOS and Windows disks ignore case;
            # a photo matched too eagerly is skipped by _reread_sidecars's stamp check)
            by_base: dict[str, list[int]] = {}
            for path, pid in self.catalog.photos_in_folder(folder).items():
                name = os.path.basename(path).lower()
                by_base.setdefault(name, []).append(pid)
                stem, ext = os.path.splitext(name)
                if ext:
                    by_base.setdefault(stem, []).append(pid)
            for sidecar in changed:
                out.update(by_base.get(os.path.basename(sidecar)[:-4].lower(), ()))
        return out

    def _reread_sidecars(self, photo_ids: Iterable[int]) -> int:
        """Read the keywords of these photos again where their sidecars changed. The photo file
        itself is read only when the keywords inside it are not known; photos waiting to be
        indexed are left to the indexer, which reads everything anyway."""
        ids = set(photo_ids)
        if not ids or not self.settings.read_keywords:
            return 0
        ids -= {r.id for r in self.catalog.pending(self.model_spec.key)}
        records = self.catalog.get_many(ids)
        stamps = self.catalog.sidecar_stamps(records)
        embedded = self.catalog.embedded_keywords(records)
        found: dict[int, keyword_files.FileKeywords] = {}
        for pid, rec in records.items():
            if keyword_files.sidecar_stamp(rec.path) == stamps.get(pid, ""):
                continue  # read already (or photoclip's own write, noted when written)
            known = embedded.get(pid)
            found[pid] = (
                keyword_files.read_file_keywords(rec.path) if known is None
                else keyword_files.reread_sidecars(rec.path, known)
            )
        self._store_keywords(found)
        if found:
            log.info("Keywords read again from the changed sidecars of %d photos", len(found))
        return len(found)

    def _in_library(self, path: str) -> bool:
        """Whether ``path`` lies in a library folder and no part of it is excluded."""
        for folder in self.settings.folders:
            try:
                rel = Path(path).relative_to(folder)
            except ValueError:
                continue
            return not any(scanner.is_excluded(part, self.settings.exclude) for part in rel.parts)
        return False

    def _run(
        self,
        missing: set[int],
        also_gone: set[int],
        progress: ProgressCallback | None,
        stop: threading.Event | None,
        report: IndexReport,
    ) -> IndexReport:
        """Embed everything pending, let moved files claim ``missing`` photos, sweep the rest."""
        work = [r for r in self.catalog.pending(self.model_spec.key) if r.id not in missing]
        index = self.index  # loads the model config and reconciles before any work
        if work or missing or also_gone:
            self._invalidate_snapshot()
        if work and not self.settings.read_keywords:  # turned on later: read them then
            self.catalog.set_meta(_KEYWORDS_SKIPPED, "1")
        if work or missing:
            # batches tag their photos as they go; a run that does not finish leaves the state
            # unrecorded, so the next run re-tags the whole library from stored vectors
            tags_were_current = self.tags_current()
            self.catalog.set_meta(_TAGGING_STATE, None)
            self._indexer().run(
                work, missing=missing, progress=progress, stop=stop, report=report
            )
            if tags_were_current and not report.stopped:
                self.catalog.set_meta(_TAGGING_STATE, self._tagging_state())
        if not report.stopped and not self.tags_current():
            self.retag()
        if not report.stopped:
            gone = sorted(missing | also_gone)
            if progress:
                progress(IndexProgress("cleaning", 0, len(gone), 0, 0, 0, 0.0))
            removed, moved = self._remove(gone)
            report.removed = removed
            report.moved += moved
        log.info("Index run: %s; %d photos searchable", report, len(index))
        return report

    def _indexer(self) -> Indexer:
        s = self.settings
        embedder = self.embedder
        if s.decode_pool not in ("auto", "threads", "processes"):
            raise ValueError(f"decode_pool must be auto, threads or processes: {s.decode_pool!r}")
        # auto = threads: on an H100 machine a spawned process pool was slower (310 vs 400
        # photos/s for 768 photos; start-up and pickling), see docs/bench/gpu-h100.txt
        processes = s.decode_pool == "processes"
        return Indexer(
            self.catalog,
            _LibrarySink(self, self.store, self.index),
            embedder.embed_images,
            embedder.preprocess_spec,
            self.model_spec.key,
            batch_size=s.batch_size,
            decode_workers=s.decode_workers,
            max_megapixels=s.max_megapixels,
            decode_processes=processes,
            read_keywords=s.read_keywords,
        )

    # ----- search ----------------------------------------------------------------------------

    def search(
        self, query: str, *, limit: int = 20, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Photos that best match a text query (``"beach" + "sunset" - "people"`` allowed)."""
        terms = parse_query(query)
        texts = [t.text for t in terms if not _is_image_file(t.text)]
        text_vecs = dict(zip(texts, self.embed_texts(texts))) if texts else {}
        combined = np.zeros(self.embedder.dim, dtype=np.float32)
        for term in terms:
            vec = text_vecs.get(term.text)
            if vec is None:
                vec = self.embed_file(term.text)
            combined += term.weight * vec
        return self._search_vector(combined, limit, filters or SearchFilters())

    def similar(
        self, target: str | Path | int, *, limit: int = 20, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Photos most like a photo: an indexed photo's id or path, or any image file."""
        return self._search_vector(self.photo_vector(target), limit, filters or SearchFilters())

    def photo_vector(self, target: str | Path | int) -> np.ndarray:
        """The stored vector of an indexed photo (by id or path), else the file embedded now."""
        if isinstance(target, int):
            vec = self.index.vector(target)
            if vec is None:
                raise KeyError(f"photo {target} is not indexed")
            return vec
        rec = self.catalog.get_by_path(str(Path(target).expanduser().resolve()))
        vec = self.index.vector(rec.id) if rec is not None else None
        return vec if vec is not None else self.embed_file(target)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Text embeddings, cached (a query typed again costs no model call)."""
        missing = [t for t in dict.fromkeys(texts) if self._text_cache.get(t) is None]
        if missing:
            for text, vec in zip(missing, self.embedder.embed_texts(missing)):
                self._text_cache.put(text, vec)
        return np.stack([self._text_cache.get(t) for t in texts])

    def embed_file(self, path: str | Path) -> np.ndarray:
        """Embed any image file (indexed or not)."""
        path = Path(path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"no such image file: {path}")
        spec = self.embedder.preprocess_spec
        image, _ = images.load_image(
            path, min_side=spec.min_side, max_megapixels=self.settings.max_megapixels
        )
        return self.embedder.embed_images(images.preprocess(image, spec)[None])[0]

    def _search_vector(
        self, vec: np.ndarray, limit: int, filters: SearchFilters
    ) -> list[SearchHit]:
        norm = float(np.linalg.norm(vec))
        if norm == 0:
            raise QueryError("the query's terms cancel each other out")
        folder = scanner.normalise_folder(filters.folder) if filters.folder else None
        allowed: set[int] | None = None
        if filters.tag:
            allowed = self.tags.photos_with(filters.tag)
        if filters.album:
            members = self.album_members(filters.album)
            allowed = members if allowed is None else allowed & members
        found = self.index.search(
            (vec / norm).astype(np.float32),
            limit,
            folder=folder,
            after=_epoch(filters.after),
            before=_epoch(filters.before),
            min_score=filters.min_score,
            allowed_ids=None if allowed is None else np.fromiter(allowed, dtype=np.int64),
        )
        records = self.catalog.get_many(pid for pid, _ in found)
        return [
            SearchHit(rank, pid, records[pid].path, float(score))
            for rank, (pid, score) in enumerate(
                ((p, s) for p, s in found if p in records), start=1
            )
        ]

    # ----- tags and albums -------------------------------------------------------------------

    def photo_ids(self, paths: Sequence[str | Path]) -> list[int]:
        """Catalog ids of photos given by path; a path photoclip does not know is an error."""
        ids = []
        for p in paths:
            rec = self.catalog.get_by_path(str(Path(p).expanduser().resolve()))
            if rec is None:
                raise KeyError(f"not in the library (index it first): {p}")
            ids.append(rec.id)
        return ids

    def album_members(self, name: str) -> set[int]:
        """The photos in an album; smart albums are evaluated now, so they stay up to date."""
        album = self.tags.album(name)
        if album.tag is not None:
            return self.tags.photos_with(album.tag)
        if album.query is not None:
            hits = self.search(
                album.query, limit=max(1, len(self.index)),
                filters=SearchFilters(min_score=album.min_score),
            )
            return {h.photo_id for h in hits}
        return self.tags.plain_members(album)

    def classify(
        self, target: str | Path | int, labels: str | Sequence[str]
    ) -> list[tuple[str, float]]:
        """Zero-shot: the probability of each label for one photo (indexed or any image file)."""
        return tagging.classify_labels(
            self.photo_vector(target), tagging.parse_labels(labels), self.prototypes
        )

    # ----- automatic tags --------------------------------------------------------------------

    @property
    def labels_dir(self) -> Path:
        """Where the user's label set files live (they replace built-ins of the same name)."""
        return self.paths.config / "labels"

    def label_sets(self, errors: list[str] | None = None) -> dict[str, LabelSet]:
        """Every label set: built-in and the user's. A broken user file is skipped (its error
        is appended to ``errors`` and logged)."""

        def skip(exc: Exception) -> None:
            log.warning("Skipping a label set: %s", exc)
            if errors is not None:
                errors.append(str(exc))

        sets = self.plugins.label_sets()  # the built-in sets and plugins' (built-ins are a plugin)
        for name, label_set in load_label_sets(self.labels_dir, on_error=skip).items():
            if label_set.source != BUILTIN:  # the user's files replace sets of the same name
                sets[name] = label_set
        return sets

    def enabled_label_sets(self) -> list[LabelSet]:
        """The sets used for automatic tags (``settings.label_sets``; empty means all)."""
        sets = self.label_sets()
        wanted = self.settings.label_sets
        if not wanted:
            return list(sets.values())
        for name in wanted:
            if name not in sets:
                log.warning("The enabled label set %r does not exist (any more)", name)
        return [sets[name] for name in wanted if name in sets]

    @property
    def prototypes(self) -> tagging.TextPrototypes:
        """The current model's text prototypes of label sets, cached on disk."""
        with self._guard:
            if self._prototypes is None:
                self._prototypes = tagging.TextPrototypes(
                    lambda texts: self.embedder.embed_texts(list(texts)),
                    self._model_identity(),
                    self.paths.cache / "prototypes",
                )
            return self._prototypes

    def _model_identity(self) -> str:
        key = self.model_spec.key
        weights = self.settings.weights_file
        if weights:
            key += "-" + hashlib.sha1(weights.encode("utf-8")).hexdigest()[:8]
        return key

    def _tagging_state(self) -> str:
        """A fingerprint of everything automatic tags depend on (model, sets, strictness)."""
        s = self.settings
        if not s.auto_tag:
            return "off"
        state = [
            self._model_identity(),
            tagging.threshold_for(s.tag_strictness),
            sorted([ls.name, ls.fingerprint, ls.exclusive] for ls in self.enabled_label_sets()),
        ]
        return hashlib.sha256(json.dumps(state).encode("utf-8")).hexdigest()[:24]

    def tags_current(self) -> bool:
        """Whether the automatic tags were made with the current model, sets and strictness."""
        return self.catalog.get_meta(_TAGGING_STATE) == self._tagging_state()

    def retag(self, photo_ids: Iterable[int] | None = None) -> RetagReport:
        """Make the automatic tags again from the *stored* vectors: no photo is embedded again
        (label prototypes are text embeddings, cached). Run after label sets, strictness or the
        model change. The user's tags, keywords and rejections are never touched."""
        start = time.perf_counter()
        state = self._tagging_state()
        index = self.index
        if photo_ids is None:
            ids, vectors = index.snapshot()
        else:
            pairs = [(pid, index.vector(pid)) for pid in dict.fromkeys(photo_ids)]
            pairs = [(pid, vec) for pid, vec in pairs if vec is not None]
            ids = np.array([pid for pid, _ in pairs], dtype=np.int64)
            vectors = (
                np.stack([vec for _, vec in pairs]) if pairs else np.zeros((0, index.dim))
            )
        written = self._tag_vectors([int(i) for i in ids], vectors)
        if photo_ids is None:
            self.catalog.set_meta(_TAGGING_STATE, state)
        report = RetagReport(len(ids), written, time.perf_counter() - start)
        log.info(
            "Re-tagged %d photos: %d automatic tags (%.2f s)",
            report.photos, report.tags, report.seconds,
        )
        return report

    def _tag_vectors(self, ids: Sequence[int], vectors: np.ndarray) -> int:
        """Suggest tags for photos from their vectors and store them as automatic tags."""
        if not len(ids):
            return 0
        suggestions: dict[int, list[tuple[str, str, float]]] = {pid: [] for pid in ids}
        sets = self.enabled_label_sets() if self.settings.auto_tag else []
        if sets:
            strictness = self.settings.tag_strictness
            for lo in range(0, len(ids), _RETAG_CHUNK):
                chunk = tagging.suggest_all(
                    vectors[lo : lo + _RETAG_CHUNK], sets, self.prototypes, strictness
                )
                for pid, tags in zip(ids[lo : lo + _RETAG_CHUNK], chunk):
                    seen: set[str] = set()
                    for t in tags:  # best first; a label in two sets keeps its best score
                        if t.label.lower() not in seen:
                            seen.add(t.label.lower())
                            suggestions[pid].append((t.label, t.label_set, t.score))
        return self.tags.replace_auto(self.model_spec.key, suggestions)

    def _user_tags_changed(self, photo_ids: list[int], removed: set[str]) -> None:
        """Mirror the user's tags into XMP sidecars, when the user asked for that."""
        if not self.settings.write_xmp:
            return
        records = self.catalog.get_many(photo_ids)
        for pid in photo_ids:
            rec = records.get(pid)
            if rec is None:
                continue
            if removed:  # the sidecar is rewritten without them: keywords read from it go too
                self.tags.forget_keywords(pid, removed)
            if self.write_sidecar(rec.path, self.tags.user_tags(pid)) is not None:
                # our own write is not an outside edit to read back
                embedded = self.catalog.embedded_keywords([pid]).get(pid)
                self.catalog.set_file_keywords(
                    {pid: (embedded, keyword_files.sidecar_stamp(rec.path))}
                )

    @staticmethod
    def write_sidecar(photo: str, tags: Sequence[str]) -> Path | None:
        """Write ``tags`` as the keywords of ``photo``'s XMP sidecar (an existing ``photo.xmp``
        is updated in place; otherwise ``photo.jpg.xmp``). Never touches the photo. A sidecar
        that cannot be written is logged and skipped (the tags stay in the library)."""
        existing = keyword_files.existing_sidecars(photo)
        adobe = bool(existing) and existing[0].name.lower() == Path(photo).stem.lower() + ".xmp"
        try:
            return keyword_files.write_sidecar(photo, tags, "adobe" if adobe else "darktable")
        except (OSError, ValueError) as exc:
            log.warning("Cannot write the XMP sidecar of %s: %s", photo, exc)
            return None

    # ----- facts -----------------------------------------------------------------------------

    def status(self) -> LibraryStatus:
        spec = self.model_spec
        counts = self.catalog.counts(spec.key)
        emb = self.embedder
        return LibraryStatus(
            folders=list(self.settings.folders),
            photos=counts.photos,
            indexed=counts.indexed,
            pending=counts.pending,
            failed=counts.failed,
            failures=[(r.path, r.error or "") for r in self.catalog.failed()],
            model=spec.key,
            model_installed=self.model_installed(spec),
            device=emb.device,
            precision=emb.precision,
            store_bytes=_folder_size(self.paths.library_dir),
            data_dir=str(self.paths.data),
        )

    def model_installed(self, spec: ModelSpec) -> bool:
        if spec.random_init or (spec.key == self.model_spec.key and self.settings.weights_file):
            return True
        return weights_path(spec, self.paths.models_dir) is not None

    def models(self) -> list[ModelEntry]:
        current = self.model_spec.key
        return [
            ModelEntry(spec, self.model_installed(spec), spec.key == current)
            for spec in available_models(self.user_models_dir).values()
        ]

    def use_model(self, key: str, weights_file: str | None = None) -> ModelSpec:
        """Switch models; each model has its own vectors, so nothing is mixed."""
        spec = get_model_spec(key, self.user_models_dir)
        if weights_file is not None and not Path(weights_file).is_file():
            raise FileNotFoundError(f"no such weights file: {weights_file}")
        with self._guard:
            self.settings.model = spec.key
            self.settings.weights_file = str(Path(weights_file).resolve()) if weights_file else ""
            self.save_settings()
            self._save_snapshot()
            if self._store is not None:
                self._store.close()
            if self._embedder is not None:
                self._embedder.close()
            self._embedder = self._store = self._index = None
            self._prototypes = None
            self._text_cache = _TextCache()
        return spec


def _is_image_file(text: str) -> bool:
    return images.is_supported(text) and Path(text).expanduser().is_file()


def _epoch(value: date | datetime | None) -> float | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.timestamp()


def _folder_size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / name).stat().st_size
    return total


class _LibrarySink(VectorSink):
    """The indexer's sink inside a library: new vectors are auto-tagged at once, keywords read
    from files are kept as the user's tags."""

    def __init__(self, library: Library, store: object, index: object) -> None:
        super().__init__(store, index)
        self.library = library

    def put(
        self, records: Sequence[PhotoRecord], vectors: np.ndarray, hashes: Sequence[str]
    ) -> None:
        super().put(records, vectors, hashes)
        try:
            self.library._tag_vectors([r.id for r in records], vectors)
        except Exception:  # tags must never stop indexing; the next run re-tags
            log.exception("Automatic tagging of a batch failed")
            self.library.catalog.set_meta(_TAGGING_STATE, None)

    def recorded(self, records: Sequence[PhotoRecord], vectors: np.ndarray) -> None:
        lib = self.library
        lib.plugins.photos_indexed([photo_from_record(r) for r in records], vectors,
                                   lib.plugin_context())

    def keywords(self, found: dict[int, keyword_files.FileKeywords]) -> None:
        self.library._store_keywords(found)
