"""`photoclip albums`, `photoclip album create|add|remove|show|delete`."""

from __future__ import annotations

import argparse

from photoclip.cli.i18n import _
from photoclip.cli.output import emit_json, plural
from photoclip.cli.undo import run_edit
from photoclip.core.edits import AlbumCreate, AlbumDelete, AlbumPhotos, AlbumRename
from photoclip.core.library import Library


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("albums", help=_("smart and plain albums with their sizes"))
    p.set_defaults(run=run_albums)
    a = sub.add_parser("album", help=_("create, fill, show or delete an album"))
    asub = a.add_subparsers(dest="action", required=True)
    c = asub.add_parser("create", help=_("a plain album, or a smart one (--query or --tag)"))
    c.add_argument("name")
    c.add_argument("--query", help=_("a smart album of the photos matching this search"))
    c.add_argument("--min-score", type=float, help=_("with --query: the lowest score to include"))
    c.add_argument("--tag", help=_("a smart album of the photos with this tag"))
    for action in ("add", "remove"):
        x = asub.add_parser(action, help=f"{action} photos (plain albums)")
        x.add_argument("name")
        x.add_argument("photos", nargs="+")
    for action in ("show", "delete"):
        x = asub.add_parser(action, help=f"{action} an album (photos are never touched)")
        x.add_argument("name")
    x = asub.add_parser("rename", help=_("give an album another name"))
    x.add_argument("name")
    x.add_argument("new_name")
    a.set_defaults(run=run_album)


def run_albums(lib: Library, args: argparse.Namespace) -> int:
    rows = lib.albums.counts()
    if args.json:
        emit_json({"albums": [{**a.__dict__, "smart": a.smart, "photos": n} for a, n in rows]})
        return 0
    if not rows:
        print(_('no albums yet: photoclip album create "Dogs" --query "a photo of a dog" '
              "--min-score 0.25"))
    for a, n in rows:
        rule = (f"query {a.query!r} >= {a.min_score}" if a.query
                else f"tag {a.tag!r}" if a.tag else "plain")
        print(f"{a.name:<28}{plural(n, 'photo'):>12}  ({rule})")
    return 0


def run_album(lib: Library, args: argparse.Namespace) -> int:
    albums = lib.albums
    # every change goes through the undo journal: `photoclip undo` takes it back
    if args.action == "create":
        album = run_edit(lib, AlbumCreate(args.name, args.query, args.min_score, args.tag))
        result: dict = {"album": album.name, "photos": len(albums.members(album.name))}
    elif args.action in ("add", "remove"):
        n = run_edit(lib, AlbumPhotos(args.action, args.name, lib.photo_ids(args.photos)))
        result = {"added" if args.action == "add" else "removed": n}
    elif args.action == "delete":
        result = {"deleted": run_edit(lib, AlbumDelete(args.name))}
    elif args.action == "rename":
        result = {"renamed": run_edit(lib, AlbumRename(args.name, args.new_name))}
    else:
        paths = lib.browse.paths(albums.members(args.name))
        result = {"album": args.name, "paths": paths}
        if not args.json:
            print("\n".join(paths) if paths else _("(empty)"))
            return 0
    if args.json:
        emit_json(result)
    else:
        print(", ".join(f"{k}: {v}" for k, v in result.items()))
    return 0
