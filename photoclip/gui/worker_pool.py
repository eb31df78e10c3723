"""A few daemon threads that take jobs under one condition variable and stop fast: what the
grid's thumbnail loader and the viewer's decoder share (gui/thumbnail_loader.py,
gui/viewer_images.py).

The owner keeps its own queue, guarded by :attr:`WorkerPool.cond`, and says how to take the
next job (``take``, called with the lock held: a job, or None to wait) and what to do with it
(``work``, called without the lock; False ends that thread, e.g. when its receiver is gone);
``start``, if given, runs first in each thread (e.g. imports the jobs will need).
After :meth:`WorkerPool.stop` no job starts; one under way finishes first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["WorkerPool"]

Job = TypeVar("Job")

#: How long :meth:`WorkerPool.stop` waits for the jobs under way, all threads together.
STOP_SECONDS = 5.0


class WorkerPool(Generic[Job]):
    """``workers`` daemon threads named ``name-0``, ``name-1``, ... running ``work(take())``."""

    def __init__(self, name: str, workers: int, take: Callable[[], Job | None],
                 work: Callable[[Job], bool | None],
                 start: Callable[[], None] | None = None) -> None:
        self.cond = threading.Condition()
        self.stopped = False
        self._take = take
        self._work = work
        self._start = start
        self._threads = [threading.Thread(target=self._main, name=f"{name}-{i}", daemon=True)
                         for i in range(workers)]
        for t in self._threads:
            t.start()

    def wake(self, every: bool = False) -> None:
        """A job may be waiting (call with :attr:`cond` held): wake one thread, or all."""
        if every:
            self.cond.notify_all()
        else:
            self.cond.notify()

    def stop(self, timeout: float = STOP_SECONDS) -> None:
        """No job starts from now on; wait up to ``timeout`` in all for those under way."""
        with self.cond:
            self.stopped = True
            self.cond.notify_all()
        end = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, end - time.monotonic()))

    def alive(self) -> int:
        """How many of the threads still run."""
        return sum(t.is_alive() for t in self._threads)

    def _main(self) -> None:
        if self._start is not None:
            self._start()
        while True:
            with self.cond:
                while not self.stopped and (job := self._take()) is None:
                    self.cond.wait()
                if self.stopped:
                    return
            if self._work(job) is False:
                return
