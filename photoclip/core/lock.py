"""One process owns a library at a time (Chroma's persistent store is not multi-process safe).

The lock is an OS file lock (fcntl/msvcrt) on ``library.lock``: the OS releases it when the owning
process dies, even by kill -9, so a stale lock from a crashed process never blocks anyone.

Who holds it (pid and program name, for the message a second process shows) is written to a
separate file, ``library.owner``, after the lock is taken, never into ``library.lock``: Windows'
``msvcrt.locking`` is a mandatory byte-range lock, so another process could not read the locked
file. The owner file is only ever read while the lock is held by someone else, and a name whose
pid no longer runs (left by a process killed before it released the lock) is not believed.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

POLL_S = 0.1  # how often a waiting process tries the lock again
LOCK_WAIT_S = 10.0  # how long a process waits for a short-lived holder (PHOTOCLIP_LOCK_WAIT)


class LibraryLockedError(Exception):
    """Another running photoclip process owns this library."""


def lock_wait() -> float:
    """Seconds a process that wants the library waits for another one to finish with it (a
    `photoclip search` opening it alone as `photoclip watch` starts, or an owner starting):
    ``PHOTOCLIP_LOCK_WAIT`` or 10."""
    try:
        return max(0.0, float(os.environ.get("PHOTOCLIP_LOCK_WAIT", LOCK_WAIT_S)))
    except ValueError:
        return LOCK_WAIT_S


def is_held(folder: Path) -> bool:
    """Whether another process holds ``folder``'s lock now (a probe: it takes the lock and
    lets it go at once, writing nothing)."""
    path = folder / "library.lock"
    if not path.exists():
        return False
    try:
        f = open(path, "a+b")  # noqa: SIM115 - closed below
    except OSError:
        return False
    try:
        _lock_file(f)
    except OSError:
        return True
    else:
        _unlock_file(f)
        return False
    finally:
        f.close()


class LibraryLock:
    """An exclusive, non-blocking lock on a library folder."""

    def __init__(self, folder: Path, owner: str = "photoclip") -> None:
        self.path = folder / "library.lock"
        self.owner_path = folder / "library.owner"
        self.owner = owner
        self._file: IO[bytes] | None = None

    def acquire(self, wait: float = 0.0, waiting: Callable[[str], None] | None = None) -> None:
        """Take the lock; while another process holds it, try again for up to ``wait`` s
        (a short-lived command finishing), calling ``waiting(holder)`` once; then
        LibraryLockedError."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait
        said = False
        while True:
            f = open(self.path, "a+b")  # noqa: SIM115 - held for the lock's life
            try:
                _lock_file(f)
                break
            except OSError:
                f.close()
            if time.monotonic() >= deadline:
                raise LibraryLockedError(
                    f"This photo library is in use by another photoclip process "
                    f"({self.holder()}). Close it first, or stop `photoclip watch`, then try "
                    "again."
                ) from None
            if waiting is not None and not said:
                said = True
                waiting(self.holder())
            time.sleep(POLL_S)
        self._file = f
        with contextlib.suppress(OSError):  # the lock is what matters; the name is for messages
            _write_atomically(
                self.owner_path, json.dumps({"pid": os.getpid(), "owner": self.owner})
            )

    def holder(self) -> str:
        """Who holds the lock, as the owner file says ("unknown process" when it is missing,
        unreadable or names a process that no longer runs)."""
        try:
            info = json.loads(self.owner_path.read_text(encoding="utf-8"))
            pid = int(info["pid"])
            owner = str(info.get("owner", "photoclip"))
        except (OSError, ValueError, KeyError, TypeError):
            return "unknown process"
        if not _running(pid):
            return "unknown process"
        return f"{owner}, pid {pid}"

    def release(self) -> None:
        if self._file is not None:
            try:
                with contextlib.suppress(OSError):
                    if self._owner_is_me():
                        self.owner_path.unlink()
                _unlock_file(self._file)
            finally:
                self._file.close()
                self._file = None

    def _owner_is_me(self) -> bool:
        try:
            return json.loads(self.owner_path.read_text(encoding="utf-8")).get("pid") == os.getpid()
        except (OSError, ValueError, AttributeError):
            return False

    def __enter__(self) -> LibraryLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(f: IO[bytes]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(f: IO[bytes]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)

    def _running(pid: int) -> bool:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        try:
            ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
            return bool(ok) and code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)

else:
    import fcntl

    def _lock_file(f: IO[bytes]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(f: IO[bytes]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)

    def _running(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # it runs, as another user
            return True
        return True
