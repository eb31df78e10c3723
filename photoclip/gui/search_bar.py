"""The search bar: the query (debounced as you type), search by image, filters, sort, count."""

from __future__ import annotations

import os
import tempfile
from datetime import date

from PySide6.QtCore import QDate, QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from photoclip.core.people import UNNAMED
from photoclip.gui.fact_chips import FACT_KINDS, FactChips
from photoclip.gui.flow_layout import FlowLayout
from photoclip.gui.i18n import date_format, tr
from photoclip.gui.queries import Browse
from photoclip.gui.results_model import DATE, RELEVANCE
from photoclip.gui.tag_names import shown
from photoclip.gui.wording import shown_count

DEBOUNCE_MS = 250
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".tif", ".tiff", ".bmp",
                  ".gif", ".avif", ".dng", ".nef", ".cr2", ".arw")


def image_path_from_mime(mime: QMimeData) -> str | None:
    """A local image file in dropped or pasted data (an image without a file is saved first)."""
    for url in mime.urls():
        if url.isLocalFile() and url.toLocalFile().lower().endswith(IMAGE_SUFFIXES):
            return url.toLocalFile()
    if mime.hasImage():
        image = QImage(mime.imageData())
        if not image.isNull():
            fd, path = tempfile.mkstemp(prefix="photoclip-pasted-", suffix=".png")
            os.close(fd)
            if image.save(path):
                return path
    return None


class _QueryEdit(QLineEdit):
    """A line edit that also accepts a dropped or pasted image."""

    image_given = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if image_path_from_mime(event.mimeData()) is not None or event.mimeData().hasImage():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        path = image_path_from_mime(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            self.image_given.emit(path)
        else:
            super().dropEvent(event)

    def keyPressEvent(self, event: object) -> None:
        if event.matches(QKeySequence.StandardKey.Paste):  # type: ignore[attr-defined]
            mime = QGuiApplication.clipboard().mimeData()
            if mime is not None and not mime.hasText():
                path = image_path_from_mime(mime)
                if path is not None:
                    self.image_given.emit(path)
                    return
        super().keyPressEvent(event)  # type: ignore[arg-type]


class SearchBar(QWidget):
    """Emits :attr:`changed` when the request for the grid changes (text after a pause)."""

    changed = Signal()
    sort_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: str | None = None
        self.similar_to: int | None = None
        self.edit = _QueryEdit(self)
        self.edit.setObjectName("searchEdit")
        self.edit.setPlaceholderText(
            tr("Describe a photo (\"a dog playing in the snow\"), or drop or paste a photo here"))
        self.edit.setClearButtonEnabled(True)
        self.image_chip = QToolButton(self)
        self.image_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.image_chip.setToolTip(tr("Searching by this image; click to clear"))
        self.image_chip.hide()
        self.person: tuple[int, str] | None = None  # (id, name): the People filter chip
        self.person_chip = QToolButton(self)
        self.person_chip.setObjectName("personChip")
        self.person_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.person_chip.setToolTip(tr("Only photos with this person; click to clear"))
        self.person_chip.hide()
        self.folder = QComboBox(self)
        self.tag = QComboBox(self)
        self.album = QComboBox(self)
        self.use_dates = QCheckBox(tr("From"), self)
        self.after = QDateEdit(self)
        self.before = QDateEdit(self)
        for d in (self.after, self.before):
            d.setCalendarPopup(True)
            d.setDisplayFormat(date_format())
            d.setEnabled(False)
        self.after.setDate(QDate.currentDate().addYears(-1))
        self.before.setDate(QDate.currentDate())
        self.sort = QComboBox(self)
        self.sort.addItem(tr("Best match"), RELEVANCE)
        self.sort.addItem(tr("Newest first"), DATE)
        self.count = QLabel(self)
        self.count.setObjectName("resultCount")
        self.set_choices([], [], [])

        top = QHBoxLayout()
        top.addWidget(self.edit, 1)
        top.addWidget(self.image_chip)
        top.addWidget(self.person_chip)
        self.facts = FactChips(self, top, self.submit)  # place chip, rating choice
        filters = FlowLayout()  # wraps in a narrow window instead of widening it
        for label, widget in ((tr("Folder"), self.folder), (tr("Tag"), self.tag),
                              (tr("Album"), self.album)):
            filters.addWidget(QLabel(label, self))
            filters.addWidget(widget)
        filters.addWidget(self.use_dates)
        filters.addWidget(self.after)
        filters.addWidget(QLabel(tr("to", "dates"), self))
        filters.addWidget(self.before)
        filters.addWidget(self.count)
        filters.addWidget(self.sort)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 8, 8, 4)
        box.addLayout(top)
        box.addLayout(filters)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.changed)
        self.edit.textEdited.connect(self._typed)
        self.edit.returnPressed.connect(self.submit)
        self.edit.image_given.connect(self.set_image)
        self.image_chip.clicked.connect(lambda: self.set_image(None))
        self.person_chip.clicked.connect(lambda: self.set_person(None))
        for combo in (self.folder, self.tag, self.album):
            combo.activated.connect(lambda _=0: self.changed.emit())
        self.use_dates.toggled.connect(self._dates_toggled)
        self.after.dateChanged.connect(lambda _: self._dates_changed())
        self.before.dateChanged.connect(lambda _: self._dates_changed())
        self.sort.activated.connect(lambda _=0: self.choose_sort(self.sort.currentData()))
        self._sort_choice = RELEVANCE  # the user's choice, shown while searching

    # ----- input -----------------------------------------------------------------------------

    def _typed(self, _text: str) -> None:
        if self.image is not None or self.similar_to is not None:
            self.set_image(None, notify=False)
        self._timer.start()

    def submit(self) -> None:
        """Search now (Enter)."""
        self._timer.stop()
        self.changed.emit()

    def set_text(self, text: str) -> None:
        self.edit.setText(text)
        self.image = None
        self.similar_to = None
        self.image_chip.hide()
        self.submit()

    def set_image(self, path: str | None, notify: bool = True) -> None:
        """Search by this image file (None: back to text)."""
        self.image = path
        self.similar_to = None
        if path:
            self.edit.clear()
            self.image_chip.setText(tr("Image: {name}").format(name=os.path.basename(path)) + "  ✕")
            self.image_chip.show()
        else:
            self.image_chip.hide()
        if notify:
            self.submit()

    def set_similar(self, photo_id: int, name: str) -> None:
        """Browse photos like an indexed photo ("More like this")."""
        self.image = None
        self.similar_to = photo_id
        self.edit.clear()
        self.image_chip.setText(tr("Like: {name}").format(name=name) + "  ✕")
        self.image_chip.show()
        self.submit()

    def _dates_toggled(self, on: bool) -> None:
        self.after.setEnabled(on)
        self.before.setEnabled(on)
        self.changed.emit()

    def _dates_changed(self) -> None:
        if self.use_dates.isChecked():
            self.changed.emit()

    # ----- filters ---------------------------------------------------------------------------

    def set_choices(self, folders: list[str], tags: list[str], albums: list[str]) -> None:
        """Refill the filter lists, keeping the current choices where they still exist."""
        for combo, anything, values in (
            (self.folder, tr("All folders"), folders), (self.tag, tr("Any tag"), tags),
            (self.album, tr("Any album"), albums),
        ):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(anything, None)
            for v in values:
                combo.addItem(os.path.basename(v.rstrip("/\\")) or v if combo is self.folder
                              else shown(v) if combo is self.tag else v, v)
                combo.setItemData(combo.count() - 1, v, Qt.ItemDataRole.ToolTipRole)
            i = combo.findData(current)
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)

    def set_filter(self, kind: str, value: str | None) -> None:
        """Choose a folder, tag, album or place filter (from the sidebar) and search."""
        if kind in FACT_KINDS:
            self.facts.set(kind, value)
            return
        combo = {"folder": self.folder, "tag": self.tag, "album": self.album}[kind]
        i = combo.findData(value)
        if i < 0 and value is not None:
            combo.addItem(value, value)
            i = combo.count() - 1
        combo.setCurrentIndex(max(i, 0))
        self.submit()

    def set_person(self, person: tuple[int, str] | None, notify: bool = True) -> None:
        """Only photos with this person (id, name), from the People list; None clears it."""
        self.person = person
        name = "" if person is None else tr(UNNAMED) if person[1] == UNNAMED else person[1]
        self.person_chip.setText(tr("Person: {name}").format(name=name) + "  ✕" if person else "")
        self.person_chip.setVisible(person is not None)
        if notify:
            self.submit()

    def clear_filters(self) -> None:
        for combo in (self.folder, self.tag, self.album):
            combo.setCurrentIndex(0)
        self.set_person(None, notify=False)
        self.facts.clear()
        self.use_dates.setChecked(False)
        self.submit()

    def browse(self, limit: int = 500) -> Browse:
        """The request the bar describes now."""
        after = before = None
        if self.use_dates.isChecked():
            after = _to_date(self.after.date())
            before = _to_date(self.before.date().addDays(1))
        return Browse(
            text=self.edit.text().strip() if self.image is None else "",
            image=self.image,
            similar_to=self.similar_to,
            folder=self.folder.currentData(),
            tag=self.tag.currentData(),
            album=self.album.currentData(),
            after=after,
            before=before,
            where=((("person", str(self.person[0])),) if self.person else ()) + self.facts.where(),
            limit=limit,
        )

    def choose_sort(self, order: str) -> None:
        """Sort search results by ``order`` (relevance or date) from now on."""
        self._sort_choice = order
        self.sort.setCurrentIndex(max(self.sort.findData(order), 0))
        self.sort_changed.emit(order)

    def show_searching(self) -> None:
        """A search is in flight: say so until its answer replaces it (:meth:`show_count`)."""
        self.count.setText(tr("Searching…"))

    def show_count(self, n: int, searching: bool, waiting: int = 0) -> None:
        """The count of photos shown (the core's rule: a search says how many photos it
        could not see yet, ``waiting`` to be indexed); the sort box says the order they are in
        (browsing without a query is always newest first, so the box shows that and waits)."""
        self.count.setText(shown_count(n, searching, waiting))
        if searching:
            self.sort.setCurrentIndex(max(self.sort.findData(self._sort_choice), 0))
            self.sort.setToolTip("")
        else:
            self.sort.setCurrentIndex(self.sort.findData(DATE))
            self.sort.setToolTip(tr("Without a search, photos are shown newest first"))
        self.sort.setEnabled(searching)


def _to_date(d: QDate) -> date:
    return date(d.year(), d.month(), d.day())


__all__ = ["SearchBar", "image_path_from_mime"]
