"""The search options of photo facts: ``--place``, ``--camera``, ``--lens``, ``--rating`` and
``--favourite`` (the built-in ``facts`` filters; see :mod:`photoclip.core.facts_plugin`)."""

from __future__ import annotations

import argparse

from photoclip.cli.i18n import _


def add_options(p: argparse.ArgumentParser) -> None:
    """Add the options; their values reach the search as ``where`` pairs (``where_NAME``)."""
    p.add_argument("--place", action="append", default=[], dest="where_place", metavar="PLACE",
                   help=_('only photos taken in this town, region or country ("Paris", '
                          '"France", "Paris, France"; see photoclip places)'))
    p.add_argument("--camera", action="append", default=[], dest="where_camera",
                   metavar="NAME", help=_("only photos from a camera whose name holds this"))
    p.add_argument("--lens", action="append", default=[], dest="where_lens", metavar="NAME",
                   help=_("only photos taken with a lens whose name holds this"))
    p.add_argument("--rating", action="append", default=[], dest="where_rating",
                   metavar="STARS", help=_("only photos with at least this many stars (4; =5 "
                                           "exactly; <=2 at most; =0 unrated)"))
    p.add_argument("--favourite", "--favorite", action="append_const", const="yes",
                   default=[], dest="where_favourite", help=_("only favourites"))
