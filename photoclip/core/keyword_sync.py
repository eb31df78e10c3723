"""Keywords kept in the photos and their XMP sidecars (digiKam, darktable, Lightroom), kept in
step with the library's tags: read while indexing, read again when a sidecar changes, and caught
up when reading keywords is turned on for a library indexed without them."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from photoclip.config import Settings
from photoclip.core import keywords as keyword_files
from photoclip.core import scanner
from photoclip.core.catalog import Catalog
from photoclip.core.indexer import IndexProgress, ProgressCallback
from photoclip.core.tags import TagStore

log = logging.getLogger(__name__)

__all__ = ["KeywordSync"]

SIDECARS_KNOWN = "sidecars_known"  # catalog meta key: sidecar stamps are kept for every photo
KEYWORDS_SKIPPED = "keywords_skipped"  # catalog meta key: photos were indexed without keywords
_KEYWORD_CHUNK = 256  # photos per transaction when catching up on keywords


class KeywordSync:
    """Keywords of files and sidecars as the user's tags (see the module docstring)."""

    def __init__(
        self, catalog: Catalog, tags: TagStore, settings: Settings, model_key: Callable[[], str]
    ) -> None:
        self._catalog = catalog
        self._tags = tags
        self._settings = settings
        self._model_key = model_key

    def note_skipped(self) -> None:
        """Photos are being indexed while reading keywords is off: read them when it is on."""
        self._catalog.set_meta(KEYWORDS_SKIPPED, "1")

    def sidecars_tracked(self) -> bool:
        """Whether every photo's sidecar stamp is kept up to date in the catalog."""
        return bool(self._settings.read_keywords and self._catalog.get_meta(SIDECARS_KNOWN)
                    and not self._catalog.get_meta(KEYWORDS_SKIPPED))

    def catch_up_due(self) -> bool:
        return bool(self._settings.read_keywords and self._catalog.get_meta(KEYWORDS_SKIPPED))

    def store(self, found: dict[int, keyword_files.FileKeywords]) -> None:
        """Keep keywords read from files as the user's tags, and note where they came from."""
        self._tags.set_keywords_many({pid: fk.keywords for pid, fk in found.items()})
        self._catalog.set_file_keywords(
            {pid: (fk.embedded, fk.sidecars) for pid, fk in found.items()}
        )

    def changed_sidecars(
        self, folders: Sequence[str], sidecar_bases: set[str], *, whole_library: bool
    ) -> list[int]:
        """Photos under ``folders`` whose XMP sidecars were added, edited or removed since their
        keywords were read (by digiKam, darktable, Lightroom, ...). ``sidecar_bases``: what the
        folder walk saw (see :func:`scanner.scan`), so photos without a sidecar cost nothing.

        The first whole-library check of a library made before sidecars were tracked records
        them as they are: their keywords were read when the photos were indexed."""
        known = self._catalog.get_meta(SIDECARS_KNOWN) is not None
        if not self._settings.read_keywords or not (known or whole_library):
            return []
        photos = self._catalog.stats_by_path(folders)
        stored = self._catalog.sidecar_stamps(
            None if whole_library else [pid for pid, _, _ in photos.values()]
        )
        changed: dict[int, str] = {}
        for path, (pid, _, _) in photos.items():
            now = keyword_files.sidecar_stamp(path, sidecar_bases)
            if now != stored.get(pid, ""):
                changed[pid] = now
        if not known:
            self._catalog.set_file_keywords({pid: (None, st) for pid, st in changed.items()})
            self._catalog.set_meta(SIDECARS_KNOWN, "1")
            return []
        return list(changed)

    def catch_up(
        self, progress: ProgressCallback | None, stop: threading.Event | None
    ) -> int:
        """Read the keywords of photos indexed while reading keywords was off (it is on now).
        Stoppable; the next run goes on with what is left."""
        pending = {r.id for r in self._catalog.pending(self._model_key())}
        ids = [i for i in self._catalog.ids_without_file_keywords() if i not in pending]
        start, done = time.perf_counter(), 0
        with ThreadPoolExecutor(self._settings.decode_workers or 4) as pool:  # I/O bound
            for lo in range(0, len(ids), _KEYWORD_CHUNK):
                if stop is not None and stop.is_set():
                    return done
                records = list(self._catalog.get_many(ids[lo : lo + _KEYWORD_CHUNK]).values())
                found = pool.map(lambda r: keyword_files.read_file_keywords(r.path), records)
                self.store({r.id: fk for r, fk in zip(records, found)})
                done += len(records)
                if progress:
                    progress(IndexProgress("keywords", done, len(ids), 0, 0, 0,
                                           time.perf_counter() - start))
        self._catalog.set_meta(KEYWORDS_SKIPPED, None)
        log.info("Keywords read from %d photos indexed while reading them was off", done)
        return done

    def photos_of_sidecars(self, sidecars: Iterable[str]) -> set[int]:
        """The photos that the sidecar files at these paths belong to (``a.jpg.xmp``: ``a.jpg``;
        ``a.xmp``: ``a.jpg``, ``a.cr2``, ...). One catalog query per folder, however many
        sidecars changed in it (a "save metadata to files" touches thousands at once)."""
        by_folder: dict[str, list[str]] = {}
        for sidecar in sidecars:
            by_folder.setdefault(os.path.dirname(sidecar), []).append(sidecar)
        out: set[int] = set()
        for folder, changed in by_folder.items():
            if not self.in_library(folder):
                continue
            # a sidecar's name without .xmp, lower-cased (macOS and Windows disks ignore case;
            # a photo matched too eagerly is skipped by reread_sidecars's stamp check)
            by_base: dict[str, list[int]] = {}
            for path, pid in self._catalog.photos_in_folder(folder).items():
                name = os.path.basename(path).lower()
                by_base.setdefault(name, []).append(pid)
                stem, ext = os.path.splitext(name)
                if ext:
                    by_base.setdefault(stem, []).append(pid)
            for sidecar in changed:
                out.update(by_base.get(os.path.basename(sidecar)[:-4].lower(), ()))
        return out

    def reread_sidecars(self, photo_ids: Iterable[int]) -> int:
        """Read the keywords of these photos again where their sidecars changed. The photo file
        itself is read only when the keywords inside it are not known; photos waiting to be
        indexed are left to the indexer, which reads everything anyway."""
        ids = set(photo_ids)
        if not ids or not self._settings.read_keywords:
            return 0
        ids -= {r.id for r in self._catalog.pending(self._model_key())}
        records = self._catalog.get_many(ids)
        stamps = self._catalog.sidecar_stamps(records)
        embedded = self._catalog.embedded_keywords(records)
        found: dict[int, keyword_files.FileKeywords] = {}
        for pid, rec in records.items():
            if keyword_files.sidecar_stamp(rec.path) == stamps.get(pid, ""):
                continue  # read already (or photoclip's own write, noted when written)
            known = embedded.get(pid)
            found[pid] = (
                keyword_files.read_file_keywords(rec.path) if known is None
                else keyword_files.reread_sidecars(rec.path, known)
            )
        self.store(found)
        if found:
            log.info("Keywords read again from the changed sidecars of %d photos", len(found))
        return len(found)

    def in_library(self, path: str) -> bool:
        """Whether ``path`` lies in a library folder and no part of it is excluded."""
        for folder in self._settings.folders:
            try:
                rel = Path(path).relative_to(folder)
            except ValueError:
                continue
            return not any(scanner.is_excluded(part, self._settings.exclude) for part in rel.parts)
        return False
