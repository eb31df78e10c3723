"""The main window's menu bar: each entry calls one of the window's public slots."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

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
    file = bar.addMenu("&File")
    add_folder = action(file, "&Add photo folder…", window.choose_folder,
                        QKeySequence.StandardKey.Open)
    action(file, "&Settings…", window.open_settings, QKeySequence.StandardKey.Preferences)
    file.addSeparator()
    action(file, "&Quit", window.close, QKeySequence.StandardKey.Quit)
    view = bar.addMenu("&View")
    action(view, "&Find", window.focus_search, QKeySequence.StandardKey.Find)
    action(view, "&Back to photos", window.show_grid, QKeySequence(Qt.Key.Key_Escape))
    action(view, "&All photos", window.show_everything, QKeySequence("Ctrl+Home"))
    action(view, "&Refresh", window.refresh, QKeySequence.StandardKey.Refresh)
    action(view, "&Previous photo", lambda: window.step_photo(-1), QKeySequence("Alt+Left"))
    action(view, "&Next photo", lambda: window.step_photo(1), QKeySequence("Alt+Right"))
    tags = bar.addMenu("&Tags")
    action(tags, "&Suggest tags again", window.backend.retag)
    model = bar.addMenu("&Model")
    action(model, "&Download the model", window.download_model)
    action(model, "&Choose a weights file…", window.choose_weights)
    helpm = bar.addMenu("&Help")
    action(helpm, "&About photoclip", window.open_about)
    return add_folder
