"""The first-run welcome: pick photo folders, pick a model, download it, done.

A :class:`QWizard` with three pages. The model download runs on a work lane of its own through
the GUI's one :class:`photoclip.gui.download.ModelDownload` (the core's ``download_weights``);
progress and the outcome come back on the GUI thread, which never waits on the network or disk.
"Use a weights file I already have" skips the download for offline installs. Nothing here imports
torch. On Finish the chosen folders, model and weights file are written into the ``Settings``
given (and, by default, saved to the settings file).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from photoclip.config import AppPaths, Settings
from photoclip.core.model_catalogue import (
    CATALOGUE,
    DEFAULT_MODEL_KEY,
    ModelSpec,
    available_models,
)
from photoclip.core.model_needs import missing_requirements
from photoclip.core.scanner import pictures_folder
from photoclip.core.types import display_text
from photoclip.gui.dialogs import choose_parts_folder, choose_photo_folder, choose_weights_file
from photoclip.gui.download import DownloadFn, ModelDownload
from photoclip.gui.i18n import N_, tr
from photoclip.gui.model_parts import parts_note, source_exists

if TYPE_CHECKING:
    from photoclip.gui.main_window import MainWindow

log = logging.getLogger(__name__)

__all__ = ["MODEL_CHOICES", "WelcomeDialog", "default_photo_folder", "needs_welcome"]

#: The catalogue models offered on first run: (role, key).
MODEL_CHOICES: tuple[tuple[str, str], ...] = (
    (N_("Recommended"), DEFAULT_MODEL_KEY),
    (N_("Multilingual"), "xlm-roberta-vit-b-32"),
    (N_("Chinese first"), "cn-clip-vit-b-16"),
    (N_("Higher quality"), "vit-b-16"),
)


def needs_welcome(paths: AppPaths) -> bool:
    """First run: no settings file yet."""
    return not paths.settings_file.exists()


def default_photo_folder() -> str | None:
    """The system Pictures folder, if it exists."""
    return pictures_folder()


def _installed(spec: ModelSpec, models_dir: Path) -> bool:
    from photoclip.core.weights import weights_path

    return spec.random_init or weights_path(spec, models_dir) is not None


class FoldersPage(QWizardPage):
    def __init__(self, folders: list[str]) -> None:
        super().__init__()
        self.setTitle(tr("Welcome to photoclip"))
        self.setSubTitle(tr("Choose the folders that hold your photos."))
        # the long text wraps in the page (a wizard's subtitle is cut off at its width)
        self.intro = QLabel(tr(
            "photoclip finds your photos by what is in them: type \u201cdog on a beach\u201d and "
            "see them. Your folders are only read, never changed, and everything stays on this "
            "computer."
        ))
        self.intro.setWordWrap(True)
        self.folder_list = QListWidget()
        self.folder_list.addItems(folders)
        self.add_button = QPushButton(tr("Add folder\u2026"))
        self.remove_button = QPushButton(tr("Remove"))
        self.add_button.clicked.connect(self.add_folder)
        self.remove_button.clicked.connect(self.remove_selected)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.folder_list)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)
        self.folder_list.model().rowsInserted.connect(self._changed)
        self.folder_list.model().rowsRemoved.connect(self._changed)
        self._changed()

    def folders(self) -> list[str]:
        return [self.folder_list.item(i).text() for i in range(self.folder_list.count())]

    @Slot()
    def add_folder(self) -> None:
        folder = choose_photo_folder(self)
        if folder:
            self.add_path(folder)

    def add_path(self, folder: str) -> None:
        path = str(Path(folder).expanduser().resolve())
        if path not in self.folders():
            self.folder_list.addItem(path)

    @Slot()
    def remove_selected(self) -> None:
        for item in self.folder_list.selectedItems():
            self.folder_list.takeItem(self.folder_list.row(item))

    @Slot()
    def _changed(self) -> None:
        self.remove_button.setEnabled(self.folder_list.count() > 0)
        self.hint.setText(
            "" if self.folder_list.count()
            else tr("No folder yet: add one now, or later from Settings.")
        )


class ModelPage(QWizardPage):
    def __init__(self, models: dict[str, ModelSpec], current: str, models_dir: Path) -> None:
        super().__init__()
        self.setTitle(tr("Choose how photoclip understands photos"))
        self.setSubTitle(tr(
            "A model is downloaded once; after that photoclip works offline. "
            "You can change it later in Settings."
        ))
        self.models = models
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        layout = QVBoxLayout(self)
        choices = [(role, key) for role, key in MODEL_CHOICES if key in models]
        choices += [(N_("Your model"), k) for k, s in models.items() if s.key not in CATALOGUE]
        for role, key in choices:
            spec = models[key]
            size = tr("installed") if _installed(spec, models_dir) else (
                tr("{mb} MB download").format(mb=f"{spec.download_mb:.0f}") if spec.download_mb
                else tr("download"))
            button = QRadioButton(tr("{role}: {model} ({size})").format(
                role=tr(role), model=key, size=size))
            note = display_text(tr(spec.description, "model"))
            missing = missing_requirements(spec)
            if parts_note(spec):  # what it lacks here; a two-part model's parts
                note += "\n" + parts_note(spec)
            if missing:
                button.setEnabled(False)
            button.setToolTip(note)
            detail = QLabel(note)
            detail.setWordWrap(True)
            detail.setIndent(24)
            detail.setEnabled(not missing)
            self.group.addButton(button)
            self.buttons[key] = button
            layout.addWidget(button)
            layout.addWidget(detail)
        pick = current if current in self.buttons and self.buttons[current].isEnabled() else None
        pick = pick or next((k for k, b in self.buttons.items() if b.isEnabled()), None)
        if pick:
            self.buttons[pick].setChecked(True)
        layout.addSpacing(12)
        self.use_file = QCheckBox(tr("Use a weights file I already have (offline install)"))
        self.weights_edit = QLineEdit()
        self.weights_edit.setPlaceholderText(
            tr("open_clip_model.safetensors or .bin for this model"))
        self.browse_button = QPushButton(tr("Browse\u2026"))
        self.browse_button.clicked.connect(self._browse)
        self.parts_button = QPushButton(tr("Folder\u2026"))  # offline: a folder of the parts
        self.parts_button.setToolTip(tr("A folder holding the model's weights and text tower"))
        self.parts_button.clicked.connect(self._browse_parts)
        row = QHBoxLayout()
        row.addWidget(self.weights_edit, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.parts_button)
        self.file_hint = QLabel()
        self.file_hint.setWordWrap(True)
        layout.addWidget(self.use_file)
        layout.addLayout(row)
        layout.addWidget(self.file_hint)
        layout.addStretch(1)
        self.use_file.toggled.connect(self._toggled)
        self.weights_edit.textChanged.connect(lambda _: self.completeChanged.emit())
        self.group.buttonToggled.connect(lambda *_: self.completeChanged.emit())
        self._toggled(False)

    def selected_key(self) -> str | None:
        return next((k for k, b in self.buttons.items() if b.isChecked()), None)

    def weights_file(self) -> str:
        return self.weights_edit.text().strip() if self.use_file.isChecked() else ""

    def isComplete(self) -> bool:
        if self.selected_key() is None:
            return False
        path = self.weights_file()
        ok = not self.use_file.isChecked() or source_exists(path)  # a file, folder or archive
        self.file_hint.setText(
            "" if ok or not path else tr("That file does not exist.")
        )
        return ok

    @Slot(bool)
    def _toggled(self, on: bool) -> None:
        self.weights_edit.setEnabled(on)
        self.browse_button.setEnabled(on)
        self.parts_button.setEnabled(on)
        self.completeChanged.emit()

    @Slot()
    def _browse(self) -> None:
        path = choose_weights_file(self)
        if path:
            self.weights_edit.setText(path)

    @Slot()
    def _browse_parts(self) -> None:
        path = choose_parts_folder(self)
        if path:
            self.weights_edit.setText(path)


class DownloadPage(QWizardPage):
    """Downloads the chosen model on a work lane of its own, showing progress."""

    def __init__(self, models_dir: Path, download: DownloadFn | None = None) -> None:
        super().__init__()
        self.setTitle(tr("Getting the model"))
        self.models_dir = models_dir
        self.downloads = ModelDownload(download=download, name="photoclip-welcome-download",
                                       parent=self)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.retry_button = QPushButton(tr("Try again"))
        self.retry_button.clicked.connect(self.start)
        self.retry_button.hide()
        self.choose_button = QPushButton(tr("Choose a weights file\u2026"))
        self.choose_button.clicked.connect(self._choose_file)
        self.choose_button.hide()
        self.link = QLabel()  # where to download the weights by hand: a link that opens
        self.link.setTextFormat(Qt.TextFormat.RichText)
        self.link.setOpenExternalLinks(True)
        self.link.setWordWrap(True)
        self.link.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.choose_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        layout.addWidget(self.link)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.spec: ModelSpec | None = None
        self.weights = ""
        self.state = "idle"  # idle | downloading | done | failed | skipped
        self.error = ""
        self.downloads.progress.connect(self._on_progress)

    def initializePage(self) -> None:
        wizard = self.wizard()
        assert isinstance(wizard, WelcomeDialog)
        self.spec = wizard.models[wizard.model_page.selected_key() or DEFAULT_MODEL_KEY]
        self.weights = wizard.model_page.weights_file()
        self.start()

    def isComplete(self) -> bool:
        return self.state in ("done", "failed", "skipped")

    def _set_state(self, state: str) -> None:
        self.state = state
        failed = state == "failed"
        self.retry_button.setVisible(failed)
        self.choose_button.setVisible(failed)
        self.link.setVisible(failed and bool(self.link.text()))
        self.progress.setVisible(not failed)  # no bar stuck at 0%
        self.completeChanged.emit()

    @Slot()
    def _choose_file(self) -> None:
        path = choose_weights_file(self)
        if path:
            self.use_weights_file(path)

    def use_weights_file(self, path: str) -> None:
        """Use a weights file the user has instead of downloading (it is checked on Finish)."""
        wizard = self.wizard()
        if isinstance(wizard, WelcomeDialog):
            wizard.model_page.use_file.setChecked(True)
            wizard.model_page.weights_edit.setText(path)
        self.weights = path
        self.start()

    @Slot()
    def start(self) -> None:
        spec = self.spec
        if spec is None or self.state == "downloading":
            return
        if self.weights:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.status.setText(tr(
                "photoclip will use {model} with your weights file {file}. "
                "Nothing needs downloading. Press Finish to start."
            ).format(model=spec.key, file=self.weights))
            self._set_state("skipped")
            return
        if _installed(spec, self.models_dir):
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.status.setText(
                tr("{model} is already installed. Press Finish to start.").format(model=spec.key))
            self._set_state("done")
            return
        size = f" ({spec.download_mb:.0f} MB)" if spec.download_mb else ""
        self.status.setText(tr("Downloading {model}{size}\u2026 This happens only once.").format(
            model=spec.key, size=size))
        self.progress.setRange(0, 0)  # busy until the first bytes tell the size
        self.error = ""
        self._set_state("downloading")
        self.downloads.start(spec, self.models_dir, lambda _spec, path: self._on_done(str(path)),
                             self._on_failed)

    @Slot(int, int)
    def _on_progress(self, done: int, total: int) -> None:
        if total <= 0:
            return
        # QProgressBar holds ints: count in KiB so files over 2 GiB fit
        self.progress.setRange(0, max(1, total // 1024))
        self.progress.setValue(done // 1024)
        self.progress.setFormat(tr("{done} of {total} MB").format(
            done=f"{done / 1e6:.0f}", total=f"{total / 1e6:.0f}") + " (%p%)")

    @Slot(str)
    def _on_done(self, path: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.progress.setFormat("%p%")
        self.status.setText(tr("The model is ready. Press Finish to start."))
        log.info("Model downloaded to %s", path)
        self._set_state("done")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.error = message
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status.setText(message + "\n\n" + tr(
            "Or press Finish: your photos can be browsed by folder and date now, and searching "
            "starts once the model is there."
        ))
        url = self.spec.download_url() if self.spec is not None else None
        self.link.setText(
            tr("The weights file for {model}:").format(model=self.spec.key)
            + f' <a href="{url}">{url}</a>'
            if url and self.spec is not None else ""
        )
        self._set_state("failed")


class WelcomeDialog(QWizard):
    """First-run setup. On Finish, ``settings`` gets the folders, model and weights file."""

    def __init__(
        self,
        paths: AppPaths,
        settings: Settings,
        *,
        save: Callable[[Settings], None] | None = None,
        download: DownloadFn | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Welcome to photoclip"))
        self.setObjectName("welcome")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setMinimumSize(640, 520)
        self.paths = paths
        self.settings = settings
        self._save = save or (lambda s: s.save(paths.settings_file))
        self.models = available_models(paths.config / "models")
        folders = list(settings.folders)
        if not folders and (pictures := default_photo_folder()):
            folders = [pictures]
        self.folders_page = FoldersPage(folders)
        self.model_page = ModelPage(
            self.models, settings.model or DEFAULT_MODEL_KEY, paths.models_dir
        )
        self.download_page = DownloadPage(paths.models_dir, download)
        for page in (self.folders_page, self.model_page, self.download_page):
            self.addPage(page)

    def accept(self) -> None:
        s = self.settings
        s.folders = self.folders_page.folders()
        s.model = self.model_page.selected_key() or DEFAULT_MODEL_KEY
        weights = self.model_page.weights_file()
        s.weights_file = str(Path(weights).expanduser().resolve()) if weights else ""
        try:
            self._save(s)
        except OSError as exc:
            self.download_page.status.setText(
                tr("Cannot save the settings: {error}").format(error=exc))
            return
        log.info("First-run setup: folders %s, model %s", s.folders, s.model)
        super().accept()

    def done(self, result: int) -> None:
        self.download_page.downloads.stop()  # its lane ends (after a download in flight)
        super().done(result)

    @property
    def model_ready(self) -> bool:
        """Whether the chosen model can be used now (downloaded, installed or a local file)."""
        return self.download_page.state in ("done", "skipped")


def open_welcome(window: MainWindow) -> WelcomeDialog | None:
    """Open the wizard over the main window (``window.backend``); Finish applies the choices
    through the backend, Cancel leaves the window's welcome banner."""
    backend = window.backend
    settings = backend.settings_copy()
    if settings is None or backend.library is None:
        window.welcome_banner()
        return None
    dialog = WelcomeDialog(backend.library.paths, settings, save=lambda s: None, parent=window)

    def finished(code: int) -> None:
        if code:
            backend.apply_setup(settings.folders, settings.model, settings.weights_file or None)
        else:
            window.welcome_banner()

    dialog.finished.connect(finished)
    dialog.open()
    return dialog
