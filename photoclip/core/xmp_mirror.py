"""Mirroring the user's tags into XMP sidecars (``settings.write_xmp``), so darktable, digiKam
and Lightroom see them. The photo files are never written."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from photoclip.config import Settings
from photoclip.core import keywords as keyword_files
from photoclip.core.catalog import Catalog
from photoclip.core.tags import TagStore

log = logging.getLogger(__name__)

__all__ = ["XmpMirror"]


class XmpMirror:
    """Writes the user's tags of changed photos into their sidecars, when the user asked."""

    def __init__(self, catalog: Catalog, settings: Settings) -> None:
        self._catalog = catalog
        self._settings = settings
        self._tags: TagStore | None = None

    def attach(self, tags: TagStore) -> None:
        """The tag store whose changes this mirrors (it calls :meth:`user_tags_changed`)."""
        self._tags = tags

    def user_tags_changed(self, photo_ids: list[int], removed: set[str]) -> None:
        """Mirror the user's tags into XMP sidecars, when the user asked for that."""
        if not self._settings.write_xmp or self._tags is None:
            return
        records = self._catalog.get_many(photo_ids)
        for pid in photo_ids:
            rec = records.get(pid)
            if rec is None:
                continue
            in_sidecar: set[str] = set()
            if removed:  # the sidecar is rewritten without them: keywords read from it go too
                self._tags.forget_keywords(pid, removed)
                in_sidecar = {k.casefold() for k in keyword_files.sidecar_keywords(rec.path)}
            tags = self._tags.user_tags(pid)
            if not self._settings.read_keywords:  # the sidecar's keywords are not in the library:
                gone = {t.casefold() for t in removed}  # keep them (but for those removed now)
                tags += [k for k in keyword_files.sidecar_keywords(rec.path)
                         if k.casefold() not in gone]
            if self.write_sidecar(rec.path, tags) is not None:
                # our own write is not an outside edit to read back
                embedded = self._catalog.embedded_keywords([pid]).get(pid)
                self._catalog.set_file_keywords(
                    {pid: (embedded, keyword_files.sidecar_stamp(rec.path))}
                )
                if in_sidecar and embedded is not None:
                    # a removed keyword now gone from the sidecar needs no record (unless the
                    # photo itself has it): if another tool adds it again, that is the user's
                    inside = {k.casefold() for k in embedded}
                    self._tags.unreject(pid, [t for t in removed if t.casefold() in in_sidecar
                                              and t.casefold() not in inside])

    @staticmethod
    def write_sidecar(photo: str, tags: Sequence[str]) -> Path | None:
        """Write ``tags`` as the keywords of ``photo``'s XMP sidecar (an existing ``photo.xmp``
        is updated in place; otherwise ``photo.jpg.xmp``). Never touches the photo. A sidecar
        that cannot be written is logged and skipped (the tags stay in the library)."""
        existing = keyword_files.existing_sidecars(photo)
        adobe = bool(existing) and existing[0].name.lower() == Path(photo).stem.lower() + ".xmp"
        try:
            return keyword_files.write_sidecar(photo, tags, "adobe" if adobe else "darktable")
        except (OSError, ValueError) as exc:
            log.warning("Cannot write the XMP sidecar of %s: %s", photo, exc)
            return None
