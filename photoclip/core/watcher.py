"""Follow the library folders with watchdog and hand over settled, debounced changes.

Raw file-system events arrive in bursts (a copy writes a file in many chunks; a folder move touches
every file), so events are collected per path and a path is handed over only once it has been
quiet for ``quiet`` seconds *and* its size and modification time held still between two checks
(or, where the platform reports it, 0.2 s after its writer closed it): a file still being written
is never read half-done. Where native events are unavailable (network
shares, an exhausted inotify watch limit), a folder is polled instead, and the log says so.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

log = logging.getLogger(__name__)

BatchCallback = Callable[[set[str], set[str]], None]

#: How often (seconds) a polled folder is looked at; PHOTOCLIP_POLL_SECONDS overrides it.
POLL_SECONDS = 30.0


def poll_seconds() -> float:
    """:data:`POLL_SECONDS`, or PHOTOCLIP_POLL_SECONDS if that is a positive number."""
    try:
        value = float(os.environ.get("PHOTOCLIP_POLL_SECONDS", POLL_SECONDS))
    except ValueError:
        return POLL_SECONDS
    return value if 0 < value < math.inf else POLL_SECONDS


@dataclass
class _Pending:
    last_event: float
    deleted: bool
    is_dir: bool
    moved_in: bool = False  # the target of a rename: its content is complete already
    closed: bool = False  # the writer closed it (inotify's IN_CLOSE_WRITE): complete
    stat: tuple[int, int] | None = None  # (size, mtime_ns) at the last settle check


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: FolderWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type == "closed_no_write":
            return
        src = os.fsdecode(event.src_path)
        if event.event_type == "opened":  # maybe a writer again: the file is not complete
            self.watcher.reopened(src)
            return
        if event.event_type == "moved":
            self.watcher.note(src, deleted=True, is_dir=event.is_directory)
            self.watcher.note(os.fsdecode(event.dest_path), deleted=False,
                              is_dir=event.is_directory, moved_in=True)
        elif event.event_type == "deleted":
            self.watcher.note(src, deleted=True, is_dir=event.is_directory)
        elif event.event_type == "modified" and event.is_directory:
            return  # a folder's own timestamp; its files report themselves
        elif event.event_type == "closed":
            self.watcher.note(src, deleted=False, is_dir=False, closed=True)
        elif event.event_type in ("modified", "attrib"):  # attrib: copy2 setting the mtime
            self.watcher.note(src, deleted=False, is_dir=event.is_directory, keep_closed=True)
        else:  # created
            self.watcher.note(src, deleted=False, is_dir=event.is_directory)


class FolderWatcher:
    """watchdog observers for a set of folders, reporting settled changes in batches."""

    def __init__(
        self,
        on_batch: BatchCallback,
        *,
        quiet: float = 1.0,
        accept: Callable[[str], bool] = lambda path: True,
        polling: bool = False,
        poll_interval: float | None = None,
        max_hold: float = 60.0,
    ) -> None:
        self.on_batch = on_batch
        self.quiet = quiet
        self.accept = accept
        self.force_polling = polling
        self.poll_interval = poll_seconds() if poll_interval is None else poll_interval
        self.max_hold = max_hold
        self.closed_quiet = min(quiet, 0.2)  # after the writer closed the file
        self.modes: dict[str, str] = {}  # folder -> "native" | "polling"
        self._pending: dict[str, _Pending] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._native = Observer()
        self._polling: PollingObserver | None = None
        self._watches: dict[str, object] = {}
        self._thread = threading.Thread(target=self._settle_loop, name="watch-settle", daemon=True)
        self._handler = _Handler(self)

    # ----- lifecycle -------------------------------------------------------------------------

    def start(self, folders: Iterable[str]) -> None:
        self._native.start()
        self._thread.start()
        for folder in folders:
            self.watch(folder)

    def stop(self) -> None:
        self._stop.set()
        for obs in (self._native, self._polling):  # only started observers are alive
            if obs is not None and obs.is_alive():
                obs.stop()
                obs.join(timeout=5)
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def watch(self, folder: str) -> str:
        """Start following ``folder``; returns "native" or "polling"."""
        if folder in self._watches:
            return self.modes[folder]
        if not self.force_polling:
            try:
                self._watches[folder] = self._native.schedule(
                    self._handler, folder, recursive=True
                )
                self.modes[folder] = "native"
                return "native"
            except OSError as exc:
                log.warning(
                    "Native file events are unavailable for %s (%s); polling it every %.0f s "
                    "instead. On Linux, raising fs.inotify.max_user_watches restores live events.",
                    folder, exc, self.poll_interval,
                )
        if self._polling is None:
            self._polling = PollingObserver(timeout=self.poll_interval)
            self._polling.start()
        self._watches[folder] = self._polling.schedule(self._handler, folder, recursive=True)
        self.modes[folder] = "polling"
        return "polling"

    def unwatch(self, folder: str) -> None:
        watch = self._watches.pop(folder, None)
        mode = self.modes.pop(folder, None)
        if watch is None:
            return
        obs = self._native if mode == "native" else self._polling
        if obs is not None:
            obs.unschedule(watch)
        with self._lock:
            for path in [p for p in self._pending if p == folder or p.startswith(folder + os.sep)]:
                del self._pending[path]

    # ----- events ----------------------------------------------------------------------------

    def note(
        self, path: str, *, deleted: bool, is_dir: bool, moved_in: bool = False,
        closed: bool = False, keep_closed: bool = False,
    ) -> None:
        """Record an event for ``path`` (called from observer threads)."""
        if not is_dir and not deleted and not self.accept(path):
            return
        with self._lock:
            old = self._pending.get(path)
            moved_in = moved_in and (old is None or old.moved_in)  # written after the move?
            closed = closed or (keep_closed and old is not None and old.closed)
            self._pending[path] = _Pending(time.monotonic(), deleted, is_dir, moved_in, closed)

    def reopened(self, path: str) -> None:
        """A pending file was opened again (perhaps to write more): wait for its next close.

        Opens of files with nothing pending (readers, the indexer itself) are ignored."""
        with self._lock:
            p = self._pending.get(path)
            if p is not None and not p.deleted:
                p.closed = False
                p.last_event = time.monotonic()

    @property
    def backlog(self) -> int:
        with self._lock:
            return len(self._pending)

    def _settle_loop(self) -> None:
        tick = min(0.1, self.quiet / 2)
        while not self._stop.wait(tick):
            changed, deleted = self._settled()
            if changed or deleted:
                try:
                    self.on_batch(changed, deleted)
                except Exception:
                    log.exception("Handling file changes failed")

    def _settled(self) -> tuple[set[str], set[str]]:
        """Paths ready to hand over. Deletions wait while other files are still settling (up to
        ``max_hold``), so that a move seen as delete + create lands in one batch and the photo
        keeps its identity."""
        now = time.monotonic()
        changed: set[str] = set()
        deleted: set[str] = set()
        unsettled = False
        with self._lock:
            for path, p in list(self._pending.items()):
                if p.deleted:
                    continue
                quiet = self.closed_quiet if p.closed else self.quiet
                if now - p.last_event < quiet:
                    unsettled = True
                    continue
                if p.is_dir or p.moved_in or p.closed:
                    changed.add(path)
                    del self._pending[path]
                    continue
                try:
                    st = os.stat(path)
                except OSError:  # gone again before it settled
                    deleted.add(path)
                    del self._pending[path]
                    continue
                stat = (st.st_size, st.st_mtime_ns)
                if p.stat == stat:
                    changed.add(path)
                    del self._pending[path]
                else:  # still changing (or first check): look again after another quiet spell
                    p.stat = stat
                    p.last_event = now
                    unsettled = True
            for path, p in list(self._pending.items()):
                if not p.deleted or now - p.last_event < self.quiet:
                    continue
                if not unsettled or now - p.last_event > self.max_hold:
                    deleted.add(path)
                    del self._pending[path]
        return changed, deleted
