"""Counts in the GUI's words: one helper, "1 photo" and "2 photos"."""

from __future__ import annotations

from photoclip.gui.status import describe_library
from photoclip.gui.wording import count_of, plural


def test_counts_use_the_singular_for_exactly_one() -> None:
    assert count_of(1, "photo") == "1 photo"
    assert count_of(0, "photo") == "0 photos"
    assert count_of(1250, "photo") == "1,250 photos"
    assert count_of(2, "copy") == "2 copies" and plural(1, "copy") == "copy"
    assert count_of(1, "selected photo") == "1 selected photo"
    assert describe_library(1, 1, 0) == "1 photo, all indexed"
    assert describe_library(1, 0, 0, paused=True) == "Indexing paused: 0 of 1 photo indexed"
