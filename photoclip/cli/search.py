"""`photoclip search` (text, weighted combinations) and `photoclip similar` (by photo)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from photoclip.cli.options import iso_date, positive_int, score
from photoclip.cli.output import emit_json
from photoclip.core.browse import not_searched_text
from photoclip.core.library import Library, SearchFilters
from photoclip.core.types import SearchHit

SEARCH_HELP = """Find photos by describing what is in them.

examples:
  photoclip search "a dog running on the beach"
  photoclip search '"beach" + "sunset" - "people"'     combine terms with + and -
  photoclip search '2*"red car" + "night"'              weight a term
  photoclip search ~/Pictures/cat.jpg                   a term may be an image file

what the model sees and does not:
  the model looks at a small square (224 pixels for most models) cut from the
  centre of each photo, so the sides of wide photos (panoramas) and the top and
  bottom of tall ones are not seen, and small details are lost. It matches what
  things are and the mood of a scene well, but not counts ("two dogs"), text in
  the photo, left/right, or who a person is. Scores are cosine similarities,
  usually 0.15 to 0.35: compare them within one search, not across searches."""


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", "-n", type=positive_int, default=20,
                   help="how many results, at least 1 (default 20)")
    p.add_argument("--folder", help="only photos in this folder or below it")
    p.add_argument("--after", type=iso_date, help="taken on or after YYYY-MM-DD")
    p.add_argument("--before", type=iso_date, help="taken before YYYY-MM-DD")
    p.add_argument("--min-score", type=score,
                   help="only results scoring at least this (a cosine similarity, -1 to 1)")
    p.add_argument("--tag", help="only photos with this tag (yours, a file keyword, or automatic)")
    p.add_argument("--album", help="only photos in this album")


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "search",
        help="find photos by a description",
        description=SEARCH_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("query", help="text; combine terms with + and -, weight with 2*\"term\"")
    _add_filters(s)
    s.set_defaults(run=run_search)
    m = sub.add_parser("similar", help="find photos like a photo (any image file)")
    m.add_argument("photo", help="an image file, indexed or not")
    _add_filters(m)
    m.set_defaults(run=run_similar)


def _filters(lib: Library, args: argparse.Namespace) -> SearchFilters:
    if args.after is not None and args.before is not None and args.after >= args.before:
        raise ValueError(  # a usage error: exit status 2
            f"--after {args.after} is not before --before {args.before}: no photo can match"
        )
    if args.folder:
        folder = Path(args.folder).expanduser().resolve()
        if not folder.is_dir() and not any(
            folder.is_relative_to(Path(f).expanduser().resolve()) for f in lib.settings.folders
        ):  # a typo would otherwise be "no matching photos", as if the search had found none
            raise ValueError(f"--folder {args.folder}: no such folder, and none of the "
                             "library's folders holds it: no photo can match")
    return SearchFilters(
        args.folder, args.after, args.before, args.min_score, args.tag, args.album
    )


def run_search(lib: Library, args: argparse.Namespace) -> int:
    hits = lib.search(args.query, limit=args.limit, filters=_filters(lib, args))
    return _show(hits, args, lib.browse.waiting(lib.model_spec.key))


def run_similar(lib: Library, args: argparse.Namespace) -> int:
    target = Path(args.photo)
    hits = lib.similar(target, limit=args.limit, filters=_filters(lib, args))
    return _show(hits, args, lib.browse.waiting(lib.model_spec.key))


def _show(hits: list[SearchHit], args: argparse.Namespace, waiting: int) -> int:
    """The hits; photos not indexed yet (which no search sees) are said apart: on stderr, and
    as ``not_searched`` with --json (the GUI's count says the same)."""
    if args.json:
        emit_json({"results": hits, "not_searched": waiting})
        return 0
    if not hits:
        print("no matching photos")
    for hit in hits:
        print(f"{hit.rank:>4}  {hit.score:6.3f}  {hit.path}")
    if waiting:
        print(f"photoclip: {not_searched_text(waiting)} (`photoclip index` indexes them)",
              file=sys.stderr)
    return 0
