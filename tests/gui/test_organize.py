"""Albums, duplicates review and undo in the window (offscreen, a real library on the tiny
model): sidebar menus, the album dialog's live count, photos dropped on an album, removing
them, renaming and deleting, the Edit menu's Undo/Redo; duplicates to the system trash and
back."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from photoclip.core.edits import AlbumCreate, AlbumRename, TagEdit
from photoclip.gui.album_dialog import PLAIN
from photoclip.gui.duplicates_review import open_review
from photoclip.gui.sidebar_model import ValueRole
from tests.gui.conftest import copy_photos
from tests.system_trash import system_trash_fixture  # noqa: F401  (the system_trash fixture)


def _edit_menu(window) -> QMenu:
    (menu,) = [a.menu() for a in window.menuBar().actions() if a.text() == "&Edit"]
    return menu


def _entry(menu: QMenu, text: str):
    (item,) = [a for a in menu.actions() if a.text().startswith(text)]
    return item


def _leaf(window, section: str, value: str):
    sec = window.sidebar_model.section(section)
    for r in range(sec.rowCount()):
        if sec.child(r).data(ValueRole) == value:
            return window.sidebar_model.indexFromItem(sec.child(r))
    return None


def _count(window, section: str, value: str) -> int | None:
    found = [n for _, v, n in window.sidebar_model.leaves(section) if v == value]
    return found[0] if found else None


def _menu_for(window, index) -> QMenu:
    menu = QMenu(window)
    window.album_actions.fill_sidebar_menu(menu, index)
    return menu


def _idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: window.edits.busy == 0, timeout=15_000)


def test_albums_duplicates_and_undo_in_the_window(
        qtbot, make_window, write_settings, tmp_path, datasets_dir, wait_indexed,
        system_trash: Path) -> None:
    """One window (indexing is the slow part): albums first, then the duplicates review."""
    folder = copy_photos(datasets_dir, tmp_path / "photos", n=4)
    original = sorted(folder.glob("*.jpg"))[0]
    (folder / "copies").mkdir()
    copy = folder / "copies" / original.name
    shutil.copy2(original, copy)
    write_settings([folder])
    window = make_window()
    wait_indexed(window, 5)
    _albums(qtbot, window)
    _duplicates(qtbot, window, wait_indexed, original, copy, system_trash)


def _albums(qtbot, window) -> None:
    """Sidebar menus, the dialog's live count, drops, remove, rename, delete, undo."""
    ids = [window.results.item(r).photo_id for r in range(5)]
    edit = _edit_menu(window)
    undo, redo = _entry(edit, "&Undo"), _entry(edit, "&Redo")
    assert undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert not undo.isEnabled()

    window.edits.run(TagEdit("add", "beach", ids[:2]))  # what the grid's "Add a tag" runs
    qtbot.waitUntil(lambda: _count(window, "My tags", "beach") == 2, timeout=15_000)
    assert undo.text() == "&Undo Add tag 'beach' to 2 photos"
    undo.trigger()
    qtbot.waitUntil(lambda: _count(window, "My tags", "beach") is None, timeout=15_000)
    redo.trigger()
    qtbot.waitUntil(lambda: _count(window, "My tags", "beach") == 2, timeout=15_000)

    # a smart album from the tag's menu; the dialog counts while the rule is edited
    _entry(_menu_for(window, _leaf(window, "My tags", "beach")),
           "New smart album with this tag").trigger()
    dialog = window.album_actions.dialog
    qtbot.waitUntil(lambda: dialog.preview_count == 2, timeout=15_000)
    assert "2 photos" in dialog.preview.text()
    dialog.accept()
    qtbot.waitUntil(lambda: _count(window, "Albums", "beach") == 2, timeout=15_000)
    # its rule changed: a search with a score every photo passes, counted before it is saved
    _entry(_menu_for(window, _leaf(window, "Albums", "beach")), "Change the rule").trigger()
    dialog = window.album_actions.dialog
    dialog.kinds.button(1).setChecked(True)
    dialog.query.setText("a photo")
    dialog.min_score.setValue(-1.0)
    qtbot.waitUntil(lambda: dialog.preview_count == 5, timeout=15_000)
    dialog.accept()
    qtbot.waitUntil(lambda: _count(window, "Albums", "beach") == 5, timeout=15_000)
    _entry(_edit_menu(window), "&Undo").trigger()
    qtbot.waitUntil(lambda: _count(window, "Albums", "beach") == 2, timeout=15_000)

    # a plain album from the Albums heading, filled by dropping photos from the grid on it
    heading = window.sidebar_model.indexFromItem(window.sidebar_model.section("Albums"))
    _entry(_menu_for(window, heading), "New album").trigger()
    dialog = window.album_actions.dialog
    dialog.kinds.button(PLAIN).setChecked(True)
    dialog.name.setText("Trip")
    dialog.accept()
    qtbot.waitUntil(lambda: _count(window, "Albums", "Trip") == 0, timeout=15_000)
    entries = window.edits.stack.count()
    window.edits.run(AlbumCreate("trip"))  # refused: an album of that name exists
    qtbot.waitUntil(lambda: "exists already" in window.banner.text, timeout=15_000)
    assert window.edits.stack.count() == entries  # no undo entry for what did not happen
    window.banner.hide()
    window.sidebar.expandAll()
    mime = window.results.mimeData([window.results.index(0), window.results.index(2)])
    viewport = window.sidebar.viewport()

    def drop_on(value: str) -> bool:
        pos = QPointF(window.sidebar.visualRect(_leaf(window, "Albums", value)).center())
        enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, enter)
        drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(viewport, drop)
        return drop.isAccepted()

    assert not drop_on("beach")  # a smart album fills itself: no drop
    assert drop_on("Trip")
    qtbot.waitUntil(lambda: _count(window, "Albums", "Trip") == 2, timeout=15_000)

    # the grid on the album: "Remove from album", then a rename the grid follows
    window.search_bar.set_filter("album", "Trip")
    qtbot.waitUntil(lambda: window.results.rowCount() == 2, timeout=15_000)
    menu = QMenu(window)
    window.album_actions.extend_grid_menu(menu, [window.results.item(0).photo_id])
    _entry(menu, "Remove from album Trip").trigger()
    qtbot.waitUntil(lambda: window.results.rowCount() == 1, timeout=15_000)
    window.edits.run(AlbumRename("Trip", "Holiday"))  # what "Rename album…" runs
    qtbot.waitUntil(lambda: _count(window, "Albums", "Holiday") == 1, timeout=15_000)
    assert window.search_bar.album.currentData() == "Holiday"
    undo.trigger()
    qtbot.waitUntil(lambda: _count(window, "Albums", "Trip") == 1, timeout=15_000)
    assert window.search_bar.album.currentData() == "Trip"

    _entry(_menu_for(window, _leaf(window, "Albums", "Trip")), "Delete album").trigger()
    qtbot.waitUntil(lambda: _count(window, "Albums", "Trip") is None, timeout=15_000)
    undo.trigger()  # back, with its photo
    qtbot.waitUntil(lambda: _count(window, "Albums", "Trip") == 1, timeout=15_000)
    undo.trigger()  # the removed photo goes back in
    qtbot.waitUntil(lambda: _count(window, "Albums", "Trip") == 2, timeout=15_000)
    _idle(qtbot, window)




def _duplicates(qtbot, window, wait_indexed, original: Path, copy: Path,
                system_trash: Path) -> None:
    """The review keeps the original, the copy goes to the system trash, undo brings it."""
    window.show_everything()
    qtbot.waitUntil(lambda: window.results.rowCount() == 5, timeout=15_000)
    open_review(window)
    qtbot.waitUntil(lambda: getattr(window, "duplicates_review", None) is not None,
                    timeout=60_000)
    review = window.duplicates_review
    (group,) = review.groups
    assert [c.path for c in group.photos] == [str(original), str(copy)]  # the original keeps
    assert group.photos[1].in_copies and "identical file" in group.photos[1].why
    assert "1 photo would move" in review.summary.text()
    review.keep_all[0].setChecked(True)
    assert review.chosen() == [] and not review.trash_button.isEnabled()
    review.keep_all[0].setChecked(False)
    questions = []
    review.confirm = lambda q: questions.append(q) or True
    review.trash_others()
    qtbot.waitUntil(lambda: not review.isVisible(), timeout=15_000)
    assert questions and "Nothing is deleted" in questions[0]
    assert not copy.exists() and original.exists()
    (trashed,) = (system_trash / "files").iterdir()
    assert trashed.read_bytes() == original.read_bytes()
    qtbot.waitUntil(lambda: window.results.rowCount() == 4, timeout=15_000)
    undo = _entry(_edit_menu(window), "&Undo")
    assert undo.text() == "&Undo Move 1 photo to the trash"
    undo.trigger()
    _idle(qtbot, window)
    assert copy.exists() and list((system_trash / "files").iterdir()) == []
    wait_indexed(window, 5)
