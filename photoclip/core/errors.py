"""Turn the core's expected errors into one readable sentence for a user."""

from __future__ import annotations

import errno
import sys


def user_message(exc: BaseException) -> str | None:
    """A message for errors a user can act on; None for bugs (which deserve a traceback).

    The core's own input errors (QueryError, TagError, LabelsError, ...) are ValueErrors."""
    from photoclip.config import SettingsError
    from photoclip.core.images import ImageDecodeError
    from photoclip.core.labels import LabelSetError
    from photoclip.core.lock import LibraryLockedError
    from photoclip.core.models import ModelUnavailableError

    if isinstance(exc, ModelUnavailableError):
        return exc.message
    if isinstance(exc, ImageDecodeError):
        return f"cannot read that image: {exc.reason}"
    if isinstance(exc, (LibraryLockedError, SettingsError, LabelSetError, ValueError)):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"the disk is full{where}: free some space; nothing was lost, indexing resumes"
    if isinstance(exc, (FileNotFoundError, NotADirectoryError, PermissionError)):
        return str(exc)
    from photoclip.core.embedder_process import EmbedderProcessError

    if isinstance(exc, EmbedderProcessError):
        return str(exc)
    vectors = sys.modules.get("photoclip.core.vectors")  # never import Chroma just for this
    if vectors is not None and isinstance(exc, vectors.VectorStoreError):
        return str(exc)
    if isinstance(exc, KeyError):
        return str(exc.args[0]) if exc.args else "not found"
    return None


def describe_error(exc: BaseException) -> str:
    """One sentence for the user (the GUI's banners and dialogs); unexpected errors still get a
    short, honest line."""
    message = user_message(exc)
    if message:
        return message[0].upper() + message[1:]
    return f"Something went wrong: {type(exc).__name__}: {exc}"
