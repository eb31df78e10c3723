"""The timeline: photos in date order cut into days, months or years (no Qt here).

A photo's date is the one the catalog gives (:attr:`photoclip.core.catalog.PhotoRecord.date`:
EXIF capture time, else the file's time), read in local time. Grouping walks the dates once
and asks the calendar only when a date leaves the current group's span, so 100,000 photos are
grouped in milliseconds; dates already newest first (the grid's order) go a group at a time
(a bisect finds where each group ends), so the cost is per group, not per photo. The fronts
label the groups in their own language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

__all__ = [
    "DAY", "GROUPINGS", "MONTH", "YEAR", "DateGroup", "group_dates", "nearest_row", "year_starts",
]

DAY, MONTH, YEAR = "day", "month", "year"
GROUPINGS = (DAY, MONTH, YEAR)


@dataclass(frozen=True, slots=True)
class DateGroup:
    """``count`` photos from row ``start`` on, all of one day, month or year (``key``:
    (year,), (year, month) or (year, month, day))."""

    key: tuple[int, ...]
    start: int
    count: int

    @property
    def year(self) -> int:
        return self.key[0]

    @property
    def end(self) -> int:
        """The row after the group's last."""
        return self.start + self.count


def _span(when: float, by: str) -> tuple[tuple[int, ...], float, float]:
    """The key of ``when``'s day/month/year and that span as [low, high) epoch seconds."""
    d = datetime.fromtimestamp(when)
    if by == DAY:
        low = datetime(d.year, d.month, d.day)
        key: tuple[int, ...] = (d.year, d.month, d.day)
        high = datetime.fromordinal(low.toordinal() + 1)
    elif by == MONTH:
        low = datetime(d.year, d.month, 1)
        key = (d.year, d.month)
        high = datetime(d.year + d.month // 12, d.month % 12 + 1, 1)
    else:
        low = datetime(d.year, 1, 1)
        key = (d.year,)
        high = datetime(d.year + 1, 1, 1)
    return key, low.timestamp(), high.timestamp()


def group_dates(dates: Sequence[float] | np.ndarray, by: str = MONTH) -> list[DateGroup]:
    """Runs of consecutive ``dates`` (epoch seconds, in the order shown) that share a day,
    month or year (``by``). Photos out of date order simply start a new group."""
    if by not in GROUPINGS:
        raise ValueError(f"group by one of {', '.join(GROUPINGS)}, not {by!r}")
    values = np.asarray(dates, dtype=np.float64)
    if not len(values):
        return []
    if len(values) > 1 and bool(np.all(values[1:] <= values[:-1])):
        return _group_newest_first(values, by)
    groups: list[DateGroup] = []
    key, low, high = _span(float(values[0]), by)
    start = 0
    for row, when in enumerate(values.tolist()):
        if low <= when < high:
            continue
        groups.append(DateGroup(key, start, row - start))
        key, low, high = _span(when, by)
        start = row
    groups.append(DateGroup(key, start, len(values) - start))
    return groups


def _group_newest_first(values: np.ndarray, by: str) -> list[DateGroup]:
    """:func:`group_dates` of dates newest first: a group ends at the first date older than
    its span, which a bisect of the (negated, so ascending) dates finds."""
    ascending = -values
    groups: list[DateGroup] = []
    start, n = 0, len(values)
    while start < n:
        key, low, _high = _span(float(values[start]), by)
        end = max(int(np.searchsorted(ascending, -low, side="right")), start + 1)
        groups.append(DateGroup(key, start, end - start))
        start = end
    return groups


def year_starts(groups: Sequence[DateGroup]) -> list[tuple[int, int]]:
    """(year, first row) of each year as the groups first reach it, in the order shown: what a
    year jump offers."""
    seen: set[int] = set()
    out = []
    for g in groups:
        if g.year not in seen:
            seen.add(g.year)
            out.append((g.year, g.start))
    return out


def nearest_row(dates: Sequence[float] | np.ndarray, when: float) -> int | None:
    """The row whose date is nearest ``when`` in ``dates`` sorted newest first (where the
    grid goes back to when the photo it showed is gone); None for no dates."""
    values = np.asarray(dates, dtype=np.float64)
    if not len(values):
        return None
    i = int(np.searchsorted(-values, -when, side="left"))  # the negated dates ascend
    best = [r for r in (i - 1, i) if 0 <= r < len(values)]
    return min(best, key=lambda r: abs(float(values[r]) - when))
