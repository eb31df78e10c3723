"""`photoclip folders list|add|remove`."""

from __future__ import annotations

import argparse

from photoclip.cli.i18n import _
from photoclip.cli.output import emit_json, plural
from photoclip.core.library import Library


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("folders", help=_("the photo folders in the library"))
    fsub = p.add_subparsers(dest="action")
    fsub.add_parser("list", help=_("list the folders"))
    a = fsub.add_parser("add", help=_("add folders (index them with `photoclip index`)"))
    a.add_argument("paths", nargs="+")
    r = fsub.add_parser("remove", help=_("remove folders and their photos from the index"))
    r.add_argument("paths", nargs="+")
    p.set_defaults(run=run)


def run(lib: Library, args: argparse.Namespace) -> int:
    action = args.action or "list"
    if action == "add":  # a folder inside a library folder is part of it (core.folders)
        plans = [lib.add_folder(p) for p in args.paths]
        added = list(dict.fromkeys(p.path for p in plans if p.added))
        if args.json:
            emit_json({"folders": lib.settings.folders, "added": added,
                       "already": list(dict.fromkeys(p.path for p in plans if not p.added)),
                       "within": {p.path: p.within for p in plans if p.within},
                       "absorbed": {p.path: list(p.absorbed) for p in plans if p.absorbed}})
            return 0
        for text in dict.fromkeys(p.describe(_) for p in plans):
            print(text)
        if added:
            print(_("run `photoclip index` to index it") if len(added) == 1
                  else _("run `photoclip index` to index them"))
        return 0
    if action == "remove":
        removed = {p: lib.remove_folder(p) for p in args.paths}
        if args.json:
            emit_json({"folders": lib.settings.folders, "removed_photos": removed})
        else:
            for f, n in removed.items():
                print(_("removed {folder} ({photos} left the index; no file was touched)")
                      .format(folder=f, photos=plural(n, "photo")))
        return 0
    if args.json:
        emit_json({"folders": lib.settings.folders})
    elif not lib.settings.folders:
        print(_("no folders yet: add one with `photoclip folders add ~/Pictures`"))
    else:
        for f in lib.settings.folders:
            print(f)
    return 0
