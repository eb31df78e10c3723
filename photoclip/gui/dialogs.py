"""The file dialogs the GUI asks in several places, written once: a model's weights file and a
photo folder (starting in the system Pictures folder)."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QFileDialog, QWidget

from photoclip.core.scanner import pictures_folder
from photoclip.gui.i18n import N_, tr

WEIGHTS_TITLE = N_("Choose the model's weights file")
WEIGHTS_FILTER = N_("Model weights, or an archive of a model's parts (*.safetensors *.bin *.pt "
                    "*.pth *.zip *.tar *.tar.gz *.tgz);;All files (*)")
FOLDER_TITLE = N_("Add a photo folder")
PARTS_TITLE = N_("Choose a folder holding the model's weights and text tower")


def pictures_or_home() -> str:
    """The system's Pictures folder, or the home folder where there is none."""
    return pictures_folder() or os.path.expanduser("~")


def choose_weights_file(parent: QWidget | None) -> str | None:
    """Ask for a weights file (starting in the home folder); None when cancelled."""
    path, _ = QFileDialog.getOpenFileName(
        parent, tr(WEIGHTS_TITLE), os.path.expanduser("~"), tr(WEIGHTS_FILTER)
    )
    return path or None


def choose_parts_folder(parent: QWidget | None) -> str | None:
    """Ask for a folder of a model's parts (offline installs; starting in the home folder);
    None when cancelled."""
    folder = QFileDialog.getExistingDirectory(parent, tr(PARTS_TITLE), os.path.expanduser("~"))
    return folder or None


def choose_photo_folder(parent: QWidget | None) -> str | None:
    """Ask for a photo folder (starting in the Pictures folder); None when cancelled."""
    folder = QFileDialog.getExistingDirectory(parent, tr(FOLDER_TITLE), pictures_or_home())
    return folder or None
