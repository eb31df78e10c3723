"""The CLIP embedder in a child process, for the desktop app.

Importing torch and open_clip and building a model run long stretches of C code that hold
Python's GIL (hundreds of milliseconds at a time, measured in bench/gui.py): in the GUI's process
that freezes the window, whatever thread does it. :class:`EmbedderProcess` has the interface of
:class:`~photoclip.core.models.Embedder` but runs the real one in a spawned child process, so the
app's own process never imports torch. Pixels travel through shared memory (one copy, no
pickling of the batch); texts and vectors through a pipe. Calls are serialised like the
in-process embedder's. If the child dies (killed, out of memory), the call in flight fails with a
clear error and the next call starts a new child.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import multiprocessing
import os
import re
import sys
import threading
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path
from typing import Any

import numpy as np

from photoclip.core.model_catalogue import ModelSpec, read_user_model_file
from photoclip.core.types import PreprocessSpec

log = logging.getLogger(__name__)

__all__ = ["EmbedderProcess", "EmbedderProcessError"]

_START_TIMEOUT = 600.0  # seconds for the child to import torch and report its facts


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
        self._lock = threading.RLock()
        self._proc: Any = None
        self._conn: Connection | None = None
        self._facts: _Facts | None = None
        self._facts_file = Path(models_dir) / ".facts" / f"{_fingerprint(spec)}.json"
        self._shm: SharedMemory | None = None
        self.loads = 0
        self.image_batches = 0
        self.images_embedded = 0
        self.texts_embedded = 0

    # ----- facts (from the child: the parent never imports open_clip) ------------------------

    def _get_facts(self) -> _Facts:
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
        try:
            data = json.loads(self._facts_file.read_text(encoding="utf-8"))
            pp = data["preprocess_spec"]
            return int(data["dim"]), PreprocessSpec(**{
                k: tuple(v) if isinstance(v, list) else v for k, v in pp.items()
            })
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _remember_shape(self, facts: _Facts) -> None:
        payload = {"dim": facts.dim, "preprocess_spec": dataclasses.asdict(facts.preprocess_spec)}
        with contextlib.suppress(OSError):
            self._facts_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._facts_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(payload), encoding="utf-8")
            os.replace(tmp, self._facts_file)

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
        self._call(("load",))
        self.loads = max(self.loads, 1)

    def embed_images(self, pixels: np.ndarray) -> np.ndarray:
        """(N, 3, H, W) float32 pixels -> (N, D) unit vectors."""
        pixels = np.ascontiguousarray(pixels, dtype=np.float32)
        with self._lock:
            shm = self._buffer(pixels.nbytes)
            np.ndarray(pixels.shape, np.float32, buffer=shm.buf)[...] = pixels
            out = self._call(("images", shm.name, pixels.shape))
        self.loads = max(self.loads, 1)
        self.image_batches += 1
        self.images_embedded += len(pixels)
        return out

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Texts -> (N, D) unit vectors."""
        out = self._call(("texts", list(texts)))
        self.loads = max(self.loads, 1)
        self.texts_embedded += len(texts)
        return out

    def close(self) -> None:
        """Stop the child (it finishes the call in flight first) and free the shared memory."""
        with self._lock:
            self._stop()

    # ----- the child's life ------------------------------------------------------------------

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=_serve, args=(child, self.spec, self._kwargs, self.low_priority),
            name=f"photoclip-model-{self.spec.key}", daemon=True,
        )
        with _MAIN_LOCK, _without_main_module():
            proc.start()
        child.close()
        self._proc, self._conn = proc, parent
        try:
            facts = self._receive(timeout=_START_TIMEOUT)
        except BaseException:
            self._stop()
            raise
        self._facts = facts
        self._remember_shape(facts)
        log.info("Model process %d started for %s on %s", proc.pid, self.spec.key, facts.device)

    def _stop(self) -> None:
        conn, proc = self._conn, self._proc
        self._conn = self._proc = None
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
            conn.close()
        if proc is not None:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
        if self._shm is not None:
            with contextlib.suppress(OSError):
                self._shm.close()
                self._shm.unlink()
            self._shm = None

    def _buffer(self, nbytes: int) -> SharedMemory:
        if self._shm is None or self._shm.size < nbytes:
            if self._shm is not None:
                self._shm.close()
                self._shm.unlink()
            self._shm = SharedMemory(create=True, size=max(nbytes, 1 << 20))
        return self._shm

    def _call(self, message: tuple[Any, ...]) -> Any:
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                if self._proc is not None:
                    log.warning("The model process stopped (exit code %s); starting it again",
                                self._proc.exitcode)
                    self._stop()
                self._start()
            assert self._conn is not None
            try:
                self._conn.send(message)
            except (OSError, ValueError) as exc:
                self._stop()
                raise EmbedderProcessError(f"the model process is gone: {exc}") from exc
            return self._receive(timeout=None)

    def _receive(self, timeout: float | None) -> Any:
        """The child's answer; progress reports on the way are passed to ``progress``."""
        assert self._conn is not None and self._proc is not None
        conn, proc = self._conn, self._proc
        while True:
            try:
                if not conn.poll(timeout if timeout is not None else 1.0):
                    if timeout is not None:
                        raise EmbedderProcessError("the model process did not start in time")
                    if not proc.is_alive():
                        raise EOFError
                    continue
                kind, *rest = conn.recv()
            except (EOFError, OSError) as exc:
                code = proc.exitcode
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
            if kind == "error":
                raise rest[0]
            return rest[0]


# ----- the child -----------------------------------------------------------------------------


def _lower_process_priority() -> None:
    """nice +10 (Linux, macOS); "below normal" on Windows, which has no nice."""
    try:
        if sys.platform == "win32":
            import ctypes

            below_normal = 0x4000  # BELOW_NORMAL_PRIORITY_CLASS
            kernel32 = ctypes.windll.kernel32
            if not kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal):
                raise OSError("SetPriorityClass failed")
        else:
            os.nice(10)
    except (AttributeError, OSError) as exc:
        log.debug("Could not lower the model process's priority: %s", exc)


def _serve(
    conn: Connection, spec: ModelSpec, kwargs: dict[str, Any], low_priority: bool
) -> None:
    """The child's loop: one real Embedder, one request at a time, until told to stop."""
    if low_priority:  # indexing is background work: the desktop (and the app's window) first
        _lower_process_priority()
    from photoclip.core.models import Embedder

    def progress(done: int, total: int) -> None:
        conn.send(("progress", done, total))

    try:
        embedder = Embedder(spec, progress=progress, **{
            **kwargs, "models_dir": Path(kwargs["models_dir"]),
        })
        conn.send(("ok", _Facts(embedder.dim, embedder.preprocess_spec, embedder.device,
                                embedder.precision)))
    except BaseException as exc:
        conn.send(("error", _portable(exc)))
        return
    shm: SharedMemory | None = None
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:
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
                    result: Any = embedder.embed_images(pixels)
                elif kind == "texts":
                    result = embedder.embed_texts(message[1])
                elif kind == "load":
                    embedder.load()
                    result = None
                else:
                    raise ValueError(f"unknown request {kind!r}")
                conn.send(("ok", result))
            except Exception as exc:
                conn.send(("error", _portable(exc)))
    finally:
        if shm is not None:
            shm.close()
        embedder.close()


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


def _fingerprint(spec: ModelSpec) -> str:
    """What decides a model's shape: its catalogue entry and, for a user model, its file."""
    data = [dataclasses.asdict(spec), read_user_model_file(spec)]
    text = json.dumps(data, sort_keys=True, default=str)
    return re.sub(r"[^a-z0-9-]", "_", spec.key)[:40] + "-" + hashlib.sha256(
        text.encode("utf-8")).hexdigest()[:16]


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
