"""The library lock, with real processes holding it (issue 14, item 27).

Windows' msvcrt lock is mandatory: nothing may be read from ``library.lock`` by a second process,
so the holder's name lives in ``library.owner``. These tests check that logic on Linux."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from photoclip.core.lock import LibraryLock, LibraryLockedError

_HOLD = """
import sys, time
from pathlib import Path
from photoclip.core.lock import LibraryLock
lock = LibraryLock(Path(sys.argv[1]), owner=sys.argv[2])
lock.acquire()
print("locked", flush=True)
sys.stdin.readline()
lock.release()
"""

_RAW_FLOCK = """
import fcntl, sys
f = open(sys.argv[1], "a+b")
fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
print("locked", flush=True)
sys.stdin.readline()
"""


def _start(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def test_holder_is_named_from_a_file_the_lock_does_not_cover(tmp_path: Path) -> None:
    holder = _start(_HOLD, str(tmp_path), "photoclip watch")
    try:
        # the locked file holds nothing a second process would have to read
        assert (tmp_path / "library.lock").read_bytes() == b""
        owner = json.loads((tmp_path / "library.owner").read_text(encoding="utf-8"))
        assert owner == {"pid": holder.pid, "owner": "photoclip watch"}
        with pytest.raises(LibraryLockedError,
                           match=rf"\(photoclip watch, pid {holder.pid}\)"):
            LibraryLock(tmp_path).acquire()
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait()
    assert holder.returncode == 0
    assert not (tmp_path / "library.owner").exists()  # a clean release removes the name
    with LibraryLock(tmp_path):
        pass


def test_kill_9_leaves_an_owner_file_that_neither_blocks_nor_misleads(tmp_path: Path) -> None:
    holder = _start(_HOLD, str(tmp_path), "photoclip gui")
    dead = holder.pid
    os.kill(dead, signal.SIGKILL)
    holder.wait()
    assert json.loads((tmp_path / "library.owner").read_text())["pid"] == dead  # stale
    # the stale name does not block: the OS dropped the lock with the process
    with LibraryLock(tmp_path, owner="photoclip index") as lock:
        assert json.loads(lock.owner_path.read_text()) == {"pid": os.getpid(),
                                                           "owner": "photoclip index"}
    # a holder that has the lock but has not written its name yet: the dead pid is not named
    (tmp_path / "library.owner").write_text(json.dumps({"pid": dead, "owner": "photoclip gui"}))
    raw = _start(_RAW_FLOCK, str(tmp_path / "library.lock"))
    try:
        with pytest.raises(LibraryLockedError) as info:
            LibraryLock(tmp_path).acquire()
        assert "(unknown process)" in str(info.value)
        assert str(dead) not in str(info.value)
    finally:
        _stop(raw)


def test_unreadable_owner_file_gives_the_message_not_a_traceback(tmp_path: Path) -> None:
    holder = _start(_RAW_FLOCK, str(tmp_path / "library.lock"))
    try:
        (tmp_path / "library.owner").write_bytes(b"\xff\x00 not json")
        with pytest.raises(LibraryLockedError, match="unknown process"):
            LibraryLock(tmp_path).acquire()
    finally:
        _stop(holder)
