"""The main window's menu bar: each entry calls one of the window's public slots."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from photoclip.gui.i18n import tr

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMenu

    from photoclip.gui.main_window import MainWindow

Shortcut = QKeySequence | QKeySequence.StandardKey | str | None


def build_menus(window: MainWindow) -> QAction:
    """Fill ``window``'s menu bar (File, View, Tags, Model, Help); the shortcuts work anywhere
    in the window. Returns the File › Add photo folder action."""

    def action(menu: QMenu, text: str, slot: Callable[[], object],
               shortcut: Shortcut = None) -> QAction:
        item = QAction(text, window)
        if shortcut is not None:
            item.setShortcut(shortcut)
        item.triggered.connect(lambda _=False: slot())
        menu.addAction(item)
        window.addAction(item)
        return item

    bar = window.menuBar()
    file = bar.addMenu(tr("&File"))
    add_folder = action(file, tr("&Add photo folder…"), window.choose_folder,
                        QKeySequence.StandardKey.Open)
    action(file, tr("&Settings…"), window.open_settings, QKeySequence.StandardKey.Preferences)
    file.addSeparator()
    action(file, tr("&Quit"), window.close, QKeySequence.StandardKey.Quit)
    view = bar.addMenu(tr("&View"))
    action(view, tr("&Find"), window.focus_search, QKeySequence.StandardKey.Find)
    action(view, tr("&Back to photos"), window.show_grid, QKeySequence(Qt.Key.Key_Escape))
    action(view, tr("&All photos"), window.show_everything, QKeySequence("Ctrl+Home"))
    action(view, tr("&Refresh"), window.refresh, QKeySequence.StandardKey.Refresh)
    action(view, tr("&Previous photo"), lambda: window.step_photo(-1), QKeySequence("Alt+Left"))
    action(view, tr("&Next photo"), lambda: window.step_photo(1), QKeySequence("Alt+Right"))
    tags = bar.addMenu(tr("&Tags"))
    action(tags, tr("&Suggest tags again"), window.backend.retag)
    model = bar.addMenu(tr("&Model"))
    action(model, tr("&Download the model"), window.download_model)
    action(model, tr("&Choose a weights file…"), window.choose_weights)
    helpm = bar.addMenu(tr("&Help"))
    action(helpm, tr("&About photoclip"), window.open_about)
    return add_folder
