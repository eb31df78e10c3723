"""What every front asks of the library about photos, answered once: which photos pass a set of
filters (searches and browsing share one rule), the photos to show when there is no query, a
photo's details, the sidebar's counts, failures, and the photos an action's result names."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from photoclip.core import scanner
from photoclip.core.albums import Albums
from photoclip.core.catalog import Catalog, PhotoRecord
from photoclip.core.tags import Album, PhotoTag, TagCount, TagStore
from photoclip.core.types import Match, SearchHit, counted

log = logging.getLogger(__name__)

__all__ = [
    "Browsing", "PhotoDetails", "ResultItem", "SearchFilters", "SidebarData", "epoch",
]

EXIF_FIELDS = (
    "Make", "Model", "LensModel", "DateTimeOriginal", "ExposureTime", "FNumber",
    "ISOSpeedRatings", "FocalLength", "Orientation", "Software",
)
MAX_REFERENCED = 5000  # photos taken from one action result's data (for the grid)


@dataclass(frozen=True)
class SearchFilters:
    """Restrictions on which photos a search (or browsing) may return."""

    folder: str | None = None
    after: date | datetime | None = None  # inclusive
    before: date | datetime | None = None  # exclusive
    min_score: float | None = None
    tag: str | None = None  # the user's, a file keyword or an automatic tag
    album: str | None = None
    #: plugins' search filters, (name, value) each; a photo must pass all of them
    where: tuple[tuple[str, str], ...] = ()


#: the photos passing plugins' filters, with their matches (None: no such filter)
WhereFn = Callable[[Sequence[tuple[str, str]]], "dict[int, list[Match]] | None"]


def epoch(value: date | datetime | None) -> float | None:
    """A date (local midnight) or datetime as POSIX seconds."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.timestamp()


@dataclass(frozen=True, slots=True)
class ResultItem:
    """One photo in a list of results."""

    photo_id: int
    path: str
    date: float  # capture time, else file time (epoch seconds)
    score: float | None = None  # None when browsing (no query)


@dataclass(frozen=True)
class PhotoDetails:
    """Everything the fronts show about one photo."""

    photo_id: int
    path: str
    size: int
    width: int | None
    height: int | None
    format: str | None
    date: float
    taken: float | None
    camera: str | None
    error: str | None
    tags: list[PhotoTag]
    rejected: list[str]
    albums: list[str]  # plain albums it is in
    smart_albums: list[str]  # smart albums it is in now
    all_albums: list[str]  # plain albums it could be added to
    exif: dict[str, str] = field(default_factory=dict)
    rating: int = 0  # stars (0: unrated), core/ratings.py
    favourite: bool = False
    place: str | None = None  # "Paris, France" (core/photo_facts.py)
    lens: str | None = None


@dataclass(frozen=True)
class SidebarData:
    """Folders, tags and albums with their photo counts."""

    folders: list[tuple[str, int]]
    tags: list[TagCount]
    albums: list[tuple[Album, int]]
    photos: int = 0
    indexed: int = 0
    failed: int = 0
    places: list[Any] = field(default_factory=list)  # photo_facts.PlaceCount, country > town

    @property
    def browsable(self) -> int:
        """What "All photos" shows: every photo that could be read (the failed ones are
        listed apart), searchable or still waiting to be indexed."""
        return self.photos - self.failed

    @property
    def waiting(self) -> int:
        """Photos not indexed yet: browsable, but no search sees them until they are."""
        return max(self.photos - self.indexed - self.failed, 0)


#: The words of :func:`shown_count_text`, for the fronts' translators
#: (``scripts/update_translations.py`` collects them).
FOUND = "{photos} found"
FOUND_WAITING = "{photos} found ({waiting} more photos not indexed yet, so not searched)"
SHOWN_COUNT_TEXTS = (FOUND, FOUND_WAITING)


def shown_count_text(
    shown: int, *, searching: bool, waiting: int = 0,
    words: Callable[[str], str] = str, photos: Callable[[int], str] | None = None,
    number: Callable[[int], str] = "{:,}".format,
) -> str:
    """The count of the photos on show, one rule for the fronts: ``32 photos`` when browsing
    (every readable photo, as "All photos" counts them); ``12 photos found (20 more not
    indexed yet, so not searched)`` for a search, which sees indexed photos only. A front in
    another language passes its translation of :data:`SHOWN_COUNT_TEXTS` (``words``), its
    count of photos (``photos``: ``"12 张照片"``) and its number format."""
    count = photos(shown) if photos is not None else counted(shown, "photo")
    if not searching:
        return count
    if waiting > 0:
        return words(FOUND_WAITING).format(photos=count, waiting=number(waiting))
    return words(FOUND).format(photos=count)


def not_searched_text(waiting: int) -> str:
    """``20 more photos not indexed yet, so not searched``: what a search could not see."""
    return f"{counted(waiting, 'more photo', 'more photos')} not indexed yet, so not searched"


class Browsing:
    """The photo questions of the fronts (see the module docstring)."""

    def __init__(
        self, catalog: Catalog, tags: TagStore, albums: Albums, where: WhereFn | None = None
    ) -> None:
        self._catalog = catalog
        self._tags = tags
        self._albums = albums
        self._where = where

    def where_matches(self, filters: SearchFilters) -> dict[int, list[Match]] | None:
        """The photos passing the plugins' filters of ``filters.where``, with their matches
        (None: no such filter). ValueError for a filter no plugin provides."""
        if not filters.where:
            return None
        if self._where is None:
            raise ValueError("plugins' search filters are not available here")
        return self._where(filters.where)

    def allowed_ids(
        self, filters: SearchFilters, matches: dict[int, list[Match]] | None = None
    ) -> set[int] | None:
        """The photos a tag, album or plugin filter allows (None: no such filter). ``matches``:
        the plugins' filters' answer if already asked (:meth:`where_matches`)."""
        allowed: set[int] | None = None
        if filters.where:
            allowed = set(matches if matches is not None else self.where_matches(filters) or {})
        if filters.tag:
            tagged = self._tags.photos_with(filters.tag)
            allowed = tagged if allowed is None else allowed & tagged
        if filters.album:
            members = self._albums.members(filters.album)
            allowed = members if allowed is None else allowed & members
        return allowed

    def waiting(self, model_key: str) -> int:
        """Photos not indexed with ``model_key`` yet (readable ones): no search sees them."""
        return self._catalog.counts(model_key).pending

    def everything(
        self, filters: SearchFilters | None = None,
        matches: dict[int, list[Match]] | None = None,
    ) -> list[ResultItem]:
        """Every readable photo that passes the filters, newest first (browsing, no query)."""
        filters = filters or SearchFilters()
        allowed = self.allowed_ids(filters, matches)
        folder = scanner.normalise_folder(filters.folder) if filters.folder else None
        after, before = epoch(filters.after), epoch(filters.before)
        items = []
        if allowed is not None:  # only the allowed photos' records (in the same path order)
            records = sorted(self._catalog.get_many(allowed).values(), key=lambda r: r.path)
        else:
            records = self._catalog.all_photos()
        for rec in records:
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

    def items(self, hits: Iterable[SearchHit]) -> list[ResultItem]:
        """Search hits as result items (with their dates)."""
        hits = list(hits)
        records = self._catalog.get_many(h.photo_id for h in hits)
        return [
            ResultItem(h.photo_id, h.path, records[h.photo_id].date, h.score)
            for h in hits if h.photo_id in records
        ]

    def record(self, photo_id: int) -> PhotoRecord | None:
        """A photo's catalog record, or None."""
        return self._catalog.get(photo_id)

    def record_at(self, path: str | Path) -> PhotoRecord | None:
        """The record of the photo at ``path`` (any spelling of it), or None."""
        return self._catalog.get_by_path(str(Path(path).expanduser().resolve()))

    def records(self, photo_ids: Iterable[int]) -> dict[int, PhotoRecord]:
        """Records by id (unknown ids are left out)."""
        return self._catalog.get_many(photo_ids)

    def paths(self, photo_ids: Iterable[int]) -> list[str]:
        """The paths of photos, sorted."""
        return sorted(r.path for r in self._catalog.get_many(photo_ids).values())

    def known_paths(self) -> set[str]:
        """The path of every photo in the library (to prune caches)."""
        return set(self._catalog.paths())

    def failures(self) -> list[tuple[str, str]]:
        """(path, reason) of every photo that could not be indexed."""
        return [(r.path, r.error or "") for r in self._catalog.failed()]

    def details(self, photo_id: int, *, exif: bool = True) -> PhotoDetails:
        """A photo's facts, tags, rejected tags and albums (plain and smart)."""
        rec = self._catalog.get(photo_id)
        if rec is None:
            raise KeyError(f"photo {photo_id} is no longer in the library")
        albums = self._albums.list()
        plain = [a for a in albums if not a.smart]
        member_of = [a.name for a in plain if photo_id in self._tags.plain_members(a)]
        smart = [
            name for name in self._albums.of_photo(photo_id)
            if name not in member_of and any(a.name == name and a.smart for a in albums)
        ]
        return PhotoDetails(
            photo_id=rec.id, path=rec.path, size=rec.size, width=rec.width, height=rec.height,
            format=rec.format, date=rec.date, taken=rec.taken, camera=rec.camera,
            error=rec.error, tags=self._tags.tags_of(photo_id),
            rejected=sorted(self._tags.rejected(photo_id)), albums=member_of,
            smart_albums=smart, all_albums=[a.name for a in plain],
            exif=read_exif(rec.path) if exif else {},
        )

    def sidebar(self, folders: list[str], model_key: str, *, model_ok: bool) -> SidebarData:
        """Folders, tags and albums with counts (query albums count 0 without a model)."""
        failed = {r.path for r in self._catalog.failed()}  # counted as browsing shows them
        per_folder = [(f, len(self._catalog.stats_by_path([f]).keys() - failed))
                      for f in folders]
        counts = self._catalog.counts(model_key)
        return SidebarData(
            per_folder, self._tags.counts(), self._albums.counts(evaluate_queries=model_ok),
            counts.photos, counts.indexed, counts.failed,
        )

    def named_in(self, data: Any) -> list[ResultItem]:
        """The library photos that an action's result data names (ids under keys like ``id`` or
        ``photo_ids``, absolute paths), in order; existing, readable files only."""
        items: list[ResultItem] = []
        seen: set[int] = set()
        for n, ref in enumerate(_referenced(data)):
            if n >= MAX_REFERENCED:
                break
            if isinstance(ref, int):
                rec = self._catalog.get(ref)
            else:
                rec = self._catalog.get_by_path(os.path.abspath(ref))
            if rec is None or rec.id in seen or rec.error is not None:
                continue
            if not os.path.exists(rec.path):
                continue
            seen.add(rec.id)
            items.append(ResultItem(rec.id, rec.path, rec.date))
        return items


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/\\") + "/") or path.startswith(
        folder.rstrip("/\\") + "\\"
    )


def _referenced(data: Any, key: str = "") -> Iterator[int | str]:
    """Photo ids (ints under keys like ``id``/``photo_ids``) and absolute paths in ``data``."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _referenced(v, str(k).lower())
    elif isinstance(data, (list, tuple, set, frozenset)):
        for v in data:
            yield from _referenced(v, key)
    elif isinstance(data, os.PathLike):
        yield os.fspath(data)  # type: ignore[misc]
    elif isinstance(data, str):
        if os.path.isabs(data):
            yield data
    elif (isinstance(data, int) and not isinstance(data, bool)
          and (key in ("id", "ids") or key.endswith(("_id", "_ids")))):
        yield data


def read_exif(path: str | Path) -> dict[str, str]:
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
        if value is None or value == "" or isinstance(value, bytes):
            continue
        out[name] = str(value).strip("\x00 ")
    return out
