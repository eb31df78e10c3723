"""`photoclip tags`, `photoclip tag add|remove|reject|accept TAG PHOTO...`."""

from __future__ import annotations

import argparse

from photoclip.cli.i18n import _
from photoclip.cli.output import emit_json, tag_change_text, taken_text
from photoclip.cli.rate import facts_lines, photo_facts
from photoclip.cli.undo import run_edit
from photoclip.core.edits import TagEdit
from photoclip.core.library import Library


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tags", help=_("tags with counts: your own and automatic"))
    p.set_defaults(run=run_tags)
    t = sub.add_parser("tag", help=_("add, remove, reject or accept a tag on photos"))
    tsub = t.add_subparsers(dest="action", required=True)
    for action, text in (
        ("add", "add your own tag"),
        ("remove", "remove your own tag"),
        ("reject", "an automatic tag is wrong: remove it and never suggest it again"),
        ("accept", "make an automatic tag your own"),
    ):
        a = tsub.add_parser(action, help=text)
        a.add_argument("tag")
        a.add_argument("photos", nargs="+")
    t.set_defaults(run=run_tag)
    s = sub.add_parser("photo", help=_("a photo's tags and albums"))
    s.add_argument("photo")
    s.set_defaults(run=run_photo)


def run_tags(lib: Library, args: argparse.Namespace) -> int:
    counts = lib.tagging.counts()
    if args.json:
        emit_json({"tags": counts})
        return 0
    if not counts:
        print(_("no tags yet: `photoclip tag add TAG PHOTO...`"))
        return 0
    print(f"{'tag':<28}{'own':>6}{'auto':>6}  mean auto score")
    for c in counts:
        score = f"{c.auto_score:.2f}" if c.auto_score is not None else ""
        print(f"{c.tag:<28}{c.own:>6}{c.auto:>6}  {score}")
    print(_("own = your tags and keywords from files; auto = suggested from `photoclip labels`"))
    return 0


def run_tag(lib: Library, args: argparse.Namespace) -> int:
    ids = lib.photo_ids(args.photos)
    change = run_edit(lib, TagEdit(args.action, args.tag, ids))  # `photoclip undo` takes it back
    if args.json:
        emit_json({"action": args.action, "tag": change.tag, "photos": change.photos,
                   "changed": change.changed, "outcomes": change.outcomes})
    else:
        print(tag_change_text(change))
    return 0


def run_photo(lib: Library, args: argparse.Namespace) -> int:
    (pid,) = lib.photo_ids([args.photo])
    d = lib.browse.details(pid, exif=False)  # the same details the GUI's photo view shows
    rec = lib.browse.record(pid)
    albums = d.albums + d.smart_albums
    rejected = d.rejected
    regions = lib.photo_regions(pid)
    facts = photo_facts(lib, pid)  # lens, place, rating, favourite
    if args.json:
        emit_json({"photo": rec, "tags": d.tags, "rejected": rejected, "albums": albums,
                   "regions": regions, **facts})
        return 0
    print(d.path)
    size = f"{d.width}x{d.height}" if d.width else _("size unknown")
    print("  " + _("{size}, {format}, camera {camera}").format(
        size=size, format=d.format or "?", camera=d.camera or "-"))
    print(f"  {taken_text(d.taken, rec.mtime_ns / 1e9)}")
    for line in facts_lines(facts):
        print(f"  {line}")
    for t in d.tags:
        if t.source == "auto":
            extra = _(" (automatic: {label_set}, score {score})").format(
                label_set=t.label_set, score=f"{t.score:.2f}")
        elif t.source == "user":
            extra = _(" (yours)")
        elif t.origin == "sidecar":
            extra = _(" (keyword in its XMP sidecar)")
        else:
            extra = _(" (keyword in the file)")
        print("  " + _("tag {tag}{extra}").format(tag=t.tag, extra=extra))
    if rejected:
        print("  " + _("rejected: {tags}").format(tags=", ".join(rejected)))
    if albums:
        print("  " + _("albums: {albums}").format(albums=", ".join(albums)))
    for r in regions:  # the plugins' regions: lines of text, faces, ...
        print(f"  {r.kind}: {r.label or '-'}")
    return 0
