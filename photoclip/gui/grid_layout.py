"""Where each cell and date heading of the photo grid goes: arithmetic on the sections only.

The grid is sections (a date heading, then its photos in rows of ``columns`` cells), so the
layout costs one entry per section, never one per photo: placing, hit-testing and finding what
is on screen are a bisect away for 100,000 photos, and a resize recomputes nothing per photo.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass

__all__ = ["GridLayout", "Section"]


@dataclass(frozen=True, slots=True)
class Section:
    """``count`` rows of the model from ``start`` on, under the heading of ``key`` (None:
    no heading). The heading's words are asked for only when it is painted."""

    start: int
    count: int
    key: Hashable | None = None


class GridLayout:
    """Cells of ``cell`` pixels, ``columns`` per line, sections under headings of
    ``heading`` pixels, worded by ``label``. Coordinates are the content's (0 is the top of
    the first section)."""

    def __init__(
        self, sections: Sequence[Section], width: int, cell: int, heading: int,
        label: Callable[[Section], str] = lambda s: str(s.key),
    ) -> None:
        self.cell = cell
        self.label = label
        self.heading = heading
        self.columns = max(1, width // cell)
        self.sections = [s for s in sections if s.count > 0]
        self._starts = [s.start for s in self.sections]
        self._tops: list[int] = []  # the y of each section's heading (or first line)
        y = 0
        for s in self.sections:
            self._tops.append(y)
            y += self._heading_of(s) + self.lines(s) * cell
        self.height = y

    def _heading_of(self, s: Section) -> int:
        return self.heading if s.key is not None else 0

    def lines(self, s: Section) -> int:
        return -(-s.count // self.columns)

    @property
    def rows(self) -> int:
        return self.sections[-1].start + self.sections[-1].count if self.sections else 0

    def section_of(self, row: int) -> int:
        """The index of the section holding ``row``."""
        return max(bisect.bisect_right(self._starts, row) - 1, 0)

    def _cells_top(self, i: int) -> int:
        return self._tops[i] + self._heading_of(self.sections[i])

    def rect(self, row: int) -> tuple[int, int, int, int]:
        """(x, y, width, height) of ``row``'s cell."""
        i = self.section_of(row)
        line, col = divmod(row - self.sections[i].start, self.columns)
        return col * self.cell, self._cells_top(i) + line * self.cell, self.cell, self.cell

    def row_at(self, x: int, y: int) -> int | None:
        """The row whose cell is at (x, y), None for a heading or empty space."""
        if x < 0 or y < 0 or not self.sections or x >= self.columns * self.cell:
            return None
        i = max(bisect.bisect_right(self._tops, y) - 1, 0)
        s = self.sections[i]
        dy = y - self._cells_top(i)
        if dy < 0:
            return None  # on the heading
        row = s.start + (dy // self.cell) * self.columns + x // self.cell
        return row if row < s.start + s.count else None

    def headings(self, top: int, bottom: int) -> Iterator[tuple[str, int]]:
        """(label, y) of the headings between ``top`` and ``bottom``."""
        for i in self._sections_between(top, bottom):
            if self.sections[i].key is not None:
                yield self.label(self.sections[i]), self._tops[i]

    def rows_between(self, top: int, bottom: int) -> Iterator[int]:
        """The rows whose cells overlap the band [top, bottom)."""
        for i in self._sections_between(top, bottom):
            s, cells = self.sections[i], self._cells_top(i)
            first = max((top - cells) // self.cell, 0)
            last = min((bottom - 1 - cells) // self.cell, self.lines(s) - 1)
            for line in range(first, last + 1):
                begin = s.start + line * self.columns
                yield from range(begin, min(begin + self.columns, s.start + s.count))

    def rows_in(self, left: int, top: int, right: int, bottom: int) -> list[int]:
        """The rows whose cells overlap the rectangle (a rubber band, a Shift-click)."""
        c0, c1 = max(left // self.cell, 0), min(right // self.cell, self.columns - 1)
        out = []
        for row in self.rows_between(top, bottom + 1):
            col = (row - self.sections[self.section_of(row)].start) % self.columns
            if c0 <= col <= c1:
                out.append(row)
        return out

    def _sections_between(self, top: int, bottom: int) -> range:
        first = max(bisect.bisect_right(self._tops, top) - 1, 0)
        last = bisect.bisect_left(self._tops, bottom)
        return range(first, min(last, len(self.sections)))

    def step(self, row: int, lines: int) -> int:
        """The row ``lines`` lines below (negative: above) in the same column, or the nearest
        one in that line; clamped to the first and last rows."""
        i = self.section_of(row)
        line, col = divmod(row - self.sections[i].start, self.columns)
        line += lines
        while line < 0 and i > 0:  # into the sections above
            i -= 1
            line += self.lines(self.sections[i])
        while i < len(self.sections) and line >= self.lines(self.sections[i]):
            line -= self.lines(self.sections[i])
            i += 1
        if line < 0:
            return 0
        if i >= len(self.sections):
            return self.rows - 1
        s = self.sections[i]
        return min(s.start + line * self.columns + col, s.start + s.count - 1)

    def label_at(self, y: int) -> str:
        """The heading of the section at ``y`` ("" for none)."""
        if not self.sections:
            return ""
        s = self.sections[max(bisect.bisect_right(self._tops, y) - 1, 0)]
        return self.label(s) if s.key is not None else ""

    def section_top(self, row: int) -> int:
        """The y of the heading above ``row`` (where a jump to it scrolls)."""
        return self._tops[self.section_of(row)]
