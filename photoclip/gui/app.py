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


def create_window(backend: Backend | None = None) -> MainWindow:
    """The main window (shown by the caller; it opens the library once the event loop runs)."""
    window = MainWindow(backend or Backend())
    QTimer.singleShot(0, window.start)
    return window


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = QApplication(list(argv if argv is not None else sys.argv))
    app.setApplicationName("photoclip")
    app.setOrganizationName("photoclip")
    app.setDesktopFileName("photoclip")
    from photoclip.gui.single_instance import SingleInstance, bring_to_front, instance_key

    instance = SingleInstance(instance_key())
    if not instance.is_primary():
        log.info("photoclip is already running: bringing it forward")
        instance.notify_primary()
        return 0
    window = create_window()
    window.show()
    instance.activated.connect(lambda: bring_to_front(window))
    code = app.exec()
    instance.close()
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
