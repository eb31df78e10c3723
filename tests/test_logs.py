"""photoclip.logs: the rotating log file the CLI and the GUI write."""

from __future__ import annotations

import logging
import logging.handlers
import os
import subprocess
import sys
from pathlib import Path

import pytest

from photoclip import logs
from photoclip.config import AppPaths

pytestmark = pytest.mark.usefixtures("restore_logging")


def _ours() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, logs._MARK, False)]


def test_writes_the_log_file(photoclip_home: AppPaths) -> None:
    path = logs.setup_logging(photoclip_home, logging.INFO, console=False, filename="gui.log")
    assert path == photoclip_home.logs_dir / "gui.log"
    logging.getLogger("photoclip.test").info("hello %s", "log")
    logging.getLogger("photoclip.test").debug("not at INFO")
    logging.getLogger("chromadb.x").info("noisy library")
    for h in _ours():
        h.flush()
    text = path.read_text(encoding="utf-8")
    assert "INFO photoclip.test: hello log" in text
    assert "not at INFO" not in text and "noisy library" not in text
    [handler] = _ours()
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes == logs.MAX_BYTES and handler.backupCount == logs.BACKUP_COUNT


def test_rotates(photoclip_home: AppPaths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    path = logs.setup_logging(photoclip_home, logging.INFO, console=False)
    for i in range(400):
        logging.getLogger("photoclip.test").info("line %d %s", i, "x" * 40)
    files = sorted(p.name for p in photoclip_home.logs_dir.iterdir())
    assert files == ["photoclip.log", *(f"photoclip.log.{n}" for n in range(1, 6))]
    assert all(p.stat().st_size <= 2000 for p in photoclip_home.logs_dir.iterdir())
    assert "line 399" in path.read_text(encoding="utf-8")


def test_console_and_idempotent(
    photoclip_home: AppPaths, capsys: pytest.CaptureFixture
) -> None:
    logs.setup_logging(photoclip_home, logging.INFO, console=True, console_level=logging.WARNING)
    logs.setup_logging(photoclip_home, logging.INFO, console=True, console_level=logging.WARNING)
    assert len(_ours()) == 2  # one file, one stderr handler: no duplicates
    logging.getLogger("photoclip.test").info("file only")
    logging.getLogger("photoclip.test").warning("both")
    err = capsys.readouterr().err
    assert "WARNING photoclip.test: both" in err and "file only" not in err
    assert logging.getLogger().level == logging.INFO


def test_unwritable_log_dir_is_not_fatal(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be")
    paths = AppPaths(data=blocker, config=tmp_path / "config", cache=tmp_path / "cache")
    assert logs.setup_logging(paths, logging.INFO, console=True) is None
    assert "cannot write the log file" in capsys.readouterr().err


def test_cli_writes_cli_log(photoclip_home: AppPaths) -> None:
    env = {**os.environ, "PHOTOCLIP_HOME": str(photoclip_home.data.parent)}
    proc = subprocess.run([sys.executable, "-m", "photoclip", "desktop", "status"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (photoclip_home.logs_dir / "cli.log").is_file()
