"""Words for the GUI: one place for counts of things ("1 photo", "2 photos")."""

from __future__ import annotations

IRREGULAR = {"copy": "copies", "match": "matches", "this": "these"}


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``noun`` for ``n`` of it: the singular for exactly one, else ``many`` (default: the
    irregular plural if known, else ``noun + "s"``)."""
    if n == 1:
        return noun
    return many or IRREGULAR.get(noun, noun + "s")


def count_of(n: int, noun: str, many: str | None = None) -> str:
    """``"1 photo"``, ``"1,250 photos"``."""
    return f"{n:,} {plural(n, noun, many)}"
