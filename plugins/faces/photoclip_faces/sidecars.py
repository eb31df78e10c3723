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
    written = 0
    for photo in context.photos(changed):
        regions = [Region("face", box, name, id=str(fid))  # type: ignore[arg-type]
                   for fid, name, box in sorted(after.get(photo.id, ()))]
        written += context.write_named_regions(photo, regions)
    if written:
        log.info("Face names written into %d sidecars", written)
