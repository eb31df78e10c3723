"""SingleInstance: one primary per key, second launches notify it, crashes leave no lock-out."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QWidget

from photoclip.gui.single_instance import (
    SingleInstance,
    bring_to_front,
    instance_key,
)

REPO = Path(__file__).resolve().parents[2]

_CHILD = """
import os, sys, time
sys.path.insert(0, sys.argv[1])
from PySide6.QtCore import QCoreApplication
from photoclip.gui.single_instance import SingleInstance
app = QCoreApplication([])
inst = SingleInstance(sys.argv[2])
mode = sys.argv[3]
if mode == "second":
    primary = inst.is_primary()
    sent = False if primary else inst.notify_primary()
    print(f"primary={primary} sent={sent}", flush=True)
else:  # "crash": become primary, then die without cleaning up
    print(f"primary={inst.is_primary()}", flush=True)
    os.kill(os.getpid(), 9)
"""


@pytest.fixture()
def key() -> str:
    return f"photoclip-test-{uuid.uuid4().hex[:12]}"


def _child(key: str, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(REPO), key, mode],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )


def test_second_instance_activates_the_first(qtbot, key: str) -> None:
    first = SingleInstance(key)
    try:
        assert first.is_primary()
        assert first.is_primary()  # asking again changes nothing
        second = SingleInstance(key)
        assert not second.is_primary()
        with qtbot.waitSignal(first.activated, timeout=3000):
            assert second.notify_primary()
    finally:
        first.close()


def test_second_process_activates_the_first(qtbot, key: str) -> None:
    first = SingleInstance(key)
    try:
        assert first.is_primary()
        with qtbot.waitSignal(first.activated, timeout=10000):
            proc = _child(key, "second")
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "primary=False sent=True" in out
    finally:
        first.close()


def test_keys_are_independent_and_closing_hands_over(key: str) -> None:
    a, b = SingleInstance(key), SingleInstance(key + "-other")
    assert a.is_primary() and b.is_primary()
    a.close()
    b.close()
    c = SingleInstance(key)
    assert c.is_primary()
    c.close()


def test_no_primary_means_notify_fails_quickly(key: str) -> None:
    import time

    t = time.monotonic()
    assert not SingleInstance(key).notify_primary(timeout_ms=300)
    assert time.monotonic() - t < 2


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL and Unix sockets")
def test_a_crashed_primary_leaves_nothing_in_the_way(qtbot, key: str) -> None:
    proc = _child(key, "crash")
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, err
    assert "primary=True" in out
    assert (Path(tempfile.gettempdir()) / f"{key}.lock").exists()  # left behind by the crash
    socket_file = Path(tempfile.gettempdir()) / key
    assert socket_file.exists()  # and its socket too
    inst = SingleInstance(key)
    try:
        assert inst.is_primary()
        with qtbot.waitSignal(inst.activated, timeout=3000):
            assert SingleInstance(key).notify_primary()
    finally:
        inst.close()


def test_instance_key_is_per_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = instance_key(tmp_path / "a"), instance_key(tmp_path / "b")
    assert a != b and a == instance_key(tmp_path / "a")
    assert len(a) < 40 and a.startswith("photoclip-")
    monkeypatch.setenv("PHOTOCLIP_HOME", str(tmp_path / "a"))
    assert instance_key() == a


def test_bring_to_front_shows_a_minimised_window(qtbot) -> None:
    w = QWidget()
    qtbot.addWidget(w)
    w.showMinimized()
    bring_to_front(w)
    assert w.isVisible() and not w.isMinimized()
