"""The background indexing service that keeps a library up to date while photoclip runs.

One thread owns all indexing work (and so the model's batch loop and every store write). It first
reconciles the folders with the index (changes made while photoclip was closed), then applies the
watcher's settled changes in batches. Anything may subscribe to its event stream from any thread;
callbacks run on the service thread and must return quickly (a GUI re-posts them to its own thread).
Searches do not go through the service: they call the library directly and wait for at most the
model batch in flight.
"""

from __future__ import annotations

import logging
import os
import queue
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field

from photoclip.core import images, keywords, scanner
from photoclip.core.folders import FolderAddition, outermost
from photoclip.core.indexer import IndexProgress, IndexReport
from photoclip.core.library import Library
from photoclip.core.said import Translate, _same
from photoclip.core.watcher import FolderWatcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceEvent:
    """One item of the service's event stream."""

    kind: str  # started | reconciled | progress | batch | error | paused | resumed | idle | stopped
    progress: IndexProgress | None = None
    report: IndexReport | None = None
    message: str = ""  # an error's, in English (logs, --json)
    error: BaseException | None = None  # the error itself, for :meth:`text`

    def text(self, translate: Translate = _same) -> str:
        """An error event's message in the language of ``translate`` (the front's)."""
        if self.error is not None:
            from photoclip.core.errors import user_message

            return user_message(self.error, translate) or self.message
        return self.message


Subscriber = Callable[[ServiceEvent], None]


@dataclass
class _Request:
    changed: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    removed_folders: set[str] = field(default_factory=set)
    full_scan: bool = False
    retry_failed: bool = False
    # scans asked for by :meth:`LibraryService.scan`: they get the report of the run doing them
    waiters: list[tuple[Future[IndexReport], Callable[[IndexProgress], None] | None]] = field(
        default_factory=list
    )

    def merge(self, other: _Request) -> None:
        self.changed |= other.changed
        self.deleted |= other.deleted
        self.removed_folders |= other.removed_folders
        self.full_scan |= other.full_scan
        self.retry_failed |= other.retry_failed
        self.waiters += other.waiters


class LibraryService:
    """Start, stop, pause and resume background indexing of a library; publish its events."""

    def __init__(
        self,
        library: Library,
        *,
        quiet: float = 1.0,
        reconcile_on_start: bool = True,
        polling: bool = False,
        poll_interval: float | None = None,
        low_priority: bool = True,
    ) -> None:
        self.library = library
        self.reconcile_on_start = reconcile_on_start
        self.low_priority = low_priority
        self.watcher = FolderWatcher(
            self._on_changes, quiet=quiet, accept=_watched, polling=polling,
            poll_interval=poll_interval,
        )
        self._queue: queue.Queue[_Request | None] = queue.Queue()
        self._subscribers: list[Subscriber] = []
        self._sub_lock = threading.Lock()
        self._run_stop = threading.Event()  # stops the run in progress (pause or shutdown)
        self._resume = threading.Event()
        self._resume.set()
        self._stopping = False
        self._busy = threading.Event()
        self._idle = threading.Event()
        self._thread = threading.Thread(target=self._main, name="photoclip-indexer", daemon=True)

    # ----- control ---------------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> bool:
        """Finish the batch in flight (waiting at most ``timeout`` s), then stop watching and
        indexing. False when the thread is still busy: the caller must not close the library
        under it (the batch is abandoned at process exit and indexed again next time)."""
        self._stopping = True
        self._run_stop.set()
        self._resume.set()
        self._queue.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)
        self.watcher.stop()
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        """Whether the service thread is alive (started and not yet stopped)."""
        return self._thread.is_alive()

    def pause(self) -> None:
        """Stop after the batch in flight; queued work waits for :meth:`resume`."""
        self._resume.clear()
        self._run_stop.set()
        self._publish(ServiceEvent("paused"))

    def resume(self) -> None:
        self._run_stop.clear()
        self._resume.set()
        self._queue.put(_Request())  # continue the backlog
        self._publish(ServiceEvent("resumed"))

    @property
    def paused(self) -> bool:
        return not self._resume.is_set()

    def add_folder(self, folder: str) -> FolderAddition:
        """Add a library folder and follow it (a folder it takes the place of is no longer
        watched on its own: see :mod:`photoclip.core.folders`)."""
        plan = self.library.add_folder(folder)
        for absorbed in plan.absorbed:
            self.watcher.unwatch(absorbed)
        if plan.path in self.library.settings.folders and plan.path not in self.watcher.modes:
            self.watcher.watch(plan.path)  # added now, or by the library just before
            self._queue.put(_Request(changed={plan.path}))
        return plan

    def remove_folder(self, folder: str) -> None:
        """Stop watching a folder; its photos leave the index (files are never touched)."""
        path = scanner.normalise_folder(folder)
        self.watcher.unwatch(path)
        self._queue.put(_Request(removed_folders={path}))

    def request_sync(self, changed: Iterable[str] = (), deleted: Iterable[str] = ()) -> None:
        """Queue specific paths (created/modified, removed) for the next run."""
        self._queue.put(_Request(set(changed), set(deleted)))

    def request_full_scan(self) -> None:
        self._queue.put(_Request(full_scan=True))

    def scan(
        self, progress: Callable[[IndexProgress], None] | None = None, *,
        retry_failed: bool = False,
    ) -> Future[IndexReport]:
        """Queue a full scan (what `photoclip index` asks of an owner): the future gets the
        report of the run that did it; ``progress`` is called (on the service thread) with
        that run's progress. The service thread stays the one writer."""
        future: Future[IndexReport] = Future()
        self._idle.clear()
        self._queue.put(_Request(full_scan=True, retry_failed=retry_failed,
                                 waiters=[(future, progress)]))
        return future

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is queued, settling or running (for the CLI and tests)."""
        return self._idle.wait(timeout)

    # ----- events ----------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Receive every event (on the service thread); returns an unsubscribe function."""
        with self._sub_lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._sub_lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def _publish(self, event: ServiceEvent) -> None:
        with self._sub_lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:
                log.exception("An event subscriber failed")

    def _on_changes(self, changed: set[str], deleted: set[str]) -> None:
        self._idle.clear()
        self._queue.put(_Request(changed, deleted))

    # ----- the service thread ----------------------------------------------------------------

    def _main(self) -> None:
        if self.low_priority:
            _lower_thread_priority()
        self._publish(ServiceEvent("started"))
        lib = self.library
        try:
            self.watcher.start(outermost(lib.settings.folders))  # nested ones: watched once
            if self.reconcile_on_start:
                self._queue.put(_Request(full_scan=True))
            while True:
                try:
                    request = self._queue.get(timeout=0.5)
                except queue.Empty:
                    if self.watcher.backlog == 0 and not self._busy.is_set():
                        self._idle.set()
                    continue
                if request is None:
                    break
                self._idle.clear()
                while True:  # coalesce everything queued into one run
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        self._queue.put(None)
                        break
                    request.merge(more)
                self._resume.wait()
                if self._stopping:
                    _settle(request, None, RuntimeError("the indexing service stopped"))
                    break
                self._run(request)
        except Exception as exc:  # the service must report, never die silently
            log.exception("The indexing service stopped on an error")
            self._publish(ServiceEvent("error", message=str(exc), error=exc))
        finally:
            while True:  # scans still queued get an answer, never a wait without end
                try:
                    left = self._queue.get_nowait()
                except queue.Empty:
                    break
                if left is not None:
                    _settle(left, None, RuntimeError("the indexing service stopped"))
            self._publish(ServiceEvent("stopped"))

    def _run(self, request: _Request) -> None:
        self._busy.set()
        if self._resume.is_set() and not self._stopping:
            self._run_stop.clear()

        def progress(p: IndexProgress) -> None:
            self._publish(ServiceEvent("progress", progress=p))
            for _, callback in request.waiters:
                if callback is not None:
                    try:
                        callback(p)
                    except Exception:
                        log.exception("A progress callback failed")

        try:
            for folder in request.removed_folders:
                if folder in self.library.settings.folders:
                    self.library.remove_folder(folder)
            if request.full_scan:
                report = self.library.index_folders(
                    progress, self._run_stop, retry_failed=request.retry_failed
                )
                kind = "reconciled"
            else:
                report = self.library.sync_paths(
                    request.changed, request.deleted, progress, self._run_stop
                )
                kind = "batch"
            if report.stopped and not self._stopping:
                self._queue.put(request)  # paused mid-run: finish it (and its waiters) later
            else:
                _settle(request, report)
            self._publish(ServiceEvent(kind, report=report))
        except Exception as exc:
            _settle(request, None, exc)
            if self._stopping:  # quitting: the batch in flight was abandoned, not lost
                log.info("Indexing stopped with its batch in flight unwritten (%s); it is "
                         "indexed again next time", type(exc).__name__)
                return
            from photoclip.core.errors import user_message

            message = user_message(exc)
            if message:  # an expected error (a server down, a full disk): one line
                log.error("Indexing failed: %s", message, exc_info=log.isEnabledFor(logging.DEBUG))
            else:
                log.exception("Indexing failed")
            self._publish(ServiceEvent("error", message=message or repr(exc), error=exc))
        finally:
            if self._stopping:
                _settle(request, None, RuntimeError("the indexing service stopped"))
            self._busy.clear()


def _settle(request: _Request, report: IndexReport | None,
            error: BaseException | None = None) -> None:
    """Give the run's report (or its error) to the scans waiting for it."""
    for future, _ in request.waiters:
        if future.done():
            continue
        if error is not None or report is None:
            future.set_exception(error or RuntimeError("the run stopped"))
        else:
            future.set_result(report)
    request.waiters.clear()


def _watched(path: str) -> bool:
    """Files whose changes matter: photos, and XMP sidecars (keywords edited in other tools)."""
    return images.is_supported(path) or keywords.is_sidecar(path)


def _lower_thread_priority() -> None:
    """Let interactive programs go first: nice +10 for this thread and the threads it starts on
    Linux (which schedules threads separately), "below normal" for this thread on Windows;
    elsewhere a no-op (lowering the whole process would slow the GUI too)."""
    try:
        if sys.platform.startswith("linux"):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        elif sys.platform == "win32":
            import ctypes

            below_normal = -1  # THREAD_PRIORITY_BELOW_NORMAL
            kernel32 = ctypes.windll.kernel32
            if not kernel32.SetThreadPriority(kernel32.GetCurrentThread(), below_normal):
                raise OSError("SetThreadPriority failed")
    except (OSError, AttributeError) as exc:
        log.debug("Could not lower the indexing thread's priority: %s", exc)
