"""Plugin actions in the window: the grid's Plugins menu, the options dialog, confirmations on
the GUI thread while the lane waits, results in the banner and the grid, failures shown (real
window, real photos, the tiny model, real first-party and user plugins; no mocks)."""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox

from photoclip.config import AppPaths, Settings
from photoclip.gui.results_model import PathRole, PhotoIdRole
from tests.gui.conftest import copy_photos

BOOM = '''
"""A test plugin: one action fails, one picks the first photo."""
from photoclip.plugin_api import Action, ActionResult, hookimpl


def explode(context, photos, options):
    raise RuntimeError("kaboom")


def pick(context, photos, options):
    return ActionResult(f"picked 1 of {len(photos)}", data={"photo_ids": [photos[0].id]})


@hookimpl
def photoclip_actions(register):
    register(Action("explode", "Explode", "Always fails", explode))
    register(Action("pick-first", "Pick the first", "Show the first selected photo", pick))
'''


def add_user_plugin(home: AppPaths, name: str, code: str) -> None:
    """A plugin in the user's plugin folder, as module ``photoclip_gui_test_<name>``."""
    plugin = home.data / "plugins" / name
    plugin.mkdir(parents=True)
    (plugin / "plugin.toml").write_text(textwrap.dedent(f'''
        name = "{name}"
        description = "A test plugin"
        api_version = 1
        module = "photoclip_gui_test_{name}"
    '''))
    (plugin / f"photoclip_gui_test_{name}.py").write_text(code)


def _menu_action(window, name: str, ids: list[int]):  # type: ignore[no-untyped-def]
    menu = QMenu(window)
    sub = window.plugin_actions.add_menu(menu, ids)
    assert sub is not None and sub.title() == "Plugins"
    return next(a for a in sub.actions() if a.data() == name)


def test_a_library_wide_action_runs_on_the_whole_library_from_one_selected_photo(
    qtbot, tmp_path, datasets_dir, write_settings, make_window, wait_indexed,
) -> None:
    """Find duplicates from the menu of one photo once checked that photo alone."""
    folder = copy_photos(datasets_dir, tmp_path / "photos", n=3)
    first = sorted(folder.glob("*.jpg"))[0]
    shutil.copy(first, folder / "copy-of-first.jpg")
    write_settings([folder])
    window = make_window()
    wait_indexed(window, 4)
    actions = window.plugin_actions
    qtbot.waitUntil(lambda: actions.entry("duplicates") is not None, timeout=10_000)
    one = [window.results.index(0).data(PhotoIdRole)]
    menu = QMenu(window)
    sub = actions.add_menu(menu, one)
    texts = [a.text() for a in sub.actions() if a.data() == "duplicates"]
    assert texts == ["Find duplicates (whole library)…", "Find duplicates (1 selected photo)…"]
    next(a for a in sub.actions() if a.text() == texts[0]).trigger()
    actions.options_dialog.fields["method"].setCurrentText("exact")
    actions.options_dialog.accept()
    qtbot.waitUntil(lambda: "duplicates among" in window.banner.text, timeout=15_000)
    assert "among 4 photos" in window.banner.text  # every photo, not the one selected
    assert "(showing its 2 photos)" in window.banner.text


def _grid_paths(window) -> set[str]:  # type: ignore[no-untyped-def]
    return {window.results.index(r).data(PathRole) for r in range(window.results.rowCount())}


def test_duplicates_from_the_menu_finds_the_copy_and_no_moves_nothing(
    qtbot, tmp_path, datasets_dir, photoclip_home: AppPaths, write_settings, make_window,
    wait_indexed,
) -> None:
    folder = copy_photos(datasets_dir, tmp_path / "photos", n=3)
    first = sorted(folder.glob("*.jpg"))[0]
    copy = folder / "copy-of-first.jpg"
    shutil.copy(first, copy)
    write_settings([folder])
    window = make_window()
    wait_indexed(window, 4)
    actions = window.plugin_actions
    qtbot.waitUntil(lambda: actions.entry("duplicates") is not None, timeout=10_000)
    window.grid.selectAll()
    ids = window.selected_ids()
    assert len(ids) == 4

    item = _menu_action(window, "duplicates", ids)
    assert item.toolTip() == actions.entry("duplicates").description
    item.trigger()  # the action has options: a dialog built from them comes first
    dialog = actions.options_dialog
    assert dialog is not None and dialog.fields["method"].currentText() == "all"
    assert dialog.fields["max-distance"].value() == 5  # bits; the vector threshold is "auto"
    assert dialog.fields["threshold"].text() == ""
    dialog.fields["method"].setCurrentText("exact")
    dialog.accept()
    qtbot.waitUntil(lambda: "of duplicates" in window.banner.text, timeout=15_000)
    assert "1 group of duplicates among 4 photos" in window.banner.text  # not "1 groups"
    assert window.banner.kind == "plugin"
    assert _grid_paths(window) == {str(first.resolve()), str(copy.resolve())}  # the pair
    assert [b.text() for b in window.banner.buttons()] == ["Details…", "All photos"]

    _menu_action(window, "duplicates", ids).trigger()  # again, moving the copies to the trash
    actions.options_dialog.fields["method"].setCurrentText("exact")
    actions.options_dialog.fields["trash"].setChecked(True)
    actions.options_dialog.accept()
    qtbot.waitUntil(lambda: actions.bridge.box is not None, timeout=15_000)
    box = actions.bridge.box
    assert "Move 1 file " in box.text() and "keep " in box.text()  # the groups come first
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    assert not window.backend.plugin_lane.wait_idle(0)  # it waits; the GUI thread runs on
    box.button(QMessageBox.StandardButton.No).click()
    qtbot.waitUntil(lambda: "nothing moved" in window.banner.text, timeout=15_000)
    assert first.exists() and copy.exists()
    assert not (photoclip_home.data / "trash").exists()

    window.banner.buttons()[1].click()  # All photos
    qtbot.waitUntil(lambda: window.results.rowCount() == 4, timeout=10_000)


def test_a_failing_action_is_shown_and_settings_reload_the_menu(
    qtbot, tmp_path, datasets_dir, photoclip_home: AppPaths, write_settings, make_window,
    wait_indexed,
) -> None:
    add_user_plugin(photoclip_home, "boom", BOOM)
    folder = copy_photos(datasets_dir, tmp_path / "photos", n=2)
    write_settings([folder])
    window = make_window()
    wait_indexed(window, 2)
    actions = window.plugin_actions
    qtbot.waitUntil(lambda: actions.entry("explode") is not None, timeout=10_000)
    assert actions.entry("explode").plugin == "boom"
    ids = [window.results.item(r).photo_id for r in range(2)]

    seen: list[list[str]] = []

    def read_popup() -> None:  # the real right-click menu, closed again
        popup = QApplication.activePopupWidget()
        assert isinstance(popup, QMenu)
        plugins = next(a.menu() for a in popup.actions() if a.text() == "Plugins")
        seen.append([a.text() for a in plugins.actions()])
        popup.close()

    window.grid.selectAll()
    QTimer.singleShot(50, read_popup)
    window._grid_menu(QPoint(5, 5))
    assert seen and {"Explode", "Pick the first", "Find duplicates (whole library)…",
                     "Find duplicates (2 selected photos)…"} <= set(seen[0])

    _menu_action(window, "explode", ids).trigger()  # no options: runs at once
    qtbot.waitUntil(lambda: window.banner.kind == "error", timeout=10_000)
    assert "Explode" in window.banner.text and "RuntimeError: kaboom" in window.banner.text
    assert window.isVisible()

    _menu_action(window, "pick-first", ids[::-1]).trigger()  # photo ids in the result's data
    qtbot.waitUntil(lambda: "picked 1 of 2" in window.banner.text, timeout=10_000)
    assert [window.results.item(r).photo_id for r in range(window.results.rowCount())] == [
        min(ids)  # the context gives photos in id order
    ]

    settings = Settings.load(photoclip_home.settings_file)
    settings.disabled_plugins = ["boom", "duplicates"]
    settings.save(photoclip_home.settings_file)
    window.settings_applied()  # what the Settings dialog's OK calls
    qtbot.waitUntil(lambda: actions.entry("explode") is None, timeout=10_000)
    assert actions.entry("duplicates") is None and actions.entry("export") is not None


def test_the_options_dialog_checks_required_fields(qtbot) -> None:
    from photoclip.gui.plugin_actions import ActionEntry, OptionsDialog
    from photoclip.plugin_api import Option

    entry = ActionEntry("x", "X", "", (
        Option("to", "where", required=True), Option("n", "how many", type=int),
        Option("fine", "a switch", type=bool), Option("ratio", "r", type=float, default=0.5),
    ))
    dialog = OptionsDialog(entry)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert "To is required" in dialog.error_label.text() and not dialog.result()
    dialog.fields["to"].setText(str(Path("/tmp/out")))
    dialog.fields["n"].setText("many")
    dialog.accept()
    assert "number" in dialog.error_label.text()
    dialog.fields["n"].setText("3")
    assert dialog.values() == {"to": "/tmp/out", "n": 3, "fine": False, "ratio": 0.5}


SLOW = '''
"""A test plugin whose action runs until the test lets it finish."""
import threading

from photoclip.plugin_api import Action, ActionResult, hookimpl

started = threading.Event()
release = threading.Event()


def wait(context, photos, options):
    started.set()
    release.wait(60)
    return ActionResult("finished waiting")


@hookimpl
def photoclip_actions(register):
    register(Action("slow", "Take a while", "Runs until released", wait))
'''


def test_searches_do_not_wait_behind_a_long_plugin_action(
    qtbot, tmp_path, datasets_dir, photoclip_home: AppPaths, write_settings, make_window,
    wait_indexed,
) -> None:
    add_user_plugin(photoclip_home, "slow", SLOW)
    folder = copy_photos(datasets_dir, tmp_path / "photos", n=3)
    write_settings([folder])
    window = make_window()
    wait_indexed(window, 3)
    qtbot.waitUntil(lambda: window.plugin_actions.entry("slow") is not None, timeout=10_000)
    slow = sys.modules["photoclip_gui_test_slow"]  # the plugin's own module, loaded by the app
    try:
        _menu_action(window, "slow", [window.results.item(0).photo_id]).trigger()
        assert slow.started.wait(10)
        qtbot.keyClicks(window.search_bar.edit, "a red car")
        qtbot.waitUntil(lambda: window.results.has_scores, timeout=10_000)
        assert not slow.release.is_set()  # the search came back while the action still ran
    finally:
        slow.release.set()
    qtbot.waitUntil(lambda: "finished waiting" in window.banner.text, timeout=10_000)
