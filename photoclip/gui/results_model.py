"""The grid's item model: search results or the whole library, with scores and thumbnails."""

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

from photoclip.core.timeline import GROUPINGS, MONTH, DateGroup, group_dates, year_starts
from photoclip.gui.grid_layout import Section
from photoclip.gui.i18n import format_date
from photoclip.gui.queries import ResultItem
from photoclip.gui.result_order import DATE, RELEVANCE, Arranged, arrange, settle_gc
from photoclip.gui.scores import score_tooltip
from photoclip.gui.thumbnail_loader import ThumbnailLoader
from photoclip.gui.timeline_labels import group_label, sections_of

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
        self._items: list[ResultItem] = []
        self._row_of: dict[str, int] = {}
        self._marks: dict[int, tuple[int, bool]] = {}  # rated photos: (stars, favourite)
        self._sort = RELEVANCE
        self._grouping = MONTH
        self._groups: list[DateGroup] = []
        self._sections: list[Section] | None = None
        self._labels: dict[tuple[object, str], str] = {}  # (key, grouping): heading
        self.loader = loader
        if loader is not None:
            loader.ready.connect(self._thumbnail_ready)

    # ----- contents --------------------------------------------------------------------------

    def set_items(self, items: Sequence[ResultItem]) -> None:
        """Show these results, put in order and grouped here (see :meth:`set_arranged`)."""
        self.set_arranged(arrange(items, self._sort, self._grouping, self._marks))

    def set_arranged(self, arranged: Arranged) -> None:
        """Show results already put in order and grouped (on the backend's lane: a large
        set costs the GUI thread no sorting); arranged for another order or grouping than
        the one now chosen, they are arranged again."""
        if (arranged.sort, arranged.grouping) != (self._sort, self._grouping):
            arranged = arrange(arranged.items, self._sort, self._grouping, arranged.marks)
        self.beginResetModel()
        self._items = arranged.items
        self._row_of = arranged.row_of
        self._marks = arranged.marks
        self._labels.clear()
        self._groups = arranged.groups
        self._sections = arranged.sections
        self.endResetModel()
        if self.loader is not None:
            self.loader.clear_waiting()
        settle_gc(len(arranged.items))

    def items(self) -> list[ResultItem]:
        return list(self._items)

    def item(self, row: int) -> ResultItem:
        return self._items[row]

    def dates(self) -> list[float]:
        """The photos' dates in row order."""
        return [it.date for it in self._items]

    def row_of_path(self, path: str) -> int | None:
        """The row of the photo at ``path`` (None: not shown)."""
        return self._row_of.get(path)

    def row_of_photo(self, photo_id: int) -> int | None:
        for row, it in enumerate(self._items):
            if it.photo_id == photo_id:
                return row
        return None

    def rows_of_photos(self, photo_ids: Sequence[int]) -> list[int]:
        """The rows of those photos that are shown, in row order."""
        wanted = set(photo_ids)
        return [row for row, it in enumerate(self._items) if it.photo_id in wanted]

    @property
    def has_scores(self) -> bool:
        return bool(self._items) and self._items[0].score is not None

    # ----- sorting ---------------------------------------------------------------------------

    @property
    def sort_order(self) -> str:
        return self._sort

    def set_sort(self, order: str) -> None:
        """``relevance`` (best score first; date when there are no scores) or ``date``."""
        if order not in (RELEVANCE, DATE):
            raise ValueError(order)
        self._sort = order
        self.set_items(self._items)

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
        self._labels.clear()
        if self.by_date and self._items:
            self._groups = group_dates(self.dates(), self._grouping)
            self._sections = sections_of(self._groups)
        else:
            self._groups, self._sections = [], None

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
        return year_starts(self._groups)

    # ----- Qt model API ----------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        it = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return os.path.basename(it.path)
        if role == Qt.ItemDataRole.DecorationRole:
            return self.loader.pixmap(it.path) if self.loader is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            when = format_date(it.date)
            score = "\n" + score_tooltip(it.score) if it.score is not None else ""
            return f"{it.path}\n{when}{score}"
        if role == PhotoIdRole:
            return it.photo_id
        if role == PathRole:
            return it.path
        if role == ScoreRole:
            return it.score
        if role == DateRole:
            return it.date
        if role == MarksRole:
            return self._marks.get(it.photo_id)
        if role == ThumbnailFailedRole:
            return self.loader is not None and self.loader.failed(it.path)
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
        return photo_ids_mime([self._items[r].photo_id for r in rows])

    @Slot(str)
    def _thumbnail_ready(self, path: str) -> None:
        row = self._row_of.get(path)
        if row is not None:
            idx = self.index(row)
            self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DecorationRole])
