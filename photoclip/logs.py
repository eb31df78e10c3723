"""Logging for the CLI and the GUI: a rotating file in the log folder, and optionally stderr.

    setup_logging(app_paths(), logging.INFO, console=False, filename="gui.log")

The file (``AppPaths.logs_dir``, 1 MB, the 5 previous files kept as ``.1`` .. ``.5``) is what a
user attaches to a bug report. Each program writes its own file (``cli.log``, ``gui.log``):
a RotatingFileHandler is not safe to share between processes. Calling ``setup_logging`` again
replaces the handlers it added before (tests, or a level changed in the settings) and leaves
others alone. If the log folder cannot be written, logging goes on without the file. Qt-free.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

from photoclip.config import AppPaths

MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FILE_FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"
CONSOLE_FORMAT = "%(levelname)s %(name)s: %(message)s"
# Libraries that are chatty at INFO; they log at WARNING and above whatever the level.
NOISY = ("chromadb", "httpx", "httpcore", "urllib3", "huggingface_hub", "PIL", "watchdog")

_MARK = "_photoclip_handler"


def setup_logging(
    paths: AppPaths,
    level: int = logging.INFO,
    *,
    console: bool,
    console_level: int | None = None,
    filename: str = "photoclip.log",
) -> Path | None:
    """Log ``level`` and above to ``<logs_dir>/<filename>`` (rotating), and to stderr when
    ``console`` (at ``console_level``, by default ``level``). Returns the log file, or None
    when it could not be opened."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(handler)
        handler.close()

    levels = [level]
    log_file: Path | None = paths.logs_dir / filename
    try:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as exc:
        file_handler = None
        problem = f"cannot write the log file {log_file}: {exc}"
        log_file = None
    else:
        problem = ""
        file_handler.setLevel(level)
        file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
        _add(root, file_handler)

    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setLevel(level if console_level is None else console_level)
        stream.setFormatter(logging.Formatter(CONSOLE_FORMAT))
        _add(root, stream)
        levels.append(stream.level)

    root.setLevel(min(levels))
    for name in NOISY:
        logging.getLogger(name).setLevel(max(min(levels), logging.WARNING))
    if problem:
        logging.getLogger(__name__).warning("%s", problem)
    return log_file


def _add(root: logging.Logger, handler: logging.Handler) -> None:
    setattr(handler, _MARK, True)
    root.addHandler(handler)
