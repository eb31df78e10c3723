"""Rating from the keyboard: keys 0-5 give the selected photos (in the grid) or the photo shown
that many stars (0 clears), "." marks or unmarks them as favourites (♥), as in Lightroom and
Apple Photos. The work runs on the backend's lane (never on the GUI thread); the stars and heart
given are shown in the status bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QStatusBar, QWidget

from photoclip.gui.i18n import tr

__all__ = ["FAVOURITE_KEY", "RatingKeys", "apply_marks", "marks_text"]

FAVOURITE_KEY = "."


def apply_marks(
    lib: Any, photo_ids: Sequence[int], stars: int | None, favourite: bool | None
) -> dict[int, tuple[int, bool]]:
    """Rate (``stars``) or mark (``favourite``; None for neither) the photos; "toggle" is
    ``favourite=None`` with ``stars=None``: all become favourites unless all already are.
    Returns their marks after. Runs off the GUI thread."""
    ids = list(photo_ids)
    if stars is not None:
        lib.ratings.set_rating(ids, stars)
    else:
        if favourite is None:
            favourite = not all(fav for _, fav in lib.ratings.marks(ids).values())
        lib.ratings.set_favourite(ids, favourite)
    marks: dict[int, tuple[int, bool]] = lib.ratings.marks(ids)
    return marks


def marks_text(marks: dict[int, tuple[int, bool]]) -> str:
    """"★★★☆☆ ♥" for one photo; with the count for several."""
    if not marks:
        return ""
    stars, fav = next(iter(marks.values()))
    text = "★" * stars + "☆" * (5 - stars) + ("  ♥" if fav else "")
    if len(marks) > 1:
        text += "  " + tr("({n} photos)").format(n=len(marks))
    return text


class RatingKeys(QObject):
    """The shortcuts on ``widgets`` (the grid, the photo view); ``targets()`` gives the photos
    they act on; ``submit(fn, on_done)`` runs ``fn(library)`` off the GUI thread."""

    def __init__(
        self,
        widgets: Sequence[QWidget],
        targets: Callable[[], list[int]],
        submit: Callable[[Callable[[Any], Any], Callable[[Any], None]], None],
        status: QStatusBar | None = None,
        changed: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(widgets[0])
        self._targets, self._submit = targets, submit
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
        self._run(stars, None)

    def toggle_favourite(self) -> None:
        self._run(None, None)

    def _run(self, stars: int | None, favourite: bool | None) -> None:
        ids = self._targets()
        if ids:
            self._submit(lambda lib: apply_marks(lib, ids, stars, favourite), self._done)

    def _done(self, marks: dict[int, tuple[int, bool]]) -> None:
        if self._status is not None:
            self._status.showMessage(marks_text(marks), 5000)
        if self._changed is not None:
            self._changed()
