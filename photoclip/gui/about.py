"""The About box: version, the model and device in use, and where photoclip keeps its files.

The caller passes the model and device it knows (e.g. from ``Library.status()`` run off the GUI
thread, or the settings before the model is loaded): nothing here loads the model or imports torch.
"""

from __future__ import annotations

import contextlib
import html
import platform
import sys

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from photoclip import __version__
from photoclip.config import AppPaths
from photoclip.gui.i18n import N_, tr

__all__ = ["AboutDialog", "about_rows", "show_about"]

def about_rows(paths: AppPaths, *, model: str, device: str) -> list[tuple[str, str]]:
    """(label, value) pairs shown in the box (labels in English, as copied for a bug report;
    the box shows them translated); folders are absolute paths."""
    return [
        (N_("Version"), __version__),
        (N_("Model"), model or tr("(none chosen yet)")),
        (N_("Device"), device or "auto"),
        (N_("Photo index (data)"), str(paths.data)),
        (N_("Settings (config)"), str(paths.config)),
        (N_("Cache (thumbnails)"), str(paths.cache)),
        (N_("Logs"), str(paths.logs_dir)),
        ("Python", f"{platform.python_version()} ({sys.platform})"),
        ("Qt", f"{qVersion()} (PySide6 {pyside_version})"),
    ]


class AboutDialog(QDialog):
    """A small, copyable summary for bug reports; folders open in the file manager."""

    def __init__(
        self, paths: AppPaths, *, model: str, device: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("About photoclip"))
        self.setObjectName("about")
        self.paths = paths
        self.label = QLabel()
        self.set_facts(model=model, device=device)
        self.label.setOpenExternalLinks(True)
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton(tr("Copy details"),
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)

    def set_facts(self, *, model: str, device: str) -> None:
        """Show (or update, once the library answers) the model and device in use."""
        self.rows = about_rows(self.paths, model=model, device=device)
        folders = {"Photo index (data)", "Settings (config)", "Cache (thumbnails)", "Logs"}
        cells = []
        for label, value in self.rows:
            text = html.escape(value)
            if label in folders:
                url = QUrl.fromLocalFile(value).toString()
                text = f'<a href="{html.escape(url)}">{text}</a>'
            cells.append(f"<tr><td><b>{html.escape(tr(label))}</b>&nbsp;&nbsp;</td><td>{text}</td></tr>")
        self.label.setText(
            "<h2>photoclip</h2><p>"
            + html.escape(tr("Find your photos by what is in them. Everything stays on this "
                             "computer."))
            + f"</p><table>{''.join(cells)}</table>"
        )

    def details(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows)

    def copy_details(self) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText(self.details())


def show_about(window: QWidget) -> AboutDialog:
    """Open the About box for the main window (uses ``window.backend``, never blocks).

    Shows the settings' model and device at once, then the device the library actually
    resolved, asked on the backend's work lane.
    """
    from photoclip.config import app_paths

    backend = getattr(window, "backend", None)
    lib = getattr(backend, "library", None)
    paths = lib.paths if lib is not None else app_paths()
    model = lib.settings.model or "vit-b-32" if lib is not None else ""
    device = lib.settings.device if lib is not None else "auto"
    dialog = AboutDialog(paths, model=model, device=device, parent=window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if lib is not None and backend is not None:

        def done(result: tuple[str, str]) -> None:
            with contextlib.suppress(RuntimeError):  # closed meanwhile
                dialog.set_facts(model=result[0], device=result[1])

        backend.runtime(done, on_error=lambda exc: None)
    dialog.open()
    return dialog
