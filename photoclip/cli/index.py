"""`photoclip index`: bring the index up to date with the folders."""

from __future__ import annotations

import argparse
import threading

from photoclip.cli.i18n import _
from photoclip.cli.output import (
    EXIT_INTERRUPTED,
    ProgressBar,
    emit_error,
    emit_json,
    human_duration,
    new_and_moved,
    no_folders,
    plural,
)
from photoclip.core.indexer import IndexReport
from photoclip.core.library import Library
from photoclip.core.reasons import shown


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help=_("index new and changed photos (incremental)"))
    p.add_argument("--retry-failed", action="store_true", help=_("try failed files again"))
    p.add_argument("--quiet", "-q", action="store_true", help=_("no progress bar"))
    p.set_defaults(run=run)


def run(lib: Library, args: argparse.Namespace) -> int:
    if not lib.settings.folders:
        raise no_folders()
    bar = ProgressBar(quiet=args.quiet or args.json)
    lib.download_progress = bar.download
    stop = threading.Event()
    try:
        report = lib.index_folders(bar.index, stop, retry_failed=args.retry_failed)
    except KeyboardInterrupt:
        stop.set()
        bar.close()
        emit_error(  # one JSON object with --json, as every error is
            _("interrupted: work up to the last batch is saved; run `photoclip index` to resume"),
            type_="KeyboardInterrupt", exit_code=EXIT_INTERRUPTED, as_json=args.json)
        return EXIT_INTERRUPTED
    finally:
        bar.close()
    return show_report(report, args)


def show_report(report: IndexReport, args: argparse.Namespace) -> int:
    """Print what an index run did (here, or by the library's owner for this command)."""
    if args.json:
        emit_json(report)
        return 0
    rate = (report.embedded + report.reused) / report.seconds if report.seconds else 0.0
    new, moved = new_and_moved(report)
    print(_("{photos} scanned: {new} new, {moved} moved, {changed} changed, {unchanged} "
            "unchanged").format(photos=plural(report.scanned, "photo"), new=new, moved=moved,
                                changed=report.changed, unchanged=report.unchanged))
    print(_("embedded {embedded}, reused {reused} (moved {moved}), failed {failed}, removed "
            "{removed} in {time} ({rate} photos/s)").format(
        embedded=report.embedded, reused=report.reused, moved=report.moved,
        failed=report.failed, removed=report.removed, time=human_duration(report.seconds),
        rate=f"{rate:.1f}"))
    if report.keywords_reread:
        print(_("keywords read for {photos} without indexing them again").format(
            photos=plural(report.keywords_reread, "photo")))
    for path, reason in report.failures[:20]:
        print("  " + _("failed: {path}: {reason}").format(path=path, reason=shown(reason, _)))
    if len(report.failures) > 20:
        print("  " + _("... and {n} more (see `photoclip status --failures`)").format(
            n=len(report.failures) - 20))
    return 0
