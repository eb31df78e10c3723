"""Item models and helpers, tested without widgets."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt

from photoclip.core.indexer import IndexProgress
from photoclip.core.tags import Album, PhotoTag, TagCount
from photoclip.gui.queries import Browse, ResultItem, SidebarData
from photoclip.gui.results_model import (
    DATE,
    DateRole,
    PathRole,
    PhotoIdRole,
    ResultsModel,
    ScoreRole,
)
from photoclip.gui.sidebar_model import CountRole, KindRole, SidebarModel, ValueRole
from photoclip.gui.status import describe_progress, format_duration
from photoclip.gui.tags_model import PhotoTagsModel, SourceRole, TagRole
from photoclip.gui.tasks import HIGH, LOW, TaskLane

ITEMS = [
    ResultItem(1, "/p/a.jpg", date=100.0, score=0.2),
    ResultItem(2, "/p/b.jpg", date=300.0, score=0.9),
    ResultItem(3, "/p/c.jpg", date=200.0, score=0.5),
]


def test_results_model_orders_by_score_then_by_date(qapp) -> None:
    model = ResultsModel()
    model.set_items(ITEMS)
    assert model.rowCount() == 3
    assert [model.index(r).data(PhotoIdRole) for r in range(3)] == [2, 3, 1]
    first = model.index(0)
    assert first.data(Qt.ItemDataRole.DisplayRole) == "b.jpg"
    assert first.data(PathRole) == "/p/b.jpg"
    assert first.data(ScoreRole) == 0.9
    assert first.data(DateRole) == 300.0
    assert "0.900" in first.data(Qt.ItemDataRole.ToolTipRole)
    model.set_sort(DATE)
    assert [model.index(r).data(PhotoIdRole) for r in range(3)] == [2, 3, 1]
    model.set_items([ResultItem(i.photo_id, i.path, i.date) for i in ITEMS])  # browsing
    assert [model.index(r).data(PhotoIdRole) for r in range(3)] == [2, 3, 1]
    assert model.index(0).data(ScoreRole) is None
    assert model.row_of_photo(1) == 2


def test_results_model_holds_100k_rows_cheaply(qapp) -> None:
    model = ResultsModel()
    model.set_items([ResultItem(i, f"/p/{i}.jpg", float(i)) for i in range(100_000)])
    assert model.rowCount() == 100_000
    assert model.index(0).data(PhotoIdRole) == 99_999


def test_sidebar_model_sections_and_filters(qapp) -> None:
    data = SidebarData(
        folders=[("/photos/2023", 7)],
        tags=[TagCount("beach", own=2, auto=0), TagCount("dog", own=1, auto=4)],
        albums=[(Album(1, "Holiday", None, None, None), 3),
                (Album(2, "Dogs", "a dog", 0.25, None), 5)],
        photos=12,
    )
    model = SidebarModel()
    model.set_data(data, data.photos)
    everything = model.index(0, 0)
    assert everything.data(KindRole) == "all" and everything.data(CountRole) == 12
    assert model.leaves("Folders") == [("2023 — 7", "/photos/2023", 7)]
    assert [v for _, v, _ in model.leaves("My tags")] == ["beach", "dog"]
    assert model.leaves("Automatic tags") == [("dog — 4", "dog", 4)]
    albums = model.section("Albums")
    assert albums.child(1).data(KindRole) == "album"
    assert albums.child(1).data(ValueRole) == "Dogs"
    assert "smart" in albums.child(1).text()


def test_photo_tags_model_puts_own_tags_first(qapp) -> None:
    model = PhotoTagsModel()
    model.set_tags([
        PhotoTag("cat", "auto", "animals", 0.4), PhotoTag("sofa", "auto", "things", 0.8),
        PhotoTag("Rex", "user"), PhotoTag("pets", "keyword", origin="file"),
        PhotoTag("Oma", "keyword", origin="sidecar"),
    ])
    rows = [(model.index(r).data(TagRole), model.index(r).data(SourceRole)) for r in range(5)]
    assert rows == [("Oma", "keyword"), ("Rex", "user"), ("pets", "keyword"), ("sofa", "auto"),
                    ("cat", "auto")]
    assert "suggested 80%" in model.index(3).data(Qt.ItemDataRole.DisplayRole)
    assert model.index(0).data(Qt.ItemDataRole.DisplayRole) == "Oma  (from the XMP sidecar)"
    assert model.index(2).data(Qt.ItemDataRole.DisplayRole) == "pets  (from the file)"
    assert model.tags("auto") == ["sofa", "cat"]


def test_progress_text() -> None:
    p = IndexProgress("indexing", 50, 200, 50, 0, 2, 10.0)
    text = describe_progress(p)
    assert "50 of 200" in text and "5.0/s" in text and "30 s left" in text and "2 failed" in text
    assert format_duration(3725) == "1 h 02 min"
    catching_up = describe_progress(IndexProgress("keywords", 1200, 5000, 0, 0, 0, 3.0))
    assert catching_up == "Reading keywords from 1,200 of 5,000 photos…"


def test_browse_knows_when_it_is_a_search() -> None:
    assert not Browse().is_search
    assert Browse(text="dog").is_search
    assert Browse(similar_to=3).is_search
    assert not Browse(text="   ", tag="dog").is_search


def test_task_lane_runs_high_priority_first_and_drops_superseded(qtbot) -> None:
    lane = TaskLane()
    gate = threading.Event()
    order: list[str] = []
    lane.submit(gate.wait)  # hold the lane while the rest queue up
    lane.submit(lambda: "chore", order.append, priority=LOW)
    lane.submit(lambda: "old search", order.append, priority=HIGH, key="search")
    lane.submit(lambda: "new search", order.append, priority=HIGH, key="search")
    errors: list[BaseException] = []
    lane.submit(lambda: 1 / 0, order.append, errors.append)
    gate.set()
    qtbot.waitUntil(lambda: len(order) == 2 and len(errors) == 1, timeout=5000)
    assert order == ["new search", "chore"]
    assert isinstance(errors[0], ZeroDivisionError)
    lane.stop()
