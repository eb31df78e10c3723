"""The GUI's one model download (gui/download.py): the window's "Download the model" and the
welcome both go through it; progress arrives on the GUI thread through one signal."""

from __future__ import annotations

import threading
from pathlib import Path

from photoclip.config import AppPaths
from photoclip.gui.download import ModelDownload
from photoclip.gui.wording import NO_INTERNET
from tests.gui.conftest import N_PHOTOS


def test_a_download_reports_progress_on_the_gui_thread(
    qtbot, photoclip_home: AppPaths, tiny_hub_spec, fake_hub
) -> None:
    fake_hub.chunk_delay = 0.01
    download = ModelDownload(name="photoclip-test-download")
    progress: list[tuple[int, int, str]] = []
    download.progress.connect(
        lambda done, total: progress.append((done, total, threading.current_thread().name)))
    outcome: list[object] = []
    download.start(tiny_hub_spec, photoclip_home.models_dir,
                   lambda spec, path: outcome.append((spec.key, path)), outcome.append)
    qtbot.waitUntil(lambda: bool(outcome), timeout=30_000)
    key, path = outcome[0]  # type: ignore[misc]
    assert key == tiny_hub_spec.key and Path(path).is_file()
    assert progress and {name for *_, name in progress} == {threading.main_thread().name}
    assert progress[-1][0] == progress[-1][1] == Path(path).stat().st_size
    download.stop()


def test_a_failed_download_is_one_sentence(
    qtbot, photoclip_home: AppPaths, tiny_hub_spec, monkeypatch
) -> None:
    import huggingface_hub.constants as hf_constants

    monkeypatch.setenv("HF_ENDPOINT", "http://photoclip-offline.invalid")  # never resolves
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
    download = ModelDownload()
    failed: list[str] = []
    download.start(tiny_hub_spec, photoclip_home.models_dir, lambda *a: None, failed.append)
    qtbot.waitUntil(lambda: bool(failed), timeout=60_000)
    assert failed == [NO_INTERNET]
    download.stop()


def test_the_window_downloads_through_the_backend_lane_with_progress(
    qtbot, gui_photos, write_settings, make_window, tiny_hub_spec, fake_hub
) -> None:
    write_settings([gui_photos], model=tiny_hub_spec.key)  # weights not downloaded yet
    window = make_window()
    qtbot.waitUntil(lambda: window.results.rowCount() == N_PHOTOS, timeout=30_000)
    backend = window.backend
    progress: list[tuple[int, int]] = []
    backend.download_progress.connect(lambda done, total: progress.append((done, total)))
    with qtbot.waitSignal(backend.model_ready, timeout=60_000) as ready:
        next(b for b in window.banner.buttons() if b.text() == "Download the model").click()
    assert ready.args == [tiny_hub_spec.key]
    assert progress and progress[-1][0] == progress[-1][1] > 0
    qtbot.waitUntil(lambda: backend.service is not None, timeout=30_000)
