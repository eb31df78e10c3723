"""The sidebar view: a tree of folders, tags and albums; choosing one filters the grid."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from photoclip.gui.sidebar_model import KindRole, SidebarModel, ValueRole


class Sidebar(QTreeView):
    """Emits :attr:`filter_chosen` (kind, value) when the user picks an entry."""

    filter_chosen = Signal(str, object)

    def __init__(self, model: SidebarModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setModel(model)
        self.setHeaderHidden(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setMinimumWidth(180)
        self.clicked.connect(self._chosen)
        self.activated.connect(self._chosen)
        model.modelReset.connect(self.expandAll)
        model.rowsInserted.connect(lambda *_: self.expandAll())
        self.expandAll()

    def _chosen(self, index: QModelIndex) -> None:
        kind: Any = index.data(KindRole)
        if kind:
            self.filter_chosen.emit(kind, index.data(ValueRole))
