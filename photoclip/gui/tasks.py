"""A one-thread work lane with priorities whose results come back on the GUI thread.

Picard's idea: interactive work (a search, a click) jumps the queue ahead of chores, and a newer
request with the same ``key`` replaces one still waiting, so typing fast never queues stale
searches. Results and errors are delivered through a Qt signal (a queued connection, because it
is emitted from the lane's thread), so callbacks always run on the GUI thread.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

HIGH, NORMAL, LOW = 0, 1, 2

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


@dataclass(order=True)
class _Task:
    priority: int
    seq: int
    fn: Callable[[], Any] = field(compare=False)
    on_done: Done | None = field(compare=False, default=None)
    on_error: Failed | None = field(compare=False, default=None)
    key: str | None = field(compare=False, default=None)
    cancelled: bool = field(compare=False, default=False)


class TaskLane(QObject):
    """Run callables one at a time on a worker thread, best priority first."""

    _delivered = Signal(object)

    def __init__(self, name: str = "photoclip-lane", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: queue.PriorityQueue[_Task] = queue.PriorityQueue()
        self._seq = itertools.count()
        self._pending: dict[str, _Task] = {}
        self._lock = threading.Lock()
        self._stopped = False
        self._idle = threading.Event()
        self._idle.set()
        self._delivered.connect(self._deliver)
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Done | None = None,
        on_error: Failed | None = None,
        *,
        priority: int = NORMAL,
        key: str | None = None,
    ) -> None:
        """Queue ``fn``; ``on_done(result)`` or ``on_error(exc)`` runs later on the GUI thread.

        A task with a ``key`` cancels a not-yet-started task with the same key."""
        task = _Task(priority, next(self._seq), fn, on_done, on_error, key)
        with self._lock:
            if self._stopped:
                return
            if key is not None:
                old = self._pending.get(key)
                if old is not None:
                    old.cancelled = True
                self._pending[key] = task
            self._idle.clear()
        self._queue.put(task)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until nothing is queued or running (tests and shutdown only)."""
        return self._idle.wait(timeout)

    def stop(self, timeout: float = 10.0) -> bool:
        """Finish the task in flight (waiting at most ``timeout`` s), drop the rest and end the
        thread; False when the task in flight is still running."""
        with self._lock:
            self._stopped = True
        self._queue.put(_Task(-1, -1, lambda: None))
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _main(self) -> None:
        while True:
            task = self._queue.get()
            with self._lock:
                stopped = self._stopped
                if task.key is not None and self._pending.get(task.key) is task:
                    del self._pending[task.key]
            if stopped:
                self._idle.set()
                return
            if not task.cancelled:
                try:
                    result: Any = task.fn()
                except BaseException as exc:  # delivered to the caller, who shows it
                    if task.on_error is None:
                        log.exception("A background task failed")
                    else:
                        log.debug("A background task failed", exc_info=True)
                    self._emit(task.on_error, exc)
                else:
                    self._emit(task.on_done, result)
            with self._lock:
                if self._queue.empty():
                    self._idle.set()

    def _emit(self, callback: Callable[[Any], None] | None, value: Any) -> None:
        if callback is None:
            return
        with contextlib.suppress(RuntimeError):  # the lane is gone (app shutting down)
            self._delivered.emit((callback, value))

    @Slot(object)
    def _deliver(self, item: tuple[Callable[[Any], None], Any]) -> None:
        callback, value = item
        try:
            callback(value)
        except Exception:
            log.exception("A result handler failed")
