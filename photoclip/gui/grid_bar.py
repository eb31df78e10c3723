"""The bar above the photo grid: group the timeline by day, month or year, jump to a year,
and the thumbnail size (a slider, Ctrl+plus / Ctrl+minus). The choices are remembered in
``gui.ini`` in the configuration folder (QSettings; the core's settings stay Qt-free)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from photoclip.core.timeline import DAY, GROUPINGS, MONTH, YEAR
from photoclip.gui.grid import CELL, MARGIN, PhotoGrid
from photoclip.gui.i18n import tr
from photoclip.gui.results_model import ResultsModel
from photoclip.gui.thumbnail_loader import MAX_THUMBNAIL, ThumbnailLoader

if TYPE_CHECKING:
    from photoclip.config import AppPaths

__all__ = ["MAX_CELL", "MIN_CELL", "ZOOM_STEP", "GridBar", "prefs_file"]

MIN_CELL, MAX_CELL = 96, MAX_THUMBNAIL + MARGIN
ZOOM_STEP = 24


def prefs_file(paths: AppPaths | None) -> Path:
    """Where the grid's choices are kept: ``gui.ini`` in the configuration folder."""
    from photoclip.config import app_paths

    return (paths or app_paths()).config / "gui.ini"


class GridBar(QWidget):
    """Emits :attr:`cell_changed` (pixels) when the thumbnail size changes."""

    cell_changed = Signal(int)

    def __init__(
        self, grid: PhotoGrid, results: ResultsModel, loader: ThumbnailLoader,
        prefs_file: Path | None, parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("gridBar")
        self.grid, self.results, self.loader = grid, results, loader
        self.prefs = QSettings(str(prefs_file), QSettings.Format.IniFormat) \
            if prefs_file is not None else None
        self.group = QComboBox(self)
        self.group.setObjectName("groupBy")
        for by, text in ((DAY, tr("Day")), (MONTH, tr("Month")), (YEAR, tr("Year"))):
            self.group.addItem(text, by)
        self.year = QComboBox(self)
        self.year.setObjectName("yearJump")
        self.year.setToolTip(tr("Jump to a year"))
        self.size = QSlider(Qt.Orientation.Horizontal, self)
        self.size.setObjectName("thumbnailSize")
        self.size.setRange(MIN_CELL, MAX_CELL)
        self.size.setSingleStep(8)
        self.size.setPageStep(ZOOM_STEP)
        self.size.setMaximumWidth(160)
        self.size.setToolTip(tr("Thumbnail size (Ctrl+plus, Ctrl+minus)"))
        box = QHBoxLayout(self)
        box.setContentsMargins(8, 2, 8, 2)
        self.group_label = QLabel(tr("Group by"), self)
        box.addWidget(self.group_label)
        box.addWidget(self.group)
        box.addWidget(self.year)
        box.addStretch(1)
        box.addWidget(QLabel(tr("Size"), self))
        box.addWidget(self.size)

        grouping = str(self._pref("grouping", MONTH))
        self.group.setCurrentIndex(max(self.group.findData(grouping), 0))
        results.set_grouping(self.group.currentData())
        self.size.setValue(int(self._pref("cell", CELL)))
        self._apply_size(self.size.value())

        self.group.activated.connect(lambda _=0: self.set_grouping(self.group.currentData()))
        self.year.activated.connect(lambda _=0: self.jump_to_year(self.year.currentData()))
        self.size.valueChanged.connect(self._apply_size)
        results.modelReset.connect(self._timeline_changed)
        results.layoutChanged.connect(self._timeline_changed)
        self.shortcuts = []
        for owner in (grid, self):  # not the window's: the photo view zooms its own way
            for keys, step in ((QKeySequence.StandardKey.ZoomIn, 1), ("Ctrl+=", 1),
                               (QKeySequence.StandardKey.ZoomOut, -1)):
                sc = QShortcut(QKeySequence(keys), owner)
                sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                sc.activated.connect(lambda step=step: self.zoom(step))
                self.shortcuts.append(sc)
        self._timeline_changed()

    def _pref(self, key: str, default: object) -> object:
        if self.prefs is None:
            return default
        value = self.prefs.value(f"grid/{key}", default)
        if key == "cell":
            try:
                return min(max(int(value), MIN_CELL), MAX_CELL)  # type: ignore[call-overload]
            except (TypeError, ValueError):
                return default
        return value if value in GROUPINGS else default

    def _save(self, key: str, value: object) -> None:
        if self.prefs is not None:
            self.prefs.setValue(f"grid/{key}", value)
            self.prefs.sync()

    def over(self, stack: QStackedWidget) -> QWidget:
        """A pane of this bar over ``stack`` (the grid or the photo view), shown with the grid
        only."""
        pane = QWidget(self.parentWidget())
        box = QVBoxLayout(pane)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self)
        box.addWidget(stack, 1)
        stack.currentChanged.connect(
            lambda _i: self.setVisible(stack.currentWidget() is self.grid))
        return pane

    def set_sort(self, order: str) -> None:
        """Sort the results by ``order``; the photo at the top stays there."""
        anchor = self.grid.anchor()
        self.results.set_sort(order)
        self.grid.restore_anchor(anchor)

    # ----- the timeline ----------------------------------------------------------------------

    def set_grouping(self, by: str) -> None:
        """Group by ``day``, ``month`` or ``year``; the photo at the top stays there."""
        self.group.setCurrentIndex(max(self.group.findData(by), 0))
        anchor = self.grid.anchor()
        self.results.set_grouping(by)
        self.grid.restore_anchor(anchor)
        self._save("grouping", by)

    def _timeline_changed(self) -> None:
        years = self.results.years()
        timeline = bool(years)
        for w in (self.group, self.group_label, self.year):
            w.setEnabled(timeline)
        self.year.clear()
        self.year.addItem(tr("Jump to year"), None)
        for year, _row in years:
            self.year.addItem(str(year), year)

    def jump_to_year(self, year: int | None) -> None:
        """Scroll to the first photo of ``year`` (its heading at the top) and make it current."""
        row = next((r for y, r in self.results.years() if y == year), None)
        if row is None:
            return
        self.grid.set_current_row(row)
        self.grid.scroll_to_value(self.grid.grid_layout().section_top(row))
        self.year.setCurrentIndex(0)

    # ----- the thumbnail size ----------------------------------------------------------------

    def zoom(self, step: int) -> None:
        """Bigger (1) or smaller (-1) thumbnails by one step."""
        self.size.setValue(self.size.value() + step * ZOOM_STEP)

    def _apply_size(self, cell: int) -> None:
        anchor = self.grid.anchor()
        self.grid.set_cell_size(cell)
        self.loader.set_size(self.grid.thumbnail_size, self.grid.devicePixelRatioF())
        self.grid.restore_anchor(anchor)
        self._save("cell", cell)
        self.cell_changed.emit(cell)
