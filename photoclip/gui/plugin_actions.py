"""Plugin actions in the GUI: the grid's "Plugins" menu, an options dialog and confirmations.

:class:`PluginActions` lists the enabled plugins' actions (read on the backend's lane once the
library is open, and again after the settings are applied) and runs one on the selected photos
on the backend's plugin lane (a thread of its own: a search never waits behind a long action).
A plugin's ``confirm(question)`` is answered on the GUI thread by a QMessageBox opened without a
nested event loop, while the plugin lane waits on an Event (:class:`ConfirmBridge`): the GUI
thread never waits for a plugin, and a plugin never touches a widget.

The outcome comes back as an :class:`ActionOutcome` (the result's message and detail lines, plus
the library photos its data names, ready for the grid); a failure, a plugin's own exception
included, as one readable sentence. The Qt-free parts (:func:`load_actions`,
:func:`run_action`) run on the lanes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from photoclip.core.errors import describe_error
from photoclip.core.plugin_texts import option_label
from photoclip.core.types import Option
from photoclip.gui.i18n import tr
from photoclip.gui.queries import ResultItem
from photoclip.gui.wording import count_of

if TYPE_CHECKING:
    from photoclip.core.library import Library
    from photoclip.core.plugin_host import PluginHost
    from photoclip.gui.backend import Backend

log = logging.getLogger(__name__)



# ----- Qt-free: runs on the lane ------------------------------------------------------------------


@dataclass(frozen=True)
class ActionEntry:
    """One plugin action as the menu shows it."""

    name: str
    title: str
    description: str
    options: tuple[Option, ...] = ()
    selection: str = "required"
    plugin: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # option name -> its label, translated


@dataclass(frozen=True)
class ActionOutcome:
    """What an action did: its result's text, and the library photos its data names."""

    name: str
    title: str
    message: str
    details: list[str] = field(default_factory=list)
    photos: list[ResultItem] = field(default_factory=list)


def current_host(lib: Library, previous: PluginHost | None = None) -> PluginHost:
    """The plugin host for the menu: ``previous`` (at first the library's own) unless the saved
    settings now enable other plugins; then a freshly loaded one (for actions only: indexing
    hooks follow at the next start)."""
    from photoclip.config import Settings
    from photoclip.core.plugin_host import PluginHost, discover

    host = previous if previous is not None else lib.actions.host()
    try:
        saved = Settings.load(lib.paths.settings_file)
        wanted = {i.name for i in discover(lib.paths, saved) if i.enabled}
    except Exception as exc:  # unreadable settings: keep what is loaded
        log.warning("Cannot read the plugin settings: %s", exc)
        return host
    if wanted == {i.name for i in host.infos() if i.enabled}:
        return host
    log.info("Enabled plugins changed: loading them again for the Plugins menu")
    return PluginHost(saved, lib.paths).load()


def load_actions(
    lib: Library, previous: PluginHost | None = None
) -> tuple[PluginHost, list[ActionEntry]]:
    """The plugin host and its actions, in registration order."""
    from dataclasses import replace

    from photoclip.gui import tag_names

    host = current_host(lib, previous)
    lang = tag_names.language  # the plugins' texts in the interface's language (their manifests)
    entries = []
    for a in lib.actions.all(host).values():
        options = lib.actions.options(a, host)
        entries.append(ActionEntry(
            a.name, host.text(a.title, lang), host.text(a.description, lang),
            tuple(replace(o, help=host.text(o.help, lang)) for o in options), a.selection,
            host.owner(a.name) or "",
            {o.name: host.said(option_label(o), lang, tr) for o in options}))
    return host, entries


def run_action(
    lib: Library, host: PluginHost, name: str, photo_ids: Sequence[int],
    options: dict[str, Any], confirm: Callable[[str], bool] | None,
) -> ActionOutcome:
    """Run action ``name`` on the photos ``photo_ids`` (the core's rules for ``selection``,
    the same as the CLI's)."""
    from photoclip.core.types import PluginError

    action = lib.actions.all(host).get(name)
    if action is None:
        raise PluginError(f"the action {name!r} is no longer available")
    context = lib.actions.context(confirm, host)
    photos = lib.actions.targets(action, context, ids=list(photo_ids))
    result = lib.actions.run(name, photos, options, context=context, host=host)
    from photoclip.gui import tag_names

    lang = tag_names.language
    title = host.text(action.title, lang)
    return ActionOutcome(name, title, host.said(result.said or result.message, lang, tr),
                         [host.said(d, lang, tr) for d in result.said_details or result.details],
                         lib.browse.named_in(result.data))


# ----- confirmations across threads -----------------------------------------------------------


@dataclass
class _Question:
    text: str
    answered: threading.Event = field(default_factory=threading.Event)
    answer: bool = False


class ConfirmBridge(QObject):
    """``ask(question)`` from a worker thread shows a Yes/No box on the GUI thread and waits
    for the answer (default "No"); the GUI thread itself never waits."""

    _asked = Signal(object)  # _Question

    def __init__(self, widget: QWidget | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._widget = widget
        self._closed = threading.Event()
        self._waiting: list[_Question] = []
        self._lock = threading.Lock()
        self.box: QMessageBox | None = None  # the question on screen, if any
        self._asked.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def ask(self, question: str) -> bool:
        """The user's answer; False when the window closes first."""
        if QThread.currentThread() is self.thread():  # on the GUI thread: a modal box
            answer = QMessageBox.question(self._widget, "photoclip", question,
                                          defaultButton=QMessageBox.StandardButton.No)
            return answer == QMessageBox.StandardButton.Yes
        q = _Question(question)
        with self._lock:
            if self._closed.is_set():
                return False
            self._waiting.append(q)
        try:
            self._asked.emit(q)
            while not q.answered.wait(0.1):
                if self._closed.is_set():
                    return False
            return q.answer
        except RuntimeError:  # the bridge is gone (the app is closing)
            return False
        finally:
            with self._lock:
                if q in self._waiting:
                    self._waiting.remove(q)

    @Slot(object)
    def _show(self, q: _Question) -> None:
        if self._closed.is_set():
            q.answered.set()
            return
        box = QMessageBox(QMessageBox.Icon.Question, "photoclip", q.text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self._widget)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setEscapeButton(QMessageBox.StandardButton.No)
        box.finished.connect(lambda _code: self._answered(q, box))
        self.box = box
        box.open()  # window-modal, no nested event loop

    def _answered(self, q: _Question, box: QMessageBox) -> None:
        q.answer = box.clickedButton() is box.button(QMessageBox.StandardButton.Yes)
        q.answered.set()
        if self.box is box:
            self.box = None
        box.deleteLater()

    def close(self) -> None:
        """Answer "No" to every waiting question (call before stopping the lane)."""
        self._closed.set()
        with self._lock:
            for q in self._waiting:
                q.answered.set()
        if self.box is not None:
            self.box.close()


# ----- the options dialog ---------------------------------------------------------------------


class OptionsDialog(QDialog):
    """A form built from an action's Options (text, number, switch or choice, with defaults)."""

    def __init__(self, entry: ActionEntry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.setWindowTitle(entry.title)
        self.fields: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        if entry.description:
            about = QLabel(entry.description, self)
            about.setWordWrap(True)
            layout.addWidget(about)
        form = QFormLayout()
        for opt in entry.options:
            widget = self._field(opt)
            widget.setToolTip(opt.help)
            widget.setObjectName(f"option-{opt.name}")
            self.fields[opt.name] = widget
            label = entry.labels.get(opt.name) or option_label(opt)
            label += "*" if opt.required else ""
            form.addRow(label + ":", widget)
        layout.addLayout(form)
        self.error_label = QLabel("", self)
        self.error_label.setWordWrap(True)
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Run"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _field(self, opt: Option) -> QWidget:
        if opt.choices:
            combo = QComboBox(self)
            combo.addItems([str(c) for c in opt.choices])
            if opt.default is not None and str(opt.default) in opt.choices:
                combo.setCurrentText(str(opt.default))
            return combo
        if opt.type is bool:
            check = QCheckBox(opt.help, self)
            check.setChecked(bool(opt.default))
            return check
        if opt.type is int and opt.default is not None:
            spin = QSpinBox(self)
            spin.setRange(-(2**31), 2**31 - 1)
            spin.setValue(int(opt.default))
            return spin
        if opt.type is float and opt.default is not None:
            dspin = QDoubleSpinBox(self)
            dspin.setRange(-1e9, 1e9)
            dspin.setDecimals(4)
            dspin.setSingleStep(0.01 if abs(float(opt.default)) <= 1 else 1.0)
            dspin.setValue(float(opt.default))
            return dspin
        edit = QLineEdit(self)
        edit.setText("" if opt.default is None else str(opt.default))
        edit.setPlaceholderText(opt.help)
        return edit

    def values(self) -> dict[str, Any]:
        """The options by name (an empty text field means the default); ValueError says what
        is wrong."""
        out: dict[str, Any] = {}
        for opt in self.entry.options:
            widget = self.fields[opt.name]
            if isinstance(widget, QComboBox):
                out[opt.name] = widget.currentText()
            elif isinstance(widget, QCheckBox):
                out[opt.name] = widget.isChecked()
            elif isinstance(widget, (QSpinBox, QDoubleSpinBox)):
                out[opt.name] = widget.value()
            else:
                text = widget.text().strip() if isinstance(widget, QLineEdit) else ""
                if not text:
                    if opt.required:
                        raise ValueError(tr("{option} is required").format(option=opt.name))
                    out[opt.name] = opt.default
                    continue
                try:
                    out[opt.name] = opt.type(text) if opt.type in (int, float) else text
                except ValueError:
                    raise ValueError(
                        tr("{option} must be a number").format(option=opt.name)) from None
        return out

    def accept(self) -> None:
        try:
            self.values()
        except ValueError as exc:
            self.error_label.setText(str(exc)[:1].upper() + str(exc)[1:])
            return
        super().accept()


# ----- the controller -------------------------------------------------------------------------


class PluginActions(QObject):
    """The enabled plugins' actions for the grid's context menu, run on the backend's lane."""

    changed = Signal()  # the list of actions was (re)loaded
    started = Signal(str)  # an action's title
    finished = Signal(object)  # ActionOutcome
    failed = Signal(str)  # one sentence for the user

    def __init__(self, backend: Backend, window: QWidget | None = None) -> None:
        super().__init__(window)
        self.backend = backend
        self._window = window
        self.bridge = ConfirmBridge(window, self)
        self._host: PluginHost | None = None
        self._entries: list[ActionEntry] = []
        self.options_dialog: OptionsDialog | None = None
        self.details_box: QMessageBox | None = None
        backend.opened.connect(lambda _result: self.refresh())

    def actions(self) -> list[ActionEntry]:
        return list(self._entries)

    def entry(self, name: str) -> ActionEntry | None:
        return next((e for e in self._entries if e.name == name), None)

    def refresh(self) -> None:
        """Read the actions again on the lane (the library is open, or the settings changed)."""
        previous = self._host
        self.backend.plugin_actions(previous, self._loaded, self._load_failed)

    def _loaded(self, result: tuple[PluginHost, list[ActionEntry]]) -> None:
        self._host, self._entries = result
        log.debug("Plugin actions: %s", [e.name for e in self._entries])
        self.changed.emit()

    def _load_failed(self, exc: BaseException) -> None:
        log.warning("Plugin actions are not available: %s", exc)
        self._entries = []
        self.changed.emit()

    def add_menu(self, menu: QMenu, photo_ids: Sequence[int]) -> QMenu | None:
        """Add a "Plugins" submenu to ``menu`` acting on ``photo_ids`` (None: no actions)."""
        if not self._entries:
            return None
        ids = list(photo_ids)
        sub = menu.addMenu(tr("Plugins"))
        sub.setToolTipsVisible(True)
        selected = count_of(len(ids), "selected photo")
        for entry in self._entries:
            dots = "…" if entry.options else ""
            # a library-wide action (selection none/optional) runs on the whole library;
            # an optional one also offers the selection
            targets: list[tuple[str, list[int]]] = []
            if entry.selection in ("none", "optional"):
                whole = tr("{action} (whole library)").format(action=entry.title)
                targets.append((whole + dots, []))
            if entry.selection == "optional" and ids:
                targets.append((f"{entry.title} ({selected}){dots}", ids))
            if entry.selection not in ("none", "optional"):
                targets.append((f"{entry.title}{dots}", ids))
            for text, target in targets:
                action = sub.addAction(text)
                action.setToolTip(entry.description)
                action.setStatusTip(entry.description)
                action.setData(entry.name)
                action.triggered.connect(
                    lambda _=False, name=entry.name, target=target: self.choose(name, target))
        return sub

    def choose(self, name: str, photo_ids: Sequence[int]) -> None:
        """The user picked an action: ask for its options (if any), then run it."""
        entry = self.entry(name)
        if entry is None:
            self.failed.emit(tr("The plugin action {name} is no longer available.").format(
                name=repr(name)))
            return
        ids = list(photo_ids)
        if not entry.options:
            self.run(name, ids, {})
            return
        dialog = OptionsDialog(entry, self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.run(name, ids, dialog.values()))
        dialog.finished.connect(lambda _code: setattr(self, "options_dialog", None))
        self.options_dialog = dialog
        dialog.open()

    def run(self, name: str, photo_ids: Sequence[int], options: dict[str, Any]) -> None:
        """Run an action on the backend's plugin lane (never in the way of searches);
        :attr:`finished` or :attr:`failed` tells how it went."""
        host = self._host
        entry = self.entry(name)
        title = entry.title if entry else name
        if host is None:
            self.failed.emit(tr("Plugins are still loading; try again in a moment."))
            return
        ids = list(photo_ids)
        ask = self.bridge.ask
        self.started.emit(title)
        self.backend.run_plugin_action(host, name, ids, options, ask, self.finished.emit,
                                       lambda exc: self._run_failed(title, exc))

    def _run_failed(self, title: str, exc: BaseException) -> None:
        from photoclip.plugin_api import PluginError

        if isinstance(exc, PluginError):
            from photoclip.gui import tag_names

            said = getattr(exc, "said", None) or str(exc)
            text = (self._host.said(said, tag_names.language, tr) if self._host is not None
                    else str(exc)) or type(exc).__name__
            self.failed.emit(f"{title}: {text[:1].upper()}{text[1:]}")
        else:
            self.failed.emit(f"{title}: {describe_error(exc, tr)}")

    def show_details(self, outcome: ActionOutcome) -> None:
        """The result's detail lines in a box (not modal to the lane: nothing waits)."""
        box = QMessageBox(QMessageBox.Icon.Information, outcome.title, outcome.message,
                          QMessageBox.StandardButton.Close, self._window)
        box.setDetailedText("\n".join(outcome.details))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _code: setattr(self, "details_box", None))
        self.details_box = box
        box.open()

    def close(self) -> None:
        """Answer "No" to a question in flight so the lane can stop."""
        self.bridge.close()


def show_outcome(window: QWidget, actions: PluginActions, outcome: ActionOutcome) -> None:
    """Tell the user what an action did: the banner, and its photos in the grid if any."""
    buttons: list[tuple[str, Callable[[], None]]] = []
    if outcome.details:
        buttons.append((tr("Details…"), lambda: actions.show_details(outcome)))
    text = f"{outcome.title}: {outcome.message}"
    if outcome.photos:
        window.show_photo_set(outcome.photos)
        text += tr(" (showing its {photos})").format(photos=count_of(len(outcome.photos), "photo"))

        def back() -> None:
            window.banner.hide()
            window.run_search()

        buttons.append((tr("All photos"), back))
    window.banner.show_message(text, "info", buttons)
    window.banner.kind = "plugin"
