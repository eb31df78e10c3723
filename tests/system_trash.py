"""A system trash of the test's own: send2trash's freedesktop home trash pointed into tmp_path
(the real send2trash code moves the files; the user's own trash is never touched)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(name="system_trash")
def system_trash_fixture(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The trash folder (``files/`` and ``info/`` inside) send2trash uses in this test."""
    from send2trash import plat_other

    data = tmp_path / "xdg-data"
    trash = data / "Trash"
    monkeypatch.setattr(plat_other, "XDG_DATA_HOME", str(data))
    monkeypatch.setattr(plat_other, "HOMETRASH", str(trash))
    monkeypatch.setattr(plat_other, "HOMETRASH_B", os.fsencode(trash))
    return trash
