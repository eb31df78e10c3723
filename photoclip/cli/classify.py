"""`photoclip classify PHOTO --labels "a cat, a dog, a car"`: zero-shot, best first."""

from __future__ import annotations

import argparse

from photoclip.cli.i18n import _
from photoclip.cli.output import emit_json
from photoclip.core.library import Library


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("classify", help=_("what is in this photo? probability per label you give"))
    p.add_argument("photo", help=_("an image file, indexed or not"))
    p.add_argument("--labels", required=True, help=_('comma-separated, e.g. "a cat, a dog, a car"'))
    p.set_defaults(run=run)


def run(lib: Library, args: argparse.Namespace) -> int:
    result = lib.classify(args.photo, args.labels)
    if args.json:
        emit_json({"photo": args.photo, "labels": [{"label": k, "probability": p}
                                                   for k, p in result]})
        return 0
    for label, prob in result:
        bar = "#" * round(prob * 30)
        print(f"{prob * 100:5.1f}%  {label:<30} {bar}")
    return 0
