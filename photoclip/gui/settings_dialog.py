"""The Settings dialog: folders, model and device, automatic tags, keywords and XMP, plugins.

The dialog edits a copy; on OK it writes the plain fields (device, tagging, keywords, XMP,
plugins on or off) into the ``Settings`` object it was given, calls ``save`` (the caller's way
to persist them, e.g. the library's ``save_settings`` run off the GUI thread) and emits
:attr:`SettingsDialog.applied` with a :class:`SettingsChanges` saying what needs work: folders
to add or remove and a model to switch to go through the library (``add_folder``,
``remove_folder``, ``use_model``), which also update the settings, so the dialog leaves
``folders``, ``model`` and ``weights_file`` alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from photoclip.config import AppPaths, Settings
from photoclip.core.folders import contains, plan_addition
from photoclip.core.model_catalogue import DEFAULT_MODEL_KEY, ModelSpec, available_models
from photoclip.core.plugin_host import BUILTIN, PluginInfo, discover
from photoclip.core.types import display_text
from photoclip.gui import tag_names
from photoclip.gui.dialogs import choose_parts_folder, choose_photo_folder, choose_weights_file
from photoclip.gui.i18n import N_, tr
from photoclip.gui.model_parts import parts_note, source_exists
from photoclip.gui.wording import count_of
from photoclip.languages import LANGUAGES

if TYPE_CHECKING:
    from photoclip.core.labels import LabelSet
    from photoclip.gui.backend import Backend, SettingsFacts
    from photoclip.gui.main_window import MainWindow

log = logging.getLogger(__name__)

#: The plain settings OK writes into the library's (folders and the model go through the backend).
SAVED_BY_THE_DIALOG = ("device", "auto_tag", "tag_strictness", "label_sets", "read_keywords",
                       "write_xmp", "enabled_plugins", "disabled_plugins", "language")

__all__ = [
    "STRICTNESS_CHOICES", "SettingsChanges", "SettingsDialog", "apply_changes", "open_settings",
    "plugin_rows",
]

STRICTNESS_CHOICES = (
    ("strict", N_("Strict: fewer tags, almost always right")),
    ("normal", N_("Normal")),
    ("loose", N_("Loose: more tags, some wrong")),
)
DEVICE_CHOICES = (
    ("auto", N_("Automatic (a GPU if there is one)")),
    ("cpu", "CPU"),
    ("cuda", N_("NVIDIA GPU (CUDA)")),
    ("mps", N_("Apple GPU (Metal)")),
)
PLUGIN_STATES = (N_("on"), N_("off"), N_("error"))  # plugin_rows' states, shown translated


@dataclass
class SettingsChanges:
    """What the caller must do after OK; plain settings are already written."""

    folders_added: list[str] = field(default_factory=list)
    folders_removed: list[str] = field(default_factory=list)
    model: str | None = None  # switch to this model (Library.use_model) ...
    weights_file: str | None = None  # ... with this local weights file ("" = download)
    reload_model: bool = False  # the device changed: load the model again
    retag: bool = False  # strictness or label sets changed: suggest tags again

    @property
    def any(self) -> bool:
        return bool(
            self.folders_added or self.folders_removed or self.model is not None
            or self.reload_model or self.retag
        )


def plugin_rows(infos: Sequence[PluginInfo]) -> list[tuple[str, str, str]]:
    """(name, state, description or error) of each plugin, as `photoclip plugins` lists them."""
    rows = []
    for info in infos:
        if info.error and not info.loaded:
            rows.append((info.name, "error", info.error))
        else:
            state = "on" if info.enabled else "off"
            rows.append((info.name, state, info.description + (
                tr(" (last error: {error})").format(error=info.error) if info.error else "")))
    return rows


class SettingsDialog(QDialog):
    """Edit the user's settings; see the module docstring for how changes are applied."""

    applied = Signal(object)  # SettingsChanges

    def __init__(
        self,
        settings: Settings,
        paths: AppPaths,
        *,
        save: Callable[[Settings], None] | None = None,
        label_sets: Mapping[str, LabelSet] | None = None,
        models: Mapping[str, ModelSpec] | None = None,
        installed: Callable[[ModelSpec], bool] | None = None,
        plugins: Sequence[PluginInfo] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("photoclip Settings"))
        self.setObjectName("settings")
        self.setMinimumSize(620, 480)
        self.settings = settings
        self.paths = paths
        self._save = save or (lambda s: s.save(paths.settings_file))
        if label_sets is None:
            from photoclip.core.labels import load_label_sets

            label_sets = load_label_sets(
                paths.config / "labels", on_error=lambda e: log.warning("Label set: %s", e)
            )
        self.label_sets = dict(label_sets)
        self.models = dict(models) if models is not None else available_models(
            paths.config / "models"
        )
        self._installed = installed or self._weights_installed
        # every plugin found, read from the manifests (nothing is imported)
        self.plugins = list(plugins) if plugins is not None else discover(paths, settings)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._folders_tab(), tr("Folders"))
        self.tabs.addTab(self._model_tab(), tr("Model"))
        self.tabs.addTab(self._tags_tab(), tr("Tags"))
        self.tabs.addTab(self._plugins_tab(), tr("Plugins"))
        self.tabs.addTab(self._language_tab(), tr("Language"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    # ----- pages -------------------------------------------------------------------------------

    def _folders_tab(self) -> QWidget:
        page = QWidget()
        self.folder_list = QListWidget()
        self.folder_list.addItems(self.settings.folders)
        self.add_folder_button = QPushButton(tr("Add folder\u2026"))
        self.remove_folder_button = QPushButton(tr("Remove"))
        self.add_folder_button.clicked.connect(self._browse_folder)
        self.remove_folder_button.clicked.connect(self.remove_selected_folders)
        row = QHBoxLayout()
        row.addWidget(self.add_folder_button)
        row.addWidget(self.remove_folder_button)
        row.addStretch(1)
        note = QLabel(tr(
            "photoclip watches these folders and indexes new and changed photos. Removing a "
            "folder forgets its photos in photoclip; the files themselves are never touched."
        ))
        note.setWordWrap(True)
        self.folder_status = QLabel("")  # what the last "Add folder" did
        self.folder_status.setWordWrap(True)
        self.folder_status.setObjectName("folder-status")
        layout = QVBoxLayout(page)
        layout.addWidget(self.folder_list)
        layout.addLayout(row)
        layout.addWidget(self.folder_status)
        layout.addWidget(note)
        return page

    def _model_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.model_combo = QComboBox()
        current = self.settings.model or DEFAULT_MODEL_KEY
        for key, spec in self.models.items():
            size = f", {spec.download_mb:.0f} MB" if spec.download_mb else ""
            state = (tr("installed") if self._installed(spec)
                     else tr("not downloaded{size}").format(size=size))
            self.model_combo.addItem(f"{key} ({state})", key)
            self.model_combo.setItemData(
                self.model_combo.count() - 1, display_text(tr(spec.description, "model")),
                Qt.ItemDataRole.ToolTipRole
            )
        if self.model_combo.findData(current) < 0:
            self.model_combo.addItem(f"{current} ({tr('unknown')})", current)
        self.model_combo.setCurrentIndex(self.model_combo.findData(current))
        self.model_note = QLabel()
        self.model_note.setWordWrap(True)
        self.model_combo.currentIndexChanged.connect(self._model_changed)
        self.weights_edit = QLineEdit(self.settings.weights_file)
        self.weights_edit.setPlaceholderText(tr("empty: download the weights"))
        browse = QPushButton(tr("Browse\u2026"))
        browse.clicked.connect(self._browse_weights)
        self.parts_button = QPushButton(tr("Folder\u2026"))  # offline: a folder of the parts
        self.parts_button.setToolTip(tr("A folder holding the model's weights and text tower"))
        self.parts_button.clicked.connect(self._browse_parts)
        weights_row = QHBoxLayout()
        weights_row.addWidget(self.weights_edit, 1)
        weights_row.addWidget(browse)
        weights_row.addWidget(self.parts_button)
        self.device_combo = QComboBox()
        for value, text in DEVICE_CHOICES:
            self.device_combo.addItem(tr(text), value)
        device = self.settings.device or "auto"
        if self.device_combo.findData(device) < 0:
            self.device_combo.addItem(device, device)  # e.g. cuda:1
        self.device_combo.setCurrentIndex(self.device_combo.findData(device))
        form.addRow(tr("Model"), self.model_combo)
        form.addRow("", self.model_note)
        form.addRow(tr("Weights file"), weights_row)
        form.addRow(tr("Device"), self.device_combo)
        self._model_changed()
        return page

    def _tags_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.auto_tag_check = QCheckBox(tr("Suggest tags automatically after indexing"))
        self.auto_tag_check.setChecked(self.settings.auto_tag)
        self.strictness_combo = QComboBox()
        for value, text in STRICTNESS_CHOICES:
            self.strictness_combo.addItem(tr(text), value)
        idx = self.strictness_combo.findData(self.settings.tag_strictness)
        self.strictness_combo.setCurrentIndex(idx if idx >= 0 else 1)
        form = QFormLayout()
        form.addRow(tr("Strictness"), self.strictness_combo)
        self.label_set_list = QListWidget()
        enabled = set(self.settings.label_sets)
        for name, label_set in sorted(self.label_sets.items()):
            desc = display_text(label_set.display_description(tag_names.language))
            item = QListWidgetItem(f"{name}: {desc}" if desc else name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = not enabled or name in enabled  # empty list = every set
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.label_set_list.addItem(item)
        sets_box = QGroupBox(tr("Label sets used for automatic tags"))
        QVBoxLayout(sets_box).addWidget(self.label_set_list)
        self.auto_tag_check.toggled.connect(self.strictness_combo.setEnabled)
        self.auto_tag_check.toggled.connect(sets_box.setEnabled)
        self.strictness_combo.setEnabled(self.settings.auto_tag)
        sets_box.setEnabled(self.settings.auto_tag)
        files_box = QGroupBox(tr("Keywords in files"))
        files = QVBoxLayout(files_box)
        self.read_keywords_check = QCheckBox(
            tr("Read keywords from photos and XMP sidecars as tags")
        )
        self.read_keywords_check.setChecked(self.settings.read_keywords)
        self.write_xmp_check = QCheckBox(
            tr("Write my tags to XMP sidecar files (photo.jpg.xmp; photos are never modified)")
        )
        self.write_xmp_check.setChecked(self.settings.write_xmp)
        files.addWidget(self.read_keywords_check)
        files.addWidget(self.write_xmp_check)
        layout.addWidget(self.auto_tag_check)
        layout.addLayout(form)
        layout.addWidget(sets_box, 1)
        layout.addWidget(files_box)
        return page

    def _plugins_tab(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.plugin_list = QListWidget()
        rows = plugin_rows(self.plugins)
        if not rows:
            text = tr("No plugins are installed.")
        else:
            text = tr("{plugins}. Tick a plugin to turn it on; a change takes effect the next "
                      "time photoclip starts.").format(plugins=count_of(len(rows), "plugin"))
            for info, (name, state, about) in zip(self.plugins, rows):
                item = QListWidgetItem(f"{name} \u2014 {about}" if about else name)
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setToolTip(f"{name}: {tr(state)}, {info.source}")
                if info.source == BUILTIN:  # part of photoclip: always on
                    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    item.setCheckState(Qt.CheckState.Checked)
                else:
                    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                    item.setCheckState(Qt.CheckState.Checked if info.enabled
                                       else Qt.CheckState.Unchecked)
                self.plugin_list.addItem(item)
        self.plugin_label = QLabel(text)
        self.plugin_label.setWordWrap(True)
        layout.addWidget(self.plugin_label)
        layout.addWidget(self.plugin_list, 1)
        self.plugin_list.setVisible(bool(rows))
        return page

    def _language_tab(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("language")
        self.language_combo.addItem(tr("The system's language"), "")
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        index = self.language_combo.findData(self.settings.language)
        self.language_combo.setCurrentIndex(max(index, 0))
        form.addRow(tr("Interface language"), self.language_combo)
        note = QLabel(tr("A new language is used the next time photoclip starts."))
        note.setWordWrap(True)
        form.addRow("", note)
        return page

    def plugin_choices(self) -> tuple[list[str], list[str]]:
        """(enabled_plugins, disabled_plugins) as the settings keep them, from the ticks."""
        enabled = set(self.settings.enabled_plugins)
        disabled = set(self.settings.disabled_plugins)
        for i in range(self.plugin_list.count()):
            item = self.plugin_list.item(i)
            if not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                continue
            name = str(item.data(Qt.ItemDataRole.UserRole))
            on = item.checkState() == Qt.CheckState.Checked
            (enabled.add if on else enabled.discard)(name)
            (disabled.discard if on else disabled.add)(name)
        return sorted(enabled), sorted(disabled)

    # ----- interaction -------------------------------------------------------------------------

    def folders(self) -> list[str]:
        return [self.folder_list.item(i).text() for i in range(self.folder_list.count())]

    def add_folder(self, folder: str) -> None:
        """Add a folder to the list by the core's rule (:func:`plan_addition`: one inside a
        listed folder changes nothing, one holding listed folders takes their place) and say
        what happened."""
        plan = plan_addition(self.folders(), str(Path(folder).expanduser().resolve()))
        if plan.added:
            self.folder_list.clear()
            self.folder_list.addItems(list(plan.folders))
        self.folder_status.setText(plan.describe(tr))

    @Slot()
    def _browse_folder(self) -> None:
        folder = choose_photo_folder(self)
        if folder:
            self.add_folder(folder)

    @Slot()
    def remove_selected_folders(self) -> None:
        for item in self.folder_list.selectedItems():
            self.folder_list.takeItem(self.folder_list.row(item))

    @Slot()
    def _browse_weights(self) -> None:
        path = choose_weights_file(self)
        if path:
            self.weights_edit.setText(path)

    @Slot()
    def _browse_parts(self) -> None:
        path = choose_parts_folder(self)
        if path:
            self.weights_edit.setText(path)

    @Slot()
    def _model_changed(self) -> None:
        spec = self.models.get(self.model_combo.currentData())
        note = display_text(tr(spec.description, "model")) if spec else ""
        if spec is not None and parts_note(spec):
            note += "\n" + parts_note(spec)
        if spec is not None and (self.settings.model or DEFAULT_MODEL_KEY) != spec.key:
            note += "\n" + tr("Switching model indexes every photo again with it (the old "
                               "model's index is kept). A missing model is downloaded first.")
        self.model_note.setText(note)

    def enabled_label_sets(self) -> list[str]:
        """Checked sets; every set checked is stored as [] (= all, including future ones)."""
        names, total = [], self.label_set_list.count()
        for i in range(total):
            item = self.label_set_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                names.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return [] if len(names) == total else names

    def changes(self) -> SettingsChanges:
        """What OK would do, compared with the settings given."""
        s = self.settings
        folders = self.folders()
        added = [f for f in folders if f not in s.folders]
        ch = SettingsChanges(  # a folder now inside an added one is part of it, not removed
            folders_added=added,
            folders_removed=[f for f in s.folders
                             if f not in folders and not any(contains(a, f) for a in added)],
        )
        key = str(self.model_combo.currentData())
        weights = self.weights_edit.text().strip()
        if key != (s.model or DEFAULT_MODEL_KEY) or weights != s.weights_file:
            ch.model, ch.weights_file = key, weights
        ch.reload_model = ch.model is None and self.device_combo.currentData() != s.device
        ch.retag = (
            self.strictness_combo.currentData() != s.tag_strictness
            or self.enabled_label_sets() != list(s.label_sets)
            or self.auto_tag_check.isChecked() != s.auto_tag  # off clears automatic tags
        )
        return ch

    def accept(self) -> None:
        weights = self.weights_edit.text().strip()
        if weights and not source_exists(weights):  # a file, or a folder/archive of parts
            self.tabs.setCurrentIndex(1)
            self.error_label.setText(
                tr("The weights file {file} does not exist.").format(file=weights))
            return
        checked = sum(
            self.label_set_list.item(i).checkState() == Qt.CheckState.Checked
            for i in range(self.label_set_list.count())
        )
        if self.label_set_list.count() and not checked and self.auto_tag_check.isChecked():
            self.tabs.setCurrentIndex(2)
            self.error_label.setText(
                tr("Choose at least one label set, or turn automatic tags off.")
            )
            return
        ch = self.changes()
        s = self.settings
        s.device = str(self.device_combo.currentData())
        s.auto_tag = self.auto_tag_check.isChecked()
        s.tag_strictness = str(self.strictness_combo.currentData())
        s.label_sets = self.enabled_label_sets()
        s.read_keywords = self.read_keywords_check.isChecked()
        s.write_xmp = self.write_xmp_check.isChecked()
        s.enabled_plugins, s.disabled_plugins = self.plugin_choices()
        s.language = str(self.language_combo.currentData())
        try:
            self._save(s)
        except Exception as exc:
            self.error_label.setText(tr("Cannot save the settings: {error}").format(error=exc))
            return
        log.info("Settings saved; changes: %s", ch)
        self.applied.emit(ch)
        super().accept()

    def _weights_installed(self, spec: ModelSpec) -> bool:
        from photoclip.core.weights import weights_path

        return spec.random_init or weights_path(spec, self.paths.models_dir) is not None


def open_settings(window: MainWindow, backend: Backend) -> None:
    """Open the Settings dialog for the main window (its ``show_error`` and
    ``settings_applied``), wired to its ``Backend``.

    Label sets and which models are installed are read on the backend's work lane first (disk
    work, never on the GUI thread); OK saves the plain fields into the library's settings on
    the lane and applies folder, model and tagging changes through the backend.
    """
    settings = backend.settings_copy()
    if settings is None or backend.library is None:
        window.show_error(tr("The library is still opening; try Settings again in a moment."))
        return

    def show(facts: SettingsFacts) -> None:
        label_sets, installed, paths = facts.label_sets, facts.installed, facts.paths

        def save(edited: Settings) -> None:
            backend.save_settings(edited, SAVED_BY_THE_DIALOG)

        dialog = SettingsDialog(
            settings, paths, save=save, label_sets=label_sets,
            installed=lambda spec: installed.get(spec.key, False), plugins=facts.plugin_infos,
            parent=window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.applied.connect(lambda ch: apply_changes(backend, ch, settings))
        dialog.applied.connect(window.settings_applied)  # e.g. the plugin menu reloads
        window.settings_dialog = dialog
        dialog.open()

    backend.settings_facts(show)


def apply_changes(backend: Backend, ch: SettingsChanges, settings: Settings) -> None:
    """Carry out what the dialog reported, through the backend (all off the GUI thread)."""
    for folder in ch.folders_added:
        backend.add_folder(folder)
    for folder in ch.folders_removed:
        backend.remove_folder(folder)
    if ch.model is not None:
        backend.use_model(ch.model, ch.weights_file or None)
    elif ch.reload_model:
        backend.use_model(settings.model or DEFAULT_MODEL_KEY, settings.weights_file or None)
    if ch.retag:
        backend.retag()
