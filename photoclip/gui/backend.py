"""The bridge between the GUI thread and the core's Library and LibraryService.

Every call that touches the model, the disk or the store runs on the one-thread :class:`TaskLane`
(searches first); results come back through callbacks on the GUI thread. The service's events
arrive on its own thread and are re-posted as Qt signals. Errors become one readable sentence
(:func:`photoclip.core.errors.user_message`) sent through :attr:`Backend.error`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from photoclip.config import AppPaths, Settings, app_paths
from photoclip.core.albums import TAG_ACTIONS
from photoclip.core.errors import describe_error
from photoclip.core.model_catalogue import ModelSpec
from photoclip.gui.download import ModelDownload
from photoclip.gui.i18n import tr
from photoclip.gui.queries import (
    Browse,
    PhotoDetails,
    SidebarData,
    load_details,
    load_sidebar,
)
from photoclip.gui.result_order import arrange_answer
from photoclip.gui.tasks import HIGH, LOW, NORMAL, TaskLane

if TYPE_CHECKING:
    from photoclip.core.folders import FolderAddition
    from photoclip.core.labels import LabelSet
    from photoclip.core.library import Library, ModelEntry
    from photoclip.core.owner import OwnerServer
    from photoclip.core.plugin_host import PluginHost, PluginInfo
    from photoclip.core.service import LibraryService, ServiceEvent
    from photoclip.core.thumbnails import ThumbnailCache
    from photoclip.core.undo import Command
    from photoclip.gui.plugin_actions import ActionEntry, ActionOutcome

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 500
SHUTDOWN_WAIT_S = 5.0  # quitting waits at most this long for the work in flight
PRUNE_THUMBNAILS_AFTER_MS = 120_000  # once per run, when start-up work has settled


@dataclass
class OpenResult:
    """What the GUI learns once the library is open."""

    folders: list[str]
    model: str
    model_installed: bool
    model_message: str = ""
    models: list[ModelEntry] = field(default_factory=list)


@dataclass
class SettingsFacts:
    """What the Settings dialog needs from the library besides the settings."""

    label_sets: dict[str, LabelSet]
    installed: dict[str, bool]  # model key -> weights there
    paths: AppPaths
    plugin_infos: list[PluginInfo]


class Backend(QObject):
    """Owns the Library, the LibraryService and the work lane; talks to the GUI by signals."""

    opened = Signal(object)  # OpenResult
    open_failed = Signal(str)
    error = Signal(str)
    service_event = Signal(object)  # ServiceEvent, on the GUI thread
    library_changed = Signal()  # photos were indexed, moved or removed
    folder_added = Signal(object)  # FolderAddition: what adding a folder did
    tags_changed = Signal()
    download_progress = Signal(int, int)
    model_ready = Signal(str)  # a model was downloaded or chosen: its key
    model_missing = Signal(str)  # a sentence saying what to do

    _relay = Signal(object)

    def __init__(
        self,
        paths: AppPaths | None = None,
        *,
        service_options: dict[str, Any] | None = None,
        prune_thumbnails_after_ms: int = PRUNE_THUMBNAILS_AFTER_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self.service_options = service_options or {}
        self.prune_thumbnails_after_ms = prune_thumbnails_after_ms
        self.lane = TaskLane("photoclip-interactive", self)
        # plugin actions may take minutes (duplicates over a whole library): their own lane,
        # so searches and clicks never wait behind them
        self.plugin_lane = TaskLane("photoclip-plugins", self)
        # downloads and cache upkeep: long or low-priority work off the two lanes above
        self.background_lane = TaskLane("photoclip-background", self)
        self.library: Library | None = None  # once open
        self.service: LibraryService | None = None  # once started
        self.thumbnails: ThumbnailCache | None = None
        self.thumbnail_pixels = 256  # the cache's size: the window asks 512 for a 2x screen
        self.owner_server: OwnerServer | None = None  # answers other photoclip commands
        self._unsubscribe: Callable[[], None] | None = None
        self._relay.connect(self._on_service_event)
        # every model download the GUI runs (and the library's own) reports through this one
        self.downloads = ModelDownload(self.background_lane, parent=self)
        self.downloads.progress.connect(self.download_progress)

    # ----- lifecycle -------------------------------------------------------------------------

    def open(self) -> None:
        """Open the library and start indexing, off the GUI thread."""
        self.lane.submit(self._open, self._opened, self._open_error, priority=HIGH)

    def _open(self) -> OpenResult:
        from photoclip.core.library import Library
        from photoclip.core.thumbnails import ThumbnailCache

        paths = (self.paths or app_paths()).ensure()
        # the model runs in a child process: importing torch in this one would freeze the window
        from photoclip.core.lock import lock_wait

        # a `photoclip` command that opened the library itself a moment ago: wait for it
        lib = Library(paths, owner="photoclip-gui", model_process=True, lock_wait=lock_wait(),
                      waiting=lambda who: log.info("Waiting for %s to finish", who))
        lib.download_progress = self.downloads.report
        self.library = lib
        self.thumbnails = ThumbnailCache(paths.cache / "thumbnails", self.thumbnail_pixels)
        spec = lib.model_spec
        installed = lib.model_installed(spec)
        from photoclip.cli.serve import start_owner  # `photoclip search` etc. answered here

        self.owner_server = start_owner(lib, lambda: self.service, "photoclip-gui")
        if installed:
            lib.prepare_model()  # from this thread: a query's lane in the model keeps its priority
            lib.warm_up()  # load (and reconcile) the index now, not on the first search
        return OpenResult(
            folders=list(lib.settings.folders),
            model=spec.key,
            model_installed=installed,
            model_message="" if installed else missing_model_message(spec),
            models=lib.models(),
        )

    @Slot(object)
    def _opened(self, result: OpenResult) -> None:
        self.opened.emit(result)
        QTimer.singleShot(self.prune_thumbnails_after_ms, self._prune_thumbnails)
        if result.model_installed:
            self.start_service()
        else:
            self.model_missing.emit(result.model_message)
            self.scan_without_model()

    def _prune_thumbnails(self) -> None:
        """Drop thumbnails of photos no longer in the library and keep the cache under its
        cap, on a low-priority thread of its own (it only touches the cache folder)."""
        lib, cache = self.library, self.thumbnails
        if lib is None or cache is None:
            return

        def run() -> None:
            try:
                cache.prune(lib.browse.known_paths())
            except Exception:  # e.g. the library closed meanwhile; next run tries again
                log.exception("Pruning the thumbnail cache failed")

        self.background_lane.submit(run, priority=LOW, key="prune-thumbnails")

    def _open_error(self, exc: BaseException) -> None:
        self.open_failed.emit(describe_error(exc, tr))

    def scan_without_model(self) -> None:
        """No model yet: put the folders' photos in the catalog, so they can be browsed."""
        self._call(lambda lib: lib.scan_folders(), lambda _: self.library_changed.emit(),
                  priority=LOW, key="scan")

    def start_service(self) -> None:
        """Start background indexing (once the model can be used)."""
        if self.service is not None or self.library is None:
            return
        from photoclip.core.service import LibraryService

        self.service = LibraryService(self.library, **self.service_options)
        self._unsubscribe = self.service.subscribe(self._relay.emit)
        self.library.trash.reindex = self.service.request_sync  # restored photos: queued
        self.service.start()

    def close(self, wait: float = SHUTDOWN_WAIT_S) -> None:
        """Stop indexing and the lanes, waiting at most ``wait`` s in all for the work in
        flight, then close the library, never under a thread still using it. The indexing
        batch in flight is abandoned (it writes no vector; its photos are indexed again at the
        next start); a thread still busy after ``wait`` is left to the process exit."""
        deadline = time.monotonic() + wait
        if self.owner_server is not None:
            self.owner_server.stop()  # other commands open the library themselves from now on
            self.owner_server = None
        if self._unsubscribe is not None:
            self._unsubscribe()
        if self.library is not None:
            self.library.abandon.set()  # a batch in flight writes nothing more
        idle = True
        if self.service is not None:
            idle = self.service.stop(timeout=wait)
            self.service = None
        for lane in (self.plugin_lane, self.lane, self.background_lane):
            idle = lane.stop(max(0.1, deadline - time.monotonic())) and idle
        if self.library is not None and not idle:
            log.warning("Work still running %.0f s after quitting is abandoned; the library "
                        "is left to the process exit", wait)
            self.library = None
        if self.library is not None:
            try:
                self.library.close()
            except Exception:
                log.exception("Closing the library failed")
            self.library = None

    # ----- service events --------------------------------------------------------------------

    @Slot(object)
    def _on_service_event(self, event: ServiceEvent) -> None:
        self.service_event.emit(event)
        if event.kind in ("batch", "reconciled"):
            self.library_changed.emit()
        elif event.kind == "error":
            message = event.text(tr)
            self.error.emit(message[:1].upper() + message[1:])

    def pause(self) -> None:
        if self.service is not None:
            self.service.pause()

    def resume(self) -> None:
        if self.service is not None:
            self.service.resume()

    @property
    def paused(self) -> bool:
        return bool(self.service is not None and self.service.paused)

    # ----- the one way onto a lane (private: the GUI asks through the named methods) ----------

    def _call(
        self,
        fn: Callable[[Library], Any],
        on_done: Callable[[Any], None] | None = None,
        *,
        priority: int = NORMAL,
        key: str | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        lane: TaskLane | None = None,
    ) -> None:
        """Run ``fn(library)`` on the lane (or on ``lane``, e.g. :attr:`plugin_lane`); errors
        go to ``on_error`` or :attr:`error`."""

        def run() -> Any:
            if self.library is None:
                raise RuntimeError("the library is not open yet")
            return fn(self.library)

        (lane or self.lane).submit(
            run, on_done, on_error or (lambda exc: self.error.emit(describe_error(exc, tr))),
            priority=priority, key=key,
        )

    # ----- searching -------------------------------------------------------------------------

    def search(
        self, browse: Browse, on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        arranged: tuple[str, str] | None = None,
    ) -> None:
        """Text, image or similar-photo search, or the whole library by date; newest wins.
        With ``arranged`` (sort, grouping) the answer comes sorted and grouped
        (gui/result_order.py), with the stars and hearts, else as a list of ResultItems."""
        run = browse.run if arranged is None else (
            lambda lib: arrange_answer(browse.run(lib), *arranged, marks=lib.ratings.marked()))
        self._call(run, on_done, priority=HIGH, key="search", on_error=on_error)

    def details(self, photo_id: int, on_done: Callable[[PhotoDetails], None]) -> None:
        self._call(lambda lib: load_details(lib, photo_id), on_done, priority=HIGH,
                  key="details")

    def classify(
        self, photo_id: int, labels: str, on_done: Callable[[list[tuple[str, float]]], None]
    ) -> None:
        self._call(lambda lib: lib.classify(photo_id, labels), on_done, priority=HIGH)

    def sidebar(self, on_done: Callable[[SidebarData], None]) -> None:
        self._call(load_sidebar, on_done, priority=LOW, key="sidebar")

    # ----- tags, albums, folders -------------------------------------------------------------

    def edit_tags(self, action: str, tag: str, photo_ids: Sequence[int]) -> None:
        """``action``: add | remove | accept | reject (see :class:`PhotoTags.apply`)."""
        if action not in TAG_ACTIONS:
            raise ValueError(action)
        ids = list(photo_ids)
        self._call(lambda lib: lib.tagging.apply(action, tag, ids),
                  lambda _: self.tags_changed.emit())

    def submit(self, fn: Callable[[Library], Any], on_done: Callable[[Any], None]) -> None:
        """Run ``fn(library)`` off the GUI thread, then ``on_done(result)`` on it (ratings)."""
        self._call(fn, on_done)

    def add_to_album(self, album: str, photo_ids: Sequence[int], create: bool = False) -> None:
        ids = list(photo_ids)

        def run(lib: Library) -> int:
            return lib.albums.add(album, ids, create=create)

        self._call(run, lambda _: self.tags_changed.emit())

    def edit(self, cmd: Command, on_done: Callable[[Any], None],
             on_error: Callable[[BaseException], None], *, undo: bool = False) -> None:
        """Do (or undo) one of the core's edit commands (gui/undo.py keeps the history);
        People's on the plugin lane, with People's other requests (they may group thousands
        of faces: never in the way of searches)."""
        self._call(lambda lib: cmd.undo(lib) if undo else cmd.do(lib), on_done,
                   on_error=on_error,
                   lane=self.plugin_lane if cmd.kind.startswith("person-") else None)

    def album_preview(self, rule: dict[str, Any], on_done: Callable[[int], None],
                      on_error: Callable[[BaseException], None]) -> None:
        """How many photos a smart album with ``rule`` (query/min_score or tag) holds now."""
        self._call(lambda lib: lib.albums.preview(**rule), on_done, key="album-preview",
                   on_error=on_error)

    def duplicate_groups(self, on_done: Callable[[Any], None],
                         on_error: Callable[[BaseException], None]) -> None:
        """The whole library's duplicate groups for review (gui/duplicates_review.py), on the
        plugin lane (minutes in a big library: never in the way of searches)."""
        from photoclip.gui.duplicates_review import find_groups

        self._call(find_groups, on_done, on_error=on_error, lane=self.plugin_lane)

    def retag(self, photo_ids: Sequence[int] | None = None) -> None:
        """Suggest automatic tags again from the stored vectors (rejected ones stay away)."""
        ids = None if photo_ids is None else list(photo_ids)
        self._call(lambda lib: lib.retag(ids), lambda _: self.tags_changed.emit(), priority=LOW)

    def add_folder(self, folder: str) -> None:
        """Add a library folder (the core's rule for nested folders); ``folder_added`` says
        what happened."""
        service = self.service

        def run(lib: Library) -> FolderAddition:
            return service.add_folder(folder) if service is not None else lib.add_folder(folder)

        def done(plan: FolderAddition) -> None:
            if service is None and plan.added:
                self.scan_without_model()
            self.folder_added.emit(plan)
            if plan.added:
                self.library_changed.emit()

        self._call(run, done)

    def remove_folder(self, folder: str) -> None:
        """Stop indexing a folder and drop its photos from the library (files are untouched)."""
        if self.service is not None:
            self.service.remove_folder(folder)
            return
        # no indexing service (e.g. no model yet): remove it on the work lane directly
        self._call(lambda lib: lib.remove_folder(folder), lambda _: self.library_changed.emit())

    def failures(self, on_done: Callable[[list[tuple[str, str]]], None]) -> None:
        """The files that could not be indexed: (path, reason) pairs."""
        self._call(lambda lib: lib.browse.failures(), on_done)

    # ----- settings, plugins, facts ----------------------------------------------------------

    def settings_facts(self, on_done: Callable[[SettingsFacts], None]) -> None:
        """What the Settings dialog shows besides the settings themselves."""

        def run(lib: Library) -> SettingsFacts:
            installed = {m.spec.key: m.installed for m in lib.models()}
            return SettingsFacts(lib.label_sets(), installed, lib.paths, lib.plugin_infos())

        self._call(run, on_done)

    def save_settings(self, edited: Settings, names: Sequence[str]) -> None:
        """Copy the settings ``names`` from ``edited`` into the library's and save them."""
        fields = {name: getattr(edited, name) for name in names}

        def run(lib: Library) -> None:
            for name, value in fields.items():
                setattr(lib.settings, name, value)
            lib.save_settings()

        self._call(run)

    def runtime(
        self, on_done: Callable[[tuple[str, str]], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """The model in use and where it runs: (key, "device, precision")."""

        def run(lib: Library) -> tuple[str, str]:
            device, precision = lib.runtime()
            return lib.model_spec.key, f"{device}, {precision}"

        self._call(run, on_done, on_error=on_error)

    def plugin_actions(
        self, previous: PluginHost | None,
        on_done: Callable[[tuple[PluginHost, list[ActionEntry]]], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """The plugin host for the menu and its actions (see :func:`load_actions`)."""
        from photoclip.gui.plugin_actions import load_actions

        self._call(lambda lib: load_actions(lib, previous), on_done, priority=LOW,
                   key="plugin-actions", on_error=on_error)

    def run_plugin_action(
        self, host: PluginHost, name: str, photo_ids: Sequence[int], options: dict[str, Any],
        confirm: Callable[[str], bool] | None, on_done: Callable[[ActionOutcome], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """Run a plugin action on the plugin lane (never in the way of searches)."""
        from photoclip.gui.plugin_actions import run_action

        ids = list(photo_ids)
        self._call(lambda lib: run_action(lib, host, name, ids, options, confirm), on_done,
                   on_error=on_error, lane=self.plugin_lane)

    # ----- people and photo regions (plugins' contributions through the core's hooks; the
    # named requests: gui/people_requests.py) -----------------------------------------------

    def regions(self, photo_id: int, on_done: Callable[[list[Any]], None]) -> None:
        """Every plugin's regions of one photo (``core.types.Region``); newest photo wins."""
        from photoclip.gui.people_requests import load_regions

        self._call(lambda lib: load_regions(lib, photo_id), on_done, key="regions")

    def people_request(self, fn: Callable[[Any], Any], on_done: Callable[[Any], None] | None
                       = None, *, optional: bool = False, **how: Any) -> None:
        """``fn(people)`` (the library's ``core.people.People``) on the plugin lane (it may
        cluster thousands of faces: never in the way of searches); without People a
        PeopleError saying how to turn it on, or ``fn(None)`` if ``optional``. ``how``: key,
        priority, on_error as for the other requests."""
        from photoclip.gui.people_requests import people_of

        self._call(lambda lib: fn(people_of(lib, optional)), on_done, lane=self.plugin_lane,
                   **how)

    def people_offer(self, on_done: Callable[[bool | None], None]) -> None:
        """Whether to ask the user to turn People on (``core.people_offer.should_ask``)."""
        from photoclip.core.people_offer import should_ask

        self._call(should_ask, on_done, priority=LOW, lane=self.plugin_lane)

    def answer_people_offer(self, on: bool, on_done: Callable[[str | None], None]) -> None:
        """Save the answer (yes: People starts now); ``on_done`` gets a problem or None."""
        from photoclip.core.people_offer import answer

        self._call(lambda lib: answer(lib, on), on_done, lane=self.plugin_lane)

    def sync(self) -> None:
        """Bring the library up to date without a scan (the analyzers run, e.g. People's)."""
        if self.service is not None:
            self.service.request_sync()

    def face_thumbnails(self, faces: Sequence[Any], size: int,
                        on_done: Callable[[dict[int, Any]], None]) -> None:
        """{face id: QImage} square crops of ``faces`` (``PersonFace``), on the background lane."""
        from photoclip.gui.people_requests import crop_faces

        wanted = list(faces)
        self._call(lambda lib: crop_faces(lib, wanted, size), on_done, priority=LOW,
                   lane=self.background_lane)

    # ----- models ----------------------------------------------------------------------------

    def use_model(self, key: str, weights_file: str | None = None) -> None:
        """Switch model (or give the current one a local weights file), then index with it."""
        self.apply_setup(None, key, weights_file, reload=True)

    def apply_setup(
        self, folders: Sequence[str] | None, model: str | None, weights_file: str | None,
        *, reload: bool = False,
    ) -> None:
        """Apply first-run choices or a model switch; indexing restarts with the new model.

        The service is stopped (after its batch in flight) on the lane, never on the GUI thread.
        """
        service = self.service

        def run(lib: Library) -> tuple[str, bool]:
            if model and (reload or model != lib.model_spec.key or weights_file):
                if service is not None:
                    service.stop()
                lib.use_model(model, weights_file or None)
            for folder in folders or ():
                lib.add_folder(folder)
            spec = lib.model_spec
            installed = lib.model_installed(spec)
            if installed:
                lib.prepare_model()
                lib.warm_up()
            return spec.key, installed

        def done(result: tuple[str, bool]) -> None:
            key, installed = result
            if service is not None and not service.running:
                self.service = None
            if installed:
                self._model_ready(key)
            elif self.library is not None:
                spec = self.library.model_spec
                self.model_missing.emit(missing_model_message(spec))
                self.scan_without_model()
            if folders and self.service is not None:
                for folder in folders:
                    self.service.add_folder(folder)
            self.library_changed.emit()

        self._call(run, done, priority=HIGH)

    def download_model(self, key: str | None = None) -> None:
        """Download a model's weights on the background lane (searches go on meanwhile)."""
        lib = self.library
        if lib is None:
            return

        def spec() -> ModelSpec:
            from photoclip.core.models import get_model_spec

            return get_model_spec(key or lib.model_spec.key, lib.user_models_dir)

        # on failure the banner offers the ways out
        self.downloads.start(spec, lib.paths.models_dir,
                             lambda spec, _path: self._model_ready(spec.key),
                             self.model_missing.emit)

    @Slot(str)
    def _model_ready(self, key: str) -> None:
        if self.library is not None and key != self.library.model_spec.key:
            self.use_model(key)
            return
        self.model_ready.emit(key)
        if self.service is None:
            self.start_service()
        else:
            self.service.request_full_scan()
        self.library_changed.emit()

    def settings_copy(self) -> Settings | None:
        """A copy of the settings for a dialog to edit (applied back through the backend)."""
        import copy

        return copy.deepcopy(self.library.settings) if self.library is not None else None


def missing_model_message(spec: ModelSpec) -> str:
    size = f" ({spec.download_mb:.0f} MB)" if spec.download_mb else ""
    if spec.hf_text_model:  # two parts: both named, and the offline route for both
        from photoclip.gui.model_parts import missing_parts_message

        return missing_parts_message(spec, size)
    return tr(
        "The model '{model}' is not installed yet, so photos cannot be indexed or searched. "
        "Download it{size}, or choose a weights file you downloaded elsewhere."
    ).format(model=spec.key, size=size)
