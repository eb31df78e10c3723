"""`photoclip recover`: put back a damaged catalog from its newest good backup."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from photoclip.cli.i18n import _
from photoclip.cli.output import emit_error, emit_json, plural
from photoclip.core.reasons import shown

if TYPE_CHECKING:
    from photoclip.core.recovery import RecoveryPlan, RecoveryReport


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "recover",
        help=_("restore a damaged catalog from its newest good backup (library/backups/)"),
        description=_("Move the damaged catalog aside (it is kept), restore the newest backup "
        "that passes SQLite's integrity check, and add back from the vector store the photos "
        "indexed since. Tags and albums made after the backup cannot come back."),
    )
    p.add_argument("--yes", "-y", action="store_true", help=_("do not ask for confirmation"))
    p.add_argument(
        "--force", action="store_true",
        help=_("restore the newest backup even though the catalog is not damaged"),
    )
    p.set_defaults(run=run, needs_library=False)  # a damaged catalog cannot be opened


def run(_lib: None, args: argparse.Namespace) -> int:
    from photoclip.config import app_paths
    from photoclip.core.recovery import inspect_catalog, recover_catalog

    paths = app_paths().ensure()
    plan = inspect_catalog(paths)
    if plan.problem is None and not args.force:
        if args.json:
            emit_json({"recovered": False, "plan": plan})
        else:
            print(_("the catalog {file} is sound: nothing to recover").format(
                file=plan.catalog_file))
        return 0
    if not args.yes:
        if args.json or not sys.stdin.isatty():
            emit_error(_("recover changes the library: add --yes to go ahead"), type_="UsageError",
                       exit_code=2, as_json=args.json)
            return 2
        _describe(plan)
        if input(_("Restore it? [y/N] ")).strip().lower() not in ("y", "yes", _("y")):
            print(_("nothing was changed"))
            return 1
    report = recover_catalog(paths, force=args.force)
    if args.json:
        emit_json({"recovered": True, "report": report})
        return 0
    print_report(report)
    return 0


def print_report(report: RecoveryReport) -> None:
    """What ``recover`` did, in words (counts in the right number: "1 photo", "2 photos")."""
    if report.problem:
        print(_("damaged:   {file} ({problem})").format(file=report.catalog_file,
                                                     problem=shown(report.problem, _)))
    for kept in report.kept_as:
        print(_("kept as:   {file}").format(file=kept))
    r = report.restored
    if report.backup:
        print(_("restored:  {backup} (taken {when})").format(backup=report.backup,
                                                           when=report.backup_taken))
        print(_("           {photos}, {tags} of yours, {rejected}, {albums} as of {when}").format(
            photos=plural(r.photos, "photo"), tags=plural(r.user_tags, "tag"),
            rejected=plural(r.rejected_tags, "rejected tag"), albums=plural(r.albums, "album"),
            when=report.backup_taken))
    else:
        print(_("restored:  no good backup was found: a new catalog was started"))
    if report.store_note:
        print(_("vectors:   {note}").format(note=shown(report.store_note, _)))
    else:
        n = report.photos_from_store
        said = (_("vectors:   {photos} indexed since the backup was added back from the vector "
                  "store") if n == 1 else
                _("vectors:   {photos} indexed since the backup were added back from the vector "
                  "store"))
        print(said.format(photos=plural(n, "photo")))
    print(_("now:       {photos}; run `photoclip index` to catch up with the folders").format(
        photos=plural(report.photos, "photo")))


def _describe(plan: RecoveryPlan) -> None:
    if plan.problem:
        print(_("damaged:   {file} ({problem})").format(file=plan.catalog_file,
                                                     problem=shown(plan.problem, _)))
    else:
        print(_("catalog:   {file} (sound; --force replaces it)").format(file=plan.catalog_file))
    for bad in plan.bad_backups:
        print(_("skipped:   {backup}").format(backup=bad))
    if plan.backup:
        c = plan.backup_contents
        print(_("backup:    {backup} (taken {when}): {photos}, {tags} of yours, {albums}").format(
            backup=plan.backup, when=plan.backup_taken, photos=plural(c.photos, "photo"),
            tags=plural(c.user_tags, "tag"), albums=plural(c.albums, "album")))
    else:
        print(_("backup:    none is good: a new catalog is started from the vector store"))
    print(_("The damaged file is kept beside the catalog; nothing is deleted."))
