"""Places in the sidebar (country > town, counted) and the place and rating filters of the
search bar, offscreen."""

from __future__ import annotations

from photoclip.core.photo_facts import PlaceCount
from photoclip.gui.queries import SidebarData
from photoclip.gui.search_bar import SearchBar
from photoclip.gui.sidebar import Sidebar
from photoclip.gui.sidebar_model import CountRole, KindRole, SidebarModel, ValueRole

PLACES = [PlaceCount("France", "", 3), PlaceCount("France", "Paris", 2),
          PlaceCount("France", "Lyon", 1), PlaceCount("Australia", "", 1),
          PlaceCount("Australia", "Sydney", 1)]


def test_places_are_countries_with_their_towns(qtbot) -> None:
    model = SidebarModel()
    model.set_data(SidebarData([], [], [], photos=4, places=PLACES), 4)
    assert model.leaves("Places") == [("France — 3", "France", 3),
                                      ("Australia — 1", "Australia", 1)]
    france = model.section("Places").child(0)
    towns = [(france.child(r).data(ValueRole), france.child(r).data(CountRole))
             for r in range(france.rowCount())]
    assert towns == [("Paris, France", 2), ("Lyon, France", 1)]
    assert france.child(0).data(KindRole) == "place"
    sidebar = Sidebar(model)
    qtbot.addWidget(sidebar)
    chosen: list[tuple[str, str]] = []
    sidebar.filter_chosen.connect(lambda kind, value: chosen.append((kind, value)))
    sidebar.clicked.emit(model.indexFromItem(france.child(0)))
    assert chosen == [("place", "Paris, France")]


def test_the_search_bar_filters_by_place_and_rating(qtbot) -> None:
    bar = SearchBar()
    qtbot.addWidget(bar)
    with qtbot.waitSignal(bar.changed):
        bar.set_filter("place", "Paris, France")
    assert bar.facts.place_chip.isVisibleTo(bar)
    assert "Paris, France" in bar.facts.place_chip.text()
    bar.facts.rating.setCurrentIndex(bar.facts.rating.findData("rating=4"))
    assert bar.browse().where == (("place", "Paris, France"), ("rating", "4"))
    bar.facts.rating.setCurrentIndex(bar.facts.rating.findData("favourite=yes"))
    assert bar.browse().where == (("place", "Paris, France"), ("favourite", "yes"))
    with qtbot.waitSignal(bar.changed):
        bar.facts.place_chip.click()  # the chip clears itself
    assert bar.browse().where == (("favourite", "yes"),)
    bar.clear_filters()
    assert bar.browse().where == ()
