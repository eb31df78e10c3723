"""Facts read from each photo's EXIF and XMP besides those in the catalog's ``photos`` row:
lens, GPS position and the place named from it (offline), and the rating and favourite flag.

They are read after each index run (:meth:`PhotoFacts.update`) for every photo whose file or
sidecars changed since they were last read, from the file's headers only (no decoding, no
embedding): a library indexed before this release gets them on its next index run. A rating or
favourite set in photoclip stays until the file's own value changes (an edit in digiKam,
darktable or Lightroom), which then wins: automatic reading never overwrites the user's choice.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from photoclip.core import images, places, xmp_marks
from photoclip.core import keywords as keyword_files
from photoclip.core.catalog import Catalog
from photoclip.core.image_formats import ImageDecodeError
from photoclip.core.indexer import IndexProgress, ProgressCallback
from photoclip.core.said import N_, Said, said_error

log = logging.getLogger(__name__)

_A_PLACE = N_('a place is a town, a region or a country, e.g. "Paris, France"')
_PART_OF_NAME = N_('give part of the name, e.g. "Canon"')

__all__ = ["FileFacts", "PhotoFacts", "PlaceCount"]

_CHUNK = 256  # photos per transaction


@dataclass(frozen=True)
class FileFacts:
    """What one read of a photo's headers and XMP found."""

    camera: str | None
    lens: str | None
    gps: tuple[float, float] | None
    marks: xmp_marks.Marks


@dataclass(frozen=True)
class PlaceCount:
    """One entry of the Places list: a country, or a town in it (``city`` set)."""

    country: str
    city: str
    count: int


def stamp(size: int, mtime_ns: int, path: str) -> str:
    """What changes when the photo or one of its sidecars does."""
    return f"{size}:{mtime_ns}:{keyword_files.sidecar_stamp(path)}"


def read_file_facts(path: str) -> FileFacts:
    """Camera, lens, GPS and XMP marks of the photo at ``path`` (headers only)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        log.debug("facts: cannot read %s: %s", path, exc)
        return FileFacts(None, None, None, xmp_marks.read_marks(path, b""))
    try:
        info = images.read_image_info(data, name=path)
        camera, lens, gps = info.camera, info.lens, info.gps
    except ImageDecodeError as exc:
        log.debug("facts: no image facts from %s: %s", path, exc)
        camera = lens = gps = None
    return FileFacts(camera, lens, gps, xmp_marks.read_marks(path, data))


class PhotoFacts:
    """The facts of a library's photos (see the module docstring)."""

    def __init__(
        self, catalog: Catalog, workers: int = 4,
        sidecars_tracked: Callable[[], bool] = lambda: False,
    ) -> None:
        self._catalog = catalog
        self._workers = max(1, workers)
        self._sidecars_tracked = sidecars_tracked  # see stale()

    # ----- reading the files -------------------------------------------------------------------

    def stale(self) -> list[tuple[int, str, str]]:
        """(id, path, current stamp) of the photos (indexed, not failed) whose facts are not
        read yet or were read from an older file or sidecar.

        Where the keyword sync keeps every photo's sidecar stamp (``read_keywords`` on, the
        default) those are used and nothing is read from the disk; otherwise each photo's
        sidecars are looked up (about 13 us a photo)."""
        tracked = self._sidecars_tracked()
        with self._catalog.transaction() as db:
            rows = db.execute(
                "SELECT p.id, p.path, p.size, p.mtime_ns, k.sidecars, f.stamp FROM photos p"
                " LEFT JOIN photo_facts f ON f.photo_id = p.id"
                " LEFT JOIN file_keywords k ON k.photo_id = p.id"
                " WHERE p.error IS NULL AND p.hash IS NOT NULL ORDER BY p.path"
            ).fetchall()
        out = []
        for pid, path, size, mtime_ns, sidecars, old in rows:
            now = (f"{size}:{mtime_ns}:{sidecars or ''}" if tracked
                   else stamp(size, mtime_ns, path))
            if now != old:
                out.append((pid, path, now))
        return out

    def update(
        self, progress: ProgressCallback | None = None, stop: threading.Event | None = None
    ) -> int:
        """Read the facts of every stale photo; how many were read. Stoppable: the next run
        goes on with what is left."""
        todo = self.stale()
        start, done = time.perf_counter(), 0
        with ThreadPoolExecutor(self._workers) as pool:  # I/O bound
            for lo in range(0, len(todo), _CHUNK):
                if stop is not None and stop.is_set():
                    break
                chunk = todo[lo : lo + _CHUNK]
                found = list(pool.map(lambda row: read_file_facts(row[1]), chunk))
                self.store([(pid, st, facts) for (pid, _, st), facts in zip(chunk, found)])
                done += len(chunk)
                if progress:
                    progress(IndexProgress("facts", done, len(todo), 0, 0, 0,
                                           time.perf_counter() - start))
        if done:
            log.info("Facts (lens, place, rating) read from %d photos in %.1f s", done,
                     time.perf_counter() - start)
        return done

    def store(self, rows: list[tuple[int, str, FileFacts]]) -> None:
        """Record (photo id, stamp, facts read); places are named here."""
        named = places.name_places([f.gps if f.gps else (float("nan"),) * 2 for _, _, f in rows])
        with self._catalog.transaction() as db:
            marks = {pid: (r, fav, fr, ff) for pid, r, fav, fr, ff in db.execute(
                "SELECT photo_id, rating, favourite, file_rating, file_favourite FROM photo_marks"
                f" WHERE photo_id IN ({','.join('?' * len(rows))})", [r[0] for r in rows]
            )} if rows else {}
            for (pid, st, facts), place in zip(rows, named):
                if db.execute("SELECT 1 FROM photos WHERE id=?", (pid,)).fetchone() is None:
                    continue  # removed meanwhile
                lat, lon = facts.gps if facts.gps else (None, None)
                db.execute(
                    "INSERT OR REPLACE INTO photo_facts (photo_id, stamp, lens, lat, lon,"
                    " country_code, country, city, region) VALUES (?,?,?,?,?,?,?,?,?)",
                    (pid, st, facts.lens, lat, lon,
                     place.country_code if place else None, place.country if place else None,
                     place.city if place else None, place.region if place else None),
                )
                if facts.camera is not None:
                    db.execute("UPDATE photos SET camera=? WHERE id=? AND camera IS NULL",
                               (facts.camera, pid))
                self._store_marks(db, pid, facts.marks, marks.get(pid))

    @staticmethod
    def _store_marks(
        db: sqlite3.Connection, pid: int, found: xmp_marks.Marks,
        old: tuple[int, int, int | None, int | None] | None,
    ) -> None:
        file_r = found.rating or 0
        file_f = int(bool(found.favourite))
        if old is None:
            if file_r or file_f:
                db.execute("INSERT INTO photo_marks VALUES (?,?,?,?,?)",
                           (pid, file_r, file_f, file_r, file_f))
            return
        rating, fav, last_r, last_f = old
        # the file's value changed outside photoclip since it was last read: the newer choice
        # (None: never read, and the value set in photoclip meanwhile is the newer)
        if last_r is not None and last_r != file_r:
            rating = file_r
        if last_f is not None and last_f != file_f:
            fav = file_f
        db.execute("UPDATE photo_marks SET rating=?, favourite=?, file_rating=?,"
                   " file_favourite=? WHERE photo_id=?", (rating, fav, file_r, file_f, pid))

    # ----- places, cameras and lenses --------------------------------------------------------

    def place_counts(self) -> list[PlaceCount]:
        """Every country and town with photos, with counts: each country (``city`` "") is
        followed by its towns, most photos first."""
        with self._catalog.transaction() as db:
            rows = db.execute(
                "SELECT country, COALESCE(city, ''), COUNT(*) FROM photo_facts f"
                " JOIN photos p ON p.id = f.photo_id"
                " WHERE country IS NOT NULL GROUP BY country, city"
            ).fetchall()
        by_country: dict[str, list[tuple[str, int]]] = {}
        for country, city, n in rows:
            by_country.setdefault(country, []).append((city, n))
        out: list[PlaceCount] = []
        for country, cities in sorted(by_country.items(), key=lambda kv: (-sum(
                n for _, n in kv[1]), kv[0])):
            out.append(PlaceCount(country, "", sum(n for _, n in cities)))
            towns = sorted(cities, key=lambda x: (-x[1], x[0]))
            out += [PlaceCount(country, c, n) for c, n in towns if c]
        return out

    def with_place(self, value: str) -> set[int]:
        """Photos taken in a place: "Paris", "France", "Paris, France", a region, an ISO
        country code ("FR") or a country's name in another language photoclip speaks ("法国");
        case-insensitive."""
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not parts:
            raise said_error(ValueError(_A_PLACE), Said(_A_PLACE))
        sql = ("SELECT photo_id FROM photo_facts WHERE"
               " (city = ? COLLATE NOCASE OR region = ? COLLATE NOCASE"
               " OR country = ? COLLATE NOCASE OR country_code = ? COLLATE NOCASE)")
        found: set[int] | None = None
        with self._catalog.transaction() as db:
            for part in parts:
                code = places.country_code(part) or part
                ids = {r[0] for r in db.execute(sql, (part, part, part, code))}
                found = ids if found is None else found & ids
        return found or set()

    def with_camera(self, value: str) -> set[int]:
        """Photos whose camera ("Make Model") contains ``value`` (case-insensitive)."""
        return self._like("SELECT id FROM photos WHERE camera LIKE ? ESCAPE '\\'", value)

    def with_lens(self, value: str) -> set[int]:
        """Photos whose lens contains ``value`` (case-insensitive)."""
        return self._like("SELECT photo_id FROM photo_facts WHERE lens LIKE ? ESCAPE '\\'",
                          value)

    def _like(self, sql: str, value: str) -> set[int]:
        value = value.strip()
        if not value:
            raise said_error(ValueError(_PART_OF_NAME), Said(_PART_OF_NAME))
        escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        with self._catalog.transaction() as db:
            return {r[0] for r in db.execute(sql, (f"%{escaped}%",))}

    def of(self, photo_id: int) -> dict[str, object]:
        """One photo's facts: lens, GPS (lat, lon) and place ("Paris, France"), None where
        unknown."""
        with self._catalog.transaction() as db:
            row = db.execute("SELECT lens, lat, lon, city, country FROM photo_facts"
                             " WHERE photo_id=?", (photo_id,)).fetchone()
        lens, lat, lon, city, country = row or (None,) * 5
        place = ", ".join(p for p in (city, country) if p) or None
        return {"lens": lens, "gps": None if lat is None else [lat, lon], "place": place}

    def lens(self, photo_ids: Iterable[int]) -> dict[int, str]:
        """{photo id: lens} where known."""
        ids, out = list(photo_ids), {}
        with self._catalog.transaction() as db:
            for lo in range(0, len(ids), 500):
                chunk = ids[lo : lo + 500]
                out.update(db.execute(
                    "SELECT photo_id, lens FROM photo_facts WHERE lens IS NOT NULL AND photo_id"
                    f" IN ({','.join('?' * len(chunk))})", chunk))
        return out
