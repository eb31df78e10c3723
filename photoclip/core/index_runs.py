"""Index runs: bring a library's catalog and vectors up to date with its folders (a whole scan)
or with the paths a watcher reported, then hand the recorded photos to the analysis stage.

The path of a photo: scan (or watcher event) -> catalog row (pending) -> indexer (read, hash,
decode, embed) -> vector store + exact index (searchable) -> catalog records the content hash ->
``photoclip_photos_indexed`` hooks -> analyzers (automatic tags, plugins' analyzers).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from photoclip.config import Settings
from photoclip.core import images, scanner
from photoclip.core import keywords as keyword_files
from photoclip.core.catalog import Catalog, PhotoRecord
from photoclip.core.indexer import (
    Indexer,
    IndexProgress,
    IndexReport,
    ProgressCallback,
    VectorSink,
    with_recent_rates,
)
from photoclip.core.keyword_sync import KeywordSync
from photoclip.core.types import FileInfo
from photoclip.core.vector_space import VectorSpace

log = logging.getLogger(__name__)

__all__ = ["IndexRuns"]

Recorded = Callable[[Sequence[PhotoRecord], np.ndarray], None]


class _RunSink(VectorSink):
    """The indexer's sink in a library: recorded batches go on to ``recorded`` (plugins' hooks),
    keywords read from files to the keyword sync."""

    def __init__(
        self,
        space: VectorSpace,
        keywords: KeywordSync,
        recorded: Recorded,
        abandon: threading.Event,
    ) -> None:
        # no super().__init__: the store opens at the first write (by then the run's warm-up
        # has imported its client library while the first photos decoded), not before them
        self.index = space.index()
        self._space = space
        self._keywords = keywords
        self._recorded = recorded
        self._abandon = abandon

    @property
    def store(self) -> object:
        return self._space.store

    def put(
        self, records: Sequence[PhotoRecord], vectors: np.ndarray, hashes: Sequence[str]
    ) -> None:
        if self._abandon.is_set():  # quitting: the batch in flight writes nothing
            raise IndexAbandoned("quitting: the batch in flight is not written")
        super().put(records, vectors, hashes)

    def recorded(self, records: Sequence[PhotoRecord], vectors: np.ndarray) -> None:
        self._recorded(records, vectors)

    def keywords(self, found: dict[int, keyword_files.FileKeywords]) -> None:
        self._keywords.store(found)
        self._space.sync_tags(found)


class IndexAbandoned(Exception):
    """An index run ended without writing its batch in flight (:attr:`IndexRuns.abandon`)."""


class IndexRuns:
    """Scans and watcher syncs of one library. Everything it needs is handed in: the catalog,
    the settings, the vector space (a callable: it changes with the model), the keyword sync,
    an indexer factory, the plugin file filter, what to do with each recorded batch, and the
    analysis stage's run (``after(progress, stop)``)."""

    def __init__(
        self,
        catalog: Catalog,
        settings: Settings,
        *,
        space: Callable[[], VectorSpace],
        keywords: KeywordSync,
        indexer: Callable[[VectorSink], Indexer],
        accept: Callable[[str], bool] | None,
        recorded: Recorded,
        after: Callable[[ProgressCallback | None, threading.Event | None], None],
        warm_up: Callable[[], None] | None = None,
    ) -> None:
        self._catalog = catalog
        self._settings = settings
        self._space = space
        self._keywords = keywords
        self._indexer = indexer
        self._accept = accept
        self._recorded = recorded
        self._after = after
        self._warm_up = warm_up  # called once a scan found work (see core/run_warmup.py)
        # set when the app quits: a batch in flight writes no vector and the run ends with
        # IndexAbandoned (its photos stay pending: indexed again at the next start)
        self.abandon = threading.Event()

    def _accepted(self, files: Iterable[FileInfo]) -> Iterable[FileInfo]:
        """Scanned files minus those a plugin rejects (``photoclip_accept_file``)."""
        accept = self._accept
        return files if accept is None else (f for f in files if accept(f.path))

    def index_folders(
        self,
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        *,
        retry_failed: bool = False,
    ) -> IndexReport:
        """Scan the folders, embed what is new or changed, drop what is gone, then run the
        analyzers. Files deleted or moved while the run went on are found at its end: one more
        (stat-only) pass lets moved ones keep their identity and removes the rest, so nothing
        deleted lingers in the index or in search."""
        folders = list(self._settings.folders)
        report = IndexReport()
        progress = with_recent_rates(progress)
        if progress:
            progress(IndexProgress("scanning", 0, 0, 0, 0, 0, 0.0))
        if retry_failed:
            self._catalog.retry_failed()
        self._scan_pass(folders, progress, stop, report, first=True)
        if not report.stopped and self._vanished(folders):
            log.info("Files were deleted or moved during the run: scanning once more")
            self._scan_pass(folders, progress, stop, report, first=False)
        self._after(progress, stop)
        return report

    def scan_folders(self) -> int:
        """Record the folders' photos in the catalog without a model, so they can be browsed
        by folder and date before one is installed (embedding them waits for the model).
        Returns how many photos are new or changed."""
        folders = list(self._settings.folders)
        files = scanner.scan(folders, accept=images.is_supported, exclude=self._settings.exclude)
        diff = self._catalog.apply_scan(self._accepted(files), folders)
        return diff.new + diff.changed

    def _scan_pass(
        self,
        folders: list[str],
        progress: ProgressCallback | None,
        stop: threading.Event | None,
        report: IndexReport,
        *,
        first: bool,
    ) -> None:
        cat, kw = self._catalog, self._keywords
        sidecars: set[str] = set()
        files = scanner.scan(
            folders, accept=images.is_supported, exclude=self._settings.exclude,
            sidecars=sidecars,
        )
        diff = cat.apply_scan(self._accepted(files), folders)
        if first:
            report.new, report.changed, report.unchanged = diff.new, diff.changed, diff.unchanged
            report.scanned = diff.new + diff.changed + diff.unchanged
            report.keywords_reread = kw.reread_sidecars(
                kw.changed_sidecars(folders, sidecars, whole_library=True)
            )
            if kw.catch_up_due():
                report.keywords_reread += kw.catch_up(progress, stop)
        else:  # only what appeared meanwhile (a moved file's new path)
            report.new += diff.new
            report.changed += diff.changed
            report.scanned += diff.new + diff.changed
        gone_outside = set(cat.ids_outside(folders))
        self._run(set(diff.missing_ids), gone_outside, progress, stop, report)

    def sync_paths(
        self,
        changed: Iterable[str],
        deleted: Iterable[str] = (),
        progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
    ) -> IndexReport:
        """Bring specific files or folders up to date (what a folder watcher reports).

        ``changed``: created, modified or moved-in files and folders; ``deleted``: removed or
        moved-away ones. A file moved within the library keeps its identity and vector.
        """
        cat, kw = self._catalog, self._keywords
        report = IndexReport()
        progress = with_recent_rates(progress)
        missing: set[int] = set()
        sidecar_events: set[str] = set()
        for path in deleted:
            if keyword_files.is_sidecar(path):
                sidecar_events.add(path)
                continue
            missing.update(
                pid for p, (pid, _, _) in cat.stats_by_path([path]).items()
                if not os.path.exists(p)
            )
        for path in changed:
            if not kw.in_library(path):
                continue
            if os.path.isdir(path):
                sidecars: set[str] = set()
                files = scanner.scan(
                    [path], accept=images.is_supported, exclude=self._settings.exclude,
                    sidecars=sidecars,
                )
                diff = cat.apply_scan(self._accepted(files), [path])
                missing.update(diff.missing_ids)
                report.new += diff.new
                report.changed += diff.changed
                report.unchanged += diff.unchanged
                report.keywords_reread += kw.reread_sidecars(
                    kw.changed_sidecars([path], sidecars, whole_library=False)
                )
                continue
            if keyword_files.is_sidecar(path):
                sidecar_events.add(path)
                continue
            info = scanner.stat_file(path) if images.is_supported(path) else None
            if info is not None and self._accept is not None and not self._accept(info.path):
                info = None
            if info is None:
                rec = cat.get_by_path(path)
                if rec is not None and not os.path.exists(path):
                    missing.add(rec.id)
                continue
            known = cat.get_by_path(path) is not None
            _, needs_work = cat.upsert_file(info)
            if needs_work:
                report.changed += known
                report.new += not known
            else:
                report.unchanged += 1
        report.scanned = report.new + report.changed + report.unchanged
        report.keywords_reread += kw.reread_sidecars(kw.photos_of_sidecars(sidecar_events))
        self._run(missing, set(), progress, stop, report)  # the watcher reports deletions
        self._after(progress, stop)
        return report

    def _run(
        self,
        missing: set[int],
        also_gone: set[int],
        progress: ProgressCallback | None,
        stop: threading.Event | None,
        report: IndexReport,
    ) -> IndexReport:
        """Embed everything pending, let moved files claim ``missing`` photos, sweep the rest
        (the caller runs the analyzers after)."""
        cat = self._catalog
        space = self._space()
        work = [r for r in cat.pending(space.model_key) if r.id not in missing]
        if work and self._warm_up is not None:  # the store and the model start meanwhile
            self._warm_up()
        index = space.index()  # loads the model config and reconciles before any work
        if work or missing or also_gone:
            space.invalidate_snapshot()
        if work and not self._settings.read_keywords:  # turned on later: read them then
            self._keywords.note_skipped()
        if work or missing:
            self._indexer(_RunSink(space, self._keywords, self._recorded, self.abandon)).run(
                work, missing=missing, progress=progress, stop=stop, report=report
            )
        if not report.stopped:
            gone = missing | also_gone
            if progress:
                progress(IndexProgress("cleaning", 0, len(gone), 0, 0, 0, 0.0))
            removed, moved = space.forget(sorted(gone))
            report.removed = removed
            report.moved += moved
            failed_gone = {p for p, _ in report.failures if not os.path.exists(p)}
            report.failures = [f for f in report.failures if f[0] not in failed_gone]
            report.failed -= len(failed_gone)
        log.info("Index run: %s; %d photos searchable", report, len(index))
        return report

    def _vanished(self, folders: Sequence[str]) -> list[int]:
        """Photos under ``folders`` whose files are gone (deleted or moved during a run)."""
        return [
            pid for path, (pid, _, _) in self._catalog.stats_by_path(folders).items()
            if not os.path.exists(path)
        ]
