"""`photoclip recover`: put back a damaged catalog from its newest good backup."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from photoclip.cli.i18n import _
from photoclip.cli.output import emit_error, emit_json, plural

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
            print(f"the catalog {plan.catalog_file} is sound: nothing to recover")
        return 0
    if not args.yes:
        if args.json or not sys.stdin.isatty():
            emit_error("recover changes the library: add --yes to go ahead", type_="UsageError",
                       exit_code=2, as_json=args.json)
            return 2
        _describe(plan)
        if input("Restore it? [y/N] ").strip().lower() not in ("y", "yes"):
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
        print(f"damaged:   {report.catalog_file} ({report.problem})")
    for kept in report.kept_as:
        print(f"kept as:   {kept}")
    r = report.restored
    if report.backup:
        print(f"restored:  {report.backup} (taken {report.backup_taken})")
        print(f"           {plural(r.photos, 'photo')}, {plural(r.user_tags, 'tag')} of yours, "
              f"{plural(r.rejected_tags, 'rejected tag')}, {plural(r.albums, 'album')} as of "
              f"{report.backup_taken}")
    else:
        print(_("restored:  no good backup was found: a new catalog was started"))
    if report.store_note:
        print(f"vectors:   {report.store_note}")
    else:
        n = report.photos_from_store
        print(f"vectors:   {plural(n, 'photo')} indexed since the backup "
              f"{'was' if n == 1 else 'were'} added back from the vector store")
    print(f"now:       {plural(report.photos, 'photo')}; run `photoclip index` to catch up with "
          "the folders")


def _describe(plan: RecoveryPlan) -> None:
    if plan.problem:
        print(f"damaged:   {plan.catalog_file} ({plan.problem})")
    else:
        print(f"catalog:   {plan.catalog_file} (sound; --force replaces it)")
    for bad in plan.bad_backups:
        print(f"skipped:   {bad}")
    if plan.backup:
        c = plan.backup_contents
        print(f"backup:    {plan.backup} (taken {plan.backup_taken}): "
              f"{plural(c.photos, 'photo')}, {plural(c.user_tags, 'tag')} of yours, "
              f"{plural(c.albums, 'album')}")
    else:
        print(_("backup:    none is good: a new catalog is started from the vector store"))
    print(_("The damaged file is kept beside the catalog; nothing is deleted."))
