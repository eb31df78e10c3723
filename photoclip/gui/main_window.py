"""The main window: wiring only. Views show, models hold, the backend does the work."""

from __future__ import annotations

import logging
import os
from collections.abc import Sized
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from photoclip.core.edits import AlbumPhotos, TagEdit, TrashPhotos
from photoclip.core.model_needs import MULTILINGUAL_MODEL, needs_multilingual
from photoclip.gui.album_actions import AlbumActions
from photoclip.gui.backend import Backend, OpenResult
from photoclip.gui.banner import Banner
from photoclip.gui.dialogs import choose_photo_folder, choose_weights_file, pictures_or_home
from photoclip.gui.duplicates_review import open_review
from photoclip.gui.grid import PhotoGrid
from photoclip.gui.grid_bar import GridBar, prefs_file
from photoclip.gui.i18n import tr
from photoclip.gui.menus import build_menus
from photoclip.gui.people_panel import PeoplePanel
from photoclip.gui.photo_view import PhotoView
from photoclip.gui.plugin_actions import ActionOutcome, PluginActions, show_outcome
from photoclip.gui.queries import Browse, PhotoDetails, ResultItem, SidebarData
from photoclip.gui.rating_keys import RatingKeys
from photoclip.gui.result_order import Arranged
from photoclip.gui.results_model import PhotoIdRole, ResultsModel
from photoclip.gui.screen_fit import fit_to_screen
from photoclip.gui.search_bar import SearchBar
from photoclip.gui.sidebar import Sidebar
from photoclip.gui.sidebar_model import SidebarModel
from photoclip.gui.status import FailuresDialog, StatusPanel
from photoclip.gui.thumbnail_loader import ThumbnailLoader, cache_pixels
from photoclip.gui.undo import Edits, add_edit_menu
from photoclip.gui.viewer import ViewerSession
from photoclip.gui.wording import NEEDS_MODEL, count_of, empty_grid_text

if TYPE_CHECKING:
    from photoclip.core.folders import FolderAddition
    from photoclip.core.service import ServiceEvent
    from photoclip.gui.settings_dialog import SettingsChanges

log = logging.getLogger(__name__)

REFRESH_MS = 1500  # coalesce grid/sidebar refreshes while indexing


class MainWindow(QMainWindow):
    """Search bar, sidebar, grid / photo view, status bar and menus, wired to a Backend."""

    def __init__(self, backend: Backend, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.setWindowTitle("photoclip")
        fit_to_screen(self, 1280, 820)
        self.opened: OpenResult | None = None
        self.sidebar_data = SidebarData([], [], [])
        self._request = 0  # the newest grid request; older results are dropped
        self._current: Browse = Browse()
        self._shown: Browse | None = None  # the request the grid shows the answer to
        self._last_phase = ""  # of the indexing progress last shown
        self.model_ready = True  # False while the model is missing: browsing only

        self.loader = ThumbnailLoader(parent=self)
        self.results = ResultsModel(self.loader, self)
        self.sidebar_model = SidebarModel(self)
        self.plugin_actions = PluginActions(backend, self)

        self.search_bar = SearchBar(self)
        self.banner = Banner(self)
        self.sidebar = Sidebar(self.sidebar_model, self)
        self.grid = PhotoGrid(self)
        self.grid.setModel(self.results)
        self.grid_bar = GridBar(self.grid, self.results, self.loader,
                                prefs_file(backend.paths), self)
        backend.thumbnail_pixels = cache_pixels(self.devicePixelRatioF())
        self.photo_view = PhotoView(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.grid)
        self.stack.addWidget(self.photo_view)
        self.status_panel = StatusPanel(self)
        self.statusBar().addPermanentWidget(self.status_panel, 1)

        split = QSplitter(self)
        split.addWidget(self.sidebar)
        split.addWidget(self.grid_bar.over(self.stack))
        split.setStretchFactor(1, 1)
        split.setSizes([220, 1060])
        central = QWidget(self)
        box = QVBoxLayout(central)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.search_bar)
        box.addWidget(self.banner)
        box.addWidget(split, 1)
        self.setCentralWidget(central)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self._refresh_after_indexing)

        self.add_folder_action = build_menus(self)
        self.edits = Edits(backend, self)  # undoable edits: Edit › Undo/Redo (gui/undo.py)
        add_edit_menu(self, self.edits).addAction(tr("Review &duplicates…"),
                                                  lambda: open_review(self))
        self.album_actions = AlbumActions(self)  # sidebar menus, drops onto albums
        self._wire()
        self.people = PeoplePanel(self)  # the People section and the photo view's regions
        self.viewer = ViewerSession(self)  # the photo view as a viewer over the grid
        self.people.requests.use_edits(self.edits)

    # ----- set-up ----------------------------------------------------------------------------

    def _wire(self) -> None:
        b = self.backend
        b.opened.connect(self._opened)
        b.open_failed.connect(self._open_failed)
        b.error.connect(self.show_error)
        b.model_missing.connect(self._model_missing)
        b.model_ready.connect(self._model_ready)
        b.service_event.connect(self._service_event)
        b.library_changed.connect(self._refresh_timer.start)
        b.folder_added.connect(self._folder_added)
        b.tags_changed.connect(self._tags_changed)
        self.edits.changed.connect(  # people edits: the People panel refreshes itself
            lambda cmd: cmd.kind.startswith("person-") or self._refresh_after_indexing())
        self.edits.failed.connect(self.show_error)
        b.download_progress.connect(self.status_panel.show_download)
        self.search_bar.changed.connect(lambda: self.run_search())
        self.search_bar.sort_changed.connect(self.grid_bar.set_sort)
        self.sidebar.filter_chosen.connect(self._sidebar_filter)
        self.grid.open_requested.connect(self.open_photo)
        self.grid.preview_requested.connect(self.open_photo)
        self.photo_view.back.connect(self.show_grid)
        self.photo_view.more_like_this.connect(self.more_like_this)
        self.photo_view.tag_action.connect(self._tag_action)
        self.photo_view.album_add.connect(self._album_add)
        self.photo_view.classify.connect(self._classify)
        self.rating_keys = RatingKeys(  # 0-5 stars, "." favourite
            [self.grid, self.photo_view], self._rating_targets, self.edits.run, self.statusBar())
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.grid.customContextMenuRequested.connect(self._grid_menu)
        self.status_panel.pause_toggled.connect(self._pause)
        self.status_panel.failures_requested.connect(self.show_failures)
        self.plugin_actions.finished.connect(self._plugin_done)
        self.plugin_actions.failed.connect(self.show_error)
        self.plugin_actions.started.connect(
            lambda title: self.banner.show_message(
                tr("{title}: running…").format(title=title), "info"))

    def start(self) -> None:
        """Open the library in the background (call after the window is shown)."""
        self.status_panel.label.setText(tr("Opening the library…"))
        self.backend.open()

    # ----- opening ---------------------------------------------------------------------------

    def _opened(self, result: OpenResult) -> None:
        self.opened = result
        self.model_ready = result.model_installed
        self.loader.cache = self.backend.thumbnails
        self.refresh()
        if not result.folders:
            QTimer.singleShot(0, self.show_welcome)

    def _open_failed(self, message: str) -> None:
        self.status_panel.label.setText(tr("The library could not be opened"))
        self.banner.show_message(message, "error", [(tr("Try again"), self._retry_open)])

    def _retry_open(self) -> None:
        self.banner.hide()
        self.backend.open()

    def _model_missing(self, message: str) -> None:
        self.model_ready = False
        self.status_panel.label.setText(tr("No model installed: indexing waits"))
        self.banner.show_message(message, "error", [
            (tr("Download the model"), self.download_model),
            (tr("Choose a weights file…"), self.choose_weights),
        ])
        self.banner.kind = "model"  # until the model is there

    def download_model(self) -> None:
        """Download the model; the banner says so until it is ready or the download fails."""
        self.banner.show_message(
            tr("Downloading the model… (progress in the status bar)"), "info")
        self.banner.kind = "model"
        self.backend.download_model()

    def _model_ready(self, key: str) -> None:
        self.model_ready = True
        if self.banner.kind == "model":  # the model is there: its banner goes
            self.banner.hide()
            self.banner.kind = ""
        self.status_panel.label.setText(tr("Model {key} ready").format(key=key))
        if self.opened is not None:
            self.opened.model = key  # the language hint reads it
        self.refresh()

    def show_error(self, message: str) -> None:
        log.info("Shown to the user: %s", message)
        self.banner.show_message(message, "error")

    # ----- the grid --------------------------------------------------------------------------

    def run_search(self, show_grid: bool = True) -> None:
        """Ask for what the search bar describes; only the newest answer is shown."""
        self._current = self.search_bar.browse()
        self._request += 1
        request = self._request
        if show_grid and self.stack.currentWidget() is not self.grid:
            self.show_grid()
        if self._current.is_search and not self.model_ready:  # browsing works, search waits
            self.results.set_items([])
            self._shown = self._current
            self.search_bar.show_count(0, True)
            self.grid.show_empty(tr(NEEDS_MODEL))
            return
        if self._current.is_search and self._current != self._shown:  # not a refresh
            self.search_bar.show_searching()
        self._language_hint(self._current.text)
        self.backend.search(
            self._current,
            lambda found: self._show_results(request, found),
            lambda exc: self._search_failed(request, exc),
            (self.results.sort_order, self.results.grouping),  # sorted and grouped off-thread
        )

    def _language_hint(self, text: str) -> None:
        """One line when the query is Chinese, Japanese or Korean and the model reads English
        only (its matches would mean little), with the way to switch."""
        opened = self.opened
        spec = next((e.spec for e in opened.models if e.spec.key == opened.model), None) \
            if opened is not None else None
        if spec is not None and needs_multilingual(spec, text):
            self.banner.show_message(tr(
                "The model {model} understands English only, so searches in Chinese, Japanese "
                "or Korean find little. Choose the multilingual model ({multilingual}) in "
                "Settings \u203a Model, or search in English.").format(
                    model=spec.key, multilingual=MULTILINGUAL_MODEL), "info",
                [(tr("Settings\u2026"), self.open_settings)])
            self.banner.kind = "language"
        elif self.banner.kind == "language":
            self.banner.hide()
            self.banner.kind = ""

    def _show_results(self, request: int, found: Arranged) -> None:
        """Show a search's answer. A new request starts at the top with nothing selected; the
        same request answered again (new photos were indexed) keeps the current photo, the
        selection and the scroll position."""
        if request != self._request:
            return
        refreshed = self._current == self._shown
        current = self.grid.currentIndex()
        keep = current.data(PhotoIdRole) if refreshed and current.isValid() else None
        selected = self.selected_ids() if refreshed else []
        anchor = self.grid.anchor() if refreshed else None  # the photo at the top stays there
        self.results.set_arranged(found)
        items = found  # columns: its length, no object per photo
        self._shown = self._current
        self.search_bar.show_count(len(items), self._current.is_search,
                                   self.sidebar_data.waiting)
        self.grid.show_empty(self._empty_text(items))
        row = self.results.row_of_photo(keep) if keep is not None else None
        if row is None and items:
            row = 0  # the keyboard starts from the best match, which is not selected
        if row is not None:
            self.grid.set_current_row(row)
        if selected:
            self.grid.select_rows(self.results.rows_of_photos(selected))
        self.grid.restore_anchor(anchor)
        if self.banner.kind == "search":
            self.banner.hide()

    def _empty_text(self, items: Sized) -> str:
        has_folders = bool(self.opened is None or self.opened.folders or self.sidebar_data.folders)
        return "" if items else empty_grid_text(self._current, has_folders)

    def _search_failed(self, request: int, exc: BaseException) -> None:
        if request != self._request:
            return
        from photoclip.core.errors import describe_error

        self.results.set_items([])
        self.search_bar.show_count(0, True)
        self.grid.show_empty(describe_error(exc, tr))
        self.banner.show_message(describe_error(exc, tr), "error")
        self.banner.kind = "search"

    def refresh(self) -> None:
        self.run_search()
        self.backend.sidebar(self._sidebar_loaded)

    def _refresh_after_indexing(self) -> None:
        """New photos join the grid (and the current search) without moving the user; the
        photo on show gets its tags again (a sidecar edited in another tool, re-tagging)."""
        self.run_search(show_grid=False)
        self.backend.sidebar(self._sidebar_loaded)
        shown = self.photo_view.details
        if shown is not None and self.stack.currentWidget() is self.photo_view:
            self.backend.details(shown.photo_id, self._details_refreshed)

    def _details_refreshed(self, details: PhotoDetails) -> None:
        shown = self.photo_view.details
        if shown is not None and shown.photo_id == details.photo_id:  # still the same photo
            self.photo_view.show_photo(details)

    def show_everything(self) -> None:
        self.search_bar.set_text("")
        self.search_bar.clear_filters()

    def _sidebar_filter(self, kind: str, value: Any) -> None:
        if kind == "all":
            self.show_everything()
        elif kind == "person":
            self.search_bar.set_person(value)
        else:
            self.search_bar.set_filter(kind, value)

    def _sidebar_loaded(self, data: SidebarData) -> None:
        self.sidebar_data = data
        self.sidebar_model.set_data(data, data.browsable)  # what "All photos" shows
        if self._shown is not None:  # the count above the grid, with the same numbers
            self.search_bar.show_count(self.results.rowCount(), self._shown.is_search,
                                       data.waiting)
        self.search_bar.set_choices(
            [f for f, _ in data.folders], [t.tag for t in data.tags],
            [a.name for a, _ in data.albums],
        )
        if self.backend.service is None or not self.status_panel.bar.isVisible():
            self.status_panel.show_idle(data.photos, data.failed, data.indexed,
                                        model_ready=self.model_ready)
        else:
            self.status_panel.show_failed(data.failed)

    def focus_search(self) -> None:
        self.show_grid()
        self.search_bar.edit.setFocus()
        self.search_bar.edit.selectAll()

    # ----- one photo -------------------------------------------------------------------------

    def open_photo(self, index: QModelIndex) -> None:
        if self.stack.currentWidget() is self.photo_view:  # Space again: back
            self.show_grid()
            return
        if index.data(PhotoIdRole) is None:
            return
        self.stack.setCurrentWidget(self.photo_view)
        self.photo_view.set_query(self._shown.text if self._shown is not None else "")
        self.viewer.open(index)

    def show_grid(self) -> None:
        self.viewer.leave()
        self.stack.setCurrentWidget(self.grid)
        self.grid.setFocus()

    def more_like_this(self, photo_id: int) -> None:
        details = self.photo_view.details
        name = os.path.basename(details.path) if details else str(photo_id)
        self.search_bar.choose_sort("relevance")
        self.search_bar.set_similar(photo_id, name)

    def _tag_action(self, action: str, tag: str) -> None:
        if self.photo_view.details is not None:
            self.edits.run(TagEdit(action, tag, [self.photo_view.details.photo_id]))

    def _album_add(self, album: str, create: bool) -> None:
        if self.photo_view.details is not None:
            self.edits.run(AlbumPhotos("add", album, [self.photo_view.details.photo_id], create))

    def _classify(self, labels: str) -> None:
        if self.photo_view.details is not None:
            self.backend.classify(self.photo_view.details.photo_id, labels,
                                  self.photo_view.show_classification)

    def _tags_changed(self) -> None:
        if self.stack.currentWidget() is self.photo_view and self.photo_view.details:
            self.backend.details(self.photo_view.details.photo_id, self.photo_view.show_photo)
        self.backend.sidebar(self._sidebar_loaded)

    def _rating_targets(self) -> list[int]:
        if self.stack.currentWidget() is self.photo_view and self.photo_view.details:
            return [self.photo_view.details.photo_id]
        return self.selected_ids()

    def selected_ids(self) -> list[int]:
        return [self.results.item(r).photo_id for r in self.grid.selected_rows()]

    def _grid_menu(self, pos: QPoint) -> None:
        """Actions on the selected photos (multi-select with Shift/Ctrl)."""
        from PySide6.QtWidgets import QInputDialog, QMenu

        ids = self.selected_ids()
        if not ids:
            return
        menu = QMenu(self)
        n = f" ({count_of(len(ids), 'photo')})" if len(ids) > 1 else ""

        def add_tag() -> None:
            tag, ok = QInputDialog.getText(
                self, tr("Add a tag"),
                tr("Tag for the selected photos{n}:").format(n=n))
            if ok and tag.strip():
                self.edits.run(TagEdit("add", tag.strip(), ids))

        def add_album() -> None:
            names = [a.name for a, _ in self.sidebar_data.albums if not a.smart]
            name, ok = QInputDialog.getItem(
                self, tr("Add to album"),
                tr("Album (type a new name to create it):"), names, 0, True)
            if ok and name.strip():
                self.edits.run(AlbumPhotos("add", name.strip(), ids, name.strip() not in names))

        menu.addAction(tr("Open"), lambda: self.open_photo(self.grid.currentIndex()))
        menu.addAction(tr("More like this"), lambda: self._more_from_grid(ids[0]))
        menu.addSeparator()
        menu.addAction(tr("Add a tag{n}…").format(n=n), add_tag)
        menu.addAction(tr("Add to album{n}…").format(n=n), add_album)
        self.album_actions.extend_grid_menu(menu, ids)
        menu.addAction(tr("Move to the trash{n}").format(n=n),
                       lambda: self.edits.run(TrashPhotos(ids)))
        self.plugin_actions.add_menu(menu, ids)
        menu.exec(self.grid.viewport().mapToGlobal(pos))

    def _plugin_done(self, outcome: ActionOutcome) -> None:
        show_outcome(self, self.plugin_actions, outcome)

    def show_photo_set(self, items: list[ResultItem]) -> None:
        """Show these photos in the grid (e.g. a plugin's result) until the next search."""
        self._request += 1  # a search still on its way is dropped
        self._shown = None  # the next search is a new one
        self.results.set_items(items)
        self.search_bar.show_count(len(items), True)
        self.grid.show_empty(tr("The plugin named no photos.") if not items else "")
        if items:
            self.grid.set_current_row(0)
        self.grid.scroll_to_value(0)
        self.show_grid()

    def _more_from_grid(self, photo_id: int) -> None:
        row = self.results.row_of_photo(photo_id)
        name = os.path.basename(self.results.item(row).path) if row is not None else "photo"
        self.search_bar.choose_sort("relevance")
        self.search_bar.set_similar(photo_id, name)

    def step_photo(self, delta: int) -> None:
        """Previous/next photo of the grid while the photo view is open."""
        self.viewer.step(delta)

    # ----- indexing --------------------------------------------------------------------------

    def _service_event(self, event: ServiceEvent) -> None:
        if event.kind == "progress" and event.progress is not None:
            phase = event.progress.phase
            if self._last_phase in ("scanning", "cleaning") and phase not in (
                    "scanning", "cleaning"):  # the scan recorded new photos: browsable now
                self._refresh_timer.start()
            elif (phase == "indexing" and self._current.is_search
                  and not self._refresh_timer.isActive()):
                # photos searchable since the last refresh join the current search while a run
                # goes on (at most once per REFRESH_MS), not only when the run ends
                self._refresh_timer.start()
            self._last_phase = phase
            self.status_panel.show_progress(event.progress)
        elif event.kind in ("batch", "reconciled"):
            self.status_panel.run_finished(event.report)
            self.backend.sidebar(self._sidebar_loaded)
        elif event.kind == "paused":
            self.status_panel.show_paused()
        elif event.kind == "resumed":
            self.status_panel.show_resumed()

    def _pause(self, on: bool) -> None:
        if on:
            self.backend.pause()
        else:
            self.backend.resume()

    def show_failures(self) -> None:
        self.backend.failures(lambda rows: FailuresDialog(rows, self).exec())

    # ----- folders, models, dialogs ----------------------------------------------------------

    def choose_folder(self) -> None:
        folder = choose_photo_folder(self)
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str) -> None:
        if self.banner.kind == "welcome":  # a folder is there now
            self.banner.hide()
            self.banner.kind = ""
        self.status_panel.label.setText(tr("Adding {folder}…").format(folder=folder))
        self.backend.add_folder(folder)

    def _folder_added(self, plan: FolderAddition) -> None:
        """Say what adding a folder did (the core's words): a nested folder is not a second
        library folder, a parent takes its subfolders' place."""
        text = plan.describe(tr)
        self.status_panel.label.setText(text)
        if not plan.added or plan.absorbed:
            self.banner.show_message(text, "info")

    def choose_weights(self) -> None:
        path = choose_weights_file(self)
        if path:
            key = self.opened.model if self.opened else "vit-b-32"
            self.banner.show_message(tr("Loading the model with {file}…").format(
                file=os.path.basename(path)), "info")
            self.banner.kind = "model"
            self.backend.use_model(key, path)

    def show_welcome(self) -> None:
        """First run: ask for folders and the model (the welcome wizard), then index."""
        from photoclip.gui.welcome import open_welcome

        self.welcome = open_welcome(self)

    def welcome_banner(self) -> None:
        """The welcome wizard was cancelled: the banner offers the folders instead."""
        self.banner.show_message(
            tr("Welcome! Choose the folders with your photos to start."), "info",
            [(tr("Add my Pictures folder"), lambda: self.add_folder(pictures_or_home())),
             (tr("Choose a folder…"), self.choose_folder)],
        )
        self.banner.kind = "welcome"

    def open_settings(self) -> None:
        from photoclip.gui.settings_dialog import open_settings

        open_settings(self, self.backend)

    def settings_applied(self, _changes: SettingsChanges | None = None) -> None:
        """The Settings dialog saved: read the plugin actions again."""
        self.plugin_actions.refresh()

    def open_about(self) -> None:
        from photoclip.gui.about import show_about

        show_about(self)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.hide()
        self.loader.stop()
        self.photo_view.images.stop()
        self.plugin_actions.close()  # a plugin's question in flight is answered "No"
        self.backend.close()
        super().closeEvent(event)
