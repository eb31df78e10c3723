"""Bring a model's vectors up to date with the files (rclip-style incremental indexing).

Per pending photo, a decode pool reads the file once, hashes its bytes, and either finds a
vector already made from the same content (a moved, renamed or copied photo: no model call) or
decodes and preprocesses it. The calling thread owns the model and embeds full batches while the
pool works ahead. Each batch is written to the vector store first and then recorded in the
catalog, so a kill at any moment loses at most the batch in flight and never duplicates a photo.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from photoclip.core import reasons as R
from photoclip.core.catalog import Catalog, PhotoRecord
from photoclip.core.images import ImageDecodeError, load_image, preprocess, read_image_info
from photoclip.core.keywords import FileKeywords, read_file_keywords
from photoclip.core.types import ImageInfo, PreprocessSpec

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 1 << 30  # a "photo" over 1 GiB is not read into memory
RATE_WINDOW = 20.0  # seconds: rates and ETAs are of this recent window, not the run's average


ProgressCallback = Callable[["IndexProgress"], None]


@dataclass(frozen=True)
class IndexProgress:
    """A snapshot of an index run, sent after every batch."""

    phase: str  # scanning | keywords | indexing | cleaning | done | preparing | analyzing
    done: int
    total: int
    embedded: int
    reused: int
    failed: int
    elapsed: float
    current: str | None = None
    recent_rate: float | None = None  # over the last RATE_WINDOW seconds (see RecentRate)

    @property
    def rate(self) -> float:
        """Photos per second: of the recent window where known, else of the phase so far."""
        if self.recent_rate is not None:
            return self.recent_rate
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left at the current rate, if known."""
        rate = self.rate
        return (self.total - self.done) / rate if rate > 0 else None


class RecentRate:
    """Progress per second over the last ``window`` seconds of one phase: the one rule for the
    rate and ETA that the CLI and the app show. A run's average hides a slow start (a first
    batch that waited for the model to load or label prototypes: "0.1 photos/s, ETA 7 hours"
    long after the photos flow at 5/s) and a slowdown."""

    def __init__(self, window: float = RATE_WINDOW) -> None:
        self.window = float(window)
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, done: int, elapsed: float) -> float | None:
        """Record ``done`` items at ``elapsed`` seconds; the recent rate (None before two
        samples span any time)."""
        samples = self._samples
        if samples and (done < samples[-1][1] or elapsed < samples[-1][0]):
            samples.clear()  # a new phase or run
        samples.append((elapsed, done))
        # keep the newest sample at or before the window's start, and everything after it
        while len(samples) > 2 and samples[1][0] <= elapsed - self.window:
            samples.popleft()
        t0, d0 = samples[0]
        return (done - d0) / (elapsed - t0) if elapsed > t0 else None


def with_recent_rates(progress: ProgressCallback | None) -> ProgressCallback | None:
    """``progress`` receiving every snapshot with ``recent_rate`` set, per phase."""
    if progress is None:
        return None
    state: dict[str, Any] = {"phase": None, "rate": RecentRate()}

    def send(p: IndexProgress) -> None:
        if p.phase != state["phase"]:  # each phase (and each time it is entered) afresh
            state["phase"], state["rate"] = p.phase, RecentRate()
        recent = state["rate"].add(p.done, p.elapsed)
        progress(replace(p, recent_rate=recent) if recent is not None else p)

    return send


@dataclass
class IndexReport:
    """What an index run did."""

    scanned: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    embedded: int = 0
    reused: int = 0
    moved: int = 0
    moved_in: int = 0  # of the ``new`` files, those that are a known photo moved there
    failed: int = 0
    removed: int = 0
    keywords_reread: int = 0  # photos whose keywords were read without indexing them again
    seconds: float = 0.0
    stopped: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Prepared:
    record: PhotoRecord
    content_hash: str | None = None
    pixels: np.ndarray | None = None
    info: ImageInfo | None = None
    error: str | None = None
    keywords: FileKeywords | None = None  # read from the file and its sidecars, when asked
    data: bytes | None = None  # the file, for the GPU decoder (pixels None then)




class VectorSink:
    """Where finished vectors go: the durable store and the in-memory search index."""

    def __init__(self, store: object, index: object) -> None:
        self.store = store
        self.index = index

    def put(
        self, records: Sequence[PhotoRecord], vectors: np.ndarray, hashes: Sequence[str]
    ) -> None:
        ids = [r.id for r in records]
        self.store.upsert(ids, vectors, [photo_metadata(r, h) for r, h in zip(records, hashes)])
        self.index.add(ids, vectors, [r.folder for r in records], [r.date for r in records])

    def recorded(self, records: Sequence[PhotoRecord], vectors: np.ndarray) -> None:
        """A batch is stored *and* recorded in the catalog: ``records`` are read back from it,
        so their content hashes are known (the library hands them to plugins and analyzers)."""

    def keywords(self, found: dict[int, FileKeywords]) -> None:
        """Keywords read from the files of these photos (a plain sink has nowhere to keep them;
        the library's sink stores them as tags)."""

    def move(self, records: Sequence[PhotoRecord]) -> None:
        ids = [r.id for r in records]
        self.store.update_metadata(ids, [photo_metadata(r, r.hash) for r in records])
        self.index.update_attrs(ids, folders=[r.folder for r in records])

    def remove(self, ids: Sequence[int]) -> None:
        if ids:
            self.store.delete(ids)
            self.index.remove(ids)


def photo_metadata(rec: PhotoRecord, content_hash: str | None) -> dict[str, str | int | float]:
    """The metadata stored beside a vector (for filtering in Chroma and for rebuilding)."""
    meta: dict[str, str | int | float | None] = {
        "path": rec.path,
        "folder": rec.folder,
        "size": rec.size,
        "mtime": rec.mtime_ns // 1_000_000_000,
        "hash": content_hash,
        "taken": int(rec.taken) if rec.taken is not None else None,
        "width": rec.width,
        "height": rec.height,
        "camera": rec.camera,
    }
    return {k: v for k, v in meta.items() if v is not None}


def content_hash(data: bytes) -> str:
    """The content hash that identifies a photo's bytes wherever the file lives.

    SHA-256 (all 64 hex digits; libraries indexed before kept 32 for their photos) because CPUs
    hash it in hardware: about 2.8 ms for a 5 MB photo here, against 5.8 ms for BLAKE2b.
    """
    return hashlib.sha256(data).hexdigest()


class Indexer:
    """Embeds pending photos of one model; one instance per run or per service."""

    def __init__(
        self,
        catalog: Catalog,
        sink: VectorSink,
        embed_images: Callable[[np.ndarray], np.ndarray],
        preprocess_spec: PreprocessSpec,
        model_key: str,
        *,
        batch_size: int = 32,
        decode_workers: int = 0,
        max_megapixels: float = 300,
        decode_processes: bool = False,
        read_keywords: bool = False,
        gpu: Any = None,
        embed_device: Callable[[Any], np.ndarray] | None = None,
    ) -> None:
        self.catalog = catalog
        self.sink = sink
        self.embed_images = embed_images
        self.spec = preprocess_spec
        self.model_key = model_key
        self.batch_size = max(1, batch_size)
        self.decode_workers = decode_workers or max(1, os.cpu_count() or 1)
        self.max_megapixels = max_megapixels
        self.decode_processes = decode_processes
        self.read_keywords = read_keywords
        # GPU decode (photoclip.core.gpu_decode): JPEGs go to it as bytes, in decode threads
        self.gpu = gpu if embed_device is not None and not decode_processes else None
        self.embed_device = embed_device

    # ----- a run -------------------------------------------------------------------------------

    def run(
        self,
        work: Sequence[PhotoRecord],
        *,
        missing: set[int] | None = None,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        report: IndexReport | None = None,
    ) -> IndexReport:
        """Embed ``work``; ``missing`` photos (file gone) may be claimed by moved files.

        Claimed ids are removed from ``missing``; the caller sweeps the rest.
        """
        report = report or IndexReport()
        missing = missing if missing is not None else set()
        sources = self.catalog.vector_source_by_hash(self.model_key)
        reusable = frozenset(sources)
        embedded_ever = self.catalog.embedded_ids(self.model_key)
        start = time.perf_counter()
        done = 0
        batch: list[_Prepared] = []
        moves: list[PhotoRecord] = []
        copies: list[tuple[PhotoRecord, str, int]] = []
        keywords: dict[int, FileKeywords] = {}

        def emit(current: str | None) -> None:
            if progress is not None:
                progress(
                    IndexProgress(
                        "indexing", done, len(work), report.embedded, report.reused,
                        report.failed, time.perf_counter() - start, current,
                    )
                )

        def flush() -> None:
            self._flush_reuse(moves, copies, report)
            self._flush_batch(batch, report)
            if keywords:
                self.sink.keywords(dict(keywords))
                keywords.clear()
            emit(batch[-1].record.path if batch else None)
            batch.clear()

        emit(None)
        window = self.batch_size * 3
        pending: deque[Future[_Prepared]] = deque()
        items = iter(work)
        settings = (reusable, self.spec, self.max_megapixels, self.read_keywords)
        with self._decode_pool(settings) as pool:
            def refill() -> None:
                while len(pending) < window:
                    rec = next(items, None)
                    if rec is None:
                        return
                    if self.decode_processes:
                        pending.append(pool.submit(_prepare_in_worker, rec))
                    else:
                        pending.append(pool.submit(prepare_photo, rec, *settings,
                                                   gpu=self.gpu is not None))

            refill()
            while pending:
                if stop is not None and stop.is_set():
                    report.stopped = True
                    for fut in pending:
                        fut.cancel()
                    break
                item = pending.popleft().result()
                refill()
                done += 1
                rec = item.record
                if item.error is not None:
                    self.catalog.mark_failed(rec.id, item.error, item.content_hash)
                    self.sink.remove([rec.id])
                    report.failed += 1
                    report.failures.append((rec.path, item.error))
                    continue
                assert item.content_hash is not None
                if item.pixels is None and item.data is None:  # content with a stored vector
                    source = sources[item.content_hash]
                    is_fresh = rec.hash is None and rec.id not in embedded_ever
                    if is_fresh and source not in missing and self._file_gone(source):
                        missing.add(source)  # a move whose delete event has not come yet
                    if source in missing and is_fresh:
                        missing.discard(source)
                        moves.append(_moved(rec, source, item.content_hash))
                        report.moved += 1
                        report.moved_in += 1
                        if item.keywords is not None:
                            keywords[source] = item.keywords
                    else:
                        copies.append((rec, item.content_hash, source))
                        if item.keywords is not None:
                            keywords[rec.id] = item.keywords
                    report.reused += 1
                    if len(moves) + len(copies) >= self.batch_size:
                        flush()
                    continue
                batch.append(item)
                if item.keywords is not None:
                    keywords[rec.id] = item.keywords
                if len(batch) >= self.batch_size:
                    flush()
            flush()
        report.seconds += time.perf_counter() - start
        return report

    def _decode_pool(
        self, settings: tuple[frozenset[str], PreprocessSpec, float, bool]
    ) -> Executor:
        """Threads (Pillow and numpy release the GIL for most of the work), or processes on
        request. Threads stop scaling near 550 decodes/s on a 16-core machine, but a spawned
        process pool was slower still for a run of 768 photos (start-up and pickling)."""
        if not self.decode_processes:
            return ThreadPoolExecutor(self.decode_workers, thread_name_prefix="decode")
        return ProcessPoolExecutor(
            self.decode_workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker, initargs=settings,
        )

    def _flush_batch(self, batch: list[_Prepared], report: IndexReport) -> None:
        if batch and self.gpu is not None and any(p.data is not None for p in batch):
            batch[:] = self._embed_on_gpu(batch, report)
            vectors = np.stack([p.pixels for p in batch]) if batch else None
        elif batch:
            vectors = self.embed_images(np.stack([p.pixels for p in batch]))
        if not batch:
            return
        records = [_with_info(p.record, p.info) for p in batch]
        hashes = [p.content_hash or "" for p in batch]
        self.sink.put(records, vectors, hashes)  # vectors first ...
        self.catalog.mark_indexed(  # ... then the catalog: a crash in between only repeats work
            self.model_key, [(p.record.id, p.content_hash or "", p.info) for p in batch]
        )
        report.embedded += len(batch)
        self._recorded([r.id for r in records], vectors)

    def _embed_on_gpu(self, batch: list[_Prepared], report: IndexReport) -> list[_Prepared]:
        """The batch decoded where it is (GPU JPEGs, CPU pixels) and embedded in one model call;
        returns the photos that succeeded, each with its vector in ``pixels``."""
        assert self.gpu is not None and self.embed_device is not None
        on_gpu = [i for i, p in enumerate(batch) if p.data is not None]
        decoded = self.gpu.batch([batch[i].data for i in on_gpu],
                                 [batch[i].record.path for i in on_gpu])
        rows, keep = [], []
        for k, i in enumerate(on_gpu):
            item = batch[i]
            if k in decoded.failed:
                self.catalog.mark_failed(item.record.id, decoded.failed[k], item.content_hash)
                self.sink.remove([item.record.id])
                report.failed += 1
                report.failures.append((item.record.path, decoded.failed[k]))
            else:
                rows.append(k)
                keep.append(item)
        keep += [item for item in batch if item.data is None]
        if not keep:
            return []
        pixels = self.gpu.combine(decoded, rows, [p.pixels for p in batch if p.data is None])
        vectors = self.embed_device(pixels)
        return [replace(item, pixels=vec, data=None) for item, vec in zip(keep, vectors)]

    def _file_gone(self, photo_id: int) -> bool:
        """Whether the file of a catalogued photo no longer exists."""
        rec = self.catalog.get(photo_id)
        return rec is not None and not os.path.exists(rec.path)

    def _flush_reuse(
        self,
        moves: list[PhotoRecord],
        copies: list[tuple[PhotoRecord, str, int]],
        report: IndexReport,
    ) -> None:
        if moves:
            with self.catalog.transaction():
                for rec in moves:
                    self.catalog.move(rec.id, rec.path, rec.size, rec.mtime_ns)
            self.sink.move(self.catalog.get_many(r.id for r in moves).values())
            moves.clear()
        if copies:
            vectors = self.sink.store.get_vectors([src for _, _, src in copies])
            ready = [(rec, h, src) for rec, h, src in copies if src in vectors]
            with self.catalog.transaction():
                for rec, _, src in ready:
                    self.catalog.copy_facts(src, rec.id)
            fresh = self.catalog.get_many(rec.id for rec, _, _ in ready)
            if ready:
                self.sink.put(
                    [fresh[rec.id] for rec, _, _ in ready],
                    np.stack([vectors[src] for _, _, src in ready]),
                    [h for _, h, _ in ready],
                )
                self.catalog.mark_indexed(self.model_key, [(r.id, h, None) for r, h, _ in ready])
                self._recorded(
                    [rec.id for rec, _, _ in ready], np.stack([vectors[s] for _, _, s in ready])
                )
            lost = [rec for rec, _, src in copies if src not in vectors]
            for rec in lost:  # the source vector vanished: embed this one next run
                log.warning("Stored vector for %s is missing; it will be embedded again", rec.path)
                report.reused -= 1
            copies.clear()


    def _recorded(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        """Hand a recorded batch on, as the catalog now has it (hashes included)."""
        fresh = self.catalog.get_many(ids)
        keep = [k for k, i in enumerate(ids) if i in fresh]
        self.sink.recorded([fresh[ids[k]] for k in keep], vectors[keep])


def prepare_photo(
    rec: PhotoRecord,
    reusable: frozenset[str],
    spec: PreprocessSpec,
    max_megapixels: float,
    want_keywords: bool = False,
    gpu: bool = False,
) -> _Prepared:
    """Read a photo once, hash it, read its keywords if asked, and decode it unless a vector
    for its content exists (``gpu``: a JPEG the GPU decoder takes is left as bytes)."""
    try:
        if rec.size > MAX_FILE_BYTES:
            return _Prepared(rec, error=R.reason(R.TOO_LARGE_FILE, size=rec.size >> 20))
        data = Path(rec.path).read_bytes()
    except OSError as exc:
        return _Prepared(rec, error=R.reason(R.CANNOT_READ, error=exc.strerror or exc))
    digest = content_hash(data)
    found = read_file_keywords(rec.path, data) if want_keywords else None
    if digest in reusable:
        return _Prepared(rec, content_hash=digest, keywords=found)
    if gpu:
        from photoclip.core.gpu_decode import route

        if route(data, spec, max_megapixels).gpu:
            try:
                info = read_image_info(data, name=rec.path)
                return _Prepared(rec, content_hash=digest, info=info, keywords=found, data=data)
            except ImageDecodeError:
                pass  # the CPU path below says what is wrong
    try:
        image, info = load_image(
            data, min_side=spec.min_side, max_megapixels=max_megapixels, name=rec.path
        )
        pixels = preprocess(image, spec)
    except ImageDecodeError as exc:
        return _Prepared(rec, content_hash=digest, error=exc.reason)
    except Exception as exc:  # a decoder bug must not stop the run
        log.exception("Unexpected error decoding %s", rec.path)
        return _Prepared(rec, content_hash=digest, error=R.reason(R.UNEXPECTED, error=exc))
    return _Prepared(rec, content_hash=digest, pixels=pixels, info=info, keywords=found)


_worker_settings: tuple[frozenset[str], PreprocessSpec, float, bool] | None = None


def _init_worker(
    reusable: frozenset[str], spec: PreprocessSpec, max_megapixels: float, want_keywords: bool
) -> None:
    """Give a decode process the run's settings once, not with every photo."""
    global _worker_settings
    _worker_settings = (reusable, spec, max_megapixels, want_keywords)


def _prepare_in_worker(rec: PhotoRecord) -> _Prepared:
    assert _worker_settings is not None
    return prepare_photo(rec, *_worker_settings)


def _moved(rec: PhotoRecord, source_id: int, digest: str) -> PhotoRecord:
    """The record of the photo ``source_id`` now living at ``rec``'s path."""
    return PhotoRecord(
        source_id, rec.path, str(Path(rec.path).parent), rec.size, rec.mtime_ns, digest,
        None, None, None, None, None, None,
    )


def _with_info(rec: PhotoRecord, info: ImageInfo | None) -> PhotoRecord:
    if info is None:
        return rec
    return PhotoRecord(
        rec.id, rec.path, rec.folder, rec.size, rec.mtime_ns, rec.hash, info.width, info.height,
        info.format, info.taken.timestamp() if info.taken else None, info.camera, None,
    )
