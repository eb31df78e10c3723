"""Show a photo in the system's file manager, with the file selected where the platform allows.

macOS: ``open -R``; Windows: ``explorer /select,``; Linux and other freedesktop systems: the
``org.freedesktop.FileManager1.ShowItems`` D-Bus call (Nautilus, Dolphin, Nemo, Caja, Thunar and
others implement it), made with ``gdbus`` in a QProcess so the GUI thread never waits for the
bus. Where that fails (no session bus, no such file manager, no gdbus) the folder is opened.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

from PySide6.QtCore import QObject, QProcess, QUrl
from PySide6.QtGui import QDesktopServices

FILE_MANAGER = "org.freedesktop.FileManager1"
_running: set[QProcess] = set()  # alive until they finish, whatever their parent


def show_items_arguments(path: str) -> list[str]:
    """``gdbus`` arguments asking the desktop's file manager to show ``path`` selected. The URI
    is fully percent-encoded, so it can sit inside the GVariant string literal as it is."""
    uri = "file://" + quote(os.path.abspath(path), safe="/")  # quotes, commas, spaces too
    return [
        "call", "--session", "--dest", FILE_MANAGER,
        "--object-path", "/" + FILE_MANAGER.replace(".", "/"),
        "--method", f"{FILE_MANAGER}.ShowItems", f"['{uri}']", "",
    ]


def reveal_in_file_manager(path: str, parent: QObject | None = None) -> None:
    """Open the file manager at ``path``'s folder with the file selected (never blocks)."""
    if sys.platform == "darwin":
        subprocess.Popen(["open", "-R", path])
    elif sys.platform == "win32":
        subprocess.Popen(["explorer", "/select,", os.path.normpath(path)])
    else:
        _show_items(path, parent)


def _open_folder(path: str) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(os.path.dirname(os.path.abspath(path))))


def _show_items(path: str, parent: QObject | None) -> None:
    proc = QProcess(parent)
    handled = False

    def done(ok: bool) -> None:
        nonlocal handled
        if handled:  # errorOccurred and finished can both arrive
            return
        handled = True
        if not ok:
            _open_folder(path)
        _running.discard(proc)
        proc.deleteLater()

    proc.finished.connect(lambda code, status: done(
        code == 0 and status == QProcess.ExitStatus.NormalExit))
    proc.errorOccurred.connect(lambda _error: done(False))
    _running.add(proc)
    proc.start("gdbus", show_items_arguments(path))
