"""Undo and redo in the GUI: a QUndoStack over the core's edit commands (core/edits.py).

An edit runs on the backend's work lane first (People's on its plugin lane; never on the GUI
thread); only once it has worked is it pushed onto the stack, so a refused edit (an album name
taken) leaves no entry. Undo and redo run on the same lane, in order. An undo the library
refuses (say a restored file's place is taken) is shown, and the history is cleared: what is
left in it may no longer match the library.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoStack

from photoclip.core.errors import describe_error
from photoclip.core.undo import Command
from photoclip.gui.i18n import tr
from photoclip.gui.wording import count_of

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QMenu

    from photoclip.gui.backend import Backend

log = logging.getLogger(__name__)

Done = Callable[[Any], None]


def describe(cmd: Command) -> str:
    """What an edit is, in the interface's language (the Edit menu's "Undo …")."""
    s = cmd.state
    n = count_of(len(s.get("photo_ids") or ()), "photo")
    if cmd.kind == "tag":
        form = {"add": tr("Add tag '{tag}' to {n}"), "remove": tr("Remove tag '{tag}' from {n}"),
                "reject": tr("Reject tag '{tag}' on {n}"),
                "accept": tr("Accept tag '{tag}' on {n}")}[s["action"]]
        return form.format(tag=s["tag"], n=n)
    if cmd.kind == "marks":
        if s["stars"] is not None:
            form = (tr("Clear the rating of {n}") if s["stars"] == 0
                    else tr("Rate {n} {stars} stars"))
        else:
            form = tr("Mark {n} as favourites") if s["favourite"] else tr(
                "Unmark {n} as favourites")
        return form.format(n=n, stars=s["stars"])
    if cmd.kind == "album-photos":
        form = (tr("Add {n} to album '{album}'") if s["action"] == "add"
                else tr("Remove {n} from album '{album}'"))
        return form.format(n=n, album=s["name"])
    forms = {
        "album-create": tr("Create album '{album}'"), "album-delete": tr("Delete album '{album}'"),
        "album-rename": tr("Rename album '{album}' to '{new}'"),
        "album-redefine": tr("Change the rule of album '{album}'"),
        "trash": tr("Move {n} to the trash"),
        "person-rename": tr("Name a person '{new}'"),
        "person-merge": tr("Merge two people"),
        "person-face-name": tr("Name a face '{new}'"),
        "person-not-face": tr("Take a face out of a person"),
        "person-answer": (tr("Confirm a suggested face") if s.get("yes")
                          else tr("Decline a suggested face")),
        "person-hide": tr("Hide a person") if s.get("hidden") else tr("Show a person again"),
    }
    form = forms.get(cmd.kind)
    if form is None:
        return cmd.text()
    return form.format(album=s.get("name"), new=s.get("new_name") or s.get("name"), n=n)


class _Entry(QUndoCommand):
    """One done edit on the stack; redo()/undo() hand the core command to the lane."""

    def __init__(self, edits: Edits, cmd: Command) -> None:
        super().__init__(describe(cmd))
        self.edits = edits
        self.cmd = cmd
        self._pushed = True  # push() calls redo(): the edit is done already

    def redo(self) -> None:
        if self._pushed:
            self._pushed = False
            return
        self.edits._step(self.cmd, undo=False)

    def undo(self) -> None:
        self.edits._step(self.cmd, undo=True)


class Edits(QObject):
    """The window's undoable edits. :meth:`run` does one; :attr:`stack` (a QUndoStack) undoes
    and redoes them. :attr:`changed` (the command) after any of the three worked;
    :attr:`failed` with a sentence for the user."""

    changed = Signal(object)  # the core Command, done or undone
    failed = Signal(str)

    def __init__(self, backend: Backend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.stack = QUndoStack(self)
        self.busy = 0  # edits, undos and redos on their way (tests wait for 0)

    def run(self, cmd: Command, on_done: Done | None = None) -> None:
        """Do ``cmd`` on the lane; once it worked it can be undone (``on_done(result)``)."""

        def done(result: Any) -> None:
            self.busy -= 1
            if cmd.undoable:
                self.stack.push(_Entry(self, cmd))
            self.changed.emit(cmd)
            if on_done is not None:
                on_done(result)

        self.busy += 1
        self.backend.edit(cmd, done, self._failed)

    def _step(self, cmd: Command, *, undo: bool) -> None:
        def done(_: Any) -> None:
            self.busy -= 1
            self.changed.emit(cmd)

        def failed(exc: BaseException) -> None:
            self.stack.clear()  # the rest of the history may not match the library now
            self._failed(exc, tr("Cannot undo: {why}") if undo else tr("Cannot redo: {why}"))

        self.busy += 1
        self.backend.edit(cmd, done, failed, undo=undo)

    def _failed(self, exc: BaseException, form: str = "{why}") -> None:
        self.busy -= 1
        log.info("Edit failed: %s", exc)
        self.failed.emit(form.format(why=describe_error(exc)))


def add_edit_menu(window: QMainWindow, edits: Edits, before: QMenu | None = None
                  ) -> QMenu:
    """An Edit menu (Undo, Redo with the platform's shortcuts) in ``window``'s menu bar,
    before ``before`` (default: after the first menu, File); its entries name the edit
    ("Undo Add tag 'dog' to 3 photos")."""
    from PySide6.QtWidgets import QMenu

    menu = QMenu(tr("&Edit"), window)
    undo = edits.stack.createUndoAction(window, tr("&Undo"))
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = edits.stack.createRedoAction(window, tr("&Redo"))
    redo.setShortcut(QKeySequence.StandardKey.Redo)
    for item in (undo, redo):
        menu.addAction(item)
        window.addAction(item)
    menu.addSeparator()  # what the window adds after (e.g. Review duplicates…)
    bar = window.menuBar()
    menus = bar.actions()
    if before is not None:
        bar.insertMenu(before.menuAction(), menu)
    elif len(menus) > 1:  # after File
        bar.insertMenu(menus[1], menu)
    else:
        bar.addMenu(menu)
    return menu
