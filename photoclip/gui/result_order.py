"""The grid's rows put in order and grouped under date headings, done where the results are
made (the backend's lane), so a refresh of 100,000 photos costs the GUI thread only a swap.

:func:`arrange` is the one rule for the order (best score first, else newest first) and the
date groups; :class:`~photoclip.gui.results_model.ResultsModel` uses it for results that arrive
unarranged too (and for a change of order or grouping). :func:`settle_gc` keeps Python's full
garbage collections from walking a large result set again and again (each walk of 100,000
items stalled the GUI thread 30-160 ms).
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from photoclip.core.browse import ResultItem
from photoclip.core.timeline import GROUPINGS, DateGroup, group_dates
from photoclip.gui.grid_layout import Section
from photoclip.gui.timeline_labels import sections_of

log = logging.getLogger(__name__)

__all__ = ["DATE", "FREEZE_AT", "RELEVANCE", "Arranged", "arrange", "settle_gc"]

RELEVANCE, DATE = "relevance", "date"

#: From this many results on, :func:`settle_gc` moves the objects alive out of the collector's
#: sight (``gc.freeze``).
FREEZE_AT = 10_000


@dataclass(frozen=True)
class Arranged:
    """Results in the order shown (``sort``), with their date groups (``grouping``; none when
    they are shown by score) and each path's row."""

    items: list[ResultItem]
    sort: str
    grouping: str
    by_date: bool
    groups: list[DateGroup]
    row_of: dict[str, int]
    marks: dict[int, tuple[int, bool]] = field(default_factory=dict)  # the rated photos
    #: The grid's sections under date headings (None: by score, no headings).
    sections: list[Section] | None = None

    def __len__(self) -> int:
        return len(self.items)


def arrange(items: Sequence[ResultItem], sort: str, grouping: str,
            marks: dict[int, tuple[int, bool]] | None = None) -> Arranged:
    """``items`` in the grid's order: ``relevance`` is best score first (newest first when
    there are no scores, browsing), ``date`` newest first; grouped by ``grouping`` (day,
    month, year) when in date order; ``marks``: {photo id: (stars, favourite)} of the rated
    photos (the grid's badges). Runs on any thread."""
    if sort not in (RELEVANCE, DATE):
        raise ValueError(f"sort by {RELEVANCE} or {DATE}, not {sort!r}")
    if grouping not in GROUPINGS:
        raise ValueError(f"group by one of {', '.join(GROUPINGS)}, not {grouping!r}")
    rows = list(items)
    scored = bool(rows) and rows[0].score is not None
    by_date = sort == DATE or not scored
    if by_date:
        rows.sort(key=lambda r: r.date, reverse=True)
    else:
        rows.sort(key=lambda r: -(r.score or 0.0))
    groups = group_dates([r.date for r in rows], grouping) if by_date and rows else []
    return Arranged(rows, sort, grouping, by_date, groups,
                    {it.path: row for row, it in enumerate(rows)}, dict(marks or {}),
                    sections_of(groups) if by_date and rows else None)


def settle_gc(count: int) -> bool:
    """After a result set of ``count`` items is shown: from :data:`FREEZE_AT` on, collect the
    young generations (cheap) and freeze what is alive, so full collections no longer walk
    the items (they are still freed as usual when dropped: they hold no cycles). Returns
    whether it froze."""
    if count < FREEZE_AT:
        return False
    gc.collect(1)
    gc.freeze()
    log.debug("%d results: the objects alive now are out of the garbage collector's walks",
              count)
    return True
