"""Entry point of the PyInstaller bundle: one program, two executables.

``photoclip-gui`` (``photoclip-gui.exe``, windowed) starts the desktop app; ``photoclip``
(a console executable) is the command line, as is ``photoclip-gui --cli ARGS`` (for the macOS
.app, whose one main executable is the GUI). Both share every library in the bundle.

``PHOTOCLIP_SMOKE_REPORT=<file>`` (used by smoke-test.sh, never by users): once the GUI's event
loop runs with its window shown, write a JSON report (the time, the visible windows) to that file
and quit after ``PHOTOCLIP_SMOKE_QUIT_MS`` (default 3000) milliseconds.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path


def _cli(argv: list[str]) -> int:
    from photoclip.cli.main import main

    return main(argv)


def _install_smoke_hook(report: str) -> None:
    """Wrap QApplication.exec: report when the loop has started with the window up, then quit."""
    import json

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    original = QApplication.exec
    quit_ms = int(os.environ.get("PHOTOCLIP_SMOKE_QUIT_MS", "3000"))

    def exec_and_report(app: QApplication) -> int:
        def shown() -> None:
            windows = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
            data = {
                "shown_at": time.time(),
                "windows": [{"class": type(w).__name__, "title": w.windowTitle(),
                             "width": w.width(), "height": w.height()} for w in windows],
                "platform": QApplication.platformName(),
            }
            Path(report).write_text(json.dumps(data, indent=2), encoding="utf-8")
            QTimer.singleShot(quit_ms, app.quit)

        QTimer.singleShot(0, shown)
        return original()  # a static method in Qt

    QApplication.exec = exec_and_report  # type: ignore[method-assign]


def _gui(argv: list[str]) -> int:
    report = os.environ.get("PHOTOCLIP_SMOKE_REPORT")
    if report:
        _install_smoke_hook(report)
    from photoclip.gui.app import main

    return main([sys.argv[0], *argv])


def main() -> int:
    multiprocessing.freeze_support()  # the optional decode process pool re-runs this executable
    argv = sys.argv[1:]
    if argv[:1] == ["--cli"]:
        return _cli(argv[1:])
    if Path(sys.executable).stem.lower() == "photoclip":
        return _cli(argv)
    return _gui(argv)


if __name__ == "__main__":
    sys.exit(main())
