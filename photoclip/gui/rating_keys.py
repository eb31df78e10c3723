"""Rating from the keyboard: keys 0-5 give the selected photos (in the grid) or the photo shown
that many stars (0 clears), "." marks or unmarks them as favourites (♥), as in Lightroom and
Apple Photos. Each is an undoable edit (:class:`~photoclip.core.edits.MarksEdit`, Edit › Undo)
run on the backend's lane (never on the GUI thread); the stars and heart given are shown in the
status bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QStatusBar, QWidget

from photoclip.core.edits import MarksEdit
from photoclip.gui.i18n import tr

__all__ = ["FAVOURITE_KEY", "RatingKeys", "marks_text", "stars_text"]

FAVOURITE_KEY = "."


def stars_text(stars: int, favourite: bool) -> str:
    """"★★★☆☆  ♥": a photo's stars (of 5) and, for a favourite, a heart."""
    return "★" * stars + "☆" * (5 - stars) + ("  ♥" if favourite else "")


def marks_text(marks: dict[int, tuple[int, bool]]) -> str:
    """"★★★☆☆  ♥" for one photo; with the count for several."""
    if not marks:
        return ""
    text = stars_text(*next(iter(marks.values())))
    if len(marks) > 1:
        text += "  " + tr("({n} photos)").format(n=len(marks))
    return text


class RatingKeys(QObject):
    """The shortcuts on ``widgets`` (the grid, the photo view); ``targets()`` gives the photos
    they act on; ``run(edit, on_done)`` does the edit off the GUI thread, undoably (the
    window's ``edits.run``)."""

    def __init__(
        self,
        widgets: Sequence[QWidget],
        targets: Callable[[], list[int]],
        run: Callable[[MarksEdit, Callable[[Any], None]], None],
        status: QStatusBar | None = None,
        changed: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(widgets[0])
        self._targets, self._edit = targets, run
        self._status, self._changed = status, changed
        self.shortcuts: list[QShortcut] = []
        for widget in widgets:
            for stars in range(6):
                self._add(widget, str(stars), lambda s=stars: self.rate(s))
            self._add(widget, FAVOURITE_KEY, self.toggle_favourite)

    def _add(self, widget: QWidget, key: str, slot: Callable[[], None]) -> None:
        sc = QShortcut(QKeySequence(key), widget)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(slot)
        self.shortcuts.append(sc)

    def rate(self, stars: int) -> None:
        ids = self._targets()
        if ids:
            self._edit(MarksEdit(ids, stars=stars), self._done)

    def toggle_favourite(self) -> None:
        ids = self._targets()
        if ids:
            self._edit(MarksEdit(ids, favourite="toggle"), self._done)

    def _done(self, marks: dict[int, tuple[int, bool]]) -> None:
        if self._status is not None:
            self._status.showMessage(marks_text(marks), 5000)
        if self._changed is not None:
            self._changed()
