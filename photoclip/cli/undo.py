"""`photoclip undo`, `photoclip redo`: the last tag, album, rating, People or trash edit made
with the CLI (`photoclip people`'s decisions too: name, merge, --not-face, --accept, --hide)."""

from __future__ import annotations

import argparse
from typing import Any

from photoclip.cli.i18n import _
from photoclip.cli.output import emit_json
from photoclip.core.library import Library
from photoclip.core.undo import Command, UndoHistory, journal


def history(lib: Library) -> UndoHistory:
    """The CLI's undo journal of this library (the last edits, kept between runs)."""
    return journal(lib.paths.library_dir)


def run_edit(lib: Library, cmd: Command) -> Any:
    """Do an edit so that `photoclip undo` can take it back; what it returned."""
    return history(lib).run(cmd, lib)


def register(sub: argparse._SubParsersAction) -> None:
    u = sub.add_parser("undo",
                       help=_("take back the last tag, album, rating, people or trash edit"))
    u.set_defaults(run=lambda lib, args: _step(lib, args, undo=True))
    r = sub.add_parser("redo", help=_("do again the edit last undone"))
    r.set_defaults(run=lambda lib, args: _step(lib, args, undo=False))


def _step(lib: Library, args: argparse.Namespace, *, undo: bool) -> int:
    h = history(lib)
    cmd = h.undo(lib) if undo else h.redo(lib)
    if args.json:
        emit_json({"undone" if undo else "redone": cmd.text(), "kind": cmd.kind})
    else:
        print((_("undone: {edit}") if undo else _("redone: {edit}")).format(edit=cmd.text()))
    return 0
