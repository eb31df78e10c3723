"""The CLIP embedder in a child process, for the desktop app.

Importing torch and open_clip and building a model run long stretches of C code that hold
Python's GIL (hundreds of milliseconds at a time, measured in bench/gui.py): in the GUI's process
that freezes the window, whatever thread does it. :class:`EmbedderProcess` has the interface of
:class:`~photoclip.core.models.Embedder` but runs the real one in a spawned child process, so the
app's own process never imports torch. Pixels travel through shared memory (one copy, no
pickling of the batch); texts and vectors through a pipe. If the child dies (killed, out of
memory), the call in flight fails with a clear error and the next call starts a new child.

Two lanes, as in the in-process embedder: *interactive* calls (a query's texts, one image for
"more like this", classify's labels) go through their own pipe to their own thread in the child,
so they never queue behind an image batch (the two run side by side: a query costs tens of
milliseconds, a batch seconds). *Bulk* calls (image batches, label prototypes) use the other pipe.

Priority: the child's bulk lane runs at exactly the app's niceness + 10 (the whole child below
normal on Windows), whatever thread starts it; on Linux its interactive lane keeps the app's
niceness, so a query is not slowed by the image batch beside it. (Niceness is per thread on
Linux and a child inherits its starting thread's: started from the indexer thread, already at
+10, a relative +10 made it +19, and an unprivileged child cannot go back below +10 at all:
:meth:`EmbedderProcess.start_soon` starts it from the caller's thread, e.g. the app's
interactive lane, before the indexer asks for it.)
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path
from typing import Any

import numpy as np

from photoclip.core.model_catalogue import ModelSpec
from photoclip.core.model_facts import ModelFacts
from photoclip.core.types import PreprocessSpec

log = logging.getLogger(__name__)

__all__ = ["EmbedderProcess", "EmbedderProcessError"]

_START_TIMEOUT = 600.0  # seconds for the child to import torch and report its facts
LOW_PRIORITY_NICE = 10  # the child's niceness above the app's
CLOSE_WAIT_S = 5.0  # how long close() waits for a start in progress
INTERACTIVE_TEXTS = 256  # as photoclip.core.models.INTERACTIVE_TEXTS (not imported: no torch)


class EmbedderProcessError(RuntimeError):
    """The model process stopped or could not start; the message says why."""


@dataclass(frozen=True)
class _Facts:
    dim: int
    preprocess_spec: PreprocessSpec
    device: str
    precision: str


class EmbedderProcess:
    """An :class:`~photoclip.core.models.Embedder` running in a child process (same interface:
    ``embed_images``, ``embed_texts``, ``load``, ``dim``, ``preprocess_spec``, ``device``,
    ``precision``, counters, ``close``). The child starts on first use."""

    def __init__(
        self,
        spec: ModelSpec,
        *,
        models_dir: Path,
        device: str = "auto",
        precision: str = "auto",
        weights_file: str | Path | None = None,
        allow_download: bool = True,
        progress: Callable[[int, int], None] | None = None,
        torch_threads: int = 0,
        low_priority: bool = True,
    ) -> None:
        self.spec = spec
        self.low_priority = low_priority
        self.progress = progress
        self._kwargs: dict[str, Any] = {
            "models_dir": str(models_dir), "device": device, "precision": precision,
            "weights_file": str(weights_file) if weights_file else None,
            "allow_download": allow_download, "torch_threads": int(torch_threads),
        }
        self._lock = threading.RLock()  # the child's life (start, stop)
        self._lane_locks = {"bulk": threading.Lock(), "interactive": threading.Lock()}
        self._proc: Any = None
        self._starter: threading.Thread | None = None
        self._closed = False
        self._conns: dict[str, Connection] = {}
        self._facts: _Facts | None = None
        self._shape_facts = ModelFacts(spec, Path(models_dir))
        self._shm: SharedMemory | None = None
        self.loads = 0
        self.image_batches = 0
        self.images_embedded = 0
        self.texts_embedded = 0

    # ----- facts (from the child: the parent never imports open_clip) ------------------------

    def start_soon(self) -> None:
        """Start the child now, on a thread of its own, and return: it imports torch while the
        caller goes on, and it is started from this thread's priority (the app's interactive
        lane's, not the indexer's lowered one, which the child's interactive lane could not
        leave). A call that needs the child meanwhile waits for that start."""
        with self._lock:
            if self._proc is not None or self._starter is not None:
                return

            def start() -> None:
                try:
                    self._get_facts()
                except Exception as exc:  # the next call tries again and reports it
                    log.warning("Starting the model process failed: %s", exc)
                if self._closed:  # closed meanwhile (the app quit during its start)
                    with self._lock:
                        self._stop()

            self._starter = threading.Thread(target=start, name="photoclip-model-start",
                                             daemon=True)
            self._starter.start()

    def _wait_for_starter(self, timeout: float | None = None) -> None:
        starter = self._starter
        if starter is not None and starter is not threading.current_thread():
            starter.join(timeout)
            if not starter.is_alive():
                self._starter = None

    def _get_facts(self) -> _Facts:
        self._wait_for_starter()
        with self._lock:
            if self._facts is None:
                self._start()
            assert self._facts is not None
            return self._facts

    @property
    def dim(self) -> int:
        cached = self._cached_shape()
        return cached[0] if cached else self._get_facts().dim

    @property
    def preprocess_spec(self) -> PreprocessSpec:
        cached = self._cached_shape()
        return cached[1] if cached else self._get_facts().preprocess_spec

    def _cached_shape(self) -> tuple[int, PreprocessSpec] | None:
        """``dim`` and ``preprocess_spec`` remembered from an earlier start of this model, so
        opening a library does not wait for the child to import torch."""
        if self._facts is not None:
            return self._facts.dim, self._facts.preprocess_spec
        return self._shape_facts.shape()

    @property
    def device(self) -> str:
        return self._get_facts().device

    @property
    def precision(self) -> str:
        return self._get_facts().precision

    @property
    def loaded(self) -> bool:
        return self.loads > 0 and self._proc is not None and self._proc.is_alive()

    @property
    def pid(self) -> int | None:
        """The child's process id (None before it starts)."""
        return self._proc.pid if self._proc is not None else None

    # ----- calls -----------------------------------------------------------------------------

    def load(self) -> None:
        """Load the model in the child now (downloading its weights if allowed and needed)."""
        self._call(("load",), "bulk")
        self.loads = max(self.loads, 1)

    def embed_images(self, pixels: np.ndarray, *, lane: str | None = None) -> np.ndarray:
        """(N, 3, H, W) float32 pixels -> (N, D) unit vectors. ``lane``: by default one image
        is interactive (sent through the pipe), a batch bulk (through shared memory)."""
        pixels = np.ascontiguousarray(pixels, dtype=np.float32)
        lane = lane or ("interactive" if len(pixels) <= 1 else "bulk")
        if lane == "interactive":
            out = self._call(("pixels", pixels), lane)
        else:
            with self._lane_locks["bulk"]:  # the one shared-memory buffer belongs to this lane
                shm = self._buffer(pixels.nbytes)
                np.ndarray(pixels.shape, np.float32, buffer=shm.buf)[...] = pixels
                out = self._call(("images", shm.name, pixels.shape), lane, locked=True)
        self.loads = max(self.loads, 1)
        self.image_batches += 1
        self.images_embedded += len(pixels)
        return out

    def embed_texts(self, texts: Sequence[str], *, lane: str | None = None) -> np.ndarray:
        """Texts -> (N, D) unit vectors; by default up to 256 texts are interactive."""
        texts = list(texts)
        lane = lane or ("interactive" if len(texts) <= INTERACTIVE_TEXTS else "bulk")
        out = self._call(("texts", texts), lane)
        self.loads = max(self.loads, 1)
        self.texts_embedded += len(texts)
        return out

    def close(self) -> None:
        """Stop the child (it finishes the calls in flight first) and free the shared memory.
        A start still going on after a few seconds stops the child itself once started."""
        self._closed = True
        self._wait_for_starter(CLOSE_WAIT_S)
        if self._starter is not None:  # still starting: the starter stops it once started
            log.info("The model process is still starting; it stops once started")
            return
        self._closed = False  # a later call starts a new child, as after a crash
        with self._lane_locks["bulk"], self._lane_locks["interactive"], self._lock:
            self._stop()
            if self._shm is not None:  # kept across restarts of the child; freed here
                with contextlib.suppress(OSError):
                    self._shm.close()
                    self._shm.unlink()
                self._shm = None

    # ----- the child's life ------------------------------------------------------------------

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        bulk, bulk_child = ctx.Pipe()
        interactive, interactive_child = ctx.Pipe()
        nice = _app_niceness() + LOW_PRIORITY_NICE if self.low_priority else None
        proc = ctx.Process(
            target=_serve,
            args=(bulk_child, interactive_child, self.spec, self._kwargs, self.low_priority, nice),
            name=f"photoclip-model-{self.spec.key}", daemon=True,
        )
        with _MAIN_LOCK, _without_main_module():
            proc.start()
        bulk_child.close()
        interactive_child.close()
        self._proc, self._conns = proc, {"bulk": bulk, "interactive": interactive}
        try:
            facts = self._receive(bulk, proc, timeout=_START_TIMEOUT)
        except BaseException:
            self._stop()
            raise
        self._facts = facts
        self._shape_facts.remember_shape(facts.dim, facts.preprocess_spec)
        log.info("Model process %d started for %s on %s", proc.pid, self.spec.key, facts.device)

    def _stop(self) -> None:
        conns, proc = self._conns, self._proc
        self._conns, self._proc = {}, None
        for conn in conns.values():
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
            conn.close()
        if proc is not None:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
                proc.join(5)

    def _buffer(self, nbytes: int) -> SharedMemory:
        if self._shm is None or self._shm.size < nbytes:
            if self._shm is not None:
                self._shm.close()
                self._shm.unlink()
            self._shm = SharedMemory(create=True, size=max(nbytes, 1 << 20))
        return self._shm

    def _running(self) -> tuple[dict[str, Connection], Any]:
        """The child's pipes and process, (re)started if needed."""
        self._wait_for_starter()
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                if self._proc is not None:
                    log.warning("The model process stopped (exit code %s); starting it again",
                                self._proc.exitcode)
                    self._stop()
                self._start()
            return self._conns, self._proc

    def _call(self, message: tuple[Any, ...], lane: str, locked: bool = False) -> Any:
        """Send ``message`` down ``lane``'s pipe and wait for the answer (one call per lane at a
        time; ``locked``: the caller holds the lane's lock already)."""
        with contextlib.nullcontext() if locked else self._lane_locks[lane]:
            conns, proc = self._running()
            conn = conns[lane]
            try:
                conn.send(message)
            except (OSError, ValueError) as exc:
                with self._lock:
                    if self._proc is proc:
                        self._stop()
                raise EmbedderProcessError(f"the model process is gone: {exc}") from exc
            return self._receive(conn, proc, timeout=None)

    def _receive(self, conn: Connection, proc: Any, timeout: float | None) -> Any:
        """The child's answer; progress reports on the way are passed to ``progress``."""
        while True:
            try:
                if not conn.poll(timeout if timeout is not None else 1.0):
                    if timeout is not None:
                        raise EmbedderProcessError("the model process did not start in time")
                    if not proc.is_alive():
                        raise EOFError
                    continue
                kind, *rest = conn.recv()
            except (EOFError, OSError, ValueError) as exc:
                code = proc.exitcode
                with self._lock:
                    if self._proc is proc:  # the other lane may have restarted it already
                        self._stop()
                raise EmbedderProcessError(
                    f"the model process stopped unexpectedly (exit code {code}); it restarts "
                    "on the next use"
                ) from exc
            if kind == "progress":
                if self.progress is not None:
                    with contextlib.suppress(Exception):
                        self.progress(*rest)
                continue
            if kind == "precision":  # what the child's images now run in (an ONNX verdict)
                if self._facts is not None:
                    self._facts = replace(self._facts, precision=rest[0])
                continue
            if kind == "error":
                raise rest[0]
            return rest[0]


# ----- the child -----------------------------------------------------------------------------


def _app_niceness() -> int:
    """The app's niceness: its main thread's (``getpriority`` of the process id reads the main
    thread on Linux, the process elsewhere), not the calling thread's; 0 where there is none."""
    try:
        return os.getpriority(os.PRIO_PROCESS, os.getpid())
    except (AttributeError, OSError):  # Windows
        return 0


def _set_priority(nice: int | None) -> None:
    """Set this process to niceness ``nice`` exactly (Linux, macOS; a value it cannot reach is
    logged), or "below normal" on Windows, which has no nice."""
    try:
        if sys.platform == "win32":
            import ctypes

            below_normal = 0x4000  # BELOW_NORMAL_PRIORITY_CLASS
            kernel32 = ctypes.windll.kernel32
            if not kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal):
                raise OSError("SetPriorityClass failed")
        elif nice is not None:
            # absolute, not relative: this thread inherited the niceness of whichever thread of
            # the app started it (nice is per thread on Linux: this thread's alone)
            who = threading.get_native_id() if sys.platform.startswith("linux") else 0
            os.setpriority(os.PRIO_PROCESS, who, min(int(nice), 19))
    except (AttributeError, OSError) as exc:  # raising priority needs privileges
        log.debug("Could not set the model process's priority to %s: %s", nice, exc)


_lane_conn = threading.local()  # which pipe this thread of the child answers on


def _serve(
    conn: Connection, interactive: Connection, spec: ModelSpec, kwargs: dict[str, Any],
    low_priority: bool, nice: int | None = None,
) -> None:
    """The child: one real Embedder; this thread serves the bulk lane, a second one the
    interactive lane, each one request at a time, until told to stop."""
    # Indexing is background work (the desktop and the app's window first), a query is not:
    # on Linux, where niceness is per thread (and torch's worker threads take their starting
    # thread's), the interactive lane's thread keeps the app's niceness and only this thread,
    # the bulk lane, goes to app + 10. Windows has one priority class for the process.
    per_thread = sys.platform.startswith("linux")
    if low_priority and per_thread and nice is not None:
        _set_priority(nice - LOW_PRIORITY_NICE)  # started from a niced thread: back, if allowed
    elif low_priority:
        _set_priority(nice)
    from photoclip.core.models import Embedder

    _lane_conn.conn = conn
    ready: dict[str, Any] = {}
    built = threading.Event()

    def interactive_lane() -> None:
        built.wait()
        if "embedder" in ready:
            _serve_lane(interactive, ready["embedder"], "interactive", ready["shown"])

    worker = threading.Thread(target=interactive_lane, name="photoclip-model-interactive",
                              daemon=True)
    worker.start()  # before this thread lowers its priority: it keeps the app's

    def progress(done: int, total: int) -> None:  # on the pipe of the call that is loading
        getattr(_lane_conn, "conn", conn).send(("progress", done, total))

    try:
        _plugin_provider(spec)
        embedder = Embedder(spec, progress=progress, **{
            **kwargs, "models_dir": Path(kwargs["models_dir"]),
        })
        shown = {"precision": embedder.precision}  # as last told to the parent
        conn.send(("ok", _Facts(embedder.dim, embedder.preprocess_spec, embedder.device,
                                shown["precision"])))
    except BaseException as exc:
        built.set()
        conn.send(("error", _portable(exc)))
        return
    ready["embedder"] = embedder
    ready["shown"] = shown
    built.set()
    if low_priority and per_thread:  # the start-up (which the app may wait for) is done at
        _set_priority(nice)  # the app's priority; from here on this thread is the bulk lane
    try:
        _serve_lane(conn, embedder, "bulk", shown)
    finally:
        worker.join(10)
        embedder.close()


def _plugin_provider(spec: ModelSpec) -> None:
    """A model built by a plugin's provider: the plugins register theirs in this process too
    (the app's registrations stay in the app's process)."""
    from photoclip.core.model_provider import provider_names

    if spec.provider not in provider_names():
        from photoclip.core.plugin_host import PluginHost

        PluginHost().load().model_providers()


def _serve_lane(conn: Connection, embedder: Any, lane: str, shown: dict[str, str]) -> None:
    """Answer ``lane``'s requests; a change of the precision images run in (the ONNX tower's
    verdict on the first batch, or its fallback to torch) is told before the answer."""
    _lane_conn.conn = conn
    shm: SharedMemory | None = None
    try:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            try:
                kind = message[0]
                if kind == "images":
                    _, name, shape = message
                    if shm is None or shm.name != name:
                        if shm is not None:
                            shm.close()
                        shm = _attach(name)
                    pixels = np.ndarray(shape, np.float32, buffer=shm.buf)
                    result: Any = embedder.embed_images(pixels, lane=lane)
                elif kind == "pixels":
                    result = embedder.embed_images(message[1], lane=lane)
                elif kind == "texts":
                    result = embedder.embed_texts(message[1], lane=lane)
                elif kind == "load":
                    embedder.load()
                    result = None
                else:
                    raise ValueError(f"unknown request {kind!r}")
                precision = embedder.precision
                if precision != shown.get("precision"):
                    shown["precision"] = precision
                    conn.send(("precision", precision))
                conn.send(("ok", result))
            except Exception as exc:
                conn.send(("error", _portable(exc)))
    finally:
        if shm is not None:
            shm.close()


_MAIN_LOCK = threading.Lock()


@contextlib.contextmanager
def _without_main_module() -> Iterator[None]:
    """A spawned child imports the parent's ``__main__`` script again, and one without an
    ``if __name__ == "__main__"`` guard would start a second app in the child. The model child
    needs nothing from it, so hide it while the child's start-up data is prepared."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _attach(name: str) -> SharedMemory:
    """Open the parent's buffer. Parent and child share one resource tracker, which keeps a
    set of names: the parent's unlink unregisters it once for both (unregistering here too
    made the tracker report a KeyError)."""
    return SharedMemory(name=name)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling (so the parent sees the same type and message)."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        return EmbedderProcessError(f"{type(exc).__name__}: {exc}")
