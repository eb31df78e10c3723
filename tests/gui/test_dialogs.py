"""The weights-file and photo-folder dialogs are asked the same way from every place: one title,
one filter, and the Pictures folder (else the home folder) to start in."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QPushButton

from photoclip.config import AppPaths, Settings
from photoclip.gui import dialogs
from photoclip.gui.backend import Backend
from photoclip.gui.main_window import MainWindow
from photoclip.gui.settings_dialog import SettingsDialog
from photoclip.gui.welcome import WelcomeDialog

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture()
def asked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, list[tuple]]:
    """Every file dialog asked (its title, start and filter); each one is cancelled. The home
    folder is ``tmp_path/home`` with a Pictures folder."""
    home = tmp_path / "home"
    (home / "Pictures").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-config"))
    calls: dict[str, list[tuple]] = {"file": [], "folder": []}

    def open_file(parent, title, start, filters, *a, **k):  # type: ignore[no-untyped-def]
        calls["file"].append((title, start, filters))
        return "", ""

    def folder(parent, title, start, *a, **k):  # type: ignore[no-untyped-def]
        calls["folder"].append((title, start))
        return ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(open_file))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder))
    return calls


def test_every_place_asks_the_same_dialogs(
    qtbot, photoclip_home: AppPaths, asked: dict[str, list[tuple]]
) -> None:
    window = MainWindow(Backend(photoclip_home))  # never opened: the dialogs are cancelled
    qtbot.addWidget(window)
    window.choose_folder()
    window.choose_weights()

    settings = SettingsDialog(Settings(), photoclip_home, save=lambda s: None)
    qtbot.addWidget(settings)
    settings.add_folder_button.click()
    next(b for b in settings.findChildren(QPushButton) if b.text() == "Browse\u2026").click()

    welcome = WelcomeDialog(photoclip_home, Settings(), save=lambda s: None)
    qtbot.addWidget(welcome)
    welcome.folders_page.add_button.click()
    welcome.model_page.use_file.setChecked(True)
    welcome.model_page.browse_button.click()
    welcome.download_page.choose_button.click()  # after a failed download

    pictures = str(Path(os.environ["HOME"]) / "Pictures")
    assert asked["folder"] == [(dialogs.FOLDER_TITLE, pictures)] * 3
    assert asked["file"] == [
        (dialogs.WEIGHTS_TITLE, os.environ["HOME"], dialogs.WEIGHTS_FILTER)] * 4
    assert "*.safetensors" in dialogs.WEIGHTS_FILTER
    window.close()


def test_no_pictures_folder_starts_at_home(
    qtbot, asked: dict[str, list[tuple]]
) -> None:
    (Path(os.environ["HOME"]) / "Pictures").rmdir()
    assert dialogs.choose_photo_folder(None) is None  # cancelled
    assert asked["folder"] == [(dialogs.FOLDER_TITLE, os.environ["HOME"])]
    assert dialogs.pictures_or_home() == os.environ["HOME"]
