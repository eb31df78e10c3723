"""``photoclip-gui``: show the window at once, then open the library in the background."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from photoclip.gui.backend import Backend
from photoclip.gui.main_window import MainWindow

log = logging.getLogger(__name__)


# The GUI thread takes the GIL back for every Python call Qt makes (each delegate paint, each
# timer): while a worker thread runs Python code (importing torch, the decode pipeline), every such
# call waits up to the switch interval, 5 ms by default, and a repaint of 50 thumbnails stalled for
# hundreds of ms. 1 ms keeps the GUI thread's waits short (measured: bench/gui.py, docs/bench).
GUI_SWITCH_INTERVAL = 0.001


def create_window(backend: Backend | None = None) -> MainWindow:
    """The main window (shown by the caller; it opens the library once the event loop runs)."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)
    window = MainWindow(backend or Backend())
    QTimer.singleShot(0, window.start)
    return window


def _language_setting() -> str:
    """The ``language`` setting ("" when the settings cannot be read: the system's)."""
    from photoclip.config import Settings, SettingsError, app_paths

    try:
        return Settings.load(app_paths().settings_file).language
    except SettingsError:
        return ""


def main(argv: Sequence[str] | None = None) -> int:
    from photoclip.config import app_paths
    from photoclip.logs import setup_logging

    setup_logging(app_paths(), logging.INFO, console=sys.stderr is not None, filename="gui.log")
    from photoclip.gui.platform_check import check_xcb

    problem = check_xcb()  # Qt would abort naming no package
    if problem:
        log.error("%s", problem)  # on stderr too (the console handler)
        return 1
    app = QApplication(list(argv if argv is not None else sys.argv))
    app.setApplicationName("photoclip")
    app.setOrganizationName("photoclip")
    app.setDesktopFileName("io.github.photoclip.Photoclip")  # the .desktop entry (Wayland)
    from photoclip.gui.i18n import font_problem, install_language

    language = install_language(app, _language_setting())
    from photoclip.gui.single_instance import SingleInstance, bring_to_front, instance_key

    instance = SingleInstance(instance_key())
    if not instance.is_primary():
        log.info("photoclip is already running: bringing it forward")
        instance.notify_primary()
        return 0
    window = create_window()
    window.show()
    if font_problem(language):  # Chinese with no Chinese font: boxes; say so (in English)
        window.banner.show_message(font_problem(language) or "", "font")
    instance.activated.connect(lambda: bring_to_front(window))
    code = app.exec()
    instance.close()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
