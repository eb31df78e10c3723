"""Which photo of a duplicate group is the original: the one rule the duplicates action (CLI
and GUI) and the GUI's duplicates review share (:func:`original_first`)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import PurePath

from photoclip.core.types import Photo

__all__ = ["COPY_FOLDER", "COPY_NAME", "is_copy_folder", "original_first"]

#: Folders whose names say they hold copies: such a photo is not the keeper if another is not.
COPY_FOLDER = re.compile(r"(^|[^a-z])(cop(y|ies)|dups?|duplicates?|backups?|bak)([^a-z]|$)")
#: File names that say they are a copy: "IMG (1)", "IMG copy", "IMG - Copy", "Copy of IMG".
COPY_NAME = re.compile(r"( \(\d+\)|[ _-]+copy( \d+)?)$|^copy of ", re.IGNORECASE)


def _mtime(path: str) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return float("inf")


def is_copy_folder(path: str) -> bool:
    """Whether a photo lies in a folder named like copies/dups/duplicates/backup."""
    return any(COPY_FOLDER.search(part.lower()) for part in PurePath(path).parts[:-1])


def original_first(photos: Sequence[Photo]) -> list[Photo]:
    """The photos, likeliest original first: most pixels; then not in a folder named like
    copies/dups/duplicates/backup; then no copy-like name ("IMG (1)", "IMG copy"); then the
    older file (taken date, else modification time); then the larger file (less re-encoded);
    then the shorter name; then the path."""

    def key(p: Photo) -> tuple:
        pure = PurePath(p.path)
        return (
            -(p.width or 0) * (p.height or 0),
            is_copy_folder(p.path),
            bool(COPY_NAME.search(pure.stem)),
            p.taken if p.taken is not None else _mtime(p.path),
            _mtime(p.path),
            -p.size,
            len(pure.name),
            p.path,
        )

    return sorted(photos, key=key)
