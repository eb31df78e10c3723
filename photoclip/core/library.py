"""The one facade over the core that the CLI, the GUI and the owner process's socket clients use.

A :class:`Library` owns the lifecycle (process lock, settings, catalog), the folders, index runs,
search, status and models. It hands out small sub-APIs for the rest, each made with what it needs
and with no link back: :attr:`tagging` and :attr:`albums` (what the fronts change), :attr:`browse`
(what they ask about photos), :attr:`auto_tags` (label sets and automatic tags),
:attr:`keyword_sync` (keywords in files and sidecars), :attr:`vectors` (the store, the exact
index, its snapshot and their reconciliation), :attr:`analysis` (the analyzers and their
per-photo state), :attr:`actions` (plugin actions) and :attr:`xmp` (sidecar mirroring). The
catalog and the tag store are private. See docs/architecture.md.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from photoclip.config import AppPaths, Settings, app_paths
from photoclip.core import scanner, tagging
from photoclip.core.actions import PluginActions
from photoclip.core.albums import Albums, PhotoTags
from photoclip.core.analysis import AnalysisStage, Analyzer
from photoclip.core.auto_tagging import AUTO_TAGS, AutoTagging, AutoTagsPlugin, RetagReport
from photoclip.core.browse import Browsing, SearchFilters
from photoclip.core.catalog import Catalog, PhotoRecord
from photoclip.core.embedder_process import EmbedderProcess
from photoclip.core.facts_plugin import FactsPlugin
from photoclip.core.folders import FolderAddition, plan_addition
from photoclip.core.index_runs import IndexRuns
from photoclip.core.indexer import Indexer, IndexReport, ProgressCallback, VectorSink
from photoclip.core.keyword_sync import KeywordSync
from photoclip.core.labels import LabelSet
from photoclip.core.lock import LibraryLock
from photoclip.core.models import (
    DEFAULT_MODEL_KEY,
    Embedder,
    ModelSpec,
    available_models,
    get_model_spec,
    weights_path,
)
from photoclip.core.photo_facts import PhotoFacts
from photoclip.core.photo_trash import PhotoTrash
from photoclip.core.plugin_context import PluginContext
from photoclip.core.plugin_discovery import PluginInfo
from photoclip.core.plugin_host import PluginHost
from photoclip.core.query import QueryError
from photoclip.core.ratings import Ratings
from photoclip.core.run_warmup import RunWarmup
from photoclip.core.said import N_, Said
from photoclip.core.search_hooks import SearchContributions
from photoclip.core.searching import Searcher
from photoclip.core.tags import TagStore
from photoclip.core.types import Region, SearchHit, photo_from_record
from photoclip.core.vector_index import ExactIndex
from photoclip.core.vector_space import VectorSpace
from photoclip.core.xmp_mirror import XmpMirror

_NO_FILE = N_("no such file: {path}")
_NOT_INDEXED = N_("not in the library (index it first): {path}")

if TYPE_CHECKING:
    from photoclip.core.people import People

log = logging.getLogger(__name__)

_OLD_TAGGING_STATE = "tagging_state"  # catalog meta key of libraries tagged before analyzers

__all__ = [
    "Library", "LibraryStatus", "ModelEntry", "QueryError", "RetagReport", "SearchFilters",
]


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


class Library:
    """A photo library: folders, catalog, vectors and model, behind one lock."""

    #: Set by a front end to show model downloads: called with (bytes done, bytes total).
    download_progress: Callable[[int, int], None] | None = None

    def __init__(
        self,
        paths: AppPaths | None = None,
        *,
        settings: Settings | None = None,
        owner: str = "photoclip",
        model_process: bool = False,
        lock_wait: float = 0.0,
        waiting: Callable[[str], None] | None = None,
    ) -> None:
        self.paths = (paths or app_paths()).ensure()
        self.settings = settings or Settings.load(self.paths.settings_file)
        self._lock = LibraryLock(self.paths.library_dir, owner)
        # ``lock_wait``: seconds to wait for another process to finish with the library,
        # ``waiting(holder)`` called once if it has to (see LibraryLock.acquire)
        self._lock.acquire(lock_wait, waiting)
        try:
            self._catalog = Catalog(self.paths.library_dir / "catalog.sqlite3")
        except Exception:
            self._lock.release()
            raise
        self._guard = threading.RLock()
        self._warmup = RunWarmup()
        # the desktop app runs the model in a child process: its own never imports torch
        self.model_process = model_process
        self._embedder: Embedder | EmbedderProcess | None = None
        self._plugins: PluginHost | None = None
        cat, s = self._catalog, self.settings
        self.xmp = XmpMirror(cat, s)
        self._tags = TagStore(cat, on_user_change=self._user_tags_changed)
        self.xmp.attach(self._tags)
        self.tagging = PhotoTags(self._tags)
        self.albums = Albums(self._tags, self._search_ids)
        self.trash = PhotoTrash(cat, self._tags, lambda ids: self.vectors.drop(ids),
                                lambda paths: self.sync_paths(paths))
        self.search_contributions = SearchContributions(
            lambda: self.plugins, lambda: self.plugin_context()
        )
        self.browse = Browsing(cat, self._tags, self.albums, self.search_contributions.matches)
        self._search = Searcher(
            lambda: self.embedder, lambda: self.vectors.index(), self.browse,
            lambda: self.settings.max_megapixels, self.search_contributions,
        )
        self.vectors = self._vector_space()
        self.keyword_sync = KeywordSync(cat, self._tags, s, lambda: self.model_spec.key)
        self.facts = PhotoFacts(  # lens, places, ratings read from files (photo_facts)
            cat, s.decode_workers or 4, lambda: self.keyword_sync.sidecars_tracked())
        self.ratings = Ratings(cat, s)  # stars and favourites
        self.auto_tags = AutoTagging(
            self._tags, s, self.paths,
            plugin_label_sets=lambda: self.plugins.label_sets(),
            embed_texts=lambda texts: self.embedder.embed_texts(texts),
            model_key=lambda: self.model_spec.key,
            index=lambda: self.vectors.index(),
            tags_changed=lambda ids: self.vectors.sync_tags(ids),
        )
        self.analysis = AnalysisStage(
            cat,
            analyzers=lambda: self.plugins.analyzers(),
            model_key=lambda: self.model_spec.key,
            vectors=self._stored_vectors,
            context=self.plugin_context,
            failed=lambda name, what, exc: self.plugins.analyzer_failed(name, what, exc),
        )
        self.actions = PluginActions(
            lambda: self.plugins,
            lambda host, confirm: PluginContext(self, confirm=confirm,
                                                exporters=host.exporters()),
        )
        self._runs = IndexRuns(
            cat, s,
            space=lambda: self.vectors,
            keywords=self.keyword_sync,
            indexer=self._indexer,
            accept=self._accept_file,
            recorded=self._recorded,
            after=self._after_index,
            warm_up=self._warm_up_run,
        )

    # ----- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._warmup.join()
        with self._guard:
            self.vectors.close()
            if self._embedder is not None:
                self._embedder.close()
            self._catalog.close()
            self._lock.release()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save_settings(self) -> None:
        self.settings.save(self.paths.settings_file)

    def warm_up(self) -> int:
        """Load the index now (reconciling the catalog with the store), not on the first
        search; returns how many photos are searchable. The fronts call this, explicitly."""
        return len(self.vectors.index())

    def _warm_up_run(self) -> None:
        """An index run found work: its store and image tower start on threads meanwhile."""
        self._warmup.start("store", self.vectors.preload)
        prepare = getattr(self.embedder, "prepare_images", None)  # in this process only
        if prepare is not None:
            self._warmup.start("model", prepare)

    def prepare_model(self) -> None:
        """Start the model's process now, in the background, from the calling thread's priority
        (the desktop app's; nothing to do for a model in this process, which loads on first
        use). A query then finds the model starting or ready, never started by the indexer."""
        embedder = self.embedder
        if isinstance(embedder, EmbedderProcess):
            embedder.start_soon()

    # ----- parts, created on first need ------------------------------------------------------

    @property
    def user_models_dir(self) -> Path:
        return self.paths.config / "models"

    @property
    def labels_dir(self) -> Path:
        """Where the user's label set files live (they replace built-ins of the same name)."""
        return self.auto_tags.labels_dir

    @property
    def model_spec(self) -> ModelSpec:
        return get_model_spec(self.settings.model or DEFAULT_MODEL_KEY, self.user_models_dir)

    @property
    def embedder(self) -> Embedder | EmbedderProcess:
        """The model, created on first use (a lazy accessor: the desktop app's may start a
        child process). The fronts never touch it for its side effects; use :meth:`warm_up`."""
        with self._guard:
            if self._embedder is None:
                s = self.settings
                cores = os.cpu_count() or 1
                make = EmbedderProcess if self.model_process else Embedder
                self._embedder = make(
                    self._with_provider(self.model_spec),
                    models_dir=self.paths.models_dir,
                    device=s.device,
                    precision=s.precision,
                    weights_file=s.weights_file or None,
                    torch_threads=s.torch_threads or cores,
                    progress=self.download_progress,
                )
            return self._embedder

    def _with_provider(self, spec: ModelSpec) -> ModelSpec:
        """``spec``, its model provider known: a plugin's registers when first needed."""
        from photoclip.core.model_provider import provider_names

        if spec.provider not in provider_names():
            self.plugins.model_providers()
        return spec

    @property
    def plugins(self) -> PluginHost:
        """The enabled plugins, loaded on first use (a broken plugin is reported, never fatal).
        The fronts use :attr:`actions` and :meth:`plugin_infos`."""
        with self._guard:
            if self._plugins is None:
                self._plugins = PluginHost(
                    self.settings, self.paths,
                    builtins={AUTO_TAGS: AutoTagsPlugin(self.auto_tags, self._adopt_tags),
                              "facts": FactsPlugin(self.facts, self.ratings, self._all_ids)},
                ).load()
            return self._plugins

    def reload_plugins(self) -> None:
        """Load the plugins again from the settings: one turned on or off takes effect now."""
        with self._guard:
            self._plugins = None

    def plugin_infos(self) -> list[PluginInfo]:
        """Every plugin found (built-in, the checkout's, installed, the user's), with whether it
        loaded and its last error: what `photoclip plugins` and the GUI's settings list."""
        return self.plugins.infos()

    def plugin_text(self, text: str, language: str) -> str:
        """A plugin's ``text`` (a title, an option's help) in ``language`` where it gives one."""
        return self.plugins.text(text, language)

    def people(self) -> People | None:
        """The library's People (the ``photoclip_people`` hook's interface), None while off."""
        return self.plugins.people(self.plugin_context())

    def photo_regions(self, photo_id: int) -> list[Region]:
        """Every plugin's regions of one photo (faces, lines of text, ...);
        [] for a photo not in the library."""
        context = self.plugin_context()
        photo = context.photo(photo_id)
        return self.plugins.photo_regions(photo, context) if photo is not None else []

    def plugin_context(self, confirm: Callable[[str], bool] | None = None) -> PluginContext:
        """What plugins may see and change of this library (``confirm`` asks the user)."""
        return PluginContext(self, confirm=confirm, exporters=self.plugins.exporters())

    @property
    def store(self) -> object:
        """The vector store (a lazy accessor of :attr:`vectors`)."""
        return self.vectors.store

    @property
    def index(self) -> ExactIndex:
        """The in-memory exact index, loaded (and reconciled) on first use: a lazy accessor
        the fronts never poke; they call :meth:`warm_up`."""
        return self.vectors.index()

    def _vector_space(self) -> VectorSpace:
        return VectorSpace(
            self._catalog, self.paths.library_dir, self.model_spec.key,
            lambda: self.embedder.dim, chroma_server=self.settings.chroma_server,
            library_id=self._library_id,
        )

    def _library_id(self) -> str:
        """A random id of this library (names its collections on a Chroma server)."""
        lib_id = self._catalog.get_meta("library_id")
        if not lib_id:
            lib_id = uuid.uuid4().hex[:12]
            self._catalog.set_meta("library_id", lib_id)
        return lib_id

    def _accept_file(self, path: str) -> bool:
        return self.plugins.accept_file(path)

    def _stored_vectors(self, ids: Sequence[int]) -> tuple[list[int], np.ndarray]:
        index = self.vectors.index()
        pairs = [(i, index.vector(i)) for i in ids]
        pairs = [(i, v) for i, v in pairs if v is not None]
        if not pairs:
            return [], np.zeros((0, index.dim), dtype=np.float32)
        return [i for i, _ in pairs], np.stack([v for _, v in pairs])

    def _recorded(self, records: Sequence[PhotoRecord], vectors: np.ndarray) -> None:
        """A batch is searchable and recorded (hashes known): analyse it again, tell plugins."""
        self.analysis.forget([r.id for r in records])
        self.plugins.photos_indexed(
            [photo_from_record(r) for r in records], vectors, self.plugin_context()
        )

    # ----- folders ---------------------------------------------------------------------------

    def add_folder(self, folder: str | Path) -> FolderAddition:
        """Add a library folder (:func:`photoclip.core.folders.plan_addition`: one inside a
        library folder changes nothing, one holding library folders takes their place)."""
        path = scanner.normalise_folder(folder)
        if not Path(path).is_dir():
            raise FileNotFoundError(f"not a folder: {path}")
        plan = plan_addition(self.settings.folders, path)
        if plan.added:
            self.settings.folders = list(plan.folders)
            self.save_settings()
        return plan

    def remove_folder(self, folder: str | Path) -> int:
        """Stop indexing a folder and drop its photos from the index (files are never touched)."""
        path = scanner.normalise_folder(folder)
        if path not in self.settings.folders:
            within = plan_addition(self.settings.folders, path).within
            raise KeyError(f"not a library folder: {path}" + (
                f" (it is part of the library folder {within}, which is indexed whole)"
                if within else ""))
        self.settings.folders.remove(path)
        self.save_settings()
        ids = self._catalog.ids_outside(self.settings.folders)
        self.vectors.forget(ids)
        return len(ids)

    # ----- indexing --------------------------------------------------------------------------

    def index_folders(
        self,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        *,
        retry_failed: bool = False,
    ) -> IndexReport:
        """Scan the folders, embed what is new or changed, drop what is gone, then run the
        analyzers on what they have not seen (``retry_failed``: files and analyses that
        failed are tried again)."""
        if retry_failed:
            self.analysis.retry_failed()
        return self._runs.index_folders(progress, stop, retry_failed=retry_failed)

    def _after_index(self, progress: ProgressCallback | None, stop: threading.Event | None) -> None:
        """After an index run: facts of changed photos (lens, place, rating), then analyzers."""
        self.facts.update(progress, stop)
        self.analysis.run(progress, stop)

    def _all_ids(self) -> set[int]:
        return {r.id for r in self._catalog.all_photos()}

    def scan_folders(self) -> int:
        """Record the folders' photos without a model (browsable by folder and date before
        one is installed); how many are new or changed."""
        return self._runs.scan_folders()

    @property
    def abandon(self) -> threading.Event:
        """Set when the app quits: a batch in flight writes no vector (its photos stay
        pending) and the run ends with :class:`~photoclip.core.index_runs.IndexAbandoned`."""
        return self._runs.abandon

    def _user_tags_changed(self, photo_ids: list[int], removed: set[str]) -> None:
        """The user's tags of these photos changed: mirror them into sidecars (if asked) and
        into the vector store's metadata."""
        try:
            self.xmp.user_tags_changed(photo_ids, removed)
        finally:
            self.vectors.sync_tags(photo_ids)

    def sync_paths(
        self,
        changed: Iterable[str],
        deleted: Iterable[str] = (),
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> IndexReport:
        """Bring specific files or folders up to date (what a folder watcher reports)."""
        return self._runs.sync_paths(changed, deleted, progress, stop)

    def _indexer(self, sink: VectorSink) -> Indexer:
        s = self.settings
        embedder = self.embedder
        if s.decode_pool not in ("auto", "threads", "processes"):
            raise ValueError(f"decode_pool must be auto, threads or processes: {s.decode_pool!r}")
        # auto = threads: on an H100 machine a spawned process pool was slower (310 vs 400
        # photos/s for 768 photos; start-up and pickling), see docs/bench/gpu-h100.txt
        from photoclip.core.gpu_decode import for_indexer

        gpu, embed_device = for_indexer(embedder, s.max_megapixels)  # CUDA: nvJPEG
        return Indexer(
            self._catalog, sink, embedder.embed_images, embedder.preprocess_spec,
            self.model_spec.key, batch_size=s.batch_size, decode_workers=s.decode_workers,
            max_megapixels=s.max_megapixels, decode_processes=s.decode_pool == "processes",
            read_keywords=s.read_keywords, gpu=gpu, embed_device=embed_device,
        )

    # ----- automatic tags --------------------------------------------------------------------

    def label_sets(self, errors: list[str] | None = None) -> dict[str, LabelSet]:
        """Every label set: built-in, plugins' and the user's (see :attr:`auto_tags`)."""
        return self.auto_tags.label_sets(errors)

    def tags_current(self) -> bool:
        """Whether every photo's automatic tags follow the current model, label sets and
        strictness: none waits to be indexed and the ``auto-tags`` analyzer has none pending."""
        if self._catalog.counts(self.model_spec.key).pending:
            return False
        return not self.analysis.pending(AUTO_TAGS)

    def retag(self, photo_ids: Iterable[int] | None = None) -> RetagReport:
        """Make the automatic tags again now, from stored vectors (see AutoTagging.retag)."""
        return self.auto_tags.retag(
            photo_ids, recorded=lambda ids, state: self.analysis.record(AUTO_TAGS, state, ids)
        )

    def _adopt_tags(self, state: str) -> None:
        """A library tagged before the analysis stage kept one record of what its tags were
        made with: when that is today's state, every indexed photo's tags are current."""
        old = self._catalog.get_meta(_OLD_TAGGING_STATE)
        if old is None:
            return
        if old == state:
            ids = sorted(self._catalog.embedded_ids(self.model_spec.key))
            self.analysis.record(AUTO_TAGS, state, ids)
        self._catalog.set_meta(_OLD_TAGGING_STATE, None)

    def analyzers(self) -> dict[str, Analyzer]:
        """Every registered analyzer (built-in and plugins'), by name."""
        return self.analysis.analyzers()

    def classify(
        self, target: str | Path | int, labels: str | Sequence[str]
    ) -> list[tuple[str, float]]:
        """Zero-shot: the probability of each label for one photo (indexed or any image file)."""
        return tagging.classify_labels(
            self.photo_vector(target), tagging.parse_labels(labels), self.auto_tags.prototypes
        )

    # ----- search (see :class:`photoclip.core.searching.Searcher`) ---------------------------

    def search(
        self, query: str, *, limit: int = 20, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Photos that best match a text query (``"beach" + "sunset" - "people"`` allowed)."""
        return self._search.search(query, limit=limit, filters=filters)

    def similar(
        self, target: str | Path | int, *, limit: int = 20, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Photos most like a photo: an indexed photo's id or path, or any image file."""
        return self._search.similar(target, limit=limit, filters=filters)

    def photo_vector(self, target: str | Path | int) -> np.ndarray:
        """The stored vector of an indexed photo (by id or path), else the file embedded now."""
        return self._search.photo_vector(target)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Text embeddings, cached (a query typed again costs no model call)."""
        return self._search.embed_texts(texts)

    def embed_file(self, path: str | Path) -> np.ndarray:
        """Embed any image file (indexed or not)."""
        return self._search.embed_file(path)

    def photo_ids(self, paths: Sequence[str | Path]) -> list[int]:
        """Catalog ids of photos given by path; a path photoclip does not know is an error."""
        ids = []
        for p in paths:
            rec = self._catalog.get_by_path(str(Path(p).expanduser().resolve()))
            if rec is None and not Path(p).expanduser().exists():
                raise KeyError(Said(_NO_FILE, {"path": p}))  # "index it first" would not help
            if rec is None:
                raise KeyError(Said(_NOT_INDEXED, {"path": p}))
            ids.append(rec.id)
        return ids

    def album_members(self, name: str) -> set[int]:
        """The photos in an album; smart albums are evaluated now (see :attr:`albums`)."""
        return self.albums.members(name)

    def _search_ids(self, query: str, min_score: float | None) -> set[int]:
        hits = self.search(
            query, limit=max(1, len(self.vectors.index())),
            filters=SearchFilters(min_score=min_score),
        )
        return {h.photo_id for h in hits}

    # ----- facts -----------------------------------------------------------------------------

    def status(self) -> LibraryStatus:
        spec = self.model_spec
        counts = self._catalog.counts(spec.key)
        if counts.indexed or self.vectors.has_store():  # nothing to check in a new library
            try:  # loading the index checks the store: one that lost vectors shows here
                self.vectors.index()
                counts = self._catalog.counts(spec.key)
            except Exception as exc:  # e.g. a Chroma server that is down: the catalog counts
                log.warning("Cannot check the vector store: %s", exc)
        emb = self.embedder
        return LibraryStatus(
            folders=list(self.settings.folders),
            photos=counts.photos,
            indexed=counts.indexed,
            pending=counts.pending,
            failed=counts.failed,
            failures=self.browse.failures(),
            model=spec.key,
            model_installed=self.model_installed(spec),
            device=emb.device,
            precision=emb.precision,
            store_bytes=_folder_size(self.paths.library_dir),
            data_dir=str(self.paths.data),
        )

    def runtime(self) -> tuple[str, str]:
        """(device, precision) the model runs with (resolving them loads no weights)."""
        emb = self.embedder
        return emb.device, emb.precision

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

    def use_model(
        self, key: str, weights_file: str | None = None, text_tower: str | None = None
    ) -> ModelSpec:
        """Switch models; each model has its own vectors, so nothing is mixed. A model whose
        packages are missing is refused (ModelUnavailableError) and nothing changes.
        ``weights_file``: a file, folder or archive; ``text_tower``: a folder (offline
        installs, :mod:`photoclip.core.model_install`)."""
        from photoclip.core.model_catalogue import ModelUnavailableError
        from photoclip.core.model_install import install_offline
        from photoclip.core.model_needs import missing_requirements, requirements_message

        spec = self._with_provider(get_model_spec(key, self.user_models_dir))
        from photoclip.core.model_provider import provider_for

        provider_for(spec)  # an unknown provider: refused here, nothing changed
        if missing_requirements(spec):
            raise ModelUnavailableError(requirements_message(spec, missing_requirements(spec)))
        given = install_offline(spec, self.paths.models_dir,
                                Path(weights_file) if weights_file else None,
                                Path(text_tower) if text_tower else None)
        weights_file = str(given) if given is not None else None
        if weights_file is not None:  # a file for another model is refused, saying what it is
            from photoclip.core.weights import text_tower_dir
            from photoclip.core.weights_check import check_weights_file

            check_weights_file(spec, Path(weights_file).expanduser().resolve(),
                               available_models(self.user_models_dir),
                               text_tower_dir(spec, self.paths.models_dir))
        with self._guard:
            self.settings.model = spec.key
            self.settings.weights_file = str(Path(weights_file).resolve()) if weights_file else ""
            self.save_settings()
            self.vectors.close()
            if self._embedder is not None:
                self._embedder.close()
            self._embedder = None
            self.vectors = self._vector_space()
            self.auto_tags.model_changed()
            self._search.model_changed()
        return spec


def _folder_size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / name).stat().st_size
    return total
