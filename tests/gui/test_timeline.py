"""The timeline offscreen: date headings between the photos of each month (day, year), the
year jump, the grid keeping its place when photos arrive or the order changes, the thumbnail
size (slider, Ctrl+plus, remembered), sharp thumbnails at 2x and scores a person reads; the
rows sorted and grouped off the GUI thread, large result sets held as columns (no object per
photo for the GC to walk, freed at once when replaced)."""

from __future__ import annotations

import gc
import os
import platform
import subprocess
import sys
import textwrap
import weakref
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from photoclip.core.timeline import DAY, MONTH, YEAR
from photoclip.gui.grid import CELL, PhotoGrid, ThumbnailDelegate
from photoclip.gui.grid_bar import ZOOM_STEP, GridBar
from photoclip.gui.queries import ResultItem
from photoclip.gui.result_order import RELEVANCE, TRIM_AT, arrange, arrange_answer, trim_heap
from photoclip.gui.results_model import DATE, MarksRole, ResultsModel
from photoclip.gui.thumbnail_loader import ThumbnailLoader, read_pixels


def _items(first_id: int = 1) -> list[ResultItem]:
    """Two photos a day on the 1st and 15th of every month, 2023 to March 2025."""
    out = []
    pid = first_id
    for year in (2023, 2024, 2025):
        for month in range(1, 13 if year < 2025 else 4):
            for day, hour in ((1, 9), (1, 18), (15, 9), (15, 18)):
                when = datetime(year, month, day, hour).timestamp()
                out.append(ResultItem(pid, f"/photos/{year}/{pid:05d}.jpg", when))
                pid += 1
    return out


@pytest.fixture()
def timeline(qtbot, tmp_path: Path):
    loader = ThumbnailLoader(workers=1)
    results = ResultsModel(loader)
    grid = PhotoGrid()
    grid.setModel(results)
    bar = GridBar(grid, results, loader, tmp_path / "gui.ini")
    qtbot.addWidget(grid)
    qtbot.addWidget(bar)
    grid.resize(4 * CELL + 30, 3 * CELL)
    grid.show()
    results.set_items(_items())
    yield grid, results, bar, loader
    loader.stop()


def test_all_photos_are_grouped_under_date_headings(timeline) -> None:
    grid, results, bar, _ = timeline
    sections = results.sections()
    labels = [results.section_label(s) for s in sections]
    assert len(sections) == 27 and labels[0] == "March 2025"  # newest first
    assert [s.count for s in sections] == [4] * 27
    assert labels[-1] == "January 2023"
    # March's 4 photos fill one line; February starts a line of its own, under its heading
    march_last, feb_first = grid.visualRect(results.index(3)), grid.visualRect(results.index(4))
    assert feb_first.left() == 0 and feb_first.top() >= march_last.bottom() + grid.heading_height
    heading = QPoint(20, march_last.bottom() + grid.heading_height // 2)
    assert not grid.indexAt(heading).isValid()  # a heading is not a photo
    assert grid.indexAt(feb_first.center()).row() == 4

    bar.set_grouping(DAY)
    assert [s.count for s in results.sections()][:2] == [2, 2]
    assert results.section_label(results.sections()[0]).startswith("Saturday")  # 15 March
    bar.set_grouping(YEAR)
    assert [results.section_label(s) for s in results.sections()] == ["2025", "2024", "2023"]


def test_the_year_jump_scrolls_to_the_years_first_photo(timeline) -> None:
    grid, results, bar, _ = timeline
    assert [bar.year.itemData(i) for i in range(1, bar.year.count())] == [2025, 2024, 2023]
    bar.jump_to_year(2023)
    first_2023 = 12 + 48  # 2025 has 12 photos, 2024 has 48
    assert grid.currentIndex().row() == first_2023
    assert grid.label_at_top() == "December 2023"
    top = grid.visualRect(results.index(first_2023)).top()
    assert top == grid.heading_height  # its heading at the very top, the photo under it


def test_the_photo_at_the_top_stays_there_when_photos_arrive_or_the_order_changes(
    timeline,
) -> None:
    grid, results, bar, _ = timeline
    grid.verticalScrollBar().setValue(1500)
    path, _when, _y = grid.anchor()
    pid = results.item(results.row_of_path(path)).photo_id
    row = results.row_of_photo(pid)
    before = grid.visualRect(results.index(row)).top()

    newer = [ResultItem(10_000 + i, f"/photos/new/{i}.jpg", datetime(2026, 1, 1, i).timestamp())
             for i in range(7)]  # seven new photos arrive at the top
    anchor = grid.anchor()
    results.set_items(newer + results.items())
    grid.restore_anchor(anchor)
    assert results.row_of_photo(pid) == row + 7
    assert grid.visualRect(results.index(row + 7)).top() == before

    bar.set_grouping(DAY)  # a regrouping moves every heading, not the photo on show
    assert grid.visualRect(results.index(results.row_of_photo(pid))).top() == before

    anchor = grid.anchor()  # the photo itself goes: its neighbour by date takes its place
    gone = results.items()
    del gone[results.row_of_photo(pid)]
    results.set_items(gone)
    grid.restore_anchor(anchor)
    shown = grid.anchor()
    assert abs(shown[1] - anchor[1]) <= 12 * 3600 and abs(shown[2] - anchor[2]) < CELL


def test_a_new_start_at_the_top_stays_at_the_top(timeline) -> None:
    grid, _results, _, _ = timeline
    assert grid.anchor() is None
    grid.restore_anchor(None)
    assert grid.verticalScrollBar().value() == 0


def test_search_results_by_score_show_a_strength_meter_and_the_cosine_on_hover(
    timeline, qtbot,
) -> None:
    grid, results, bar, _ = timeline
    scored = [ResultItem(i, f"/p/{i}.jpg", 1.7e9 + i, s)
              for i, s in enumerate((0.33, 0.26, 0.21, 0.12))]
    results.set_items(scored)
    assert results.sections() is None and not bar.group.isEnabled()
    assert bar.year.count() == 1  # no years to jump to
    tip = results.index(1).data(Qt.ItemDataRole.ToolTipRole)
    assert "Good match (score 0.260)" in tip
    assert "Weak match" in results.index(3).data(Qt.ItemDataRole.ToolTipRole)
    strong, weak = _painted(grid, results, 0), _painted(grid, results, 3)
    assert strong != weak  # more bars lit
    results.set_sort(DATE)  # a search in date order gets its headings back
    assert results.sections() is not None and bar.group.isEnabled()


def _painted(grid: PhotoGrid, results: ResultsModel, row: int) -> QImage:
    image = QImage(CELL, CELL, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, CELL, CELL)
    option.palette = grid.palette()
    ThumbnailDelegate(grid).paint(painter, option, results.index(row))
    painter.end()
    return image


def test_the_thumbnail_size_follows_the_slider_and_ctrl_plus_and_is_remembered(
    timeline, qtbot, tmp_path: Path,
) -> None:
    grid, _results, bar, loader = timeline
    start = grid.cell
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert grid.cell == start + ZOOM_STEP == bar.size.value()
    qtbot.keyClick(grid, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(grid, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert grid.cell == start - ZOOM_STEP
    assert loader.size == read_pixels(grid.thumbnail_size, grid.devicePixelRatioF())
    columns = grid.grid_layout().columns
    bar.size.setValue(bar.size.minimum())
    assert grid.grid_layout().columns > columns  # smaller cells, more per line
    bar.set_grouping(DAY)

    again = PhotoGrid()
    qtbot.addWidget(again)
    other = GridBar(again, ResultsModel(None), loader, tmp_path / "gui.ini")
    qtbot.addWidget(other)
    assert again.cell == bar.size.minimum() and other.group.currentData() == DAY


def test_thumbnails_carry_the_device_pixel_ratio_so_a_2x_screen_gets_twice_the_pixels(
    qtbot, datasets_dir: Path,
) -> None:
    photo = str(sorted((datasets_dir / "coco-mini").rglob("*.jpg"))[0])
    loader = ThumbnailLoader(workers=1)
    try:
        loader.set_size(120, 2.0)
        assert loader.pixmap(photo) is None  # requested
        qtbot.waitUntil(lambda: loader.pixmap(photo) is not None, timeout=10_000)
        pix = loader.pixmap(photo)
        assert pix.devicePixelRatio() == 2.0
        assert max(pix.width(), pix.height()) == 240  # 120 points at 2x: 240 pixels
        assert max(pix.deviceIndependentSize().width(), pix.deviceIndependentSize().height()) \
            == 120  # drawn in 120 points, pixel for pixel
        loader.set_size(120, 1.0)  # another screen: read again at its size
        assert loader.pixmap(photo) is pix  # shown (scaled) until then: the grid never blanks
        qtbot.waitUntil(lambda: loader.pixmap(photo).devicePixelRatio() == 1.0, timeout=10_000)
        assert max(loader.pixmap(photo).width(), loader.pixmap(photo).height()) == 120
    finally:
        loader.stop()


FIT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    from photoclip.config import AppPaths
    from photoclip.gui.backend import Backend
    from photoclip.gui.main_window import MainWindow
    home = Path(sys.argv[1])
    w = MainWindow(Backend(AppPaths(home / "d", home / "c", home / "k").ensure()))
    w.show()
    app.processEvents()
    w.search_bar.adjustSize()
    screen, frame = w.screen().availableGeometry(), w.frameGeometry()
    edit = w.search_bar.edit.geometry()
    print(json.dumps({"screen": [screen.width(), screen.height()],
                      "fits": screen.contains(frame), "min": w.minimumSizeHint().width(),
                      "wrapped": w.search_bar.sort.geometry().top() > edit.bottom() + 40,
                      "dpr": w.devicePixelRatioF(), "cache": w.backend.thumbnail_pixels}))
""")


def test_the_window_fits_a_1600x1000_screen_at_scale_factor_2(tmp_path: Path) -> None:
    config = tmp_path / "screen.json"
    config.write_text('{"screens": [{"name": "s", "x": 0, "y": 0, "width": 1600, '
                      '"height": 1000, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}')
    env = {**os.environ, "QT_SCALE_FACTOR": "2",
           "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    out = subprocess.run([sys.executable, "-c", FIT, str(tmp_path / "home")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    facts = __import__("json").loads(out.stdout.strip().splitlines()[-1])
    assert facts["screen"] == [800, 500] and facts["dpr"] == 2.0
    assert facts["fits"] and facts["min"] <= 800
    assert facts["wrapped"]  # the filter row took a second line rather than widening
    assert facts["cache"] == 512  # thumbnails cached at twice the size for the 2x screen


def test_month_is_the_default_grouping(qtbot) -> None:
    grid = PhotoGrid()
    qtbot.addWidget(grid)
    results = ResultsModel(None)
    grid.setModel(results)
    bar = GridBar(grid, results, ThumbnailLoader(workers=0), None)
    qtbot.addWidget(bar)
    assert bar.group.currentData() == MONTH == results.grouping


def test_the_window_keeps_the_photo_at_the_top_when_a_refresh_brings_newer_photos(
    qtbot, photoclip_home,
) -> None:
    """Once the scroll position was kept: new photos at the top pushed the one on show down."""
    from photoclip.gui.backend import Backend
    from photoclip.gui.main_window import MainWindow
    from photoclip.gui.queries import Browse

    window = MainWindow(Backend(photoclip_home))  # not opened: the answers are given here
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    window._current = window._shown = Browse()  # "All photos", answered again after indexing
    items = _items()
    window._show_results(window._request, arrange(items, RELEVANCE, MONTH))
    grid = window.grid
    grid.verticalScrollBar().setValue(2000)
    path, _, y = grid.anchor()
    row = window.results.row_of_path(path)
    newer = [ResultItem(90_000 + i, f"/photos/new/{i}.jpg", datetime(2026, 2, 1, i).timestamp())
             for i in range(9)]
    window._show_results(window._request, arrange(newer + items, RELEVANCE, MONTH))
    assert window.results.row_of_path(path) == row + 9  # nine rows further down the list
    assert grid.anchor()[0] == path and grid.anchor()[2] == y  # and just where it was


def test_arrows_clicks_and_shift_clicks_work_on_photos_across_headings(timeline, qtbot) -> None:
    grid, results, _, _ = timeline
    assert grid.grid_layout().columns == 4  # a month (4 photos) is one line
    grid.setFocus()
    grid.set_current_row(1)
    qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.currentIndex().row() == 5  # same column, the next month under its heading
    qtbot.keyClick(grid, Qt.Key.Key_Right)
    qtbot.keyClick(grid, Qt.Key.Key_End)
    assert grid.currentIndex().row() == results.rowCount() - 1
    grid.scrollToTop()
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton,
                     pos=grid.visualRect(results.index(2)).center())
    assert grid.selected_rows() == [2]
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ShiftModifier,
                     pos=grid.visualRect(results.index(6)).center())
    assert grid.selected_rows() == [2, 3, 4, 5, 6]  # the photos between, in reading order
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton,
                     pos=grid.visualRect(results.index(1)).center())
    qtbot.keyClick(grid, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert grid.selected_rows() == [1, 2, 3, 4, 5]


def test_results_arrive_sorted_and_grouped_and_the_model_only_swaps_them_in(qtbot) -> None:
    items = _items()
    scored = [ResultItem(it.photo_id, it.path, it.date, (it.photo_id % 7) / 10) for it in items]
    by_score = arrange(scored, RELEVANCE, MONTH)  # what the backend's lane hands over
    assert not by_score.by_date and by_score.sections is None
    assert [it.score for it in by_score.items()] == sorted((it.score for it in scored),
                                                           reverse=True)
    browsing = arrange(list(reversed(items)), RELEVANCE, DAY)  # no scores: newest first
    assert browsing.by_date and [it.date for it in browsing.items()] == sorted(
        (it.date for it in items), reverse=True)
    assert len(browsing.groups) == 3 * 12 * 2 - 9 * 2  # two days a month, to March 2025
    assert browsing.row_of_path(browsing.item(5).path) == 5
    assert browsing.row_of_path("/photos/not/there.jpg") is None
    with pytest.raises(ValueError, match="group by one of"):
        arrange(items, RELEVANCE, "week")

    results = ResultsModel(None)
    results.set_grouping(DAY)
    results.set_arranged(browsing)
    assert results.items() == browsing.items() and results.sections() == browsing.sections
    results.set_arranged(by_score)  # arranged for "month" while the user chose "day"
    assert results.has_scores and results.sections() is None  # by score: still no headings
    results.set_sort(DATE)
    results.set_arranged(by_score)  # arranged by score, the user now wants date order
    assert [it.date for it in results.items()] == [it.date for it in browsing.items()]
    assert len(results.sections() or []) == len(browsing.groups)  # by day, as chosen


def test_a_large_answer_is_columns_freed_at_once_not_an_object_per_photo() -> None:
    """Once 100,000 ResultItems (and a dict of their paths) lived in the model: two answers
    alive at once grew the app by ~170 MB, and every full collection walked them."""
    n = 50_000
    tracked = len(gc.get_objects())
    big = [ResultItem(i, f"/photos/{i // 1000:03d}/IMG_{i:06d}.jpg", 1.7e9 - i * 600.0)
           for i in range(n)]
    answer = arrange_answer(big, RELEVANCE, MONTH)  # what the backend's lane hands over
    assert big == []  # the lane's own list emptied (a slice at a time)
    gc.collect()
    assert len(gc.get_objects()) - tracked < 2_000  # the groups' few hundred, not 50,000
    assert answer.nbytes < 80 * n  # ids, dates, the paths' UTF-8 and their index
    assert answer.item(12_345) == ResultItem(12_345, "/photos/012/IMG_012345.jpg",
                                             1.7e9 - 12_345 * 600.0)
    assert answer.row_of_path("/photos/049/IMG_049999.jpg") == n - 1
    assert answer.rows_of_ids([7, 3, 10**9]) == [3, 7]
    days = answer.groups_for(DAY)  # made on the lane with the answer's own grouping
    assert sum(g.count for g in days) == n and days[0].key > days[-1].key

    results = ResultsModel(None)
    results.set_grouping(DAY)
    results.set_arranged(answer)
    assert results.sections() is answer.sections_for(DAY)  # a lookup, not a regrouping
    gone = weakref.ref(answer)
    del answer
    results.set_arranged(arrange([], RELEVANCE, DAY))
    assert gone() is None  # the old columns were freed with the swap
    # and the memory the lane's thread freed goes back to the system (glibc kept it)
    assert not trim_heap(TRIM_AT - 1)
    assert trim_heap(TRIM_AT) == (platform.libc_ver()[0] == "glibc")


def test_rated_photos_carry_a_stars_and_heart_badge(timeline) -> None:
    grid, results, _, _ = timeline
    items = results.items()
    first, second = items[0].photo_id, items[1].photo_id
    results.set_arranged(arrange(items, RELEVANCE, MONTH, marks={first: (3, True)}))
    assert results.index(0).data(MarksRole) == (3, True)
    assert results.index(1).data(MarksRole) is None  # unrated: no badge
    plain = _painted(grid, results, 1)
    assert _painted(grid, results, 0) != plain
    results.set_items(items)  # arranged here again: the badges stay
    assert results.index(0).data(MarksRole) == (3, True)
    results.set_arranged(arrange(items, RELEVANCE, MONTH, marks={second: (0, True)}))
    assert results.index(0).data(MarksRole) is None and _painted(grid, results, 1) != plain
