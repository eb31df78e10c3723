"""The grid's item model: search results or the whole library, with scores and thumbnails.

The rows are an :class:`~photoclip.gui.result_order.Arranged` answer (columns, not one object
per photo): swapping in 100,000 new results, regrouping them or finding a photo's row costs the
GUI thread no loop over the photos.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Slot,
)

from photoclip.core.timeline import GROUPINGS, MONTH, DateGroup, year_starts
from photoclip.gui.grid_layout import Section
from photoclip.gui.i18n import format_date
from photoclip.gui.queries import ResultItem
from photoclip.gui.result_order import DATE, RELEVANCE, Arranged, arrange, trim_heap
from photoclip.gui.scores import score_tooltip
from photoclip.gui.thumbnail_loader import ThumbnailLoader
from photoclip.gui.timeline_labels import group_label

PhotoIdRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2
ScoreRole = Qt.ItemDataRole.UserRole + 3
DateRole = Qt.ItemDataRole.UserRole + 4
ThumbnailFailedRole = Qt.ItemDataRole.UserRole + 5
MarksRole = Qt.ItemDataRole.UserRole + 6  # (stars, favourite) of a rated photo, else None

_Index = QModelIndex | QPersistentModelIndex


class ResultsModel(QAbstractListModel):
    """A flat list of :class:`ResultItem`; the decoration role loads thumbnails lazily."""

    def __init__(
        self, loader: ThumbnailLoader | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._sort = RELEVANCE
        self._grouping = MONTH
        self._rows: Arranged = arrange([], self._sort, self._grouping)
        self._groups: list[DateGroup] = []
        self._sections: list[Section] | None = None
        self._years: list[tuple[int, int]] | None = None
        self._labels: dict[tuple[object, str], str] = {}  # (key, grouping): heading
        self.loader = loader
        if loader is not None:
            loader.ready.connect(self._thumbnail_ready)

    # ----- contents --------------------------------------------------------------------------

    def set_items(self, items: Sequence[ResultItem]) -> None:
        """Show these results, put in order and grouped here (see :meth:`set_arranged`)."""
        self.set_arranged(arrange(items, self._sort, self._grouping, self._rows.marks))

    def set_arranged(self, arranged: Arranged) -> None:
        """Show results already put in order and grouped (on the backend's lane: a large
        set costs the GUI thread no sorting); arranged for another order than the one now
        chosen, they are put in order again (vectorised), for another grouping regrouped."""
        if arranged.sort != self._sort:
            arranged = arrange(arranged, self._sort, self._grouping)
        self.beginResetModel()
        old, self._rows = self._rows, arranged
        self._group()
        self.endResetModel()
        del old  # the old answer's columns are freed here, at once
        trim_heap(len(arranged))
        if self.loader is not None:
            self.loader.clear_waiting()

    def arranged(self) -> Arranged:
        """The rows shown, as they were arranged."""
        return self._rows

    def items(self) -> list[ResultItem]:
        """Every row as a ResultItem (one object per photo: for small sets and tests)."""
        return self._rows.items()

    def item(self, row: int) -> ResultItem:
        return self._rows.item(row)

    def dates(self) -> Any:
        """The photos' dates in row order (a read-only numpy array)."""
        return self._rows.dates

    def row_of_path(self, path: str) -> int | None:
        """The row of the photo at ``path`` (None: not shown)."""
        return self._rows.row_of_path(path)

    def row_of_photo(self, photo_id: int) -> int | None:
        rows = self._rows.rows_of_ids([photo_id])
        return rows[0] if rows else None

    def rows_of_photos(self, photo_ids: Sequence[int]) -> list[int]:
        """The rows of those photos that are shown, in row order."""
        return self._rows.rows_of_ids(photo_ids)

    @property
    def has_scores(self) -> bool:
        return len(self._rows) > 0 and self._rows.scores is not None

    # ----- sorting ---------------------------------------------------------------------------

    @property
    def sort_order(self) -> str:
        return self._sort

    def set_sort(self, order: str) -> None:
        """``relevance`` (best score first; date when there are no scores) or ``date``."""
        if order not in (RELEVANCE, DATE):
            raise ValueError(order)
        self._sort = order
        self.set_arranged(self._rows)

    # ----- the timeline ----------------------------------------------------------------------

    @property
    def by_date(self) -> bool:
        """Whether the rows are in date order (browsing, or a search sorted by date)."""
        return self._sort == DATE or not self.has_scores

    @property
    def grouping(self) -> str:
        return self._grouping

    def set_grouping(self, by: str) -> None:
        """Group photos shown in date order by ``day``, ``month`` or ``year``."""
        if by not in GROUPINGS:
            raise ValueError(by)
        self.layoutAboutToBeChanged.emit()
        self._grouping = by
        self._group()
        self.layoutChanged.emit()

    def _group(self) -> None:
        """The groups of the grouping chosen: made on the lane for an answer from there."""
        self._labels.clear()
        self._years = None
        self._groups = self._rows.groups_for(self._grouping)
        self._sections = self._rows.sections_for(self._grouping)

    def sections(self) -> list[Section] | None:
        """The grid's sections under date headings (None: results by score, no headings)."""
        return self._sections

    def section_label(self, section: Section) -> str:
        """A section's date heading in the interface's language (made when first shown)."""
        key = (section.key, self._grouping)
        label = self._labels.get(key)
        if label is None:
            label = self._labels[key] = group_label(section.key, self._grouping)  # type: ignore[arg-type]
        return label

    def years(self) -> list[tuple[int, int]]:
        """(year, first row) of each year shown, for the year jump (empty without headings)."""
        if self._years is None:
            self._years = year_starts(self._groups)
        return list(self._years)

    # ----- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        rows = self._rows
        if not index.isValid() or not 0 <= (row := index.row()) < len(rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return os.path.basename(rows.path(row))
        if role == Qt.ItemDataRole.DecorationRole:
            return self.loader.pixmap(rows.path(row)) if self.loader is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            when = format_date(float(rows.dates[row]))
            score = rows.score(row)
            said = "\n" + score_tooltip(score) if score is not None else ""
            return f"{rows.path(row)}\n{when}{said}"
        if role == PhotoIdRole:
            return int(rows.ids[row])
        if role == PathRole:
            return rows.path(row)
        if role == ScoreRole:
            return rows.score(row)
        if role == DateRole:
            return float(rows.dates[row])
        if role == MarksRole:
            return rows.marks.get(int(rows.ids[row])) if rows.marks else None
        if role == ThumbnailFailedRole:
            return self.loader is not None and self.loader.failed(rows.path(row))
        return None

    def roleNames(self) -> dict[int, bytes]:
        names = dict(super().roleNames())
        names.update({PhotoIdRole: b"photoId", PathRole: b"path", ScoreRole: b"score",
                      DateRole: b"date"})
        return names

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDragEnabled)

    def mimeTypes(self) -> list[str]:
        from photoclip.gui.album_actions import PHOTO_IDS_MIME

        return [PHOTO_IDS_MIME]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The dragged photos' ids (dropped on an album in the sidebar)."""
        from photoclip.gui.album_actions import photo_ids_mime

        rows = sorted({i.row() for i in indexes if i.isValid()})
        return photo_ids_mime([int(self._rows.ids[r]) for r in rows])

    @Slot(str)
    def _thumbnail_ready(self, path: str) -> None:
        row = self._rows.row_of_path(path)
        if row is not None:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])
