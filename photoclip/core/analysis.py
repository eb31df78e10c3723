"""The analysis stage: what runs on photos after they are searchable.

An index run stores a batch's vectors (the photos are searchable from then on), records the batch
in the catalog (content hashes known), and only then does the stage hand photos to the registered
:class:`Analyzer` objects: automatic tags today; faces, text in photos and video keyframes next.
Plugins register analyzers with the ``photoclip_analyzers`` hook; the built-in ones use the same
door (:mod:`photoclip.core.builtin_plugins`).

Each analyzer has its own per-photo state in the catalog's ``analysis`` table (done, or failed
with the reason, at a version). So an analyzer added to an existing library catches up on every
photo; a run that is stopped or killed goes on where it stopped (a batch is recorded in one
transaction after it ran: a kill repeats at most the batch in flight); a new version runs again
on every photo; a photo whose content changed is analysed again; an analyzer can be turned off.
An analyzer that raises is isolated like a failing plugin: the failure is recorded against its
plugin, the batch's photos are marked failed with the reason, and the other analyzers go on.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from photoclip.core.catalog import Catalog
from photoclip.core.indexer import IndexProgress, ProgressCallback
from photoclip.core.plugin_context import PluginContext
from photoclip.core.types import _NAME_RE, Photo, UnknownChoiceError, photo_from_record

log = logging.getLogger(__name__)

__all__ = ["AnalysisStage", "Analyzer", "AnalyzerError", "AnalyzerStatus"]

DONE, FAILED = "done", "failed"
_OFF = "analyzers_off"  # catalog meta key: JSON list of the analyzers the user turned off

#: ``analyze(context, photos, vectors)``: ``vectors[i]`` is the stored vector of ``photos[i]``.
#: Returns None when every photo was analysed, or {photo id: reason} for photos that failed.
AnalyzeFn = Callable[[PluginContext, list[Photo], np.ndarray], "Mapping[int, str] | None"]


class AnalyzerError(Exception):
    """Raised by an analyzer for a whole batch it cannot analyse; the message is the reason."""


@dataclass(frozen=True)
class Analyzer:
    """Something computed for every indexed photo, after it is searchable.

    ``version``: change it when the results would differ (a new model, new rules): every photo
    is analysed again. A callable is asked at the start of each run (the built-in automatic
    tags follow the settings that way). ``batch_size``: photos per call of ``analyze``; each
    batch is recorded when it returns, so keep a batch to a few seconds of work.
    ``prepare(step)``: optional one-off work before the first batch of a run (the automatic
    tags embed their label prompts), shown as its own phase: it calls ``step(done, total)``
    as it goes, and stops early (the next run goes on) when ``step`` returns False.
    """

    name: str
    title: str
    version: str | Callable[[], str]
    analyze: AnalyzeFn
    batch_size: int = 64
    prepare: Callable[[Callable[[int, int], bool]], object] | None = None
    prepare_title: str = ""

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise ValueError(f"analyzer name {self.name!r} must match {_NAME_RE.pattern}")
        if self.batch_size < 1:
            raise ValueError(f"analyzer {self.name}: batch_size must be at least 1")

    def current_version(self) -> str:
        return str(self.version() if callable(self.version) else self.version)


@dataclass(frozen=True)
class AnalyzerStatus:
    """Where one analyzer stands on the library's indexed photos."""

    name: str
    title: str
    version: str
    enabled: bool
    done: int
    failed: int
    pending: int


Vectors = Callable[[Sequence[int]], "tuple[list[int], np.ndarray]"]
Failure = Callable[[str, str, BaseException], None]  # (analyzer, what, error)


class AnalysisStage:
    """The analyzers of one library and their per-photo state (see the module docstring).

    Handed in: the catalog, the registered analyzers (a callable: plugins load lazily), the model
    key of the vectors, stored vectors by id, the plugin context analyzers get, and where an
    analyzer's failure is reported (the plugin host records it against the plugin).
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        analyzers: Callable[[], dict[str, Analyzer]],
        model_key: Callable[[], str],
        vectors: Vectors,
        context: Callable[[], PluginContext],
        failed: Failure | None = None,
    ) -> None:
        self._catalog = catalog
        self._analyzers = analyzers
        self._model_key = model_key
        self._vectors = vectors
        self._context = context
        self._failed = failed
        self._lock = threading.Lock()  # the `analysis` table: catalog migration 2

    # ----- state ---------------------------------------------------------------------------------

    def analyzers(self) -> dict[str, Analyzer]:
        """Every registered analyzer by name, on or off."""
        return dict(self._analyzers())

    def enabled(self) -> list[Analyzer]:
        off = self._off()
        return [a for a in self.analyzers().values() if a.name not in off]

    def _off(self) -> set[str]:
        return set(json.loads(self._catalog.get_meta(_OFF) or "[]"))

    def set_enabled(self, name: str, enabled: bool) -> None:
        """Turn an analyzer on or off for this library (off: its results stay, nothing new)."""
        if name not in self.analyzers():
            raise UnknownChoiceError("analyzer", name, self.analyzers(),
                                     see="photoclip analyzers")
        off = self._off() - {name} | (set() if enabled else {name})
        self._catalog.set_meta(_OFF, json.dumps(sorted(off)) if off else None)

    def pending(self, name: str, version: str | None = None) -> list[int]:
        """Indexed photos not yet analysed by ``name`` at ``version`` (default: its current)."""
        if version is None:
            version = self.analyzers()[name].current_version()
        with self._catalog.transaction() as db:
            rows = db.execute(
                "SELECT DISTINCT e.photo_id FROM embeddings e LEFT JOIN analysis a "
                "ON a.photo_id = e.photo_id AND a.analyzer = ? "
                "WHERE e.model = ? AND (a.photo_id IS NULL OR a.version != ?) "
                "ORDER BY e.photo_id",
                (name, self._model_key(), version),
            ).fetchall()
        return [r[0] for r in rows]

    def status(self) -> list[AnalyzerStatus]:
        off = self._off()
        out = []
        for a in self.analyzers().values():
            version = a.current_version()
            with self._catalog.transaction() as db:
                counts = dict(db.execute(
                    "SELECT status, COUNT(*) FROM analysis WHERE analyzer=? AND version=? "
                    "GROUP BY status", (a.name, version),
                ).fetchall())
            out.append(AnalyzerStatus(
                a.name, a.title, version, a.name not in off, counts.get(DONE, 0),
                counts.get(FAILED, 0), len(self.pending(a.name, version)),
            ))
        return out

    def failures(self, name: str) -> list[tuple[int, str]]:
        """(photo id, reason) of the photos ``name`` failed on."""
        with self._catalog.transaction() as db:
            return [tuple(r) for r in db.execute(
                "SELECT photo_id, error FROM analysis WHERE analyzer=? AND status=? "
                "ORDER BY photo_id", (name, FAILED),
            )]

    def record(
        self, name: str, version: str, done: Sequence[int], failed: Mapping[int, str] = {}
    ) -> None:
        """Note photos as analysed by ``name`` (one transaction)."""
        now = time.time()
        rows = [(pid, name, version, DONE, None, now) for pid in done if pid not in failed]
        rows += [(pid, name, version, FAILED, str(why), now) for pid, why in failed.items()]
        with self._catalog.transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO analysis (photo_id, analyzer, version, status, error, "
                "updated) VALUES (?, ?, ?, ?, ?, ?)", rows,
            )

    def retry_failed(self) -> None:
        """Analyse the photos that failed again at the next run."""
        with self._catalog.transaction() as db:
            db.execute("DELETE FROM analysis WHERE status=?", (FAILED,))

    def reset(self, name: str) -> int:
        """Start ``name`` over: forget which photos it analysed (done or failed), so each is
        analysed again at the next run while it is on (e.g. after its plugin deleted its
        results); returns the photos forgotten. Its on/off setting stays."""
        if name not in self.analyzers():
            raise KeyError(f"no analyzer named {name!r}")
        with self._catalog.transaction() as db:
            return db.execute("DELETE FROM analysis WHERE analyzer=?", (name,)).rowcount

    def forget(self, photo_ids: Sequence[int]) -> None:
        """These photos' content changed (they were embedded again): analyse them again."""
        if not photo_ids:
            return
        with self._catalog.transaction() as db:
            db.executemany("DELETE FROM analysis WHERE photo_id=?", [(i,) for i in photo_ids])

    # ----- running -------------------------------------------------------------------------------

    def run(
        self, progress: ProgressCallback | None = None, stop: threading.Event | None = None
    ) -> dict[str, int]:
        """Run every enabled analyzer on its pending photos; returns photos analysed by name.
        Stoppable between batches (the next run goes on with what is left)."""
        done: dict[str, int] = {}
        with self._lock:  # one run at a time (the service and a CLI command share nothing else)
            for analyzer in self.enabled():
                if stop is not None and stop.is_set():
                    break
                done[analyzer.name] = self._run_one(analyzer, progress, stop)
        return done

    def _run_one(
        self, analyzer: Analyzer, progress: ProgressCallback | None, stop: threading.Event | None
    ) -> int:
        try:
            version = analyzer.current_version()
        except Exception as exc:
            self._report(analyzer, "version", exc)
            return 0
        ids = self.pending(analyzer.name, version)
        if not ids:
            return 0
        start, done = time.perf_counter(), 0
        context = self._context()

        def emit() -> None:
            if progress is not None:
                progress(IndexProgress("analyzing", done, len(ids), 0, 0, 0,
                                       time.perf_counter() - start, analyzer.title))

        if analyzer.prepare is not None and not self._prepare(analyzer, progress, stop):
            return 0
        emit()
        for lo in range(0, len(ids), analyzer.batch_size):
            if stop is not None and stop.is_set():
                break
            chunk = ids[lo : lo + analyzer.batch_size]
            have, vectors = self._vectors(chunk)
            records = self._catalog.get_many(have)
            photos = [photo_from_record(records[i]) for i in have if i in records]
            vectors = np.asarray(vectors)[[k for k, i in enumerate(have) if i in records]]
            try:
                failed = dict(analyzer.analyze(context, photos, vectors) or {})
            except AnalyzerError as exc:  # the analyzer's own word: this batch cannot be done
                failed = {p.id: str(exc) for p in photos}
            except Exception as exc:  # isolated: reported, the batch marked failed, go on
                self._report(analyzer, "analyze", exc)
                failed = {p.id: f"{type(exc).__name__}: {exc}" for p in photos}
            self.record(analyzer.name, version, [p.id for p in photos], failed)
            done += len(chunk)
            emit()
        log.info("Analyzer %s: %d photos (%.1f s)", analyzer.name, done,
                 time.perf_counter() - start)
        return done

    def _prepare(
        self, analyzer: Analyzer, progress: ProgressCallback | None, stop: threading.Event | None
    ) -> bool:
        """Run the analyzer's one-off preparation as a ``preparing`` phase; False when it was
        stopped or failed (its photos wait for the next run)."""
        start = time.perf_counter()
        title = analyzer.prepare_title or f"Preparing {analyzer.title.lower()}"

        def step(done: int, total: int) -> bool:
            if progress is not None:
                progress(IndexProgress("preparing", done, total, 0, 0, 0,
                                       time.perf_counter() - start, title))
            return not (stop is not None and stop.is_set())

        assert analyzer.prepare is not None
        try:
            analyzer.prepare(step)
        except Exception as exc:
            self._report(analyzer, "prepare", exc)
            return False
        log.info("Analyzer %s prepared in %.1f s", analyzer.name, time.perf_counter() - start)
        return not (stop is not None and stop.is_set())

    def _report(self, analyzer: Analyzer, what: str, exc: BaseException) -> None:
        if self._failed is not None:
            self._failed(analyzer.name, what, exc)
        else:
            log.warning("Analyzer %s failed in %s: %s", analyzer.name, what, exc)
