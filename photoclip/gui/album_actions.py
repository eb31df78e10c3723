"""Albums in the window: the sidebar's context menus (new, new smart, rename, delete), photos
dragged from the grid onto an album, "Remove from album" in the grid's menu. Every change is
an undoable edit (:class:`~photoclip.gui.undo.Edits` over core/edits.py)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QMimeData, QModelIndex, QObject, QPoint, Qt

from photoclip.core.edits import (
    AlbumCreate,
    AlbumDelete,
    AlbumPhotos,
    AlbumRedefine,
    AlbumRename,
)
from photoclip.core.undo import Command
from photoclip.gui.i18n import tr
from photoclip.gui.sidebar_model import KindRole, SectionRole, ValueRole
from photoclip.gui.wording import count_of

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from photoclip.core.tags import Album
    from photoclip.gui.main_window import MainWindow

#: What the grid puts on the clipboard of a drag: a JSON list of photo ids.
PHOTO_IDS_MIME = "application/x-photoclip-photo-ids"


def photo_ids_mime(ids: list[int]) -> QMimeData:
    mime = QMimeData()
    mime.setData(PHOTO_IDS_MIME, json.dumps([int(i) for i in ids]).encode())
    return mime


def photo_ids_of(mime: QMimeData) -> list[int]:
    if not mime.hasFormat(PHOTO_IDS_MIME):
        return []
    try:
        return [int(i) for i in json.loads(bytes(mime.data(PHOTO_IDS_MIME)).decode())]
    except (ValueError, TypeError):
        return []


class AlbumActions(QObject):
    """The album entry points of ``window`` (its sidebar, grid and undoable edits)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: Any = None  # the album dialog on show (tests reach it)
        sidebar = window.sidebar
        sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        sidebar.customContextMenuRequested.connect(self.sidebar_menu)
        sidebar.setAcceptDrops(True)
        sidebar.viewport().setAcceptDrops(True)
        sidebar.viewport().installEventFilter(self)
        window.grid.setDragEnabled(True)
        window.grid.setDragDropMode(window.grid.DragDropMode.DragOnly)
        window.edits.changed.connect(self._edited)

    # ----- helpers ---------------------------------------------------------------------------

    def album(self, name: str | None) -> Album | None:
        for album, _ in self.window.sidebar_data.albums:
            if name is not None and album.name.lower() == name.lower():
                return album
        return None

    def _plain_album_at(self, pos: QPoint) -> str | None:
        index = self.window.sidebar.indexAt(pos)
        if index.data(KindRole) != "album":
            return None
        album = self.album(index.data(ValueRole))
        return album.name if album is not None and not album.smart else None

    def run(self, cmd: Command) -> None:
        self.window.edits.run(cmd)

    # ----- the sidebar's menu ----------------------------------------------------------------

    def sidebar_menu(self, pos: QPoint) -> None:
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self.window)
        self.fill_sidebar_menu(menu, self.window.sidebar.indexAt(pos))
        if not menu.isEmpty():
            menu.exec(self.window.sidebar.viewport().mapToGlobal(pos))

    def fill_sidebar_menu(self, menu: QMenu, index: QModelIndex) -> None:
        """The entries for the sidebar row ``index`` (an album, a tag, the Albums heading)."""
        kind, value = index.data(KindRole), index.data(ValueRole)
        if kind == "album":
            menu.addAction(tr("Show its photos"),
                           lambda: self.window.search_bar.set_filter("album", value))
            menu.addAction(tr("Rename album…"), lambda: self.rename(value))
            album = self.album(value)
            if album is not None and album.smart:
                menu.addAction(tr("Change the rule…"), lambda: self.edit_rule(album))
            menu.addAction(tr("Delete album"), lambda: self.run(AlbumDelete(value)))
            menu.addSeparator()
        elif kind == "tag":
            menu.addAction(tr("New smart album with this tag…"),
                           lambda: self.new_album(kind=2, tag=value, name=value))
            menu.addSeparator()
        if kind in ("album", "tag") or index.data(SectionRole) == "Albums":
            menu.addAction(tr("New album…"), lambda: self.new_album())

    def new_album(self, *, kind: int = 0, tag: str = "", name: str = "",
                  query: str = "") -> None:
        from photoclip.gui.album_dialog import AlbumDialog

        tags = [t.tag for t in self.window.sidebar_data.tags]
        dialog = AlbumDialog(self.window.backend, tags, self.window, kind=kind, tag=tag,
                             query=query)
        dialog.name.setText(name)
        self.dialog = dialog

        def finished(result: int) -> None:
            if result:
                self.run(AlbumCreate(**dialog.definition()))
            self.dialog = None

        dialog.finished.connect(finished)
        dialog.open()

    def edit_rule(self, album: Album) -> None:
        """The album dialog on a smart album's rule (its name stays: Rename does that)."""
        from photoclip.gui.album_dialog import QUERY, TAG, AlbumDialog

        tags = [t.tag for t in self.window.sidebar_data.tags]
        dialog = AlbumDialog(self.window.backend, tags, self.window,
                             kind=QUERY if album.query else TAG, tag=album.tag or "",
                             query=album.query or "")
        dialog.setWindowTitle(tr("The rule of album {album}").format(album=album.name))
        dialog.name.setText(album.name)
        dialog.name.setEnabled(False)
        dialog.kinds.button(0).setEnabled(False)  # a smart album stays smart
        if album.min_score is not None:
            dialog.min_score.setValue(album.min_score)
        self.dialog = dialog

        def finished(result: int) -> None:
            if result:
                self.run(AlbumRedefine(album.name, **dialog.rule()))
            self.dialog = None

        dialog.finished.connect(finished)
        dialog.open()

    def rename(self, name: str) -> None:
        from PySide6.QtWidgets import QInputDialog, QLineEdit

        new, ok = QInputDialog.getText(self.window, tr("Rename album"),
                                       tr("New name of the album {album}:").format(album=name),
                                       QLineEdit.EchoMode.Normal, name)
        if ok and new.strip() and new.strip() != name:
            self.run(AlbumRename(name, new.strip()))

    # ----- the grid --------------------------------------------------------------------------

    def extend_grid_menu(self, menu: QMenu, ids: list[int]) -> None:
        """"Remove from album X" while the grid shows a plain album."""
        shown = self.window._shown
        album = self.album(shown.album if shown is not None else None)
        if album is not None and not album.smart:
            n = f" ({count_of(len(ids), 'photo')})" if len(ids) > 1 else ""
            menu.addAction(tr("Remove from album {album}{n}").format(album=album.name, n=n),
                           lambda: self.run(AlbumPhotos("remove", album.name, ids)))

    # ----- dropping photos on an album -------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            return False
        mime = event.mimeData()  # type: ignore[attr-defined]
        if not mime.hasFormat(PHOTO_IDS_MIME):
            return False
        if kind == QEvent.Type.DragEnter:
            event.acceptProposedAction()  # type: ignore[attr-defined]
            return True
        name = self._plain_album_at(event.position().toPoint())  # type: ignore[attr-defined]
        if name is None:
            event.ignore()
            return True
        event.setDropAction(Qt.DropAction.CopyAction)  # type: ignore[attr-defined]
        event.accept()
        if kind == QEvent.Type.Drop:
            ids = photo_ids_of(mime)
            if ids:
                self.run(AlbumPhotos("add", name, ids))
        return True

    # ----- after an edit ---------------------------------------------------------------------

    def _edited(self, cmd: Command) -> None:
        """An album renamed while the grid shows it: the grid follows the new name."""
        if cmd.kind != "album-rename":
            return
        s = cmd.state
        now, was = (s["new_name"], s["old"]) if cmd.done else (s["old"], s["new_name"])
        current = self.window.search_bar.album.currentData()
        if current is not None and current.lower() == str(was).lower():
            self.window.search_bar.set_filter("album", now)
