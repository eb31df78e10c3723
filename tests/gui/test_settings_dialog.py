"""The Settings dialog, offscreen: what OK writes, what it asks the caller to do, plugins."""

from __future__ import annotations

import os
import types
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from photoclip.config import AppPaths, Settings
from photoclip.core.labels import builtin_label_sets
from photoclip.gui.backend import Backend
from photoclip.gui.settings_dialog import SettingsChanges, SettingsDialog, plugin_rows

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture()
def paths(tmp_path: Path) -> AppPaths:
    return AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "cache").ensure()


def _dialog(qtbot, settings: Settings, paths: AppPaths, **kw: object) -> SettingsDialog:
    dialog = SettingsDialog(settings, paths, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _check(dialog: SettingsDialog, names: set[str]) -> None:
    for i in range(dialog.label_set_list.count()):
        item = dialog.label_set_list.item(i)
        on = item.data(Qt.ItemDataRole.UserRole) in names
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


def test_defaults_are_shown(qtbot, paths: AppPaths) -> None:
    dialog = _dialog(qtbot, Settings(folders=["/photos/a"]), paths)
    assert dialog.folders() == ["/photos/a"]
    assert dialog.model_combo.currentData() == "vit-b-32"
    assert "not downloaded, 605 MB" in dialog.model_combo.currentText()
    assert dialog.device_combo.currentData() == "auto"
    assert dialog.strictness_combo.currentData() == "normal"
    assert dialog.auto_tag_check.isChecked() and dialog.read_keywords_check.isChecked()
    assert not dialog.write_xmp_check.isChecked()  # off by default
    assert dialog.label_set_list.count() == len(builtin_label_sets())
    assert dialog.enabled_label_sets() == []  # all checked = all, stored as []
    assert not dialog.changes().any


def test_ok_writes_plain_settings_and_reports_the_rest(
    qtbot, paths: AppPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new = tmp_path / "new"
    new.mkdir()
    settings = Settings(folders=["/photos/a", "/photos/b"], label_sets=[])
    saved: list[Settings] = []
    dialog = _dialog(qtbot, settings, paths, save=saved.append)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(new))
    dialog.add_folder_button.click()
    dialog.folder_list.item(0).setSelected(True)
    dialog.remove_folder_button.click()
    dialog.model_combo.setCurrentIndex(dialog.model_combo.findData("vit-b-16"))
    assert "indexes every photo again" in dialog.model_note.text()
    dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cpu"))
    dialog.strictness_combo.setCurrentIndex(dialog.strictness_combo.findData("strict"))
    _check(dialog, {"animals", "scenes"})
    dialog.write_xmp_check.setChecked(True)
    dialog.read_keywords_check.setChecked(False)
    got: list[SettingsChanges] = []
    dialog.applied.connect(got.append)
    dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert saved == [settings]
    assert settings.device == "cpu" and settings.tag_strictness == "strict"
    assert settings.label_sets == ["animals", "scenes"]
    assert settings.write_xmp and not settings.read_keywords
    # folders and model go through the library (which saves them): left alone here
    assert settings.folders == ["/photos/a", "/photos/b"] and settings.model == ""
    (ch,) = got
    assert ch.folders_added == [str(new.resolve())] and ch.folders_removed == ["/photos/a"]
    assert ch.model == "vit-b-16" and ch.weights_file == ""
    assert ch.retag and not ch.reload_model  # a new model loads on the new device anyway


def test_device_change_alone_reloads_the_model(qtbot, paths: AppPaths) -> None:
    settings = Settings()
    dialog = _dialog(qtbot, settings, paths, save=lambda s: None)
    dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cpu"))
    ch = dialog.changes()
    assert ch.reload_model and ch.model is None and not ch.retag


def test_default_save_writes_the_settings_file(qtbot, paths: AppPaths) -> None:
    settings = Settings(tag_strictness="loose", device="cuda:1")
    dialog = _dialog(qtbot, settings, paths)
    assert dialog.device_combo.currentData() == "cuda:1"  # a custom value is kept
    assert dialog.strictness_combo.currentData() == "loose"
    dialog.auto_tag_check.setChecked(False)
    assert not dialog.strictness_combo.isEnabled()
    dialog.accept()
    assert Settings.load(paths.settings_file).auto_tag is False


def test_invalid_input_is_explained_not_saved(qtbot, paths: AppPaths, tmp_path: Path) -> None:
    saved: list[Settings] = []
    dialog = _dialog(qtbot, Settings(), paths, save=saved.append)
    dialog.weights_edit.setText(str(tmp_path / "nope.safetensors"))
    dialog.accept()
    assert not saved and "does not exist" in dialog.error_label.text()
    assert dialog.tabs.currentIndex() == 1
    dialog.weights_edit.setText("")
    _check(dialog, set())
    dialog.accept()
    assert not saved and "at least one label set" in dialog.error_label.text()
    dialog.auto_tag_check.setChecked(False)
    dialog.accept()
    assert saved


def test_save_failure_is_shown(qtbot, paths: AppPaths) -> None:
    def fail(_: Settings) -> None:
        raise OSError(28, "No space left on device")

    dialog = _dialog(qtbot, Settings(), paths, save=fail)
    dialog.accept()
    assert "Cannot save the settings" in dialog.error_label.text()
    assert dialog.isVisible()


def test_user_models_are_offered(qtbot, paths: AppPaths, install_tiny_model) -> None:
    install_tiny_model(paths.config / "models")
    dialog = _dialog(qtbot, Settings(model="tiny-test"), paths)
    assert dialog.model_combo.currentData() == "tiny-test"
    assert "installed" in dialog.model_combo.currentText()


def test_the_plugins_page_lists_every_plugin_photoclip_plugins_lists(
    qtbot, paths: AppPaths
) -> None:
    """It once guessed function names by getattr, found none and said "No plugins"."""
    from photoclip.core.plugin_host import PluginHost

    infos = PluginHost(paths=paths).load().infos()  # what `photoclip plugins` prints
    assert infos
    dialog = _dialog(qtbot, Settings(), paths)  # reads the manifests itself
    shown = [dialog.plugin_list.item(i).text() for i in range(dialog.plugin_list.count())]
    assert [t.split(" ", 1)[0] for t in shown] == [i.name for i in infos]
    assert f"{len(infos)} plugin" in dialog.plugin_label.text()
    assert "No plugins" not in dialog.plugin_label.text()
    given = _dialog(qtbot, Settings(), paths, plugins=infos)  # open_settings passes the host's
    assert given.plugin_list.count() == len(infos)
    assert plugin_rows([]) == [] and "No plugins" in _dialog(
        qtbot, Settings(), paths, plugins=[]).plugin_label.text()


class _FakeBackend:
    """The Backend's own settings requests, their lane calls run at once; records what else
    the dialog asked for."""

    settings_facts = Backend.settings_facts
    save_settings = Backend.save_settings

    def __init__(self, lib: object) -> None:
        self.library = lib
        self.asked: list[tuple] = []

    def settings_copy(self) -> Settings:
        import copy

        return copy.deepcopy(self.library.settings)  # type: ignore[attr-defined]

    def _call(self, fn, on_done=None, **kw):  # type: ignore[no-untyped-def]
        result = fn(self.library)
        if on_done:
            on_done(result)

    def __getattr__(self, name: str):  # add_folder, remove_folder, use_model, retag
        return lambda *a: self.asked.append((name, *a))


def test_open_settings_wires_a_backend(qtbot, paths: AppPaths) -> None:
    from PySide6.QtWidgets import QWidget

    from photoclip.core.plugin_host import PluginHost
    from photoclip.gui.settings_dialog import open_settings

    saved: list[bool] = []
    lib = types.SimpleNamespace(
        settings=Settings(folders=["/p/a"], model="vit-b-32"), paths=paths,
        label_sets=lambda: dict(builtin_label_sets()),
        models=lambda: [], save_settings=lambda: saved.append(True),
        plugin_infos=lambda: PluginHost(paths=paths).infos(),
    )
    window = QWidget()
    window.show_error = lambda text: None  # type: ignore[attr-defined]
    window.settings_applied = lambda ch=None: None  # type: ignore[attr-defined]
    qtbot.addWidget(window)
    backend = _FakeBackend(lib)
    open_settings(window, backend)
    dialog = window.settings_dialog
    dialog.folder_list.item(0).setSelected(True)
    dialog.remove_folder_button.click()
    dialog.device_combo.setCurrentIndex(dialog.device_combo.findData("cpu"))
    dialog.write_xmp_check.setChecked(True)
    dialog.accept()
    assert saved and lib.settings.write_xmp and lib.settings.device == "cpu"
    assert lib.settings.folders == ["/p/a"]  # the backend's remove_folder does that
    assert backend.asked == [("remove_folder", "/p/a"), ("use_model", "vit-b-32", None)]


def test_plugins_are_turned_on_and_off_by_their_ticks(qtbot, paths: AppPaths) -> None:
    from photoclip.core.plugin_host import discover

    dialog = _dialog(qtbot, Settings(), paths)
    items = {str(dialog.plugin_list.item(i).data(Qt.ItemDataRole.UserRole)):
             dialog.plugin_list.item(i) for i in range(dialog.plugin_list.count())}
    assert not items["labels"].flags() & Qt.ItemFlag.ItemIsUserCheckable  # built in: always on
    assert items["export"].checkState() == Qt.CheckState.Checked
    assert items["template"].checkState() == Qt.CheckState.Unchecked  # off by default
    assert "photoclip plugins" not in dialog.plugin_label.text()  # no command line in the GUI
    items["export"].setCheckState(Qt.CheckState.Unchecked)
    items["template"].setCheckState(Qt.CheckState.Checked)
    dialog.accept()
    on = {i.name: i.enabled for i in discover(paths, Settings.load(paths.settings_file))}
    assert on["export"] is False and on["template"] is True and on["labels"] is True


def test_plugin_descriptions_are_shown_as_plain_text(qtbot, paths: AppPaths) -> None:
    """A plugin whose manifest and options are written with reST/Markdown marks (``code``,
    `links <url>`_, **bold**, :func:`role`) showed them raw in Settings > Plugins; every front
    now shows the same plain text (core.types.display_text)."""
    from photoclip.core.actions import resolve_options
    from photoclip.core.plugin_host import PluginHost
    from photoclip.core.types import display_text

    folder = paths.data / "plugins" / "marked"
    (folder / "photoclip_marked").mkdir(parents=True)
    (folder / "plugin.toml").write_text(
        'name = "marked"\napi_version = 1\nmodule = "photoclip_marked"\n'
        "description = '''Tags from ``exiftool`` keywords, **fast**; see\n"
        "  `the guide <https://example.org/guide>`_ and :func:`~photoclip.plugin_api.counted`'''\n")
    (folder / "photoclip_marked" / "__init__.py").write_text(
        "from photoclip.plugin_api import Action, ActionResult, Option, hookimpl\n\n"
        "@hookimpl\ndef photoclip_actions(register):\n"
        "    register(Action('marked', 'Marked', 'Runs *quickly* with `exiftool`',\n"
        "                    lambda c, p, o: ActionResult('ok'),\n"
        "                    options=(Option('mode', 'one of ``a`` or [b](https://x)'),)))\n")
    plain = "Tags from exiftool keywords, fast; see the guide and counted"
    dialog = _dialog(qtbot, Settings(), paths)
    shown = {str(dialog.plugin_list.item(i).data(Qt.ItemDataRole.UserRole)):
             dialog.plugin_list.item(i).text() for i in range(dialog.plugin_list.count())}
    assert shown["marked"] == f"marked \u2014 {plain}", shown["marked"]
    host = PluginHost(paths=paths).load()
    assert next(i for i in host.infos() if i.name == "marked").description == plain
    action = host.actions()["marked"]
    assert display_text(action.description) == "Runs quickly with exiftool"
    assert resolve_options(action.options, host)[0].help == "one of a or b"
    for text in ("2*3*4 and a * b", "snake_case and __init__", "it's 5 o'clock"):
        assert display_text(text) == text  # not markup: left alone

    from photoclip.core.labels import Label, LabelSet  # a user's label set: the same rule

    mine = LabelSet("pets", "My **own** pets, see ``pets.toml``", False, (Label("cat"),))
    labels = _dialog(qtbot, Settings(), paths, label_sets={"pets": mine}).label_set_list
    assert labels.item(0).text() == "pets: My own pets, see pets.toml"


def test_a_nested_folder_is_not_added_twice(qtbot, paths: AppPaths, tmp_path: Path) -> None:
    """Settings > Folders follows the core's rule (core.folders): a subfolder of a listed
    folder changes nothing and says so; a parent takes its subfolder's place, and OK then
    adds the parent without removing the subfolder's photos."""
    root = tmp_path / "Photos"
    (root / "2024" / "trip").mkdir(parents=True)
    child = str((root / "2024").resolve())
    dialog = _dialog(qtbot, Settings(folders=[child]), paths)
    dialog.add_folder(str(root / "2024" / "trip"))
    assert dialog.folders() == [child]
    assert "already in the library as part of" in dialog.folder_status.text()
    dialog.add_folder(str(root))
    assert dialog.folders() == [str(root.resolve())]
    assert "no longer listed or watched on its own" in dialog.folder_status.text()
    changes = dialog.changes()
    assert changes.folders_added == [str(root.resolve())] and changes.folders_removed == []
