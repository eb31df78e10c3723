"""Star ratings (0-5) and the favourite flag: plain core functions the CLI and GUI call (and an
undo stack can wrap: each returns the values it replaced).

Values live in the catalog (``photo_marks``); with ``settings.write_xmp`` on they are also
written into each photo's XMP sidecar (``xmp:Rating``, ``photoclip:Favorite``; see
:mod:`photoclip.core.xmp_marks`), never into the photo. Values read from files are kept by
:mod:`photoclip.core.photo_facts`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from photoclip.config import Settings
from photoclip.core import xmp_marks
from photoclip.core.catalog import Catalog
from photoclip.core.said import N_, Said, said_error

log = logging.getLogger(__name__)

__all__ = ["Ratings", "parse_rating_filter"]

_FILTER = re.compile(r"^\s*(>=|=|<=)?\s*([0-5])\s*(\+)?\s*$")
_BAD_FILTER = N_("a rating filter is 0 to 5 stars, e.g. 4 (at least 4), =5 or <=2, not {value!r}")


def parse_rating_filter(value: str) -> tuple[str, int]:
    """``"3"`` or ``"3+"`` or ``">=3"``: at least 3 stars; ``"=3"``: exactly 3; ``"<=2"``: at
    most 2 (``"=0"``: unrated). Returns (operator, stars)."""
    m = _FILTER.match(value)
    if m is None:
        said = Said(_BAD_FILTER, {"value": value})
        raise said_error(ValueError(str(said)), said)
    return (m.group(1) or ">="), int(m.group(2))


class Ratings:
    """Ratings and favourites of one library's photos."""

    def __init__(self, catalog: Catalog, settings: Settings) -> None:
        self._catalog = catalog
        self._settings = settings

    def marks(self, photo_ids: Iterable[int]) -> dict[int, tuple[int, bool]]:
        """{photo id: (stars, favourite)} for these photos (unrated ones: (0, False))."""
        ids = list(photo_ids)
        out = {pid: (0, False) for pid in ids}
        with self._catalog.transaction() as db:
            for lo in range(0, len(ids), 500):
                chunk = ids[lo : lo + 500]
                for pid, rating, fav in db.execute(
                    "SELECT photo_id, rating, favourite FROM photo_marks WHERE photo_id IN"
                    f" ({','.join('?' * len(chunk))})", chunk
                ):
                    out[pid] = (int(rating), bool(fav))
        return out

    def set_rating(self, photo_ids: Iterable[int], stars: int) -> dict[int, int]:
        """Give these photos ``stars`` (0-5, 0 clears); returns {photo id: previous stars}."""
        stars = int(stars)
        if not 0 <= stars <= 5:
            raise ValueError(f"a rating is 0 to 5 stars, not {stars}")
        old = self._known(photo_ids)
        self._write({pid: (stars, fav) for pid, (_, fav) in old.items()})
        return {pid: r for pid, (r, _) in old.items()}

    def set_favourite(self, photo_ids: Iterable[int], favourite: bool) -> dict[int, bool]:
        """Mark or unmark these photos as favourites; returns {photo id: previous flag}."""
        old = self._known(photo_ids)
        self._write({pid: (r, bool(favourite)) for pid, (r, _) in old.items()})
        return {pid: fav for pid, (_, fav) in old.items()}

    def restore(self, values: dict[int, tuple[int, bool]]) -> None:
        """Set {photo id: (stars, favourite)} as given (what an undo puts back); photos the
        library no longer has are left out."""
        known = self._catalog.get_many(list(values))
        self._write({pid: v for pid, v in values.items() if pid in known})

    def with_rating(self, value: str) -> set[int]:
        """Photos passing a rating filter (see :func:`parse_rating_filter`)."""
        op, stars = parse_rating_filter(value)
        sql = {">=": ">=", "=": "=", "<=": "<="}[op]
        with self._catalog.transaction() as db:
            return {r[0] for r in db.execute(
                "SELECT p.id FROM photos p LEFT JOIN photo_marks m ON m.photo_id = p.id"
                f" WHERE COALESCE(m.rating, 0) {sql} ?", (stars,))}

    def marked(self) -> dict[int, tuple[int, bool]]:
        """{photo id: (stars, favourite)} of every rated or favourite photo (the others are
        (0, False)): what the grid's badges show."""
        with self._catalog.transaction() as db:
            return {pid: (int(r), bool(f)) for pid, r, f in db.execute(
                "SELECT photo_id, rating, favourite FROM photo_marks"
                " WHERE rating > 0 OR favourite = 1")}

    def favourites(self) -> set[int]:
        """The photos marked as favourites."""
        with self._catalog.transaction() as db:
            return {r[0] for r in db.execute(
                "SELECT photo_id FROM photo_marks WHERE favourite = 1")}

    def _known(self, photo_ids: Iterable[int]) -> dict[int, tuple[int, bool]]:
        ids = list(dict.fromkeys(int(i) for i in photo_ids))
        records = self._catalog.get_many(ids)
        missing = [i for i in ids if i not in records]
        if missing:
            raise ValueError(f"no photo with id {missing[0]} in the library")
        return self.marks(ids)

    def _write(self, values: dict[int, tuple[int, bool]]) -> None:
        records = self._catalog.get_many(values)
        written: dict[int, tuple[int, bool]] = {}
        if self._settings.write_xmp:
            for pid, (stars, fav) in values.items():
                try:
                    xmp_marks.write_marks(records[pid].path, stars, fav)
                    written[pid] = (stars, fav)
                except (OSError, ValueError) as exc:  # kept in the library all the same
                    log.warning("Cannot write the rating into the XMP sidecar of %s: %s",
                                records[pid].path, exc)
        with self._catalog.transaction() as db:
            for pid, (stars, fav) in values.items():
                db.execute(
                    "INSERT INTO photo_marks (photo_id, rating, favourite) VALUES (?,?,?)"
                    " ON CONFLICT(photo_id) DO UPDATE SET rating=excluded.rating,"
                    " favourite=excluded.favourite", (pid, stars, int(fav)))
                if pid in written:  # our own write is not an outside edit to adopt
                    db.execute("UPDATE photo_marks SET file_rating=?, file_favourite=?"
                               " WHERE photo_id=?", (stars, int(fav), pid))
