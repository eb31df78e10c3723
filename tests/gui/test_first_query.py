"""A query typed while the app opens a library is answered while the first index run goes on,
not after it (issue 13): the grid and the current search take in the photos indexed so far
while a run goes on (a whole-folder run sends no "batch" event until it ends)."""

from __future__ import annotations

from photoclip.gui.results_model import PhotoIdRole
from tests.gui.conftest import copy_photos

BACKLOG = 120


def test_a_query_typed_while_opening_is_answered_during_the_first_run(
    qtbot, tmp_path, datasets_dir, write_settings, make_window, photoclip_home
) -> None:
    photos = copy_photos(datasets_dir, tmp_path / "photos", n=BACKLOG)
    settings = write_settings([photos])
    settings.batch_size = 2  # a long first run of small batches
    settings.save(photoclip_home.settings_file)
    window = make_window()
    events: list[str] = []
    window.backend.service_event.connect(
        lambda e: events.append(e.kind) if e.kind != "progress" else None)
    qtbot.waitUntil(lambda: "Opening" in window.status_panel.label.text(), timeout=10_000)
    qtbot.keyClicks(window.search_bar.edit, "a dog on a beach")
    window.search_bar.submit()  # Enter

    answered: list[tuple[list[str], int, bool]] = []

    def shown() -> None:
        if window.results.has_scores and not answered:  # the query's answer, with scores
            service = window.backend.service
            answered.append((list(events), window.results.rowCount(),
                             service is not None and not service.wait_idle(0)))

    window.results.modelReset.connect(shown)
    qtbot.waitUntil(lambda: bool(answered), timeout=120_000)
    seen, rows, busy = answered[0]
    assert "reconciled" not in seen and busy, f"answered only after the first run: {seen}"
    assert window.search_bar.edit.text() == "a dog on a beach"
    assert 0 < rows < BACKLOG  # the photos indexed so far, best match first
    assert window.results.index(0).data(PhotoIdRole) is not None
