"""`photoclip rate STARS PHOTO...`, `photoclip rate --favourite PHOTO...` and `photoclip places`."""

from __future__ import annotations

import argparse

from photoclip.cli.i18n import _, language
from photoclip.cli.output import emit_json
from photoclip.cli.undo import run_edit
from photoclip.core.edits import MarksEdit
from photoclip.core.library import Library


def _stars(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 5:
        raise argparse.ArgumentTypeError(_("a rating is 0 to 5 stars (0 clears it), not {value}")
                                         .format(value=text))
    return value


def _parse_intermixed(parser: argparse.ArgumentParser) -> None:
    """Let ``parser`` (a subcommand's) take options between its positionals, as
    ``parse_intermixed_args`` does (argparse's subcommands cannot ask for it)."""
    base = type(parser)

    class Intermixed(base):  # type: ignore[misc,valid-type]
        _inner = False

        def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def]
            if self._inner:  # parse_known_intermixed_args calls this twice itself
                return super().parse_known_args(args, namespace)
            self._inner = True
            try:
                return self.parse_known_intermixed_args(args, namespace)
            finally:
                self._inner = False

    parser.__class__ = Intermixed


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rate", help=_("give photos a star rating (0-5) or mark them as favourites"),
        description=_("Ratings go into each photo's XMP sidecar as xmp:Rating (digiKam, "
                      "darktable and Lightroom read it) when write_xmp is on; favourites as "
                      "photoclip:Favorite. The photo files are never changed."))
    p.add_argument("stars", nargs="?", type=_stars,
                   help=_("0 to 5 stars; 0 clears the rating (leave out with --favourite)"))
    p.add_argument("photos", nargs="+", help=_("photo files"))
    fav = p.add_mutually_exclusive_group()
    fav.add_argument("--favourite", "--favorite", dest="favourite", action="store_const",
                     const=True, help=_("mark them as favourites"))
    fav.add_argument("--not-favourite", "--not-favorite", dest="favourite",
                     action="store_const", const=False, help=_("unmark them as favourites"))
    _parse_intermixed(p)  # `rate 4 --favourite PHOTO...`: an option between stars and photos
    p.set_defaults(run=run_rate)
    pl = sub.add_parser("places", help=_("countries and towns where photos were taken, with "
                                          "counts (from their GPS, named offline)"))
    pl.set_defaults(run=run_places)


def run_rate(lib: Library, args: argparse.Namespace) -> int:
    if args.stars is None and args.favourite is None:
        raise ValueError(_("say what to set: a rating (photoclip rate 4 PHOTO...) or "
                           "--favourite / --not-favourite"))
    ids = lib.photo_ids(args.photos)
    if args.stars is not None:  # each an edit `photoclip undo` takes back
        run_edit(lib, MarksEdit(ids, stars=args.stars))
    if args.favourite is not None:
        run_edit(lib, MarksEdit(ids, favourite=args.favourite))
    marks = lib.ratings.marks(ids)
    records = lib.browse.records(ids)
    if args.json:
        emit_json({"photos": [{"path": records[i].path, "rating": r, "favourite": f}
                              for i, (r, f) in marks.items()]})
        return 0
    for pid, (stars, favourite) in marks.items():
        heart = "  ♥" if favourite else ""
        print(f"{'★' * stars}{'☆' * (5 - stars)}{heart}  {records[pid].path}")
    return 0


def photo_facts(lib: Library, photo_id: int) -> dict[str, object]:
    """Lens, GPS, place, rating and favourite of one photo (for `photoclip photo`)."""
    stars, favourite = lib.ratings.marks([photo_id])[photo_id]
    return {**lib.facts.of(photo_id), "rating": stars, "favourite": favourite}


def facts_lines(facts: dict[str, object]) -> list[str]:
    """The lines `photoclip photo` prints for :func:`photo_facts`."""
    lines = []
    if facts["lens"]:
        lines.append(_("lens {lens}").format(lens=facts["lens"]))
    if facts["place"]:
        from photoclip.core.places import place_label

        lines.append(_("taken in {place}").format(place=place_label(str(facts["place"]),
                                                                   language())))
    stars = int(facts["rating"])  # type: ignore[call-overload]
    lines.append(("★" * stars + "☆" * (5 - stars)) + ("  ♥" if facts["favourite"] else ""))
    return lines


def run_places(lib: Library, args: argparse.Namespace) -> int:
    found = lib.facts.place_counts()
    if args.json:
        emit_json({"places": [{"country": p.country, "city": p.city, "photos": p.count}
                              for p in found]})
        return 0
    if not found:
        print(_("no photo with a GPS position yet (photos are read when indexed)"))
        return 0
    from photoclip.core.places import place_label

    for p in found:
        print(f"{p.count:>7}  {place_label(p.country, language())}" if not p.city
              else f"{p.count:>7}    {p.city}")
    print(_("search by place: photoclip search --place \"Paris\" (or place:\"Paris\" in a query)"))
    return 0
