"""No model and no network: the photos can still be browsed, search says what it needs, and
the banner follows the model's state (real window, real photos, a real download that cannot
reach the hub)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from photoclip.gui.wording import NEEDS_MODEL, NO_INTERNET
from tests.gui.conftest import N_PHOTOS


@pytest.fixture()
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hub's name does not resolve (.invalid never does): a real offline download."""
    import huggingface_hub.constants as hf_constants

    monkeypatch.setenv("HF_ENDPOINT", "http://photoclip-offline.invalid")
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)


def test_without_a_model_the_photos_are_browsable_and_search_says_it_needs_the_model(
    qtbot, gui_photos, write_settings, make_window, tiny_hub_spec, tiny_weights_file, offline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_settings([gui_photos], model=tiny_hub_spec.key)  # weights never downloaded
    window = make_window()
    qtbot.waitUntil(lambda: window.results.rowCount() == N_PHOTOS, timeout=30_000)
    assert window.backend.service is None  # nothing is embedded without a model
    assert window.results.index(0).data(Qt.ItemDataRole.DisplayRole).endswith(".jpg")
    qtbot.waitUntil(lambda: "searching needs the model" in window.status_panel.label.text(),
                    timeout=10_000)
    assert f"{N_PHOTOS} photos" in window.status_panel.label.text()
    assert window.banner.isVisible() and window.banner.kind == "model"

    window.search_bar.set_text("a dog")  # search waits for the model, in words
    qtbot.waitUntil(lambda: window.grid.empty_text == NEEDS_MODEL, timeout=10_000)
    assert window.results.rowCount() == 0
    window.show_everything()  # browsing again
    qtbot.waitUntil(lambda: window.results.rowCount() == N_PHOTOS, timeout=10_000)

    download = next(b for b in window.banner.buttons() if b.text() == "Download the model")
    download.click()
    assert window.banner.kind == "model" and "Downloading" in window.banner.text
    qtbot.waitUntil(lambda: NO_INTERNET in window.banner.text, timeout=60_000)
    assert "Errno" not in window.banner.text and "photoclip models" not in window.banner.text
    assert [b.text() for b in window.banner.buttons()] == [
        "Download the model", "Choose a weights file…"]

    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(tiny_weights_file), "")))
    window.banner.buttons()[1].click()  # Choose a weights file…
    assert "not installed" not in window.banner.text  # at once: it is being loaded
    assert "Loading the model" in window.banner.text
    qtbot.waitUntil(lambda: window.backend.service is not None, timeout=60_000)
    qtbot.waitUntil(lambda: not window.banner.isVisible(), timeout=10_000)
    window.search_bar.set_text("a dog")
    qtbot.waitUntil(lambda: window.results.has_scores, timeout=30_000)
    assert window.grid.empty_text == ""


def test_a_new_banner_message_replaces_the_old_buttons_at_once(qtbot) -> None:
    from photoclip.gui.banner import Banner

    banner = Banner()
    qtbot.addWidget(banner)
    banner.show_message("first", "error", [("A", lambda: None), ("B", lambda: None)])
    old = banner.buttons()
    banner.show_message("second", "error", [("C", lambda: None)])
    for b in old:  # before the event loop has deleted A and B, they are out of the strip
        assert b.isHidden() and banner.layout().indexOf(b) == -1
    assert [b.text() for b in banner.buttons()] == ["C"]
