"""A two-part model (weights + a Hugging Face text tower: the multilingual model) in the GUI: the
model page and the welcome say how its parts come, take a folder or archive of both offline, and
a failed download names that route. Real dialogs offscreen, the real download code."""

from __future__ import annotations

import socket
from pathlib import Path

from photoclip.config import AppPaths, Settings
from photoclip.core.model_catalogue import CATALOGUE, available_models
from photoclip.core.model_needs import MULTILINGUAL_MODEL
from photoclip.gui.download import ModelDownload
from photoclip.gui.settings_dialog import SettingsDialog
from photoclip.gui.welcome import ModelPage
from photoclip.gui.wording import NO_INTERNET


def test_the_model_page_describes_both_parts_and_takes_a_folder(
    qtbot, photoclip_home: AppPaths, tmp_path: Path
) -> None:
    applied = []
    dialog = SettingsDialog(Settings(), photoclip_home, save=lambda s: None)
    qtbot.addWidget(dialog)
    dialog.applied.connect(applied.append)
    dialog.model_combo.setCurrentIndex(dialog.model_combo.findData(MULTILINGUAL_MODEL))
    note = dialog.model_note.text()
    assert "two parts" in note and "text tower (xlm-roberta-base" in note
    assert "folder or a .zip/.tar.gz archive" in note and "pip" not in note
    dialog.model_combo.setCurrentIndex(dialog.model_combo.findData("vit-b-32"))
    assert "two parts" not in dialog.model_note.text()  # a one-part model: nothing more

    dialog.model_combo.setCurrentIndex(dialog.model_combo.findData(MULTILINGUAL_MODEL))
    parts = tmp_path / "xlm-offline"
    dialog.weights_edit.setText(str(parts))  # not there yet: refused, the dialog stays
    dialog.accept()
    assert "does not exist" in dialog.error_label.text() and not applied
    parts.mkdir()
    dialog.accept()  # a folder of parts is accepted like a weights file
    assert applied and applied[0].model == MULTILINGUAL_MODEL
    assert applied[0].weights_file == str(parts)


def test_the_welcome_takes_a_folder_or_archive_of_parts(
    qtbot, photoclip_home: AppPaths, tmp_path: Path
) -> None:
    page = ModelPage(available_models(None), MULTILINGUAL_MODEL, photoclip_home.models_dir)
    qtbot.addWidget(page)
    page.use_file.setChecked(True)
    archive = tmp_path / "xlm-roberta-vit-b-32.tar.gz"
    page.weights_edit.setText(str(archive))
    assert not page.isComplete()
    archive.write_bytes(b"")
    assert page.isComplete() and page.weights_file() == str(archive)


def test_a_failed_download_of_a_two_part_model_names_the_offline_route(
    qtbot, photoclip_home: AppPaths, monkeypatch
) -> None:
    import huggingface_hub.constants as hf_constants

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")  # nobody listens
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    download = ModelDownload()
    failed: list[str] = []
    download.start(CATALOGUE[MULTILINGUAL_MODEL], photoclip_home.models_dir,
                   lambda *a: None, failed.append)
    qtbot.waitUntil(lambda: bool(failed), timeout=60_000)
    download.stop()
    assert failed[0].startswith(NO_INTERNET)
    assert "folder or archive holding both the weights and the text tower (xlm-roberta-base)" \
        in failed[0] and "Settings \u203a Model" in failed[0]


def test_the_banner_names_both_missing_parts(qtbot) -> None:
    from photoclip.gui.backend import missing_model_message

    two = missing_model_message(CATALOGUE[MULTILINGUAL_MODEL])
    assert "its weights and its text tower, xlm-roberta-base" in two
    assert "Download both (1470 MB)" in two and "archive holding both" in two
    one = missing_model_message(CATALOGUE["vit-b-32"])
    assert "text tower" not in one and "choose a weights file" in one


def test_folder_buttons_ask_for_a_folder_of_parts(
    qtbot, photoclip_home: AppPaths, tmp_path: Path, monkeypatch
) -> None:
    """Settings › Model and the welcome each have a Folder… button beside Browse… (a file
    dialog cannot pick a folder): the OS folder dialog, its answer in the weights field."""
    from PySide6.QtWidgets import QFileDialog

    from photoclip.gui import dialogs

    asked: list[str] = []

    def folder(_parent, title, _start):
        asked.append(title)
        return str(tmp_path)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(folder))
    settings = SettingsDialog(Settings(), photoclip_home, save=lambda s: None)
    qtbot.addWidget(settings)
    settings.parts_button.click()
    assert settings.weights_edit.text() == str(tmp_path)
    page = ModelPage(available_models(None), MULTILINGUAL_MODEL, photoclip_home.models_dir)
    qtbot.addWidget(page)
    assert not page.parts_button.isEnabled()  # only with "use what I have"
    page.use_file.setChecked(True)
    page.parts_button.click()
    assert page.weights_file() == str(tmp_path) and page.isComplete()
    assert asked == [dialogs.PARTS_TITLE] * 2
