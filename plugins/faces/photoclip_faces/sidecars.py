"""People's names in the photos' XMP sidecars as MWG face regions (``mwg-rs:Regions``, read by
digiKam, Lightroom, Picasa and exiftool), written through the plugin API (only when the user
turned on ``write_xmp``; the photo files are never written). Only faces the user confirmed
(named, merged, reviewed) are written, not photoclip's own confident guesses."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from photoclip.plugin_api import PluginContext, Region

from .store import FaceStore

log = logging.getLogger(__name__)


@contextmanager
def follow(context: PluginContext, store: FaceStore) -> Iterator[None]:
    """Write the sidecars of the photos whose confirmed names changed inside the block."""
    before = store.named_faces()
    yield
    after = store.named_faces()
    changed = {pid for pid in before.keys() | after.keys() if before.get(pid) != after.get(pid)}
    if not changed:
        return
    written = []
    for photo in context.photos(changed):
        regions = [Region("face", box, name, id=str(fid))  # type: ignore[arg-type]
                   for fid, name, box in sorted(after.get(photo.id, ()))]
        if context.write_named_regions(photo, regions):
            written.append(photo.id)
    if written:
        store.wrote_sidecars(written)
        log.info("Face names written into %d sidecars", len(written))


def take_out(context: PluginContext, store: FaceStore) -> int:
    """Remove the face regions photoclip wrote from the sidecars it wrote them into (what
    "forget every name" owes the sidecars; other kinds of region and every other byte stay);
    returns the sidecars written. Needs ``write_xmp`` on, like any sidecar write."""
    photos = context.photos(store.sidecars_written())
    cleared = sum(bool(context.write_named_regions(photo, [])) for photo in photos)
    if cleared:
        log.info("Face names taken out of %d sidecars", cleared)
    return cleared
