"""GUI test fixtures: offscreen Qt, a library of real photos on the tiny model, the window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from photoclip.config import AppPaths, Settings

N_PHOTOS = 10


def copy_photos(datasets_dir: Path, target: Path, n: int = N_PHOTOS, skip: int = 0) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    photos = sorted((datasets_dir / "coco-mini").rglob("*.jpg"))[skip : skip + n]
    for p in photos:
        shutil.copy(p, target / p.name)
    return target


@pytest.fixture()
def gui_photos(tmp_path: Path, datasets_dir: Path) -> Path:
    """Ten real COCO photos in a temporary folder."""
    return copy_photos(datasets_dir, tmp_path / "photos")


@pytest.fixture()
def write_settings(photoclip_home: AppPaths, tiny_model_spec) -> Callable[..., Settings]:
    """``write_settings(folders, model=...)``: settings for the tiny model on the CPU."""

    def write(folders: list[Path], model: str = "tiny-test", **extra: object) -> Settings:
        s = Settings(
            folders=[str(Path(f).resolve()) for f in folders], model=model, device="cpu",
            precision="fp32", batch_size=4, **extra,
        )
        s.save(photoclip_home.settings_file)
        return s

    return write


@pytest.fixture()
def make_window(qtbot, photoclip_home: AppPaths) -> Iterator[Callable[[], object]]:
    """``make_window()``: the main window, shown, opening the library in the background."""
    from photoclip.gui.app import create_window
    from photoclip.gui.backend import Backend

    windows = []

    def make():
        backend = Backend(photoclip_home, service_options={"quiet": 0.2})
        window = create_window(backend)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for w in windows:
        w.close()


@pytest.fixture()
def wait_indexed(qtbot) -> Callable[..., None]:
    """``wait_indexed(window, n)``: until the grid shows ``n`` photos and indexing is idle."""

    def wait(window, n: int, timeout: int = 60_000) -> None:
        def done() -> None:
            assert window.backend.service is not None
            assert window.backend.service.wait_idle(0)
            assert window.results.rowCount() == n

        try:
            qtbot.waitUntil(done, timeout=timeout)
        except Exception:
            svc = window.backend.service
            raise AssertionError(
                f"service={svc} idle={svc and svc.wait_idle(0)} rows={window.results.rowCount()}"
                f" status={window.status_panel.label.text()!r} banner={window.banner.text!r}"
            ) from None

    return wait
