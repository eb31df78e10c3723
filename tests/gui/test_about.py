"""The About box shows version, model, device and every folder, without loading a model."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from photoclip import __version__
from photoclip.config import AppPaths
from photoclip.gui.about import AboutDialog, about_rows
from photoclip.gui.backend import Backend

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def test_about_box(qtbot, tmp_path: Path) -> None:
    paths = AppPaths(tmp_path / "d", tmp_path / "c", tmp_path / "k")
    dialog = AboutDialog(paths, model="vit-b-32", device="cpu")
    qtbot.addWidget(dialog)
    dialog.show()
    rows = dict(about_rows(paths, model="vit-b-32", device="cpu"))
    assert rows["Version"] == __version__ and rows["Device"] == "cpu"
    assert rows["Logs"] == str(paths.logs_dir) and rows["Cache (thumbnails)"] == str(paths.cache)
    text = dialog.label.text()
    for value in ("vit-b-32", str(paths.data), str(paths.config), str(paths.cache), __version__):
        assert value in text
    assert f'href="file://{paths.data}"' in text
    dialog.copy_button.click()
    assert f"Settings (config): {paths.config}" in QGuiApplication.clipboard().text()
    assert dict(about_rows(paths, model="", device=""))["Model"] == "(none chosen yet)"


def test_show_about_asks_the_lane_for_the_device(qtbot, tmp_path: Path) -> None:
    import types

    from PySide6.QtWidgets import QWidget

    from photoclip.config import Settings
    from photoclip.gui.about import show_about

    paths = AppPaths(tmp_path / "d", tmp_path / "c", tmp_path / "k")
    lib = types.SimpleNamespace(
        paths=paths, settings=Settings(model="vit-b-16"),
        model_spec=types.SimpleNamespace(key="vit-b-16"),
        runtime=lambda: ("cpu", "fp32"),
    )
    calls = []

    class LaneBackend:  # the Backend's own request; its lane call is kept for the test to run
        library = lib
        runtime = Backend.runtime

        def _call(self, fn, done, **kw):  # type: ignore[no-untyped-def]
            calls.append((fn, done))

    backend = LaneBackend()
    window = QWidget()
    window.backend = backend
    qtbot.addWidget(window)
    dialog = show_about(window)
    assert "vit-b-16" in dialog.label.text() and "auto" in dialog.details()
    fn, done = calls[0]
    done(fn(lib))
    assert "Device: cpu, fp32" in dialog.details()
