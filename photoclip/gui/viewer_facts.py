"""The viewer's overlay of the photo's facts (toggled with I): date, camera, size, folder, tags,
rating, place, lens.

:func:`facts` is the one list of what the overlay shows, in order; a feature that adds facts
(rating, place) adds a function to :data:`EXTRA_FACTS` rather than editing the overlay.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget

from photoclip.core.places import place_label
from photoclip.gui import tag_names
from photoclip.gui.i18n import format_date, tr
from photoclip.gui.queries import PhotoDetails
from photoclip.gui.rating_keys import stars_text
from photoclip.gui.tag_names import shown

Fact = tuple[str, str]  # (label in the interface's language, value)


def marks_and_place(d: PhotoDetails) -> list[Fact]:
    """The stars and heart (when rated or a favourite), the place and the lens."""
    rated = stars_text(d.rating, d.favourite) if d.rating or d.favourite else ""
    place = place_label(d.place, tag_names.language) if d.place else ""
    return [(tr("Rating"), rated), (tr("Place"), place), (tr("Lens"), d.lens or "")]


#: More facts, each from a function of the details (e.g. a rating, a place).
EXTRA_FACTS: list[Callable[[PhotoDetails], list[Fact]]] = [marks_and_place]


def _size(d: PhotoDetails) -> str:
    mb = f"{d.size / 1e6:.1f} MB" if d.size >= 1e6 else f"{d.size / 1e3:.0f} kB"
    if d.width and d.height:
        return f"{d.width} × {d.height} ({d.width * d.height / 1e6:.1f} MP), {mb}"
    return mb


def facts(d: PhotoDetails) -> list[Fact]:
    """What the overlay shows about ``d``, in order (rows without a value left out)."""
    rows: list[Fact] = [
        (tr("Date"), format_date(d.date)),
        (tr("Camera"), d.camera or ""),
        (tr("Size"), _size(d)),
        (tr("Folder"), os.path.dirname(d.path)),
        (tr("Tags"), ", ".join(shown(t.tag) for t in d.tags)),
    ]
    for extra in EXTRA_FACTS:
        rows.extend(extra(d))
    return [(k, v) for k, v in rows if v]


class FactsOverlay(QLabel):
    """The facts over the photo's bottom-left corner (hidden until toggled on)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("viewerFacts")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setStyleSheet("background: rgba(0,0,0,170); color: white; padding: 8px; "
                           "border-radius: 4px;")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.rows: list[Fact] = []
        parent.installEventFilter(self)  # placed again when the canvas changes size
        self.hide()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.place()
        return False

    def show_facts(self, details: PhotoDetails | None) -> None:
        """The facts of ``details`` (None: the photo's details are still on their way)."""
        self.rows = facts(details) if details is not None else []
        name = html.escape(os.path.basename(details.path)) if details is not None else ""
        lines = [f"<b>{name}</b>"] + [
            f"<span style='color:#bbb'>{html.escape(k)}:</span> {html.escape(v)}"
            for k, v in self.rows]
        self.setText("<br>".join(lines))
        self.place()

    def place(self) -> None:
        parent = self.parentWidget()
        self.setMaximumWidth(max(200, min(520, parent.width() - 24)))
        self.adjustSize()
        self.move(12, max(12, parent.height() - self.height() - 12))
