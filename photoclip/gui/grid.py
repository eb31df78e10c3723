"""The photo grid: one QListView in icon mode and a delegate that paints each cell.

No widget per photo: the view asks the model only for visible rows, so 100,000 photos scroll as
smoothly as 100. Colours come from the palette, so light and dark themes both work.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFontMetrics, QKeyEvent, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from photoclip.gui.i18n import tr
from photoclip.gui.results_model import ScoreRole, ThumbnailFailedRole

CELL = 200
THUMB = 184


class ThumbnailDelegate(QStyledItemDelegate):
    """A thumbnail centred in its cell, with the score as a small badge."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        return QSize(CELL, CELL)

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
            scaled = pix.size().scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, scaled.width(), scaled.height())
            target.moveCenter(rect.center())
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
            self._badge(painter, rect, f"{score:.2f}", pal)
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(pal.color(QPalette.ColorRole.Highlight))
            painter.setBrush(Qt.BrushStyle.NoBrush)  # a frame only, over the thumbnail
            painter.drawRect(option.rect.adjusted(1, 1, -2, -2))
        painter.restore()

    @staticmethod
    def _badge(painter: QPainter, rect: QRect, text: str, pal: QPalette) -> None:
        painter.save()  # the badge's brush and pen stay in the badge
        fm = QFontMetrics(painter.font())
        w, h = fm.horizontalAdvance(text) + 10, fm.height() + 4
        badge = QRect(rect.right() - w - 4, rect.bottom() - h - 4, w, h)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pal.color(QPalette.ColorRole.ToolTipBase))
        painter.drawRoundedRect(badge, 4, 4)
        painter.setPen(pal.color(QPalette.ColorRole.ToolTipText))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class PhotoGrid(QListView):
    """Thumbnails in a wrapping grid; Enter opens a photo, Space toggles the quick preview."""

    open_requested = Signal(QModelIndex)
    preview_requested = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoGrid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(2000)
        self.setGridSize(QSize(CELL, CELL))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(CELL // 4)
        self.setDragEnabled(False)
        self.setItemDelegate(ThumbnailDelegate(self))
        self.activated.connect(self.open_requested)
        self._scroll_wanted: int | None = None
        self.verticalScrollBar().rangeChanged.connect(self._range_changed)
        self.empty_text = ""

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
        model = self.model()
        selection = QItemSelection()
        ordered = sorted(rows)
        start = 0
        for i in range(1, len(ordered) + 1):
            if i == len(ordered) or ordered[i] != ordered[i - 1] + 1:
                selection.select(model.index(ordered[start], 0), model.index(ordered[i - 1], 0))
                start = i
        self.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def scroll_to_value(self, value: int | None) -> None:
        """Scroll to ``value`` (None: forget an earlier wish), following a batched layout that
        has not reached it yet."""
        bar = self.verticalScrollBar()
        self._scroll_wanted = value if value is not None and bar.maximum() < value else None
        if value is not None:
            bar.setValue(min(value, bar.maximum()))

    def _range_changed(self, _low: int, high: int) -> None:
        if self._scroll_wanted is not None:
            self.verticalScrollBar().setValue(min(self._scroll_wanted, high))
            if high >= self._scroll_wanted:
                self._scroll_wanted = None
