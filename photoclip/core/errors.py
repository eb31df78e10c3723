"""Turn the core's expected errors into one readable sentence for a user."""

from __future__ import annotations

import errno
import sys

from photoclip.core.said import N_, Said, Translate, _same

_DECODE = N_("cannot read that image: {reason}")
_DISK_FULL = N_("the disk is full: free some space; nothing was lost, indexing resumes")
_DISK_FULL_AT = N_("the disk is full ({file}): free some space; nothing was lost, indexing "
                   "resumes")
_NOT_FOUND = N_("not found")
_DAMAGED = N_("the catalog {catalog} is damaged ({problem}). Your photos are not touched: run "
              "`photoclip recover` to restore its newest good backup (the damaged file is kept).")
_WRONG = N_("Something went wrong: {error}")


def user_message(exc: BaseException, translate: Translate = _same) -> str | None:
    """A message for errors a user can act on; None for bugs (which deserve a traceback).
    ``translate``: the front's (``tr``, ``_``) for what the core says through
    :class:`~photoclip.core.said.Said` (``exc.said``); the rest is shown as raised.

    The core's own input errors (QueryError, TagError, LabelsError, ...) are ValueErrors."""
    said = getattr(exc, "said", None)
    if isinstance(said, Said):
        return said.text(translate)
    from photoclip.config import SettingsError
    from photoclip.core.images import ImageDecodeError
    from photoclip.core.labels import LabelSetError
    from photoclip.core.lock import LibraryLockedError
    from photoclip.core.models import ModelUnavailableError

    if isinstance(exc, ModelUnavailableError):
        return exc.message
    if isinstance(exc, (CatalogDamagedError, CatalogTooNewError)):
        return str(exc)
    from photoclip.core.migrations import MigrationError

    if isinstance(exc, MigrationError):
        return str(exc)
    damaged = _damaged_catalog_message(exc)
    if damaged is not None:
        return damaged.text(translate)
    if isinstance(exc, ImageDecodeError):
        return Said(_DECODE, {"reason": exc.reason}).text(translate)
    if isinstance(exc, (LibraryLockedError, SettingsError, LabelSetError, ValueError)):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        if exc.filename:
            return Said(_DISK_FULL_AT, {"file": exc.filename}).text(translate)
        return translate(_DISK_FULL)
    if isinstance(exc, (FileNotFoundError, NotADirectoryError, PermissionError)):
        return str(exc)
    from photoclip.core.embedder_process import EmbedderProcessError

    if isinstance(exc, EmbedderProcessError):
        return str(exc)
    vectors = sys.modules.get("photoclip.core.vectors")  # never import Chroma just for this
    if vectors is not None and isinstance(exc, vectors.VectorStoreError):
        return str(exc)
    if isinstance(exc, KeyError):
        if exc.args and isinstance(exc.args[0], Said):
            return exc.args[0].text(translate)
        return str(exc.args[0]) if exc.args else translate(_NOT_FOUND)
    return None


def _damaged_catalog_message(exc: BaseException) -> Said | None:
    """Damage found after the catalog was opened (a page no check on open had read)."""
    from photoclip.core.catalog_backup import is_damage

    if not is_damage(exc):
        return None
    from photoclip.config import app_paths

    catalog = app_paths().library_dir / "catalog.sqlite3"
    return Said(_DAMAGED, {"catalog": catalog, "problem": str(exc)})


_WAY_BACK = N_("The newest good backup is {backup} (taken {taken}): run `photoclip recover` to "
               "restore it (the damaged file is kept beside it).")
_NO_BACKUP = N_("No good backup was found in {folder}: `photoclip recover` starts a new catalog "
                "from the vector store (your own tags and albums cannot come back).")
_CATALOG_DAMAGED = N_("the catalog {path} is damaged ({problem}). Your photos are not touched. "
                      "{way_back}")
_TOO_NEW = N_("the catalog {path} has schema version {version}, written by a newer photoclip; "
              "this one reads versions up to {supported}: please upgrade photoclip")


def problem_said(problem: object) -> object:
    """What is wrong with a catalog file (a stored text) as a value of a :class:`Said`: the
    sentence it was made from when the core made it (:mod:`photoclip.core.reasons`)."""
    from photoclip.core.reasons import recognise

    return recognise(problem) or problem if isinstance(problem, str) else problem


class CatalogDamagedError(Exception):
    """The catalog file cannot be read; the message names it and the way back."""

    def __init__(
        self, path: object, problem: str, backup: object | None = None,
        backup_taken: str | None = None, backups_dir: object | None = None,
    ) -> None:
        self.path, self.problem, self.backup = path, problem, backup
        if backup is not None:
            way_back = Said(_WAY_BACK, {"backup": backup, "taken": backup_taken})
        else:
            way_back = Said(_NO_BACKUP, {"folder": backups_dir})
        self.said = Said(_CATALOG_DAMAGED, {"path": path, "problem": problem_said(problem),
                                            "way_back": way_back})
        super().__init__(str(self.said))


class CatalogTooNewError(Exception):
    """The catalog was written by a newer photoclip than this one."""

    def __init__(self, path: object, version: int, supported: int) -> None:
        self.path, self.version, self.supported = path, version, supported
        self.said = Said(_TOO_NEW, {"path": path, "version": version, "supported": supported})
        super().__init__(str(self.said))


def describe_error(exc: BaseException, translate: Translate = _same) -> str:
    """One sentence for the user (the GUI's banners and dialogs, in the language of
    ``translate``); unexpected errors still get a short, honest line."""
    message = user_message(exc, translate)
    if message:
        return message[0].upper() + message[1:]
    return Said(_WRONG, {"error": f"{type(exc).__name__}: {exc}"}).text(translate)
