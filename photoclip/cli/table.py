"""The CLI's tables: cells padded to the columns a terminal shows (a CJK character takes two),
so that translated headings and Chinese names stay aligned."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    """How many terminal columns ``text`` takes (wide and full-width characters: two)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def cell(value: object, columns: int, align: str = "<") -> str:
    """``value`` padded to ``columns`` terminal columns (``align``: ``"<"`` or ``">"``)."""
    text = str(value)
    pad = " " * max(0, columns - width(text))
    return text + pad if align == "<" else pad + text
