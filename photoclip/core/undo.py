"""Undoable edits: core commands (Qt-free) that both fronts run, and their history.

Each :class:`Command` does one user edit on the library (``do``), puts it back exactly
(``undo``) and can be done again (``do`` after ``undo``). What ``undo`` needs is taken when
``do`` runs (a before-picture of the rows, the trash record), so a command is plain data: the
CLI keeps its last commands in a journal file (:class:`UndoHistory` with a path) for
``photoclip undo`` / ``photoclip redo``; the GUI keeps its own in a QUndoStack
(``gui/undo.py``). The concrete commands are in :mod:`photoclip.core.edits`.
"""

from __future__ import annotations

import json
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Protocol

log = logging.getLogger(__name__)

__all__ = ["Command", "Editable", "NothingToUndo", "UndoError", "UndoHistory", "command_from_dict",
           "journal"]

#: How many commands the CLI's journal keeps.
JOURNAL_LENGTH = 50
#: The CLI's journal, in the library folder (`photoclip undo` reads it).
JOURNAL_FILE = "undo-journal.json"


class UndoError(ValueError):
    """An edit that cannot be undone or redone now; the message says why."""


class NothingToUndo(UndoError, LookupError):
    """The history holds nothing to undo (or redo): a failure, not a malformed command."""


class Editable(Protocol):
    """What commands change: the library facade provides it."""

    tagging: Any  # core.albums.PhotoTags
    albums: Any  # core.albums.Albums
    trash: Any  # core.photo_trash.PhotoTrash
    ratings: Any  # core.ratings.Ratings

    def people(self) -> Any: ...

    def photo_ids(self, paths: Any) -> list[int]: ...


_KINDS: dict[str, type[Command]] = {}


class Command(ABC):
    """One undoable edit. Subclasses set :attr:`kind`, keep their state in plain attributes
    (JSON-ready, see :meth:`as_dict`) and implement :meth:`_do`, :meth:`_undo`, :meth:`text`."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if cls.kind:
            _KINDS[cls.kind] = cls

    def __init__(self, **state: Any) -> None:
        self.state: dict[str, Any] = state
        self.done = False
        self.result: Any = None  # what the last do() returned (e.g. a TagChange)

    @property
    def undoable(self) -> bool:
        """False for an edit that was done but cannot be taken back (kept out of histories)."""
        return True

    @abstractmethod
    def text(self) -> str:
        """What the edit is, for a menu ("Undo Add tag 'dog' to 3 photos")."""

    @abstractmethod
    def _do(self, lib: Editable) -> Any: ...

    @abstractmethod
    def _undo(self, lib: Editable) -> None: ...

    def do(self, lib: Editable) -> Any:
        """Do (or redo) the edit; what it returned."""
        if self.done:
            raise UndoError(f"{self.text()}: already done")
        self.result = self._do(lib)
        self.done = True
        return self.result

    def undo(self, lib: Editable) -> None:
        if not self.done:
            raise UndoError(f"{self.text()}: not done")
        self._undo(lib)
        self.done = False

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "done": self.done, "state": self.state}


def command_from_dict(d: dict[str, Any]) -> Command:
    """A command as :meth:`Command.as_dict` wrote it."""
    import photoclip.core.edits  # noqa: F401  (registers the kinds)

    cls = _KINDS.get(d.get("kind", ""))
    if cls is None:
        raise UndoError(f"unknown edit {d.get('kind')!r} in the undo journal")
    cmd = cls(**d["state"])
    cmd.done = bool(d.get("done"))
    return cmd


def journal(library_dir: Path) -> UndoHistory:
    """The CLI's undo history of the library in ``library_dir`` (kept between runs)."""
    return UndoHistory(library_dir / JOURNAL_FILE)


class UndoHistory:
    """Done and undone commands, newest last; kept in ``path`` (JSON) when given, so that
    one CLI run can undo the last edit of another. ``on_change`` is told after each change."""

    def __init__(self, path: Path | None = None,
                 on_change: Callable[[], None] | None = None) -> None:
        self.path = path
        self.on_change = on_change
        self.done: list[Command] = []
        self.undone: list[Command] = []
        if path is not None and path.exists():
            try:
                data = json.loads(path.read_text())
                self.done = [command_from_dict(c) for c in data.get("done", [])]
                self.undone = [command_from_dict(c) for c in data.get("undone", [])]
            except (OSError, ValueError, KeyError, UndoError) as exc:
                log.warning("The undo journal %s cannot be read (%s): starting a new one",
                            path, exc)

    def run(self, cmd: Command, lib: Editable) -> Any:
        """Do a new edit; it can be undone, and what was undone can no longer be redone."""
        result = cmd.do(lib)
        if not cmd.undoable:
            return result
        self.done.append(cmd)
        self.undone.clear()
        del self.done[:-JOURNAL_LENGTH]
        self._changed()
        return result

    def undo(self, lib: Editable) -> Command:
        """Undo the newest edit; it. Nothing to undo: :class:`UndoError`."""
        if not self.done:
            raise NothingToUndo("nothing to undo")
        cmd = self.done[-1]
        cmd.undo(lib)
        self.undone.append(self.done.pop())
        self._changed()
        return cmd

    def redo(self, lib: Editable) -> Command:
        if not self.undone:
            raise NothingToUndo("nothing to redo")
        cmd = self.undone[-1]
        cmd.do(lib)
        self.done.append(self.undone.pop())
        self._changed()
        return cmd

    def _changed(self) -> None:
        if self.path is not None:
            data = {"done": [c.as_dict() for c in self.done],
                    "undone": [c.as_dict() for c in self.undone]}
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data))
            os.replace(tmp, self.path)
        if self.on_change is not None:
            self.on_change()
