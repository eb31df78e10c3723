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


def test_search_examples_where_users_type_do_not_count(qtbot) -> None:
    """Counting ("two dogs") is a known CLIP limit: no example query where users search (the
    search box's hint, the app store's description) asks for a count."""
    from pathlib import Path

    import photoclip
    from photoclip.desktop_entry import METAINFO_FILE
    from photoclip.gui.search_bar import SearchBar

    bar = SearchBar()
    qtbot.addWidget(bar)
    hint = bar.edit.placeholderText()
    metainfo = (Path(photoclip.__file__).parent / "data" / "desktop" / METAINFO_FILE).read_text()
    for text in (hint, metainfo):
        assert "two dogs" not in text and "dog playing in the snow" in text


def test_library_with_unreadable_photos_is_not_all_indexed() -> None:
    """366 photos of which 6 could not be read: 360 are searchable, not "all"."""
    assert describe_library(366, 360, 6) == "360 of 366 photos indexed"
    assert describe_library(366, 366, 0) == "366 photos, all indexed"
