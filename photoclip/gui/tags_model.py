"""A photo's tags as an item model: the user's own, keywords from the file, automatic ones."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from photoclip.gui.i18n import N_, tr
from photoclip.gui.tag_names import shown

if TYPE_CHECKING:
    from photoclip.core.tags import PhotoTag

TagRole = Qt.ItemDataRole.UserRole + 1
SourceRole = Qt.ItemDataRole.UserRole + 2  # user | keyword | auto
TagScoreRole = Qt.ItemDataRole.UserRole + 3

_SOURCE_TEXT = {"user": N_("yours"), "keyword": N_("from the file"), "auto": N_("automatic")}


def _source_text(tag: PhotoTag) -> str:
    if tag.origin == "sidecar":
        return tr("from the XMP sidecar")
    return tr(_SOURCE_TEXT[tag.source]) if tag.source in _SOURCE_TEXT else tag.source


class PhotoTagsModel(QAbstractListModel):
    """Rows of :class:`photoclip.core.tags.PhotoTag`; own tags first, then automatic by score."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tags: list[PhotoTag] = []

    def set_tags(self, tags: Sequence[PhotoTag]) -> None:
        self.beginResetModel()
        self._tags = sorted(tags, key=lambda t: (t.source == "auto", -(t.score or 0.0), t.tag))
        self.endResetModel()

    def tags(self, source: str | None = None) -> list[str]:
        return [t.tag for t in self._tags if source is None or t.source == source]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._tags)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._tags):
            return None
        t = self._tags[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if t.source == "auto":
                score = f" {t.score:.0%}" if t.score is not None else ""
                return f"{shown(t.tag)}  ({tr('suggested{score}').format(score=score)})"
            return t.tag if t.source == "user" else f"{t.tag}  ({_source_text(t)})"
        if role == Qt.ItemDataRole.ToolTipRole:
            extra = tr(", label set {name}").format(name=t.label_set) if t.label_set else ""
            return f"{_source_text(t)}{extra}"
        if role == TagRole:
            return t.tag
        if role == SourceRole:
            return t.source
        if role == TagScoreRole:
            return t.score
        return None
