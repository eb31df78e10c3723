"""`photoclip search` (text, weighted combinations) and `photoclip similar` (by photo)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from photoclip.cli.output import emit_json
from photoclip.core.library import Library, SearchFilters
from photoclip.core.types import SearchHit


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", "-n", type=int, default=20, help="how many results (default 20)")
    p.add_argument("--folder", help="only photos in this folder or below it")
    p.add_argument("--after", type=date.fromisoformat, help="taken on or after YYYY-MM-DD")
    p.add_argument("--before", type=date.fromisoformat, help="taken before YYYY-MM-DD")
    p.add_argument("--min-score", type=float, help="only results scoring at least this")
    p.add_argument("--tag", help="only photos with this tag (yours, a file keyword, or automatic)")
    p.add_argument("--album", help="only photos in this album")


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "search",
        help="find photos by a description",
        description='Examples: photoclip search "two dogs in the snow"; '
        'photoclip search \'"beach" + "sunset" - "people"\'; '
        "a term may also be an image file.",
    )
    s.add_argument("query", help="text; combine terms with + and -, weight with 2*\"term\"")
    _add_filters(s)
    s.set_defaults(run=run_search)
    m = sub.add_parser("similar", help="find photos like a photo (any image file)")
    m.add_argument("photo", help="an image file, indexed or not")
    _add_filters(m)
    m.set_defaults(run=run_similar)


def _filters(args: argparse.Namespace) -> SearchFilters:
    if args.limit < 1:
        raise ValueError("--limit must be at least 1")
    return SearchFilters(
        args.folder, args.after, args.before, args.min_score, args.tag, args.album
    )


def run_search(lib: Library, args: argparse.Namespace) -> int:
    return _show(lib.search(args.query, limit=args.limit, filters=_filters(args)), args)


def run_similar(lib: Library, args: argparse.Namespace) -> int:
    target = Path(args.photo)
    return _show(lib.similar(target, limit=args.limit, filters=_filters(args)), args)


def _show(hits: list[SearchHit], args: argparse.Namespace) -> int:
    if args.json:
        emit_json({"results": hits})
        return 0
    if not hits:
        print("no matching photos")
        return 0
    for hit in hits:
        print(f"{hit.rank:>4}  {hit.score:6.3f}  {hit.path}")
    return 0
