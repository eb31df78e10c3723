"""The status bar tells the truth: paused is paused, and progress counts across a pause."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.conftest import copy_photos

N = 40


def test_pausing_shows_how_many_are_indexed_and_resuming_continues_the_count(
    qtbot, tmp_path, datasets_dir, write_settings, make_window
) -> None:
    photos = copy_photos(datasets_dir, tmp_path / "photos", n=N)
    write_settings([photos])
    window = make_window()
    panel = window.status_panel
    qtbot.waitUntil(lambda: window.backend.service is not None, timeout=60_000)
    service = window.backend.service

    def pause_early(event) -> None:  # on the service thread: before the next photo
        if (event.kind == "progress" and event.progress.phase == "indexing"
                and event.progress.done >= 4 and not service.paused):
            service.pause()

    stop_watching = service.subscribe(pause_early)
    finished: list[object] = []
    window.backend.service_event.connect(
        lambda e: finished.append(e.report) if e.kind in ("batch", "reconciled") else None)
    qtbot.waitUntil(lambda: any(r.stopped for r in finished), timeout=60_000)
    stop_watching()
    assert panel.pause.isChecked() and panel.pause.text() == "Resume"  # the button follows
    counts = window.backend.library._catalog.counts(window.backend.library.model_spec.key)
    assert 0 < counts.indexed < N

    window.refresh()  # what a resize, a new search or a tag edit brings: the sidebar again
    expected = f"Indexing paused: {counts.indexed} of {N} photos indexed"
    qtbot.waitUntil(lambda: panel.label.text() == expected, timeout=10_000)
    assert "all indexed" not in panel.label.text()

    shown: list[tuple[int, int]] = []

    def record(event) -> None:
        if event.kind == "progress" and event.progress.phase == "indexing":
            shown.append((panel.bar.value(), panel.bar.maximum()))
            assert panel.label.text().startswith("Indexing ") and f" of {N} photos" in \
                panel.label.text(), panel.label.text()

    window.backend.service_event.connect(record)
    qtbot.mouseClick(panel.pause, Qt.MouseButton.LeftButton)  # Resume
    qtbot.waitUntil(lambda: service.wait_idle(0) and "all indexed" in panel.label.text(),
                    timeout=60_000)
    assert shown, "no progress after resuming"
    assert {total for _, total in shown} == {N}  # the bar keeps its length ...
    values = [v for v, _ in shown]
    assert values == sorted(values) and values[0] >= counts.indexed  # ... and never goes back
    assert panel.label.text() == f"{N} photos, all indexed"


def test_pause_and_resume_from_the_button_twice_never_go_back(
    qtbot, tmp_path, datasets_dir, write_settings, make_window
) -> None:
    """The whole path a user takes: the Pause button (GUI thread -> backend -> service), a
    resize and a refresh while paused, Resume, and all of it once more. Over the whole first
    index the count in the line and the bar only grow and the bar keeps its length; while
    paused the line says paused (never "all indexed"); after the last resume it ends at
    "all indexed"."""
    photos = copy_photos(datasets_dir, tmp_path / "photos", n=N)
    write_settings([photos])
    window = make_window()
    panel = window.status_panel
    qtbot.waitUntil(lambda: window.backend.service is not None, timeout=60_000)
    service = window.backend.service
    lib = window.backend.library
    seen: list[tuple[int, int, str]] = []  # (bar value, bar maximum, line) at each progress
    stopped: list[int] = []
    resumed_at: list[int] = []  # len(seen) at each Resume
    pause_at = [4, 16]  # photos done (in all) when the button is pressed

    def on_event(event) -> None:  # on the GUI thread, after the window handled the event
        if event.kind == "progress" and event.progress.phase == "indexing" and not panel.paused:
            seen.append((panel.bar.value(), panel.bar.maximum(), panel.label.text()))
            if pause_at and panel.bar.value() >= pause_at[0]:
                pause_at.pop(0)
                qtbot.mouseClick(panel.pause, Qt.MouseButton.LeftButton)  # Pause
        if event.kind in ("batch", "reconciled") and event.report is not None \
                and event.report.stopped:
            stopped.append(lib._catalog.counts(lib.model_spec.key).indexed)

    window.backend.service_event.connect(on_event)
    for round_ in (1, 2):
        qtbot.waitUntil(lambda: len(stopped) == round_, timeout=120_000)  # noqa: B023
        assert service.paused and panel.pause.text() == "Resume"
        indexed = stopped[-1]
        assert 0 < indexed < N
        expected = f"Indexing paused: {indexed} of {N} photos indexed"
        window.resize(window.width() + 40, window.height() + 30)  # as the new user did
        window.refresh()  # a search, a tag edit: the sidebar and the idle line again
        qtbot.waitUntil(lambda: panel.label.text() == expected, timeout=10_000)  # noqa: B023
        qtbot.wait(300)  # anything else queued for the GUI thread has run by now
        assert panel.label.text() == expected and not panel.bar.isVisible()
        resumed_at.append(len(seen))
        qtbot.mouseClick(panel.pause, Qt.MouseButton.LeftButton)  # Resume
        assert not service.paused and panel.pause.text() == "Pause"
    qtbot.waitUntil(lambda: service.wait_idle(0) and "all indexed" in panel.label.text(),
                    timeout=120_000)
    assert panel.label.text() == f"{N} photos, all indexed"
    assert not [line for *_, line in seen if "all indexed" in line or "paused" in line]
    assert {total for _, total, _ in seen} == {N}  # the bar keeps its length ...
    values = [v for v, _, _ in seen]
    assert values == sorted(values) and values[-1] == N, values  # ... and never goes back
    counts = [int(line.split()[1].replace(",", "")) for *_, line in seen]
    assert counts == values  # the line says what the bar shows
    for at, indexed in zip(resumed_at, stopped):  # the first count after Resume: no restart
        assert seen[at][0] >= indexed, (seen[at], indexed)


def test_the_grid_and_the_sidebar_count_the_same_photos_while_some_wait(
    qtbot, tmp_path, datasets_dir, write_settings, make_window
) -> None:
    """Indexing paused with 12 of 32 photos embedded: the grid said "0 photos" (then "12
    photos" for a search) beside "All photos — 32". One rule from the core now: browsing
    shows and counts every readable photo, as "All photos" does (a file that cannot be read
    is in neither: the failures link lists it), and a search says how many it could not see."""
    from photoclip.core.browse import shown_count_text

    photos = copy_photos(datasets_dir, tmp_path / "photos", n=32)
    broken = photos / "0-broken.jpg"  # first in path order: read before the pause
    broken.write_bytes(b"\xff\xd8 not really a jpeg")
    write_settings([photos])
    window = make_window()
    qtbot.waitUntil(lambda: window.backend.service is not None, timeout=60_000)
    service = window.backend.service

    def pause_early(event) -> None:  # on the service thread: before the next batch
        if (event.kind == "progress" and event.progress.phase == "indexing"
                and event.progress.done >= 12 and not service.paused):
            service.pause()

    service.subscribe(pause_early)
    lib = window.backend.library
    stopped: list[object] = []
    window.backend.service_event.connect(
        lambda e: stopped.append(e) if e.kind in ("batch", "reconciled") and e.report is not None
        and e.report.stopped else None)
    qtbot.waitUntil(lambda: bool(stopped), timeout=60_000)
    counts = lib._catalog.counts(lib.model_spec.key)
    assert counts.photos == 33 and counts.failed == 1 and 12 <= counts.indexed < 32
    waiting = 32 - counts.indexed
    qtbot.waitUntil(lambda: window.results.rowCount() == 32, timeout=10_000)  # no "0 photos"
    qtbot.waitUntil(lambda: window.sidebar_model.item(0).text() == "All photos — 32",
                    timeout=10_000)
    assert window.search_bar.count.text() == "32 photos"
    folder = window.sidebar_model.section("Folders").child(0)
    assert folder.text() == "photos — 32"

    qtbot.keyClicks(window.search_bar.edit, "a dog")
    qtbot.waitUntil(lambda: window.results.has_scores, timeout=10_000)
    assert window.results.rowCount() == counts.indexed
    assert window.search_bar.count.text() == (
        f"{counts.indexed} photos found ({waiting} more not indexed yet, so not searched)")
    assert shown_count_text(5, searching=True) == "5 photos found"
    assert shown_count_text(1, searching=False, waiting=3) == "1 photo"
