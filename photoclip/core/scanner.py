"""Walk photo folders and list the image files in them (stat only, no file is opened)."""

from __future__ import annotations

import fnmatch
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from photoclip.core.types import FileInfo

log = logging.getLogger(__name__)


def normalise_folder(folder: str | Path) -> str:
    """The absolute, resolved form of a folder, as the catalog stores it."""
    return str(Path(folder).expanduser().resolve())


def pictures_folder() -> str | None:
    """The user's Pictures folder (XDG ``user-dirs.dirs`` on Linux, ``~/Pictures`` elsewhere),
    if it exists; the GUI offers it, the CLI suggests it."""
    home = Path.home()
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config") / "user-dirs.dirs"
    candidate = home / "Pictures"
    try:
        for line in config.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "XDG_PICTURES_DIR":
                value = value.strip().strip('"').replace("$HOME", str(home))
                candidate = Path(value)
    except OSError:
        pass
    return str(candidate.resolve()) if candidate.is_dir() else None


def is_excluded(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def scan(
    folders: Sequence[str],
    *,
    accept: Callable[[str], bool],
    exclude: Sequence[str] = (),
    on_error: Callable[[str, OSError], None] | None = None,
    sidecars: set[str] | None = None,
) -> Iterator[FileInfo]:
    """Yield every accepted file under ``folders`` once (symlinked folders are not followed).

    ``sidecars``, when given, collects the XMP sidecars seen on the way: their paths without
    ``.xmp``, lower-cased (see :func:`photoclip.core.keywords.sidecar_candidates`)."""
    seen: set[str] = set()
    stack = [normalise_folder(f) for f in folders]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if is_excluded(entry.name, exclude):
                        continue
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            stack.append(entry.path)
                        elif sidecars is not None and entry.name.lower().endswith(".xmp"):
                            sidecars.add(entry.path[:-4].lower())
                        elif entry.is_file() and accept(entry.name):
                            if entry.path in seen:
                                continue
                            seen.add(entry.path)
                            st = entry.stat()
                            yield FileInfo(entry.path, st.st_size, st.st_mtime_ns)
                    except OSError as exc:
                        _report(entry.path, exc, on_error)
        except OSError as exc:
            _report(folder, exc, on_error)


def stat_file(path: str) -> FileInfo | None:
    """FileInfo for one file, or None if it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return FileInfo(path, st.st_size, st.st_mtime_ns)


def _report(path: str, exc: OSError, on_error: Callable[[str, OSError], None] | None) -> None:
    if on_error is not None:
        on_error(path, exc)
    else:
        log.warning("Cannot read %s: %s", path, exc)
