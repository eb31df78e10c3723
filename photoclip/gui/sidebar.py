"""The sidebar view: a tree of folders, tags and albums; choosing one filters the grid."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from photoclip.gui.sidebar_model import KindRole, SectionRole, SidebarModel, ValueRole


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
        # the sections open, nested groups ("Unnamed" people: maybe hundreds) closed, and what
        # the user folded or opened stays so when the model is rebuilt (every refresh)
        self._folded: set[str] = set()
        self._opened: set[str] = set()
        self._restoring = False
        self.collapsed.connect(lambda index: self._remember(index, open_=False))
        self.expanded.connect(lambda index: self._remember(index, open_=True))
        model.modelReset.connect(self._restore)
        model.rowsInserted.connect(lambda *_: self._restore())
        self._restore()

    @staticmethod
    def _key(index: QModelIndex) -> str:
        return str(index.data(SectionRole) or index.data(ValueRole) or index.data())

    def _remember(self, index: QModelIndex, *, open_: bool) -> None:
        if self._restoring:
            return
        key, top = self._key(index), not index.parent().isValid()
        if top:
            (self._folded.discard if open_ else self._folded.add)(key)
        else:
            (self._opened.add if open_ else self._opened.discard)(key)

    def _restore(self) -> None:
        model = self.model()
        self._restoring = True
        try:
            for row in range(model.rowCount()):
                section = model.index(row, 0)
                self.setExpanded(section, self._key(section) not in self._folded)
                for r in range(model.rowCount(section)):
                    group = model.index(r, 0, section)
                    if model.rowCount(group):
                        self.setExpanded(group, self._key(group) in self._opened)
        finally:
            self._restoring = False

    def _chosen(self, index: QModelIndex) -> None:
        kind: Any = index.data(KindRole)
        if kind:
            self.filter_chosen.emit(kind, index.data(ValueRole))
