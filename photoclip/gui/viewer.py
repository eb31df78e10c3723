"""The viewer session: which photo of the grid is on show, next/previous/first/last in the grid's
order, the neighbours preloaded, the slideshow, full window and full screen, and the grid given
back as it was (Esc).

Opening a photo (double-click, Enter, Space) shows it full-window: the search bar and the
sidebar step aside and the photo view fills the window (its details panel beside the photo).
F or F11 goes full screen (the photo alone); Esc goes back to the grid from either, with the
grid's selection and scroll position as they were, or, after moving to other photos, with the
last photo shown selected and in sight.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, QTimer
from PySide6.QtGui import QImage

from photoclip.gui.i18n import tr
from photoclip.gui.queries import PhotoDetails
from photoclip.gui.results_model import PhotoIdRole
from photoclip.gui.viewer_images import SCREEN, Decoded

if TYPE_CHECKING:
    from photoclip.gui.main_window import MainWindow

log = logging.getLogger(__name__)

DEFAULT_SLIDESHOW_S = 4.0


class Slideshow(QObject):
    """Next photo every ``seconds``, once it is decoded; any input pauses it."""

    def __init__(self, session: ViewerSession) -> None:
        super().__init__(session)
        self.session = session
        self.seconds = DEFAULT_SLIDESHOW_S
        self.running = False
        self.paused = False
        self._waiting = False  # the interval passed, the next photo is still decoding
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.advance)

    def start(self) -> None:
        self.running, self.paused = True, False
        self._arm()

    def stop(self) -> None:
        self.running = self.paused = self._waiting = False
        self.timer.stop()

    def pause(self) -> None:
        if self.running and not self.paused:
            self.paused, self._waiting = True, False
            self.timer.stop()
            self.session.say(tr("Slideshow paused: press S to go on"))

    def toggle(self) -> None:
        """S: start, go on after a pause, or stop."""
        if self.running and not self.paused:
            self.stop()
            self.session.say(tr("Slideshow stopped"))
        else:
            self.start()
            self.session.say(tr("Slideshow: every {seconds} s").format(seconds=f"{self.seconds:g}"))

    def _arm(self) -> None:
        self._waiting = False
        self.timer.start(int(self.seconds * 1000))

    def advance(self) -> None:
        """The interval is over: the next photo if it is decoded (else as soon as it is)."""
        if not self.running or self.paused:
            return
        nxt = self.session.neighbour_path(1)
        if nxt is None:
            self.stop()
            self.session.say(tr("End of the slideshow"))
        elif self.session.images.get(nxt, SCREEN) is None:
            self._waiting = True
        else:
            self.session.step(1, from_slideshow=True)
            self._arm()

    def decoded(self, d: Decoded) -> None:
        if self._waiting and d.level == SCREEN and d.path == self.session.neighbour_path(1):
            self.session.step(1, from_slideshow=True)
            self._arm()


class ViewerSession(QObject):
    """The photo view as a viewer over the grid's photos (see the module's text)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = window.photo_view
        self.canvas = self.view.preview
        self.images = self.view.images
        self.photo_id: int | None = None
        self.row = -1
        self.opened_id: int | None = None
        self.full_screen = False
        self._was_maximized = False
        self._grid_state: tuple[list[int], int | None, int] | None = None
        self.slideshow = Slideshow(self)
        self.canvas.command.connect(self._command)
        self.canvas.user_input.connect(self.slideshow.pause)
        self.images.ready.connect(self.slideshow.decoded)
        self.view.full_screen_button.clicked.connect(self.toggle_full_screen)
        self.view.slideshow_button.clicked.connect(self.slideshow.toggle)
        self.view.slideshow_interval.connect(self.set_interval)
        window.backend.opened.connect(lambda _: self._read_interval())
        window.loader.ready.connect(self._thumbnail_ready)

    @property
    def active(self) -> bool:
        return self.window.stack.currentWidget() is self.view

    # ----- opening and leaving -----------------------------------------------------------------

    def open(self, index: QModelIndex) -> None:
        """Show the grid's photo at ``index`` full-window (the grid is remembered)."""
        grid = self.window.grid
        current = grid.currentIndex()
        self._grid_state = (self.window.selected_ids(),
                            current.data(PhotoIdRole) if current.isValid() else None,
                            grid.verticalScrollBar().value())
        self.opened_id = index.data(PhotoIdRole)
        self._chrome(False)
        self._show_row(index.row())
        self.canvas.setFocus()

    def leave(self) -> None:
        """Back to the grid: full screen and the slideshow end, the grid is as it was (or on
        the photo shown last)."""
        if self._grid_state is None:
            return
        self.slideshow.stop()
        if self.full_screen:
            self.toggle_full_screen()
        self._chrome(True)
        selected, current, scroll = self._grid_state
        self._grid_state = None
        grid, results = self.window.grid, self.window.results
        if self.photo_id is not None and self.photo_id != self.opened_id:
            selected, current = [self.photo_id], self.photo_id
        rows = results.rows_of_photos(selected)
        grid.select_rows(rows)
        row = results.row_of_photo(current) if current is not None else None
        if row is not None:
            grid.selectionModel().setCurrentIndex(results.index(row),
                                                  QItemSelectionModel.SelectionFlag.NoUpdate)
        grid.scroll_to_value(scroll)
        if row is not None and self.photo_id != self.opened_id:
            grid.scrollTo(results.index(row))  # in sight, moving as little as possible
        self.view.release()
        self.photo_id = None

    def _chrome(self, shown: bool) -> None:
        """The search bar and the sidebar: aside while a photo fills the window."""
        self.window.search_bar.setVisible(shown)
        self.window.sidebar.setVisible(shown)

    # ----- moving ------------------------------------------------------------------------------

    def _row_now(self) -> int:
        """The row of the photo on show (found again if the grid changed meanwhile)."""
        results = self.window.results
        if 0 <= self.row < results.rowCount() and results.item(self.row).photo_id == self.photo_id:
            return self.row
        found = results.row_of_photo(self.photo_id) if self.photo_id is not None else None
        return found if found is not None else -1

    def neighbour_path(self, delta: int) -> str | None:
        row = self._row_now()
        results = self.window.results
        if row < 0 or not 0 <= row + delta < results.rowCount():
            return None
        return results.item(row + delta).path

    def step(self, delta: int, from_slideshow: bool = False) -> None:
        """The photo ``delta`` rows away in the grid's order (no wrap-around)."""
        if not self.active:
            return
        if not from_slideshow:
            self.slideshow.pause()
        row = self._row_now() + delta
        if 0 <= row < self.window.results.rowCount():
            self._show_row(row)

    def jump(self, row: int) -> None:
        """The first (0) or the last (-1) photo of the grid."""
        count = self.window.results.rowCount()
        if self.active and count:
            self.slideshow.pause()
            self._show_row(row % count)

    def _show_row(self, row: int) -> None:
        results = self.window.results
        item = results.item(row)
        self.row, self.photo_id = row, item.photo_id
        neighbours = [results.item(r).path for r in (row + 1, row - 1, row + 2)
                      if 0 <= r < results.rowCount()]
        thumb = self.window.loader.pixmap(item.path)
        self.view.open_path(item.path, thumb.toImage() if thumb is not None else QImage(),
                            neighbours)
        self.window.backend.details(item.photo_id, self._details)

    def _thumbnail_ready(self, path: str) -> None:
        """A thumbnail asked for when the photo opened: the canvas shows it until decoded."""
        if self.active and path == self.canvas.path and not self.canvas.levels:
            pix = self.window.loader.pixmap(path)
            if pix is not None:
                self.canvas.set_preview(path, pix.toImage())

    def _details(self, details: PhotoDetails) -> None:
        if details.photo_id == self.photo_id and self.active:  # not one left behind
            self.view.show_photo(details)

    def _command(self, name: str) -> None:
        commands = {
            "previous": lambda: self.step(-1), "next": lambda: self.step(1),
            "first": lambda: self.jump(0), "last": lambda: self.jump(-1),
            "facts": self.view.toggle_facts, "slideshow": self.slideshow.toggle,
            "full_screen": self.toggle_full_screen, "back": self.window.show_grid,
        }
        action = commands.get(name)
        if action is not None:
            action()

    # ----- full screen, the slideshow's interval, notes ----------------------------------------

    def toggle_full_screen(self) -> None:
        """The photo alone on the whole screen, or back to the window."""
        w = self.window
        self.full_screen = not self.full_screen
        if self.full_screen:
            self._was_maximized = w.isMaximized()
            w.showFullScreen()
        elif self._was_maximized:
            w.showMaximized()
        else:
            w.showNormal()
        w.menuBar().setVisible(not self.full_screen)
        w.statusBar().setVisible(not self.full_screen)
        self.view.set_immersive(self.full_screen)
        self.canvas.setFocus()

    def set_interval(self, seconds: float) -> None:
        """The slideshow's interval, saved in the settings."""
        from photoclip.config import Settings

        self.slideshow.seconds = float(seconds)
        self.window.backend.save_settings(Settings(slideshow_seconds=float(seconds)),
                                          ["slideshow_seconds"])

    def _read_interval(self) -> None:
        lib = self.window.backend.library
        seconds = getattr(getattr(lib, "settings", None), "slideshow_seconds", None)
        if isinstance(seconds, (int, float)) and seconds > 0:
            self.slideshow.seconds = float(seconds)
            self.view.check_interval(self.slideshow.seconds)

    def say(self, text: str) -> None:
        """A short note over the photo (the slideshow's state)."""
        self.view.note(text)

