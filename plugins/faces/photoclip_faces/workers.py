"""Finding the faces of a batch of photos on every core: dlib holds Python's GIL while it
detects and encodes, so threads would take turns; worker processes (spawned, each with its own
models, kept for the next batches) run side by side. One core (or ``PHOTOCLIP_FACES_WORKERS=1``)
works in this process. Analysis runs after a batch is searchable, so the workers never delay
CLIP indexing's own batch."""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from .models import Box, Face, FaceModels, shared_models

log = logging.getLogger(__name__)

#: (path, upright size or None, [(name, box)] the user gave faces in the photo's MWG regions)
Job = tuple[str, "tuple[int, int] | None", "Sequence[tuple[str, Box]]"]
#: a photo's faces, or the reason it could not be read
Result = "list[Face] | str"


def worker_count() -> int:
    """``PHOTOCLIP_FACES_WORKERS`` if set, else the machine's cores (at most 4)."""
    configured = os.environ.get("PHOTOCLIP_FACES_WORKERS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(4, os.cpu_count() or 1))


_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()
_models: FaceModels | None = None  # a worker's own


def _start_worker() -> None:
    global _models
    parent = multiprocessing.parent_process()
    if parent is not None:  # the parent killed (kill -9): this worker goes too, at once
        threading.Thread(target=_exit_with, args=(parent.sentinel,), daemon=True).start()
    _models = FaceModels()


def _exit_with(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(0)


def _faces(job: Job) -> list[Face] | str:
    path, size, named = job
    models = _models or shared_models()
    try:
        return models.faces_in_file(path, size, named)
    except (OSError, ValueError) as exc:
        return str(exc)


def _get_pool(n: int) -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # spawn: never fork a process that runs Qt or holds the catalog's connections
            _pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_start_worker)
        return _pool


def shutdown() -> None:
    """Stop the worker processes (they start again when needed)."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def faces_of(jobs: Sequence[Job]) -> list[list[Face] | str]:
    """Each job's faces (or the reason its photo could not be read), in order."""
    n = worker_count()
    if n <= 1 or len(jobs) < 2:
        return [_faces(job) for job in jobs]
    try:
        return list(_get_pool(n).map(_faces, jobs))
    except BrokenProcessPool as exc:  # a worker died (killed, out of memory): go on here
        log.warning("Face workers stopped (%s); finding faces in this process", exc)
        shutdown()
        return [_faces(job) for job in jobs]
