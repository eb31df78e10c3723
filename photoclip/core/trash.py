"""The system trash: files go there with send2trash (never deleted), and come back on undo.

send2trash cannot restore, so photoclip keeps its own record of each file (:class:`Trashed`):
where it was and, on Linux and other freedesktop systems, where it now lies in the trash (the
``files/`` entry and its ``.trashinfo``, found right after the move). :func:`restore` moves it
back from there and removes its ``.trashinfo``, as a file manager's "Restore" does. On macOS
and Windows the trash keeps no place photoclip can read back safely: the record says where the
file was, and restoring is done with Finder's "Put Back" or the Recycle Bin's "Restore".
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

log = logging.getLogger(__name__)

__all__ = ["TrashError", "Trashed", "can_restore", "move_to_trash", "restore"]


class TrashError(OSError):
    """A file could not be moved to the trash or back; the message says which and why."""


@dataclass(frozen=True)
class Trashed:
    """One file moved to the trash: where it was, and where it lies there (None: unknown)."""

    original: str
    in_trash: str | None = None
    info: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"original": self.original, "in_trash": self.in_trash, "info": self.info}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Trashed:
        return cls(d["original"], d.get("in_trash"), d.get("info"))


def can_restore() -> bool:
    """Whether photoclip can bring trashed files back itself (freedesktop trash)."""
    return not (sys.platform == "darwin" or os.name == "nt")


def move_to_trash(paths: Iterable[str | Path]) -> list[Trashed]:
    """Move files to the system trash, one at a time; the record of each. A file that cannot
    go raises :class:`TrashError` naming it (those moved before it stay in the trash and are
    in ``error.moved``)."""
    from send2trash import send2trash

    done: list[Trashed] = []
    for p in paths:
        path = os.path.abspath(os.fspath(p))
        try:
            send2trash(path)
        except OSError as exc:
            error = TrashError(f"cannot move {path} to the trash: {exc}")
            error.moved = done  # type: ignore[attr-defined]
            raise error from exc
        done.append(_located(path))
        log.info("Moved %s to the trash", path)
    return done


def restore(items: Sequence[Trashed]) -> list[str]:
    """Bring trashed files back where they were (a file now in that place is kept: the
    restored one gets a free name beside it); the paths they have now. One that cannot come
    back raises :class:`TrashError` saying how to restore it by hand."""
    out: list[str] = []
    for item in items:
        if item.in_trash is None or not os.path.lexists(item.in_trash):
            raise TrashError(
                f"{item.original} cannot be restored by photoclip: restore it from the "
                "system trash (Finder: Put Back; Recycle Bin: Restore; a file manager: Restore)")
        target = free_name(Path(item.original))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(item.in_trash, target)
        if item.info:
            try:
                os.remove(item.info)
            except OSError as exc:
                log.info("Could not remove %s: %s", item.info, exc)
        log.info("Restored %s from the trash", target)
        out.append(str(target))
    return out


def free_name(target: Path) -> Path:
    """``target`` if nothing is there, else ``name (2).ext``, ``name (3).ext``, ..."""
    n = 2
    candidate = target
    while candidate.exists() or candidate.is_symlink():
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
        n += 1
    return candidate


def _located(path: str) -> Trashed:
    """Where send2trash just put ``path`` (freedesktop: the newest ``.trashinfo`` naming it)."""
    if not can_restore():
        return Trashed(path)
    best: tuple[float, Path, Path] | None = None
    # send2trash names the entry after the file ("IMG.jpg", else "IMG 2.jpg", ...): only those
    # info files are read, not the whole trash
    stem = glob.escape(os.path.splitext(os.path.basename(path))[0])
    for trash in _trash_dirs(path):
        info_dir = trash / "info"
        try:
            infos = list(info_dir.glob(f"{stem}*.trashinfo"))
        except OSError:
            continue
        for info in infos:
            if _info_path(info, trash) != path:
                continue
            try:
                stamp = info.stat().st_mtime
            except OSError:
                continue
            entry = trash / "files" / info.name[: -len(".trashinfo")]
            if os.path.lexists(entry) and (best is None or stamp > best[0]):
                best = (stamp, entry, info)
    if best is None:
        log.info("Cannot tell where %s went in the trash", path)
        return Trashed(path)
    return Trashed(path, str(best[1]), str(best[2]))


def _trash_dirs(path: str) -> list[Path]:
    """The trash folders send2trash may use for ``path``: the home trash, then its volume's."""
    from send2trash import plat_other

    dirs = [Path(os.fsdecode(plat_other.HOMETRASH))]
    try:
        top = Path(os.fsdecode(plat_other.find_mount_point(os.fsencode(path))))
    except (OSError, AttributeError):
        return dirs
    uid = str(os.getuid()) if hasattr(os, "getuid") else ""
    dirs += [top / ".Trash" / uid, top / f".Trash-{uid}"]
    return dirs


def _info_path(info: Path, trash: Path) -> str | None:
    """The original path a ``.trashinfo`` names (relative ones are from the volume's top)."""
    try:
        text = info.read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("Path="):
            value = unquote(line[5:])
            if not os.path.isabs(value):  # a volume trash: relative to the volume's top
                top = trash.parent if trash.name.startswith(".Trash-") else trash.parent.parent
                value = str(top / value)
            return os.path.abspath(value)
    return None
