"""`photoclip watch`: reconcile the folders, then keep the index up to date live."""

from __future__ import annotations

import argparse
import signal
import threading
import time
from typing import TYPE_CHECKING

from photoclip.cli.i18n import _
from photoclip.cli.options import non_negative_float
from photoclip.cli.output import (
    CommandFailed,
    ProgressBar,
    emit_json,
    new_and_moved,
    no_folders,
)
from photoclip.cli.serve import start_owner
from photoclip.core.chroma_server import server_answers
from photoclip.core.indexer import IndexReport
from photoclip.core.library import Library

if TYPE_CHECKING:
    from photoclip.core.service import ServiceEvent


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("watch", help=_("follow the folders live and index changes (Ctrl-C stops)"))
    p.add_argument("--polling", action="store_true",
                   help=_("poll instead of native file events (network shares)"))
    p.add_argument("--quiet-seconds", type=non_negative_float, default=1.0,
                   help=_("how long a file must be still before it is read (default 1)"))
    p.set_defaults(run=run)


def run(lib: Library, args: argparse.Namespace) -> int:
    if not lib.settings.folders:
        raise no_folders()
    bar = ProgressBar(quiet=args.json)
    lib.download_progress = bar.download
    lib.store  # noqa: B018 (a Chroma server that is not there: one line and a non-zero exit, now)
    from photoclip.core.service import LibraryService  # (watchdog: not for the other commands)

    service = LibraryService(lib, quiet=args.quiet_seconds, polling=args.polling)
    done = threading.Event()
    failed: list[str] = []  # the vector store stopped answering: watch stops, non-zero
    pipe_closed = threading.Event()

    def on_event(event: ServiceEvent) -> None:
        try:
            show(event)
        except BrokenPipeError:  # `photoclip watch | head`: stop as if Ctrl-C was pressed
            pipe_closed.set()
            done.set()

    def show(event: ServiceEvent) -> None:
        if event.kind == "progress" and event.progress is not None:
            bar.index(event.progress)
            return
        if event.kind == "error" and lib.settings.chroma_server and server_answers(
                lib.settings.chroma_server):
            bar.close()
            failed.append(event.message)  # it was given its retry window: stop
            done.set()
            return
        if event.kind == "stopped":
            done.set()
        if args.json:
            if event.kind != "progress":
                emit_json({"event": event.kind, "report": event.report, "message": event.message})
            return
        if event.kind in ("reconciled", "batch") and event.report is not None:
            r = event.report
            if event.kind == "batch" and not _did_something(r):
                return  # e.g. the delete event of a photo already seen moved
            bar.close()
            stamp = time.strftime("%H:%M:%S")
            what = _("start-up check") if event.kind == "reconciled" else _("changes")
            new, moved = new_and_moved(r)
            line = _("{new} new, {changed} changed, {moved} moved, {removed} removed, {failed} "
                     "failed; embedded {embedded}, reused {reused}").format(
                new=new, changed=r.changed, moved=moved, removed=r.removed, failed=r.failed,
                embedded=r.embedded, reused=r.reused)
            if r.keywords_reread:
                line += _("; keywords re-read for {n}").format(n=r.keywords_reread)
            print(f"{stamp} {what}: {line}", flush=True)
            if event.kind == "reconciled":
                modes = ", ".join(f"{f} ({m})" for f, m in service.watcher.modes.items())
                print(_("watching {folders}; Ctrl-C stops").format(folders=modes), flush=True)
        elif event.kind == "error":
            bar.close()
            print(_("error: {message}").format(message=event.text(_)), flush=True)

    service.subscribe(on_event)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    # other photoclip commands are answered here meanwhile (photoclip.cli.client)
    server = start_owner(lib, lambda: service, "photoclip watch")
    service.start()
    try:
        while not done.wait(0.5):
            pass
    finally:
        if server is not None:
            server.stop()
        bar.close()
        if not args.json and not pipe_closed.is_set():
            print(_("stopping after the batch in flight ..."), flush=True)
        service.stop()
    if pipe_closed.is_set():
        raise BrokenPipeError  # main() exits quietly with the status of a closed pipe
    if failed:  # a runtime failure (exit 1), reported as every error is (JSON with --json)
        raise CommandFailed(_("{error}; stopped watching").format(error=failed[0]),
                            type_="VectorStoreError")
    return 0


def _did_something(r: IndexReport) -> bool:
    return any((r.new, r.changed, r.moved, r.removed, r.failed, r.embedded, r.reused,
                r.keywords_reread))
