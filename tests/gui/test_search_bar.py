"""The search bar's person chip (People filter): one widget, in the bar's layout, kept across
searches like the other filters, cleared by a click (real widgets, offscreen)."""

from __future__ import annotations

from PySide6.QtWidgets import QToolButton

from photoclip.gui.search_bar import SearchBar


def test_the_person_chip_is_one_widget_kept_across_searches(qtbot) -> None:
    bar = SearchBar()
    qtbot.addWidget(bar)
    bar.show()
    chip = bar.person_chip
    bar.set_person((3, "Anna"), notify=False)
    bar.set_text("beach")  # a new query keeps the person, as it keeps a folder or a tag
    bar.set_image(None)
    assert bar.findChildren(QToolButton, "personChip") == [chip]  # no new, unplaced chip
    assert bar.person_chip is chip and chip.isVisible() and chip.text().startswith("Person: Anna")
    request = bar.browse()
    assert (request.text, request.where) == ("beach", (("person", "3"),))
    with qtbot.waitSignal(bar.changed):
        chip.click()
    assert not chip.isVisible() and bar.browse().where == ()
