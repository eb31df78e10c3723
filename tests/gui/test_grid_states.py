"""The grid as a first-time user meets it: where a new search starts, the current cell, empty
states, the sort box (real window offscreen, the tiny model, real photos)."""

from __future__ import annotations

from photoclip.gui.results_model import PhotoIdRole, ScoreRole
from tests.gui.conftest import N_PHOTOS


def _scrolled_down_with_a_selection(qtbot, window) -> None:
    window.resize(420, 300)  # small enough to scroll
    window.grid.setCurrentIndex(window.results.index(7))
    window.grid.select_rows([6, 7])
    bar = window.grid.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=10_000)
    bar.setValue(bar.maximum())


def _at_the_top_with_nothing_selected(window) -> None:
    assert window.selected_ids() == []
    assert window.grid.verticalScrollBar().value() == 0
    assert window.grid.currentIndex().row() == 0  # the keyboard starts at the best match


def test_a_new_search_starts_at_the_top_with_nothing_selected(
    qtbot, gui_photos, write_settings, make_window, wait_indexed
) -> None:
    write_settings([gui_photos])
    window = make_window()
    wait_indexed(window, N_PHOTOS)
    _scrolled_down_with_a_selection(qtbot, window)
    qtbot.keyClicks(window.search_bar.edit, "a red car")  # a typed query
    qtbot.waitUntil(lambda: window.results.has_scores, timeout=10_000)
    _at_the_top_with_nothing_selected(window)

    _scrolled_down_with_a_selection(qtbot, window)
    liked = window.results.index(7).data(PhotoIdRole)
    window._more_from_grid(liked)  # "More like this" from the grid's menu
    qtbot.waitUntil(lambda: window.search_bar.browse().similar_to == liked
                    and window.results.index(0).data(PhotoIdRole) == liked, timeout=10_000)
    _at_the_top_with_nothing_selected(window)
    assert window.results.index(0).data(ScoreRole) > 0.99

    _scrolled_down_with_a_selection(qtbot, window)
    window.search_bar.set_image(str(sorted(gui_photos.glob("*.jpg"))[2]))  # a pasted image
    qtbot.waitUntil(lambda: window.search_bar.browse().image is not None
                    and window.results.has_scores and window._shown.image is not None,
                    timeout=10_000)
    _at_the_top_with_nothing_selected(window)


def test_the_current_cell_shows_its_thumbnail_and_score_when_the_grid_has_focus(
    qtbot, gui_photos, write_settings, make_window, wait_indexed
) -> None:
    """The focus frame once filled the cell with the score badge's pale brush."""
    write_settings([gui_photos])
    window = make_window()
    wait_indexed(window, N_PHOTOS)
    window.search_bar.set_text("a dog")
    qtbot.waitUntil(lambda: window.results.has_scores, timeout=10_000)
    index = window.results.index(0)
    qtbot.waitUntil(lambda: window.loader.pixmap(window.results.item(0).path) is not None,
                    timeout=10_000)
    assert window.grid.currentIndex() == index
    window.activateWindow()
    window.grid.setFocus()
    qtbot.waitUntil(window.grid.hasFocus, timeout=5_000)
    rect = window.grid.visualRect(index).adjusted(4, 4, -4, -4)  # inside the focus frame
    window.grid.viewport().repaint()
    focused = window.grid.viewport().grab(rect).toImage()
    window.search_bar.edit.setFocus()
    qtbot.waitUntil(lambda: not window.grid.hasFocus(), timeout=5_000)
    window.grid.viewport().repaint()
    unfocused = window.grid.viewport().grab(rect).toImage()
    assert focused == unfocused


def test_the_sort_box_says_the_order_shown_and_an_empty_grid_says_why(
    qtbot, gui_photos, write_settings, make_window, wait_indexed
) -> None:
    write_settings([gui_photos])
    window = make_window()
    wait_indexed(window, N_PHOTOS)
    sort = window.search_bar.sort
    assert sort.currentText() == "Newest first" and not sort.isEnabled()  # browsing
    assert window.grid.empty_text == ""
    window.search_bar.set_text("a dog")
    qtbot.waitUntil(lambda: window.results.has_scores, timeout=10_000)
    assert sort.currentText() == "Best match" and sort.isEnabled()

    window.search_bar.set_filter("tag", "no-such-tag")  # nothing has it
    qtbot.waitUntil(lambda: window.results.rowCount() == 0, timeout=10_000)
    assert window.grid.empty_text.startswith("No photos match \u201ca dog\u201d. Try other words")
    assert window.search_bar.count.text() == "0 photos found"
    window.search_bar.set_text("")
    qtbot.waitUntil(lambda: window.grid.empty_text.startswith(
        "No photos match these filters. Clear one"),
                    timeout=10_000)
    assert sort.currentText() == "Newest first"
    blank = window.grid.viewport().grab().toImage()
    window.grid.show_empty("")
    assert window.grid.viewport().grab().toImage() != blank  # the message is painted


def test_an_empty_library_says_to_add_a_folder(
    qtbot, write_settings, make_window
) -> None:
    write_settings([])
    window = make_window()
    qtbot.waitUntil(lambda: "Your library is empty" in window.grid.empty_text, timeout=30_000)
