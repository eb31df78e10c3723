"""`photoclip index`: bring the index up to date with the folders."""

from __future__ import annotations

import argparse
import threading

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


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("index", help="index new and changed photos (incremental)")
    p.add_argument("--retry-failed", action="store_true", help="try failed files again")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
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
            "interrupted: work up to the last batch is saved; run `photoclip index` to resume",
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
    print(
        f"{plural(report.scanned, 'photo')} scanned: {new} new, {moved} moved, "
        f"{report.changed} changed, {report.unchanged} unchanged"
    )
    print(
        f"embedded {report.embedded}, reused {report.reused} (moved {report.moved}), "
        f"failed {report.failed}, removed {report.removed} "
        f"in {human_duration(report.seconds)} ({rate:.1f} photos/s)"
    )
    if report.keywords_reread:
        print(f"keywords read for {plural(report.keywords_reread, 'photo')} without indexing "
              "them again")
    for path, reason in report.failures[:20]:
        print(f"  failed: {path}: {reason}")
    if len(report.failures) > 20:
        print(f"  ... and {len(report.failures) - 20} more (see `photoclip status --failures`)")
    return 0
