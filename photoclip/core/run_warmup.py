"""The fixed start-up of an index run, done on threads while the run goes on.

Before its first batch is written an index run needs the vector store's client library
(importing chromadb: ~0.8 CPU-s, most of opening the store) and the model's image tower (a
cached ONNX file: ~0.5 s to open, nearly all of it outside the GIL). Done one after the other
on the run's thread they were most of an index run's start-up (``bench/index.py``: an index run
of one new photo). Once a scan has found work, :class:`RunWarmup` starts each on a thread of its
own, so they overlap each other, the run's first decodes and each other's waits; whoever needs
the part first simply waits for it (Python's import lock, the embedder's load lock). A part that
fails here is left to its first real use, which reports the error.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

__all__ = ["RunWarmup"]

JOIN_S = 30.0  # how long closing waits for a warm-up still going on


class RunWarmup:
    """Start-up parts of an index run, each on a daemon thread (a part already loaded costs
    nothing: the next run's warm-up finds it so)."""

    def __init__(self) -> None:
        self._threads: dict[str, threading.Thread] = {}
        self._lock = threading.Lock()

    def start(self, name: str, part: Callable[[], object]) -> None:
        """Run ``part()`` on a thread of its own unless ``name`` is still warming up."""
        with self._lock:
            if name in self._threads and self._threads[name].is_alive():
                return

            def run() -> None:
                try:
                    part()
                except Exception as exc:  # its first real use says what is wrong
                    log.debug("Warming up %s failed: %s", name, exc, exc_info=True)

            thread = threading.Thread(target=run, name=f"photoclip-warm-{name}", daemon=True)
            self._threads[name] = thread
            thread.start()

    def join(self, timeout: float = JOIN_S) -> None:
        """Wait for the parts still starting (before closing what they open)."""
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(timeout)
