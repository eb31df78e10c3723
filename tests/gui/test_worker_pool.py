"""The worker pool the thumbnail loader and the viewer's decoder share: every job is worked
once, stop() ends every thread (waiting or not) and nothing starts after it; a worker whose
receiver is gone ends."""

from __future__ import annotations

import threading

from photoclip.gui.worker_pool import WorkerPool


def test_each_job_once_then_stop_ends_every_thread() -> None:
    jobs, done, lock, all_done = list(range(40)), [], threading.Lock(), threading.Event()

    def work(job: int) -> None:
        with lock:
            done.append(job)
            if len(done) == 40:
                all_done.set()

    pool = WorkerPool("test-pool", 3, lambda: jobs.pop() if jobs else None, work)
    assert all_done.wait(30)
    assert sorted(done) == list(range(40))
    assert pool.alive() == 3  # waiting for more
    with pool.cond:
        jobs.append(7)
        pool.wake()
    pool.stop()
    assert pool.alive() == 0
    with pool.cond:
        jobs.append(99)
        pool.wake(every=True)
    assert 99 in jobs and done.count(99) == 0  # nothing starts after stop


def test_a_worker_whose_receiver_is_gone_ends() -> None:
    jobs = ["a"]
    pool = WorkerPool("test-pool", 1, lambda: jobs.pop() if jobs else None, lambda _: False)
    pool._threads[0].join(30)
    assert pool.alive() == 0 and jobs == []
    pool.stop()
