"""The grid's rows put in order and grouped under date headings, done where the results are
made (the backend's lane), so a refresh of 100,000 photos costs the GUI thread only a swap.

:func:`arrange` is the one rule for the order (best score first, else newest first) and the
date groups; :class:`~photoclip.gui.results_model.ResultsModel` uses it for results that arrive
unarranged too (and for a change of order). An :class:`Arranged` answer is a struct of arrays
(ids, dates, scores, the paths as one UTF-8 buffer), not one Python object per photo: 100,000
results take about 12 MB, are freed at once when replaced, and Python's garbage collector has
nothing of theirs to walk. Answers in date order come with their groups for every grouping, so
a regrouping on the GUI thread is a lookup.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter

import numpy as np

from photoclip.core.browse import ResultItem
from photoclip.core.timeline import GROUPINGS, DateGroup, group_dates
from photoclip.gui.grid_layout import Section
from photoclip.gui.timeline_labels import sections_of

log = logging.getLogger(__name__)

__all__ = ["DATE", "RELEVANCE", "TRIM_AT", "Arranged", "arrange", "arrange_answer", "release",
           "trim_heap"]

RELEVANCE, DATE = "relevance", "date"
_SEP = "\0"  # between the paths in the buffer (no file name holds it)
#: From this many results on, a swap hands the freed memory back to the system (trim_heap).
TRIM_AT = 10_000
_RELEASE_CHUNK = 10_000  # items freed per step by release(): each step holds the GIL briefly


class _Paths:
    """Paths as one UTF-8 buffer and offsets, with a sorted index of their hashes."""

    __slots__ = ("_blob", "_hashes", "_rows", "_starts")

    def __init__(self, paths: Sequence[str]) -> None:
        n = len(paths)
        blob = _SEP.join(paths).encode("utf-8", "surrogatepass")
        seps = np.flatnonzero(np.frombuffer(blob, np.uint8) == 0) if n > 1 else \
            np.empty(0, np.int64)
        if len(seps) != max(n - 1, 0):  # a NUL inside a path (never a real file's)
            raise ValueError("a photo's path holds a NUL character")
        starts = np.empty(n + 1, np.int64)
        starts[0] = 0
        starts[1:n] = seps + 1
        starts[n] = len(blob) + 1
        hashes = np.fromiter(map(hash, paths), np.int64, n)
        order = np.argsort(hashes, kind="stable")
        self._blob, self._starts = blob, starts
        self._hashes, self._rows = hashes[order], order.astype(np.int64)

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __getitem__(self, row: int) -> str:
        n = len(self)
        if not -n <= row < n:
            raise IndexError(f"row {row} of {n}")
        row %= n
        start, end = self._starts[row], self._starts[row + 1] - 1
        return self._blob[start:end].decode("utf-8", "surrogatepass")

    def all(self) -> list[str]:
        """Every path, in row order."""
        if not len(self):
            return []
        return self._blob.decode("utf-8", "surrogatepass").split(_SEP)

    def row_of(self, path: str) -> int | None:
        h = hash(path)
        i = int(np.searchsorted(self._hashes, h, side="left"))
        while i < len(self._hashes) and self._hashes[i] == h:
            row = int(self._rows[i])
            if self[row] == path:
                return row
            i += 1
        return None

    @property
    def nbytes(self) -> int:
        return len(self._blob) + self._starts.nbytes + self._hashes.nbytes + self._rows.nbytes


class Arranged:
    """Results in the order shown (``sort``), with their date groups (``grouping``; none when
    they are shown by score), as columns: ``ids``, ``dates`` and ``scores`` (None when
    browsing; NaN for a photo without one) are numpy arrays in row order."""

    __slots__ = (
        "__weakref__",
        "_groups",
        "_sections",
        "by_date",
        "dates",
        "grouping",
        "ids",
        "marks",
        "paths",
        "scores",
        "sort",
    )

    def __init__(self, ids: np.ndarray, dates: np.ndarray, scores: np.ndarray | None,
                 paths: _Paths, sort: str, grouping: str,
                 marks: dict[int, tuple[int, bool]] | None = None) -> None:
        self.ids, self.dates, self.scores, self.paths = ids, dates, scores, paths
        for column in (ids, dates, scores):
            if column is not None:
                column.flags.writeable = False
        self.sort, self.grouping = sort, grouping
        self.by_date = sort == DATE or scores is None
        self.marks: dict[int, tuple[int, bool]] = dict(marks or {})  # the rated photos
        self._groups: dict[str, list[DateGroup]] = {}
        self._sections: dict[str, list[Section]] = {}

    def __len__(self) -> int:
        return len(self.ids)

    # ----- rows ------------------------------------------------------------------------------

    def path(self, row: int) -> str:
        return self.paths[row]

    def score(self, row: int) -> float | None:
        if self.scores is None:
            return None
        value = float(self.scores[row])
        return None if value != value else value  # NaN: no score

    def item(self, row: int) -> ResultItem:
        """Row ``row`` as a :class:`ResultItem` (made on demand)."""
        return ResultItem(int(self.ids[row]), self.paths[row], float(self.dates[row]),
                          self.score(row))

    def items(self) -> list[ResultItem]:
        """Every row as a ResultItem: one Python object per photo, for small sets and tests."""
        scores = self.scores.tolist() if self.scores is not None else [None] * len(self)
        return [ResultItem(i, p, d, None if s != s else s) for i, p, d, s in zip(
            self.ids.tolist(), self.paths.all(), self.dates.tolist(), scores, strict=True)]

    def row_of_path(self, path: str) -> int | None:
        """The row of the photo at ``path`` (None: not among them)."""
        return self.paths.row_of(path)

    def rows_of_ids(self, photo_ids: Iterable[int]) -> list[int]:
        """The rows of those photos that are here, in row order."""
        wanted = np.fromiter(photo_ids, np.int64)
        return np.flatnonzero(np.isin(self.ids, wanted)).tolist() if len(wanted) else []

    @property
    def nbytes(self) -> int:
        """The bytes its columns take (not counting the groups)."""
        scores = self.scores.nbytes if self.scores is not None else 0
        return self.ids.nbytes + self.dates.nbytes + scores + self.paths.nbytes

    # ----- groups ----------------------------------------------------------------------------

    def groups_for(self, by: str) -> list[DateGroup]:
        """The date groups by ``by`` (none when shown by score); made once per grouping."""
        if by not in GROUPINGS:
            raise ValueError(f"group by one of {', '.join(GROUPINGS)}, not {by!r}")
        if not self.by_date or not len(self):
            return []
        found = self._groups.get(by)
        if found is None:
            found = self._groups[by] = group_dates(self.dates, by)
        return found

    def sections_for(self, by: str) -> list[Section] | None:
        """The grid's sections under date headings by ``by`` (None: by score, no headings)."""
        if not self.by_date or not len(self):
            return None
        found = self._sections.get(by)
        if found is None:
            found = self._sections[by] = sections_of(self.groups_for(by))
        return found

    def group_all(self) -> Arranged:
        """Make the groups and sections of every grouping now (on the lane: a regrouping on
        the GUI thread is then a lookup); returns itself."""
        for by in GROUPINGS:
            self.sections_for(by)
        return self

    @property
    def groups(self) -> list[DateGroup]:
        return self.groups_for(self.grouping)

    @property
    def sections(self) -> list[Section] | None:
        return self.sections_for(self.grouping)


def _check(sort: str, grouping: str) -> None:
    if sort not in (RELEVANCE, DATE):
        raise ValueError(f"sort by {RELEVANCE} or {DATE}, not {sort!r}")
    if grouping not in GROUPINGS:
        raise ValueError(f"group by one of {', '.join(GROUPINGS)}, not {grouping!r}")


def _order(dates: np.ndarray, scores: np.ndarray | None, sort: str) -> np.ndarray:
    """Rows in the grid's order (stable: ties keep the order they came in)."""
    if sort == DATE or scores is None:
        return np.argsort(-dates, kind="stable")  # newest first
    return np.argsort(-np.nan_to_num(scores, nan=0.0), kind="stable")  # best first


def arrange(items: Sequence[ResultItem] | Arranged, sort: str, grouping: str,
            marks: dict[int, tuple[int, bool]] | None = None, *,
            every_grouping: bool = False) -> Arranged:
    """``items`` in the grid's order: ``relevance`` is best score first (newest first when
    there are no scores, browsing), ``date`` newest first; grouped by ``grouping`` (day,
    month, year) when in date order; ``marks``: {photo id: (stars, favourite)} of the rated
    photos (the grid's badges; an Arranged keeps its own without). ``every_grouping`` makes
    the groups of all three groupings now (the lane does). Runs on any thread."""
    _check(sort, grouping)
    if isinstance(items, Arranged):
        ids, dates, scores, paths = items.ids, items.dates, items.scores, items.paths
        marks = items.marks if marks is None else marks
        path_list: Sequence[str] | None = None
    else:
        n = len(items)
        ids = np.fromiter(map(attrgetter("photo_id"), items), np.int64, n)
        dates = np.fromiter(map(attrgetter("date"), items), np.float64, n)
        raw = list(map(attrgetter("score"), items))
        scores = None
        if n and raw[0] is not None:
            scores = np.array([np.nan if s is None else s for s in raw], np.float64)
        path_list = list(map(attrgetter("path"), items))
        paths = None  # type: ignore[assignment]
    order = _order(dates, scores, sort)
    if len(order) and not bool(np.all(order[1:] > order[:-1])):  # not already in order
        ids, dates = ids[order], dates[order]
        scores = scores[order] if scores is not None else None
        if path_list is None:
            path_list = paths.all()
        path_list = np.asarray(path_list, dtype=object)[order].tolist()
    if path_list is not None:
        paths = _Paths(path_list)
    arranged = Arranged(ids, dates, scores, paths, sort, grouping, marks)
    return arranged.group_all() if every_grouping else arranged


def arrange_answer(items: list[ResultItem], sort: str, grouping: str,
                   marks: dict[int, tuple[int, bool]] | None = None) -> Arranged:
    """:func:`arrange` as the backend's lane does it: the groups of every grouping made, and
    ``items`` (the lane's own list) emptied a slice at a time (:func:`release`)."""
    try:
        return arrange(items, sort, grouping, marks, every_grouping=True)
    finally:
        release(items)


def release(items: list[ResultItem]) -> None:
    """Empty ``items`` a slice at a time: freeing 100,000 objects in one go holds the GIL
    (the GUI thread's too) for tens of milliseconds; between slices the GUI thread runs."""
    while items:
        del items[-_RELEASE_CHUNK:]


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


def trim_heap(count: int) -> bool:
    """After an answer of ``count`` results replaced another: from :data:`TRIM_AT` on, give
    the memory freed back to the system (glibc keeps what the lane's thread freed in that
    thread's arena: four refreshes of 100,000 left ~25 MB of it resident). Returns whether
    it trimmed (only glibc can)."""
    trim = _malloc_trim() if count >= TRIM_AT else None
    if trim is None:
        return False
    trim(0)
    return True
