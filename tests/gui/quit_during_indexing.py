"""Run the desktop app (offscreen) and quit it from its File menu once indexing is under way.

    python tests/gui/quit_during_indexing.py   (PHOTOCLIP_HOME set; used by test_quit.py)

Prints "quit" when it asks to quit and "exited" when the event loop is done; the process then
ends as photoclip-gui's does (interpreter exit).
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from photoclip.config import app_paths
    from photoclip.gui.app import create_window
    from photoclip.logs import setup_logging

    setup_logging(app_paths(), console=True, filename="gui.log")
    app = QApplication(sys.argv)
    window = create_window()
    window.show()
    quit_action = next(a for a in window.actions() if a.text() == "&Quit")
    asked: list[bool] = []
    after = int(os.environ.get("QUIT_AFTER_DONE", "4"))  # photos done, then ...
    delay = int(os.environ.get("QUIT_DELAY_MS", "0"))  # ... this long (a batch in flight)

    def seen(event: object) -> None:
        p = getattr(event, "progress", None)
        if not asked and p is not None and p.phase == "indexing" and p.done >= after:
            asked.append(True)
            QTimer.singleShot(delay, lambda: print("quit", flush=True))
            QTimer.singleShot(delay, quit_action.trigger)  # File > Quit, as a user would

    window.backend.service_event.connect(seen)
    code = app.exec()
    print("exited", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
