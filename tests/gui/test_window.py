"""The main window end to end: real photos, the tiny model, real threads (no mocks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import Qt

from photoclip.gui.results_model import PhotoIdRole, ScoreRole
from photoclip.gui.tags_model import SourceRole, TagRole
from tests.gui.conftest import N_PHOTOS, copy_photos

REPO = Path(__file__).resolve().parents[2]


def test_typing_a_query_shows_results_in_score_order(
    qtbot, gui_photos, write_settings, make_window, wait_indexed
) -> None:
    write_settings([gui_photos])
    window = make_window()
    wait_indexed(window, N_PHOTOS)
    assert window.results.index(0).data(ScoreRole) is None  # browsing: no scores

    qtbot.keyClicks(window.search_bar.edit, "a dog on a beach")  # debounced search
    qtbot.waitUntil(lambda: window.results.has_scores, timeout=10_000)
    scores = [window.results.index(r).data(ScoreRole) for r in range(window.results.rowCount())]
    assert scores == sorted(scores, reverse=True)
    expected = window.backend.library.search("a dog on a beach", limit=500)
    assert [window.results.index(r).data(PhotoIdRole) for r in range(len(expected))] == [
        h.photo_id for h in expected
    ]
    assert window.search_bar.count.text() == f"{N_PHOTOS} photos found"
    assert not window.banner.isVisible()

    window.search_bar.edit.setText("a red car")
    window.run_search()  # its answer comes through the event loop, which has not run yet
    assert window.search_bar.count.text() == "Searching…"
    qtbot.waitUntil(lambda: window.search_bar.count.text() == f"{N_PHOTOS} photos found",
                    timeout=10_000)

    # the app owns the library: a `photoclip` command is answered by it, not locked out
    env = {**os.environ, "PHOTOCLIP_HOME": os.environ["PHOTOCLIP_HOME"]}
    tags = subprocess.run([sys.executable, "-m", "photoclip", "status", "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert tags.returncode == 0, tags.stderr
    assert f'"photos": {N_PHOTOS}' in tags.stdout


def test_more_like_this_puts_the_photo_itself_first(
    qtbot, gui_photos, write_settings, make_window, wait_indexed
) -> None:
    write_settings([gui_photos])
    window = make_window()
    wait_indexed(window, N_PHOTOS)
    index = window.results.index(3)
    photo_id = index.data(PhotoIdRole)
    rect = window.grid.visualRect(index)
    qtbot.mouseClick(window.grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(window.grid, Qt.Key.Key_Return)  # Enter opens the photo
    qtbot.waitUntil(lambda: window.photo_view.details is not None, timeout=10_000)
    assert window.stack.currentWidget() is window.photo_view
    assert window.photo_view.details.photo_id == photo_id

    qtbot.mouseClick(window.photo_view.more_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.results.has_scores, timeout=10_000)
    assert window.stack.currentWidget() is window.grid
    assert window.results.index(0).data(PhotoIdRole) == photo_id
    assert window.results.index(0).data(ScoreRole) > 0.99

    window.photo_view.labels_edit.setText("cat, dog, car")  # "What is in this photo?"
    window.open_photo(window.results.index(0))
    qtbot.waitUntil(lambda: window.photo_view.details is not None, timeout=10_000)
    qtbot.mouseClick(window.photo_view.classify_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "%" in window.photo_view.classify_result.text(), timeout=10_000)
    assert {line.split(":")[0] for line in window.photo_view.classify_result.text().splitlines()} \
        == {"cat", "dog", "car"}

    window.show_grid()  # Esc and Ctrl+F are window shortcuts
    window.focus_search()
    assert window.search_bar.edit.hasFocus() or not window.isActiveWindow()


def test_a_rejected_tag_stays_gone_after_retagging(
    qtbot, gui_photos, write_settings, make_window, wait_indexed
) -> None:
    write_settings([gui_photos], tag_strictness="loose")
    window = make_window()
    wait_indexed(window, N_PHOTOS)
    lib = window.backend.library
    photo_id = window.results.index(0).data(PhotoIdRole)
    if not any(t.source == "auto" for t in lib._tags.tags_of(photo_id)):
        lib.retag([photo_id])
    window.open_photo(window.results.index(0))
    view = window.photo_view
    qtbot.waitUntil(lambda: bool(view.tags_model.tags("auto")), timeout=10_000)

    row = next(r for r in range(view.tags_model.rowCount())
               if view.tags_model.index(r).data(SourceRole) == "auto")
    tag = view.tags_model.index(row).data(TagRole)
    view.tags_view.setCurrentIndex(view.tags_model.index(row))
    assert view.reject_button.isEnabled()
    qtbot.mouseClick(view.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tag not in view.tags_model.tags(), timeout=10_000)

    window.backend.retag()  # the Tags menu's "Suggest tags again"
    qtbot.waitUntil(lambda: window.backend.lane.wait_idle(0), timeout=20_000)
    qtbot.wait(50)
    assert tag in lib._tags.rejected(photo_id)
    assert tag not in {t.tag for t in lib._tags.tags_of(photo_id)}
    assert tag not in view.tags_model.tags()

    view.new_tag.setText("my own tag")  # the user's tags: add, then remove
    qtbot.keyClick(view.new_tag, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "my own tag" in view.tags_model.tags("user"), timeout=10_000)


def test_adding_a_folder_shows_progress_until_indexed(
    qtbot, tmp_path, datasets_dir, write_settings, make_window, wait_indexed
) -> None:
    first = copy_photos(datasets_dir, tmp_path / "first", n=2)
    write_settings([first])
    window = make_window()
    wait_indexed(window, 2)
    seen: list[str] = []
    window.backend.service_event.connect(
        lambda e: seen.append(window.status_panel.label.text()) if e.kind == "progress" else None
    )
    second = copy_photos(datasets_dir, tmp_path / "second", n=6, skip=20)
    window.add_folder(str(second))
    wait_indexed(window, 8)
    assert any(text.startswith("Indexing") for text in seen), seen
    qtbot.waitUntil(lambda: "8 photos, all indexed" in window.status_panel.label.text(),
                    timeout=10_000)
    assert ("second — 6" in [lbl for lbl, _, _ in window.sidebar_model.leaves("Folders")]
            or any(v == str(second.resolve()) for _, v, _ in
                   window.sidebar_model.leaves("Folders")))


def test_a_missing_model_is_explained_and_a_weights_file_fixes_it(
    qtbot, gui_photos, write_settings, make_window, tiny_hub_spec, tiny_weights_file,
    wait_indexed,
) -> None:
    write_settings([gui_photos], model=tiny_hub_spec.key)  # weights never downloaded
    window = make_window()
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert "not installed" in window.banner.text
    labels = [b.text() for b in window.banner.buttons()]
    assert labels == ["Download the model", "Choose a weights file…"]
    assert window.backend.service is None  # nothing is indexed without a model

    window.backend.use_model(tiny_hub_spec.key, str(tiny_weights_file))
    wait_indexed(window, N_PHOTOS)
    assert not window.banner.isVisible()


def test_a_search_error_is_shown_in_the_window(
    qtbot, gui_photos, write_settings, make_window, wait_indexed
) -> None:
    write_settings([gui_photos])
    window = make_window()
    wait_indexed(window, N_PHOTOS)
    window.search_bar.set_text('"dog" - "dog"')  # the terms cancel out
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=10_000)
    assert "cancel" in window.banner.text


def test_torch_is_not_imported_before_the_window_is_shown(photoclip_home) -> None:
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from photoclip.gui.app import create_window\n"
        "w = create_window()\n"
        "w.show()\n"
        "print('torch' in sys.modules, 'open_clip' in sys.modules)\n"
        "w.close()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_photos_arriving_keep_the_selection_and_the_scroll_position(
    qtbot, gui_photos, datasets_dir, write_settings, make_window, wait_indexed
) -> None:
    write_settings([gui_photos])
    window = make_window()
    wait_indexed(window, N_PHOTOS)
    window.resize(420, 300)  # small enough to scroll
    picked = [window.results.index(r).data(PhotoIdRole) for r in (2, 3, 7)]
    window.grid.setCurrentIndex(window.results.index(7))
    window.grid.select_rows([2, 3, 7])
    bar = window.grid.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=10_000)
    bar.setValue(bar.maximum() // 2)
    scroll = bar.value()

    copy_photos(datasets_dir, gui_photos, n=1, skip=N_PHOTOS)  # indexed while the user looks
    qtbot.waitUntil(lambda: window.results.rowCount() == N_PHOTOS + 1, timeout=60_000)
    assert sorted(window.selected_ids()) == sorted(picked)
    assert window.grid.currentIndex().data(PhotoIdRole) == picked[-1]
    qtbot.waitUntil(lambda: bar.value() == scroll, timeout=5_000)

    qtbot.keyClicks(window.search_bar.edit, "a red car")  # a new search starts afresh
    qtbot.waitUntil(lambda: window.results.has_scores, timeout=10_000)
    assert window.selected_ids() == []


def test_thumbnails_of_photos_no_longer_in_the_library_are_pruned(
    qtbot, tmp_path, gui_photos, write_settings, photoclip_home
) -> None:
    from photoclip.core.library import Library
    from photoclip.core.thumbnails import ThumbnailCache
    from photoclip.gui.backend import Backend

    write_settings([gui_photos])
    lib = Library(photoclip_home)
    lib.index_folders()
    lib.close()
    cache = ThumbnailCache(photoclip_home.cache / "thumbnails")
    kept = cache.thumbnail(sorted(gui_photos.glob("*.jpg"))[0])
    elsewhere = tmp_path / "deleted.jpg"  # a photo that has left the library
    elsewhere.write_bytes(sorted(gui_photos.glob("*.jpg"))[1].read_bytes())
    stale = cache.thumbnail(elsewhere)
    elsewhere.unlink()

    backend = Backend(photoclip_home, service_options={"quiet": 0.2}, prune_thumbnails_after_ms=0)
    try:
        backend.open()
        qtbot.waitUntil(lambda: not stale.exists(), timeout=60_000)
        assert kept.exists()
    finally:
        backend.close()


def test_the_photo_on_show_gets_keywords_edited_in_another_tool(
    qtbot, gui_photos, write_settings, make_window, wait_indexed
) -> None:
    from photoclip.core.keywords import write_sidecar

    write_settings([gui_photos], auto_tag=False)
    window = make_window()
    wait_indexed(window, N_PHOTOS)
    window.open_photo(window.results.index(2))
    view = window.photo_view
    qtbot.waitUntil(lambda: view.details is not None, timeout=10_000)
    write_sidecar(view.details.path, ["Oma"])  # as digiKam would, while photoclip shows it
    qtbot.waitUntil(lambda: "Oma" in view.tags_model.tags("keyword"), timeout=30_000)
    assert window.stack.currentWidget() is view
