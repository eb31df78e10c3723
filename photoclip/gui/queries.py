"""What the GUI asks the library, as plain values: searches, photo details, sidebar contents.

Qt-free on purpose: each ``load``/``run`` executes on the work lane and returns small immutable
values that Qt item models then show.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

EXIF_FIELDS = (
    "Make", "Model", "LensModel", "DateTimeOriginal", "ExposureTime", "FNumber",
    "ISOSpeedRatings", "FocalLength", "Orientation", "Software",
)


@dataclass(frozen=True)
class ResultItem:
    """One photo in the grid."""

    photo_id: int
    path: str
    date: float  # capture time, else file time (epoch seconds)
    score: float | None = None  # None when browsing (no query)


@dataclass(frozen=True)
class Browse:
    """One request for the grid: a text query, an image, a similar photo, or everything."""

    text: str = ""
    image: str | None = None  # any image file: search by example
    similar_to: int | None = None  # a photo id: "more like this"
    folder: str | None = None
    after: date | None = None
    before: date | None = None  # exclusive
    tag: str | None = None
    album: str | None = None
    limit: int = 500

    @property
    def is_search(self) -> bool:
        return bool(self.text.strip() or self.image or self.similar_to is not None)

    def filters(self) -> Any:
        from photoclip.core.library import SearchFilters

        return SearchFilters(
            folder=self.folder, after=self.after, before=self.before, tag=self.tag,
            album=self.album,
        )

    def run(self, lib: Any) -> list[ResultItem]:
        """The photos for this request: by score for a search, newest first otherwise."""
        if not self.is_search:
            return self._everything(lib)
        if self.similar_to is not None:
            hits = lib.similar(self.similar_to, limit=self.limit, filters=self.filters())
        elif self.image:
            hits = lib.similar(self.image, limit=self.limit, filters=self.filters())
        else:
            hits = lib.search(self.text, limit=self.limit, filters=self.filters())
        records = lib.catalog.get_many(h.photo_id for h in hits)
        return [
            ResultItem(h.photo_id, h.path, records[h.photo_id].date, h.score)
            for h in hits if h.photo_id in records
        ]

    def _everything(self, lib: Any) -> list[ResultItem]:
        from photoclip.core.library import _epoch

        allowed: set[int] | None = None
        if self.tag:
            allowed = lib.tags.photos_with(self.tag)
        if self.album:
            members = lib.album_members(self.album)
            allowed = members if allowed is None else allowed & members
        folder = str(Path(self.folder).expanduser().resolve()) if self.folder else None
        after, before = _epoch(self.after), _epoch(self.before)
        items = []
        for rec in lib.catalog.all_photos():
            if rec.error is not None or (allowed is not None and rec.id not in allowed):
                continue
            if folder and not _under(rec.path, folder):
                continue
            when = rec.date
            if (after is not None and when < after) or (before is not None and when >= before):
                continue
            items.append(ResultItem(rec.id, rec.path, when))
        items.sort(key=lambda r: r.date, reverse=True)
        return items


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/\\") + "/") or path.startswith(
        folder.rstrip("/\\") + "\\"
    )


@dataclass(frozen=True)
class PhotoDetails:
    """Everything the photo view shows about one photo."""

    photo_id: int
    path: str
    size: int
    width: int | None
    height: int | None
    format: str | None
    date: float
    camera: str | None
    error: str | None
    tags: list[Any]  # photoclip.core.tags.PhotoTag
    albums: list[str]  # plain albums it is in
    all_albums: list[str]  # plain albums it could be added to
    exif: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, lib: Any, photo_id: int) -> PhotoDetails:
        rec = lib.catalog.get(photo_id)
        if rec is None:
            raise KeyError(f"photo {photo_id} is no longer in the library")
        plain = [a for a in lib.tags.albums() if not a.smart]
        member_of = [a.name for a in plain if photo_id in lib.tags.plain_members(a)]
        return cls(
            photo_id=rec.id, path=rec.path, size=rec.size, width=rec.width, height=rec.height,
            format=rec.format, date=rec.date, camera=rec.camera, error=rec.error,
            tags=lib.tags.tags_of(photo_id), albums=member_of, all_albums=[a.name for a in plain],
            exif=read_exif(rec.path),
        )


def read_exif(path: str) -> dict[str, str]:
    """A few readable EXIF fields (empty when there are none or the file cannot be read)."""
    try:
        from PIL import ExifTags, Image

        with Image.open(path) as im:
            exif = im.getexif()
            merged = dict(exif)
            merged.update(exif.get_ifd(ExifTags.IFD.Exif))
    except Exception as exc:
        log.debug("No EXIF from %s: %s", path, exc)
        return {}
    names = {v: k for k, v in ExifTags.TAGS.items()}
    out = {}
    for name in EXIF_FIELDS:
        value = merged.get(names.get(name, -1))
        if value is None or value == "":
            continue
        if isinstance(value, bytes):
            continue
        out[name] = str(value).strip("\x00 ")
    return out


@dataclass(frozen=True)
class SidebarData:
    """Folders, tags and albums with their photo counts."""

    folders: list[tuple[str, int]]
    tags: list[Any]  # photoclip.core.tags.TagCount
    albums: list[tuple[Any, int]]  # (Album, members)
    photos: int = 0
    indexed: int = 0
    failed: int = 0

    @classmethod
    def load(cls, lib: Any) -> SidebarData:
        folders = [(f, len(lib.catalog.stats_by_path([f]))) for f in lib.settings.folders]
        albums = []
        model_ok = lib.model_installed(lib.model_spec)
        for album in lib.tags.albums():
            if album.query is not None and not model_ok:  # needs the model to evaluate
                albums.append((album, 0))
                continue
            try:
                count = len(lib.album_members(album.name))
            except Exception as exc:  # a smart album whose query cannot run now
                log.info("Album %s cannot be counted: %s", album.name, exc)
                count = 0
            albums.append((album, count))
        counts = lib.catalog.counts(lib.model_spec.key)
        return cls(folders, lib.tags.counts(), albums, counts.photos, counts.indexed,
                   counts.failed)
