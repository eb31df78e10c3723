"""The photo grid: one item view in sections (date headings on the timeline) and a delegate
that paints each cell.

No widget per photo: the view asks the model only for visible rows, so 100,000 photos scroll as
smoothly as 100. Colours come from the palette, so light and dark themes both work. Cells are
:attr:`PhotoGrid.cell` pixels (the thumbnail size slider); thumbnails carry the screen's device
pixel ratio, so they are drawn sharp at 2x.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    QSizeF,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QWidget,
)

from photoclip.core.timeline import nearest_row
from photoclip.gui.i18n import tr
from photoclip.gui.results_model import (
    DateRole,
    MarksRole,
    PathRole,
    ScoreRole,
    ThumbnailFailedRole,
)
from photoclip.gui.scores import paint_strength
from photoclip.gui.sectioned_view import SectionedView

CELL = 200  # the default cell (thumbnail + margin), in device-independent pixels
MARGIN = 16  # cell minus thumbnail


def paint_marks(painter: QPainter, rect: QRect, stars: int, favourite: bool,
                pal: QPalette) -> QRect:
    """A small badge at the bottom left of ``rect``: a heart for a favourite, then the stars
    given (none for an unrated favourite); returns where it was painted."""
    text = ("♥" if favourite else "") + ("★" * stars)
    font = painter.font()
    font.setPixelSize(11)
    painter.save()
    painter.setFont(font)
    width = painter.fontMetrics().horizontalAdvance(text) + 8
    box = QRect(rect.left() + 6, rect.bottom() - 26, width, 20)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(pal.color(QPalette.ColorRole.ToolTipBase))
    painter.drawRoundedRect(box, 3, 3)
    painter.setPen(pal.color(QPalette.ColorRole.ToolTipText))
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()
    return box


class ThumbnailDelegate(QStyledItemDelegate):
    """A thumbnail centred in its cell, with the match strength as a small meter and the
    stars and heart of a rated photo as a badge."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return option.rect.size() if option.rect.isValid() else QSize(CELL, CELL)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        painter.save()
        pal = option.palette
        rect = option.rect.adjusted(4, 4, -4, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect.adjusted(1, 1, -1, -1),
                             pal.color(QPalette.ColorRole.Highlight))
        pix = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pix, QPixmap) and not pix.isNull():
            size = pix.deviceIndependentSize()  # a 2x pixmap is half as many points
            fits = size.width() <= rect.width() + 0.5 and size.height() <= rect.height() + 0.5
            if not fits:  # read for a larger cell (the size is changing): scaled down
                size = size.scaled(QSizeF(rect.size()), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, round(size.width()), round(size.height()))
            target.moveCenter(rect.center())
            if fits:
                painter.drawPixmap(target.topLeft(), pix)  # pixel for pixel: a copy
            else:
                painter.drawPixmap(target, pix)
        else:
            painter.fillRect(rect.adjusted(8, 8, -8, -8),
                             pal.color(QPalette.ColorRole.AlternateBase))
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            text = tr("cannot show") if index.data(ThumbnailFailedRole) else ""
            if text:
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        score = index.data(ScoreRole)
        if score is not None:
            paint_strength(painter, rect, score, pal)
        marks = index.data(MarksRole)
        if marks is not None:
            paint_marks(painter, rect, marks[0], marks[1], pal)
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(pal.color(QPalette.ColorRole.Highlight))
            painter.setBrush(Qt.BrushStyle.NoBrush)  # a frame only, over the thumbnail
            painter.drawRect(option.rect.adjusted(1, 1, -2, -2))
        painter.restore()


class PhotoGrid(SectionedView):
    """Thumbnails in a wrapping grid, in sections under date headings when the model has them;
    Enter opens a photo, Space toggles the quick preview."""

    open_requested = Signal(QModelIndex)
    preview_requested = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, CELL)
        self.setObjectName("photoGrid")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(False)
        self.setItemDelegate(ThumbnailDelegate(self))
        self.activated.connect(self.open_requested)
        self._scroll_wanted: int | None = None
        self.verticalScrollBar().rangeChanged.connect(self._range_changed)
        self.verticalScrollBar().sliderMoved.connect(lambda _v: self._scrubbed())
        self.empty_text = ""

    @property
    def thumbnail_size(self) -> int:
        """The thumbnails' size in device-independent pixels (the cell less its margin)."""
        return self.cell - MARGIN

    def show_empty(self, text: str) -> None:
        """What the grid says while it has no photos ("" says nothing)."""
        self.empty_text = text
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if self.empty_text and model is not None and model.rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.25)
            painter.setFont(font)
            area = self.viewport().rect().adjusted(40, 40, -40, -40)
            painter.drawText(area, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap, self.empty_text)
            painter.end()

    def set_current_row(self, row: int) -> None:
        """Make ``row`` the keyboard's current photo without selecting it."""
        self.selectionModel().setCurrentIndex(
            self.model().index(row, 0), QItemSelectionModel.SelectionFlag.NoUpdate
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit(self.currentIndex())
            return
        if key == Qt.Key.Key_Space and self.currentIndex().isValid():
            self.preview_requested.emit(self.currentIndex())
            return
        super().keyPressEvent(event)

    def selected_rows(self) -> list[int]:
        return sorted(i.row() for i in self.selectionModel().selectedIndexes())

    def select_rows(self, rows: Sequence[int]) -> None:
        """Select exactly these rows (each run of rows as one range: fast for thousands)."""
        self.selectionModel().select(self.selection_of(rows),
                                     QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def scroll_to_value(self, value: int | None) -> None:
        """Scroll to ``value`` (None: forget an earlier wish), following a batched layout that
        has not reached it yet."""
        bar = self.verticalScrollBar()
        self._scroll_wanted = value if value is not None and bar.maximum() < value else None
        if value is not None:
            bar.setValue(min(value, bar.maximum()))

    # ----- the position across refreshes -----------------------------------------------------

    def anchor(self) -> tuple[str, float, int] | None:
        """The first photo on screen as (its path, its date, its y on screen); None at the
        top (the grid stays at the top, where new photos arrive)."""
        top = self.verticalOffset()
        if top <= 0 or self.model() is None:
            return None
        layout = self.grid_layout()
        row = next(iter(layout.rows_between(top, top + max(self.viewport().height(), 1))), None)
        if row is None:
            return None
        index = self.model().index(row, 0)
        return index.data(PathRole), index.data(DateRole), layout.rect(row)[1] - top

    def restore_anchor(self, anchor: tuple[str, float, int] | None) -> None:
        """Scroll so the anchor's photo (gone: the one nearest its date) is where it was."""
        model = self.model()
        if anchor is None or model is None or model.rowCount() == 0:
            self.scroll_to_value(0)
            return
        path, when, y = anchor
        row = model.row_of_path(path)  # type: ignore[attr-defined]
        if row is None:
            row = nearest_row(model.dates(), when)  # type: ignore[attr-defined]
        if row is None:
            self.scroll_to_value(0)
            return
        self.scroll_to_value(max(self.grid_layout().rect(row)[1] - y, 0))

    def label_at_top(self) -> str:
        """The date heading of the photos at the top of the view ("" without headings)."""
        return self.grid_layout().label_at(self.verticalOffset())

    def _scrubbed(self) -> None:
        """Dragging the scroll bar shows the date it has reached (the scrubber)."""
        label = self.label_at_top()
        if label:
            bar = self.verticalScrollBar()
            handle = bar.mapToGlobal(bar.rect().topLeft())
            y = bar.height() * bar.value() // max(bar.maximum() + bar.pageStep(), 1)
            QToolTip.showText(handle + QPoint(-8, y), label, bar)

    def _range_changed(self, _low: int, high: int) -> None:
        if self._scroll_wanted is not None:
            self.verticalScrollBar().setValue(min(self._scroll_wanted, high))
            if high >= self._scroll_wanted:
                self._scroll_wanted = None
