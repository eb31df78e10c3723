"""In the window, on a real library: Places in the sidebar filter the grid, keys 0-5 and "."
rate and mark the selected photo (the work off the GUI thread), Edit › Undo takes it back,
offscreen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout

from photoclip.gui.results_model import MarksRole, PhotoIdRole
from tests.core.test_keywords import exiftool, needs_exiftool
from tests.core.test_photo_facts import EIFFEL
from tests.gui.conftest import copy_photos

pytestmark = needs_exiftool


def test_places_and_rating_keys(qtbot, tmp_path, datasets_dir, write_settings, make_window,
                                wait_indexed) -> None:
    folder = copy_photos(datasets_dir, tmp_path / "photos", 3)
    paris = sorted(folder.glob("*.jpg"))[0]
    exiftool("-q", "-overwrite_original", *EIFFEL, paris)
    write_settings([folder])
    window = make_window()
    wait_indexed(window, 3)
    model = window.sidebar_model
    qtbot.waitUntil(lambda: bool(model.leaves("Places")), timeout=30_000)
    assert model.leaves("Places") == [("France — 1", "France", 1)]
    town = model.section("Places").child(0).child(0)
    window.sidebar.clicked.emit(model.indexFromItem(town))
    qtbot.waitUntil(lambda: window.results.rowCount() == 1, timeout=10_000)
    lib = window.backend.library
    pid = window.results.index(0).data(PhotoIdRole)
    assert lib.browse.record(pid).path == str(paris.resolve())

    window.grid.setFocus()
    window.grid.set_current_row(0)
    window.grid.select_rows([0])
    qtbot.keyClick(window.grid, Qt.Key.Key_4)
    qtbot.waitUntil(lambda: lib.ratings.marks([pid]) == {pid: (4, False)}, timeout=10_000)
    qtbot.keyClick(window.grid, Qt.Key.Key_Period)
    qtbot.waitUntil(lambda: lib.ratings.marks([pid]) == {pid: (4, True)}, timeout=10_000)
    qtbot.waitUntil(lambda: "★★★★☆  ♥" in window.statusBar().currentMessage(), timeout=10_000)
    qtbot.waitUntil(lambda: window.results.index(0).data(MarksRole) == (4, True),
                    timeout=10_000)  # the grid's badge, with the refreshed answer
    qtbot.keyClick(window.grid, Qt.Key.Key_Period)  # again: no longer a favourite
    qtbot.waitUntil(lambda: lib.ratings.marks([pid]) == {pid: (4, False)}, timeout=10_000)

    # the photo view shows the stars and the heart, "." there marks the photo shown
    window.open_photo(window.results.index(0))
    view = window.photo_view
    qtbot.waitUntil(lambda: view.details is not None and view.details.rating == 4,
                    timeout=10_000)
    qtbot.keyClick(view, Qt.Key.Key_Period)
    qtbot.waitUntil(lambda: view.details.favourite, timeout=10_000)
    assert lib.ratings.marks([pid]) == {pid: (4, True)}
    info = {view.info.itemAt(r, QFormLayout.ItemRole.LabelRole).widget().text():
            view.info.itemAt(r, QFormLayout.ItemRole.FieldRole).widget().text()
            for r in range(view.info.rowCount())}
    assert info["Rating"] == "★★★★☆  ♥" and info["Place"] == "Paris, France"
    view.facts_button.setChecked(True)  # the facts overlay (I) too
    assert ("Rating", "★★★★☆  ♥") in view.facts.rows
    assert ("Place", "Paris, France") in view.facts.rows

    stack = window.edits.stack  # each key an undoable edit, named in the Edit menu
    assert stack.undoText() == "Mark 1 photo as favourites"
    stack.undo()
    qtbot.waitUntil(lambda: window.edits.busy == 0, timeout=10_000)
    assert lib.ratings.marks([pid]) == {pid: (4, False)}
    qtbot.waitUntil(lambda: not view.details.favourite, timeout=10_000)  # shown again
    assert ("Rating", "★★★★☆") in view.facts.rows
    for _ in range(3):  # the heart off and on again, then the 4 stars
        stack.undo()
    qtbot.waitUntil(lambda: window.edits.busy == 0, timeout=10_000)
    assert lib.ratings.marks([pid]) == {pid: (0, False)}
