"""The date headings of the timeline, in the interface's locale ("Tuesday 3 May 2024",
"May 2024", "2024"), for the core's groups (:mod:`photoclip.core.timeline`)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QDate, QLocale

from photoclip.core.timeline import DAY, MONTH, DateGroup
from photoclip.gui.grid_layout import Section

__all__ = ["group_label", "sections_of"]


def group_label(key: tuple[int, ...], by: str) -> str:
    """A group's heading: its day, month or year in the locale's words."""
    locale = QLocale()
    c = locale.language() == QLocale.Language.C
    if by == DAY:
        d = QDate(key[0], key[1], key[2])
        return d.toString("dddd d MMMM yyyy") if c else locale.toString(
            d, QLocale.FormatType.LongFormat)
    if by == MONTH:
        d = QDate(key[0], key[1], 1)
        return d.toString("MMMM yyyy") if c else locale.toString(d, "MMMM yyyy")
    return str(key[0])


def sections_of(groups: Sequence[DateGroup]) -> list[Section]:
    """The grid's sections for these groups, each under the heading of its date."""
    return [Section(g.start, g.count, g.key) for g in groups]
