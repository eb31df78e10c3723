"""The app's one-time question "Find people in your photos?" (offscreen Qt, the real window,
real photos, the real faces plugin): asked after the first index run while People is off and
never chosen; off, no face is computed or stored; [Turn on] finds the faces now; [Not now] is
remembered; either way it is not asked again, and Settings > Plugins still turns it on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from photoclip.config import AppPaths, Settings
from tests.gui.conftest import copy_photos

QUESTION = "Find people in your photos? Faces are analysed on this computer only."


def faces_file(home: AppPaths) -> Path:
    return home.data / "plugin-data" / "faces" / "faces.sqlite3"


def wait_question(qtbot, window) -> None:
    offer = window.people.offer
    qtbot.waitUntil(lambda: offer.decided is not None, timeout=60_000)


def button(strip, label: str):
    (found,) = [b for b in strip.buttons() if b.text() == label]
    return found


def test_turn_on_finds_the_faces_now_and_is_not_asked_again(
    qtbot, tmp_path: Path, datasets_dir: Path, photoclip_home: AppPaths, write_settings,
    make_window, wait_indexed, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("dlib", reason="People needs the faces plugin's dlib")
    monkeypatch.setenv("PHOTOCLIP_FACES_WORKERS", "1")  # 3 photos: no worker processes
    from tests.gui.test_people import people_entries

    folder = tmp_path / "faces"
    folder.mkdir()
    for who, k in [("Colin_Powell", 1), ("Colin_Powell", 2), ("Serena_Williams", 1)]:
        shutil.copy2(datasets_dir / "faces" / "lfw" / who / f"{who}_{k:04d}.jpg", folder)
    write_settings([folder])
    window = make_window()
    wait_indexed(window, 3)
    wait_question(qtbot, window)
    strip = window.people.offer.strip
    assert window.people.offer.decided and strip.isVisible() and strip.text == QUESTION
    assert not window.banner.isVisible()  # its own strip: the banner stays for errors
    assert window.people.people is None  # off: no People section, no face on disk
    assert not faces_file(photoclip_home).exists()

    button(strip, "Turn on").click()
    assert not strip.isVisible()
    def listed() -> None:  # the People section, once the faces are found
        assert window.people.people is not None  # the section is there
        assert sorted(p.photos for _, p, _ in people_entries(window)) == [1, 2]
    qtbot.waitUntil(listed, timeout=90_000)
    assert faces_file(photoclip_home).exists()
    assert "faces" in Settings.load(photoclip_home.settings_file).enabled_plugins
    # later index runs of the session do not ask again; nor does the next session
    window.backend.sync()
    qtbot.waitUntil(lambda: window.backend.service.wait_idle(0), timeout=60_000)
    assert not strip.isVisible()
    window.close()
    from photoclip.core.library import Library
    from photoclip.core.people_offer import should_ask

    lib = Library(photoclip_home)
    try:
        assert should_ask(lib) is False
    finally:
        lib.close()


def test_not_now_keeps_people_off_and_settings_still_turn_it_on(
    qtbot, tmp_path: Path, datasets_dir: Path, photoclip_home: AppPaths, write_settings,
    make_window, wait_indexed
) -> None:
    from photoclip.core.plugin_host import discover
    from photoclip.gui.settings_dialog import SettingsDialog

    folder = copy_photos(datasets_dir, tmp_path / "photos", 3)
    write_settings([folder])
    window = make_window()
    wait_indexed(window, 3)
    wait_question(qtbot, window)
    offer = window.people.offer
    button(offer.strip, "Not now").click()
    qtbot.waitUntil(lambda: offer.answered is False, timeout=20_000)
    assert not offer.strip.isVisible() and window.people.people is None
    settings = Settings.load(photoclip_home.settings_file)
    assert "faces" in settings.disabled_plugins and "faces" not in settings.enabled_plugins
    assert not faces_file(photoclip_home).exists()
    window.close()

    # not asked again (the window asks the core this, as above)
    from photoclip.core.library import Library
    from photoclip.core.people_offer import should_ask

    lib = Library(photoclip_home)
    try:
        assert should_ask(lib) is False
        settings = lib.settings
        settings.disabled_plugins = []  # as if never answered: it would be asked
        assert should_ask(lib) is True
        settings.disabled_plugins = ["faces"]
    finally:
        lib.close()

    # Settings > Plugins: People is listed off, and its tick turns it on
    dialog = SettingsDialog(Settings.load(photoclip_home.settings_file), photoclip_home)
    qtbot.addWidget(dialog)
    items = {str(dialog.plugin_list.item(i).data(Qt.ItemDataRole.UserRole)):
             dialog.plugin_list.item(i) for i in range(dialog.plugin_list.count())}
    assert items["faces"].checkState() == Qt.CheckState.Unchecked
    items["faces"].setCheckState(Qt.CheckState.Checked)
    dialog.accept()
    on = {i.name: i.enabled for i in discover(photoclip_home,
                                              Settings.load(photoclip_home.settings_file))}
    assert on["faces"] is True
