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
