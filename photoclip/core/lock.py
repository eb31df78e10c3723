"""One process owns a library at a time (Chroma's persistent store is not multi-process safe).

The lock is an OS file lock (fcntl/msvcrt) on ``library.lock``: the OS releases it when the owning
process dies, even by kill -9, so a stale lock from a crashed process never blocks anyone. The file
also records the owner's pid and program name for the message a second process shows.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO


class LibraryLockedError(Exception):
    """Another running photoclip process owns this library."""


class LibraryLock:
    """An exclusive, non-blocking lock on a library folder."""

    def __init__(self, folder: Path, owner: str = "photoclip") -> None:
        self.path = folder / "library.lock"
        self.owner = owner
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        f = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the lock's life
        try:
            _lock_file(f)
        except OSError:
            f.seek(0)
            holder = _describe(f.read())
            f.close()
            raise LibraryLockedError(
                f"This photo library is in use by another photoclip process ({holder}). "
                "Close it first, or stop `photoclip watch`, then try again."
            ) from None
        f.seek(0)
        f.truncate()
        f.write(json.dumps({"pid": os.getpid(), "owner": self.owner}))
        f.flush()
        self._file = f

    def release(self) -> None:
        if self._file is not None:
            try:
                self._file.seek(0)
                self._file.truncate()
                _unlock_file(self._file)
            finally:
                self._file.close()
                self._file = None

    def __enter__(self) -> LibraryLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _describe(text: str) -> str:
    try:
        info = json.loads(text)
        return f"{info.get('owner', 'photoclip')}, pid {info.get('pid', '?')}"
    except (ValueError, AttributeError):
        return "unknown process"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(f: IO[str]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(f: IO[str]) -> None:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_file(f: IO[str]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(f: IO[str]) -> None:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
