"""`photoclip search` (text, weighted combinations) and `photoclip similar` (by photo)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from photoclip.cli import fact_filters
from photoclip.cli.i18n import _
from photoclip.cli.options import iso_date, positive_int, score
from photoclip.cli.output import emit_json
from photoclip.core.browse import not_searched_text
from photoclip.core.library import Library, SearchFilters
from photoclip.core.model_needs import MULTILINGUAL_MODEL, needs_multilingual
from photoclip.core.types import SearchHit

log = logging.getLogger(__name__)

SEARCH_HELP = """Find photos by describing what is in them.

examples:
  photoclip search "a dog running on the beach"
  photoclip search '"beach" + "sunset" - "people"'     combine terms with + and -
  photoclip search '2*"red car" + "night"'              weight a term
  photoclip search ~/Pictures/cat.jpg                   a term may be an image file
  photoclip search 'receipt text:"total"'               a plugin's filter as an operator
  photoclip search beach --where person=Anna            a plugin's filter as an option

what the model sees and does not:
  the model looks at a small square (224 pixels for most models) cut from the
  centre of each photo, so the sides of wide photos (panoramas) and the top and
  bottom of tall ones are not seen, and small details are lost. It matches what
  things are and the mood of a scene well, but not counts ("two dogs"), text in
  the photo, left/right, or who a person is. Scores are cosine similarities,
  usually 0.15 to 0.35: compare them within one search, not across searches.
  The ocr plugin reads text in photos (photoclip plugins enable ocr): a query's
  words in a photo's text add up to 0.25 to its score, text:"..." keeps only
  photos whose text holds every word."""


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", "-n", type=positive_int, default=20,
                   help=_("how many results, at least 1 (default 20)"))
    p.add_argument("--folder", help=_("only photos in this folder or below it"))
    p.add_argument("--after", type=iso_date, help=_("taken on or after YYYY-MM-DD"))
    p.add_argument("--before", type=iso_date, help=_("taken before YYYY-MM-DD"))
    p.add_argument("--min-score", type=score,
                   help=_("only results scoring at least this (a cosine similarity, "
                          "-1 to 1)"))
    p.add_argument("--tag",
                   help=_("only photos with this tag (yours, a file keyword, or automatic)"))
    p.add_argument("--album", help=_("only photos in this album"))
    fact_filters.add_options(p)
    p.add_argument("--where", action="append", default=[], metavar="FILTER=VALUE",
                   help=_("a plugin's search filter, e.g. text=wifi (repeat: all must pass; "
                          "in a query: FILTER:\"VALUE\")"))
    for name, help_ in declared_filters():
        try:
            p.add_argument(f"--{name}", action="append", default=[], dest=f"where_{name}",
                           metavar="VALUE",
                           help=_("{help} (a plugin's filter)").format(help=help_))
        except argparse.ArgumentError:  # a built-in option of that name wins
            log.warning("A plugin's search filter --%s clashes with an option; use --where",
                        name)


def declared_filters() -> list[tuple[str, str]]:
    """The search filters plugins declare in their manifests (no plugin is imported)."""
    from photoclip.config import app_paths
    from photoclip.core.plugin_discovery import Manifest, find_manifests

    try:
        manifests = find_manifests(app_paths())
    except Exception:  # a broken install must not break every command's parser
        return []
    seen: dict[str, str] = {}
    for m in manifests:
        if isinstance(m, Manifest):
            for name, help_ in m.search_filters:
                seen.setdefault(name, help_)
    return sorted(seen.items())


def where_of(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    """The (filter, value) pairs of ``--where F=V`` and the ``--F V`` aliases."""
    out = []
    for item in args.where:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(_("--where {item}: write FILTER=VALUE, e.g. --where text=wifi")
                             .format(item=item))
        out.append((name.strip(), value.strip()))
    for key, values in sorted(vars(args).items()):
        if key.startswith("where_"):
            out += [(key[len("where_"):], v) for v in values]
    return tuple(out)


def register(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser(
        "search",
        help=_("find photos by a description"),
        description=SEARCH_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("query", nargs="?", default="",
                   help=_("text; combine terms with + and -, weight with 2*\"term\" (none with "
                          "a plugin's filter, e.g. --person Anna: every photo that passes it)"))
    _add_filters(s)
    s.set_defaults(run=run_search)
    m = sub.add_parser("similar", help=_("find photos like a photo (any image file)"))
    m.add_argument("photo", help=_("an image file, indexed or not"))
    _add_filters(m)
    m.set_defaults(run=run_similar)


def _filters(lib: Library, args: argparse.Namespace) -> SearchFilters:
    if args.after is not None and args.before is not None and args.after >= args.before:
        raise ValueError(  # a usage error: exit status 2
            _("--after {after} is not before --before {before}: no photo can match")
            .format(after=args.after, before=args.before))
    if args.folder:
        folder = Path(args.folder).expanduser().resolve()
        if not folder.is_dir() and not any(
            folder.is_relative_to(Path(f).expanduser().resolve()) for f in lib.settings.folders
        ):  # a typo would otherwise be "no matching photos", as if the search had found none
            raise ValueError(_("--folder {folder}: no such folder, and none of the library's "
                               "folders holds it: no photo can match").format(folder=args.folder))
    return SearchFilters(
        args.folder, args.after, args.before, args.min_score, args.tag, args.album,
        where=where_of(args),
    )


def run_search(lib: Library, args: argparse.Namespace) -> int:
    if not args.query.strip() and not where_of(args):
        from photoclip.core.query import QueryError

        raise QueryError(_("the query is empty"), hint=_(
            "say what to find: a query, or a plugin's filter such as --where person=Anna "
            "(`photoclip search --help`)"))
    if needs_multilingual(lib.model_spec, args.query):  # one line on stderr; stdout unchanged
        print("photoclip: " + _("the model {model} understands English only, so this query's "
                                "matches mean little: switch with `photoclip models use "
                                "{multilingual}` (or search in English)").format(
            model=lib.model_spec.key, multilingual=MULTILINGUAL_MODEL), file=sys.stderr)
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
        print(_("no matching photos"))
    for hit in hits:
        print(f"{hit.rank:>4}  {hit.score:6.3f}  {hit.path}")
        for reason in hit.reasons:
            print(f"              {reason}")
    if waiting:
        print(f"photoclip: {not_searched_text(waiting)} (`photoclip index` indexes them)",
              file=sys.stderr)
    return 0
