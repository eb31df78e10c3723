"""The first-run welcome, offscreen: folders, model choice, a real download from the fake hub."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QWizard

from photoclip.config import AppPaths, Settings
from photoclip.core import weights
from photoclip.gui import welcome
from photoclip.gui.welcome import WelcomeDialog, needs_welcome

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def no_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(welcome, "default_photo_folder", lambda: None)


def _dialog(qtbot, paths: AppPaths, **kw: object) -> WelcomeDialog:
    dialog = WelcomeDialog(paths, Settings(), **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _spy_download(calls: list[str]):
    def spy(spec, models_dir, progress=None):
        calls.append(threading.current_thread().name)
        return weights.download_weights(spec, models_dir, progress)

    return spy


def test_real_download_from_the_hub_on_a_worker_thread(
    qtbot, photoclip_home: AppPaths, tiny_hub_spec, fake_hub, no_pictures, tmp_path: Path
) -> None:
    fake_hub.chunk_delay = 0.02  # a few progress steps
    photos = tmp_path / "photos"
    photos.mkdir()
    calls: list[str] = []
    assert needs_welcome(photoclip_home)
    dialog = _dialog(qtbot, photoclip_home, download=_spy_download(calls))
    assert dialog.folders_page.folders() == []
    dialog.folders_page.add_path(str(photos))
    dialog.folders_page.add_path(str(photos))  # no duplicates
    assert dialog.folders_page.folders() == [str(photos.resolve())]
    dialog.next()
    buttons = dialog.model_page.buttons
    assert {"vit-b-32", "vit-b-16", "tiny-hub"} <= buttons.keys()
    assert buttons["vit-b-32"].isChecked()  # the default
    assert "605 MB" in buttons["vit-b-32"].text()
    buttons["tiny-hub"].setChecked(True)
    values: list[int] = []
    dialog.download_page.progress.valueChanged.connect(values.append)
    dialog.next()
    page = dialog.download_page
    assert page.state == "downloading"
    assert not dialog.button(QWizard.WizardButton.FinishButton).isEnabled()
    qtbot.waitUntil(lambda: page.state != "downloading", timeout=30000)
    assert page.state == "done", page.error
    assert calls and calls[0] == "photoclip-welcome-download"  # never the GUI thread
    assert len(values) >= 3 and page.progress.value() == page.progress.maximum()
    assert weights.weights_path(tiny_hub_spec, photoclip_home.models_dir) is not None
    assert dialog.button(QWizard.WizardButton.FinishButton).isEnabled()
    assert dialog.model_ready
    dialog.accept()
    saved = Settings.load(photoclip_home.settings_file)
    assert saved.folders == [str(photos.resolve())]
    assert saved.model == "tiny-hub" and saved.weights_file == ""
    assert not needs_welcome(photoclip_home)


def test_a_failed_download_says_why_and_can_be_retried(
    qtbot, photoclip_home: AppPaths, tiny_hub_spec, fake_hub, no_pictures
) -> None:
    fake_hub.drop_after, fake_hub.drop_times = 1000, 10  # every attempt breaks off
    dialog = _dialog(qtbot, photoclip_home)
    dialog.next()
    dialog.model_page.buttons["tiny-hub"].setChecked(True)
    dialog.next()
    page = dialog.download_page
    qtbot.waitUntil(lambda: page.state != "downloading", timeout=60000)
    assert page.state == "failed"
    assert "The model could not be downloaded" in page.status.text()
    assert "photoclip models" not in page.status.text()  # no command line in the GUI
    assert page.retry_button.isVisibleTo(dialog)
    assert not dialog.model_ready
    fake_hub.drop_times = 0
    page.retry_button.click()
    qtbot.waitUntil(lambda: page.state != "downloading", timeout=30000)
    assert page.state == "done", page.error
    assert not page.retry_button.isVisibleTo(dialog)


def test_offline_install_with_a_weights_file_downloads_nothing(
    qtbot, photoclip_home: AppPaths, no_pictures, tmp_path: Path
) -> None:
    weights_file = tmp_path / "open_clip_model.safetensors"
    weights_file.write_bytes(b"not really weights")
    calls: list[str] = []
    dialog = _dialog(qtbot, photoclip_home, download=_spy_download(calls))
    dialog.next()
    page = dialog.model_page
    page.use_file.setChecked(True)
    assert not page.isComplete()  # no file yet
    page.weights_edit.setText(str(tmp_path / "missing.safetensors"))
    assert not page.isComplete() and "does not exist" in page.file_hint.text()
    page.weights_edit.setText(str(weights_file))
    assert page.isComplete()
    dialog.next()
    assert dialog.download_page.state == "skipped" and calls == []
    assert "Nothing needs downloading" in dialog.download_page.status.text()
    dialog.accept()
    saved = Settings.load(photoclip_home.settings_file)
    assert saved.model == "vit-b-32" and saved.weights_file == str(weights_file.resolve())


def test_pictures_folder_is_the_default_and_folders_can_be_edited(
    qtbot, photoclip_home: AppPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pictures, other = tmp_path / "Pictures", tmp_path / "Other"
    pictures.mkdir()
    other.mkdir()
    monkeypatch.setattr(welcome, "default_photo_folder", lambda: str(pictures))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(other))
    saved: list[Settings] = []
    dialog = _dialog(qtbot, photoclip_home, save=saved.append)
    page = dialog.folders_page
    assert page.folders() == [str(pictures)]
    page.add_button.click()
    assert page.folders() == [str(pictures), str(other.resolve())]
    page.folder_list.item(0).setSelected(True)
    page.remove_button.click()
    assert page.folders() == [str(other.resolve())]
    page.folder_list.item(0).setSelected(True)
    page.remove_button.click()
    assert "No folder yet" in page.hint.text() and not page.remove_button.isEnabled()
    dialog.accept()
    assert saved and saved[0].folders == [] and not photoclip_home.settings_file.exists()


def test_models_needing_missing_packages_cannot_be_chosen(
    qtbot, photoclip_home: AppPaths, no_pictures, monkeypatch: pytest.MonkeyPatch
) -> None:
    from photoclip.gui import model_parts

    for module in (welcome, model_parts):  # the button's state, and the note saying why
        monkeypatch.setattr(module, "missing_requirements", lambda spec: list(spec.requires))
    dialog = _dialog(qtbot, photoclip_home)
    button = dialog.model_page.buttons["xlm-roberta-vit-b-32"]
    assert not button.isEnabled() and "transformers" in button.toolTip()


def test_the_chinese_first_model_is_offered(
    qtbot, photoclip_home: AppPaths, no_pictures, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(welcome, "missing_requirements", lambda spec: [])
    dialog = _dialog(qtbot, photoclip_home)
    button = dialog.model_page.buttons["cn-clip-vit-b-16"]
    assert button.isEnabled() and "Chinese first" in button.text()
    assert "Chinese-CLIP" in button.toolTip() and "753 MB" in button.text()


def test_default_photo_folder_follows_the_system(monkeypatch: pytest.MonkeyPatch) -> None:
    folder = welcome.default_photo_folder()
    assert folder is None or Path(folder).is_dir()


def test_welcome_does_not_import_torch(tmp_path: Path) -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from pathlib import Path\n"
        "from PySide6.QtWidgets import QApplication\n"
        "from photoclip.config import AppPaths, Settings\n"
        "from photoclip.gui.welcome import WelcomeDialog\n"
        "app = QApplication([])\n"
        "root = Path(sys.argv[2])\n"
        "d = WelcomeDialog(AppPaths(root / 'd', root / 'c', root / 'k'), Settings())\n"
        "d.show(); d.next(); app.processEvents()\n"
        "print('torch' in sys.modules, 'open_clip' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(REPO), str(tmp_path)], capture_output=True, text=True,
        timeout=60, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, check=True,
    )
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_no_internet_is_said_in_words_with_a_link_and_a_way_out(
    qtbot, photoclip_home: AppPaths, no_pictures, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A real download attempt that cannot resolve the hub's name (.invalid never resolves)."""
    import huggingface_hub.constants as hf_constants

    monkeypatch.setenv("HF_ENDPOINT", "http://photoclip-offline.invalid")
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    dialog = _dialog(qtbot, photoclip_home)
    dialog.next()
    assert dialog.model_page.buttons["vit-b-32"].isChecked()
    dialog.next()
    page = dialog.download_page
    qtbot.waitUntil(lambda: page.state != "downloading", timeout=60000)
    assert page.state == "failed"
    text = page.status.text()
    assert text.startswith(
        "No internet connection: the model could not be downloaded. You can choose a weights "
        "file you downloaded elsewhere, or try again later.")
    assert "Errno" not in text and "photoclip models" not in text and "`" not in text
    assert page.link.isVisibleTo(dialog) and page.link.openExternalLinks()
    assert '<a href="https://huggingface.co/' in page.link.text()
    assert not page.progress.isVisibleTo(dialog)  # no bar stuck at 0%
    assert page.choose_button.isVisibleTo(dialog) and page.retry_button.isVisibleTo(dialog)
    assert dialog.button(QWizard.WizardButton.FinishButton).isEnabled()

    weights_file = tmp_path / "open_clip_model.safetensors"
    weights_file.write_bytes(b"weights")
    page.use_weights_file(str(weights_file))  # what "Choose a weights file…" does
    assert page.state == "skipped" and dialog.model_ready
    assert not page.choose_button.isVisibleTo(dialog)
    dialog.accept()
    assert Settings.load(photoclip_home.settings_file).weights_file == str(weights_file)


def test_the_welcome_text_wraps_instead_of_being_cut_off(qtbot, photoclip_home: AppPaths,
                                                         no_pictures) -> None:
    dialog = _dialog(qtbot, photoclip_home)
    page = dialog.folders_page
    assert "everything stays on this computer" in page.intro.text()
    assert page.intro.wordWrap()
    assert len(page.subTitle()) < 60  # the wizard's header line does not wrap
