"""An item view that lays a flat list model out as a grid in sections under headings.

The model's rows stay the photos (row n of the view is row n of the model, headings are not
rows), so selection, the current photo and the keyboard work on photos only. The layout is
:class:`photoclip.gui.grid_layout.GridLayout`: per section, never per photo, so 100,000 photos
lay out, resize and scroll without a stall. Only visible cells are painted, by the delegate.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
)
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QRegion, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyleOptionViewItem, QWidget

from photoclip.gui.grid_layout import GridLayout, Section

_Index = QModelIndex | QPersistentModelIndex
_Cursor = QAbstractItemView.CursorAction


class SectionedView(QAbstractItemView):
    """Cells of :attr:`cell` pixels in rows that wrap with the width, in the sections the
    model's ``sections()`` names (list[Section]; a model without it, or None: no headings),
    worded by its ``section_label(section)``."""

    def __init__(self, parent: QWidget | None = None, cell: int = 200) -> None:
        super().__init__(parent)
        self.cell = cell
        self._layout: GridLayout | None = None
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    # ----- the layout ------------------------------------------------------------------------

    @property
    def heading_height(self) -> int:
        return self.fontMetrics().height() * 2 + 8

    def set_cell_size(self, cell: int) -> None:
        """Cells of ``cell`` pixels from now on."""
        self.cell = cell
        self.relayout()

    def grid_layout(self) -> GridLayout:
        if self._layout is None:
            model = self.model()
            rows = model.rowCount() if model is not None else 0
            given = getattr(model, "sections", None)  # the model's sections, if it has any
            sections = (given() if given is not None else None) or [Section(0, rows)]
            if sum(s.count for s in sections) != rows:  # not this model's rows
                sections = [Section(0, rows)]
            label = getattr(model, "section_label", None) or (lambda s: str(s.key))
            self._layout = GridLayout(sections, self.viewport().width(), self.cell,
                                      self.heading_height, label)
        return self._layout

    def relayout(self, *_args: object) -> None:
        self._layout = None
        self.updateGeometries()
        self.viewport().update()

    def setModel(self, model: object) -> None:  # type: ignore[override]
        super().setModel(model)  # type: ignore[arg-type]
        if model is not None:
            for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,  # type: ignore[attr-defined]
                           model.layoutChanged):  # type: ignore[attr-defined]
                signal.connect(self.relayout)

    def updateGeometries(self) -> None:
        height = self.grid_layout().height
        bar = self.verticalScrollBar()
        page = self.viewport().height()
        bar.setRange(0, max(height - page, 0))
        bar.setPageStep(page)
        bar.setSingleStep(max(self.cell // 4, 1))
        super().updateGeometries()

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._layout = None
        super().resizeEvent(event)
        self.updateGeometries()

    # ----- QAbstractItemView's geometry ------------------------------------------------------

    def visualRect(self, index: _Index) -> QRect:
        if not index.isValid() or index.row() >= self.grid_layout().rows:
            return QRect()
        x, y, w, h = self.grid_layout().rect(index.row())
        return QRect(x, y - self.verticalOffset(), w, h)

    def indexAt(self, point: QPoint) -> QModelIndex:
        row = self.grid_layout().row_at(point.x(), point.y() + self.verticalOffset())
        model = self.model()
        return model.index(row, 0) if row is not None and model is not None else QModelIndex()

    def scrollTo(self, index: _Index,
                 hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
                 ) -> None:
        if not index.isValid():
            return
        _x, y, _w, h = self.grid_layout().rect(index.row())
        bar, page = self.verticalScrollBar(), self.viewport().height()
        hints = QAbstractItemView.ScrollHint
        if hint == hints.PositionAtTop:
            bar.setValue(y)
        elif hint == hints.PositionAtBottom:
            bar.setValue(y + h - page)
        elif hint == hints.PositionAtCenter:
            bar.setValue(y + h // 2 - page // 2)
        elif y < bar.value():
            bar.setValue(y)
        elif y + h > bar.value() + page:
            bar.setValue(y + h - page)

    def horizontalOffset(self) -> int:
        return 0

    def verticalOffset(self) -> int:
        return self.verticalScrollBar().value()

    def isIndexHidden(self, index: _Index) -> bool:
        return False

    def moveCursor(self, action: _Cursor, modifiers: Qt.KeyboardModifier) -> QModelIndex:
        model = self.model()
        if model is None or model.rowCount() == 0:
            return QModelIndex()
        layout = self.grid_layout()
        current = self.currentIndex()
        row = current.row() if current.isValid() else 0
        page_lines = max(self.viewport().height() // self.cell, 1)
        if action in (_Cursor.MoveLeft, _Cursor.MovePrevious):
            row -= 1
        elif action in (_Cursor.MoveRight, _Cursor.MoveNext):
            row += 1
        elif action == _Cursor.MoveUp:
            row = layout.step(row, -1)
        elif action == _Cursor.MoveDown:
            row = layout.step(row, 1)
        elif action == _Cursor.MovePageUp:
            row = layout.step(row, -page_lines)
        elif action == _Cursor.MovePageDown:
            row = layout.step(row, page_lines)
        elif action == _Cursor.MoveHome:
            row = 0
        elif action == _Cursor.MoveEnd:
            row = model.rowCount() - 1
        return model.index(min(max(row, 0), model.rowCount() - 1), 0)

    def setSelection(self, rect: QRect, command: QItemSelectionModel.SelectionFlag) -> None:
        """Select the photos from the first to the last that the rectangle touches, in reading
        order (a Shift-click, Shift+arrows or a drag selects a run of photos, as a timeline
        reads, not a block of columns)."""
        r = rect.normalized().translated(0, self.verticalOffset())
        rows = self.grid_layout().rows_in(r.left(), r.top(), r.right(), r.bottom())
        model = self.model()
        selection = QItemSelection()
        if rows and model is not None:
            selection.select(model.index(min(rows), 0), model.index(max(rows), 0))
        self.selectionModel().select(selection, command)

    def selection_of(self, rows: Sequence[int]) -> QItemSelection:
        """These rows as a selection, each run of rows one range (fast for thousands)."""
        model = self.model()
        selection = QItemSelection()
        ordered = sorted(rows)
        start = 0
        for i in range(1, len(ordered) + 1):
            if i == len(ordered) or ordered[i] != ordered[i - 1] + 1:
                selection.select(model.index(ordered[start], 0), model.index(ordered[i - 1], 0))
                start = i
        return selection

    def visualRegionForSelection(self, selection: QItemSelection) -> QRegion:
        region = QRegion()
        width = self.viewport().width()
        for rng in selection:
            top, bottom = self.visualRect(rng.topLeft()), self.visualRect(rng.bottomRight())
            if top.isValid() and bottom.isValid():  # the lines between, edge to edge
                region += QRect(0, top.top(), width, bottom.bottom() - top.top() + 1)
        return region

    # ----- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model()
        if model is None:
            return
        layout = self.grid_layout()
        offset = self.verticalOffset()
        area = event.rect()
        top, bottom = area.top() + offset, area.bottom() + 1 + offset
        painter = QPainter(self.viewport())
        self._paint_headings(painter, layout, top, bottom, offset)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        selection, current = self.selectionModel(), self.currentIndex()
        focused = self.hasFocus()
        delegate = self.itemDelegate()
        for row in layout.rows_between(top, bottom):
            index = model.index(row, 0)
            x, y, w, h = layout.rect(row)
            option.rect = QRect(x, y - offset, w, h)
            state = QStyle.StateFlag.State_Enabled
            if selection is not None and selection.isSelected(index):
                state |= QStyle.StateFlag.State_Selected
            if focused and index == current:
                state |= QStyle.StateFlag.State_HasFocus
            option.state = state
            delegate.paint(painter, option, index)
        painter.end()

    def _paint_headings(self, painter: QPainter, layout: GridLayout, top: int, bottom: int,
                        offset: int) -> None:
        painter.save()
        font = painter.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        painter.setFont(font)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        for label, y in layout.headings(top, bottom):
            rect = QRect(8, y - offset, self.viewport().width() - 16, layout.heading)
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             label)
        painter.restore()
