"""How often a polled folder is looked at: 30 s, or PHOTOCLIP_POLL_SECONDS."""

from __future__ import annotations

from pathlib import Path

import pytest

from photoclip.core.watcher import POLL_SECONDS, FolderWatcher, poll_seconds


def test_the_environment_sets_the_polling_interval(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PHOTOCLIP_POLL_SECONDS", raising=False)
    assert poll_seconds() == POLL_SECONDS == 30.0
    for bad in ("0", "-1", "nan", "inf", "soon", ""):
        monkeypatch.setenv("PHOTOCLIP_POLL_SECONDS", bad)
        assert poll_seconds() == POLL_SECONDS, bad
    monkeypatch.setenv("PHOTOCLIP_POLL_SECONDS", "0.5")
    assert poll_seconds() == 0.5
    assert FolderWatcher(lambda changed, deleted: None, poll_interval=2.0).poll_interval == 2.0
    watcher = FolderWatcher(lambda changed, deleted: None, polling=True)
    watcher.start([str(tmp_path)])
    try:  # the real polling observer looks every 0.5 s
        assert watcher.modes == {str(tmp_path): "polling"}
        assert watcher._polling is not None and watcher._polling.timeout == 0.5
    finally:
        watcher.stop()
