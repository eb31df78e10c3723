"""The New album dialog: a plain album, or a smart one that follows a search (with a minimum
score) or a tag, with a live count of the photos it would hold while the rule is edited (the
count is asked on the backend's lane; the newest answer wins)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from photoclip.core.errors import describe_error
from photoclip.gui.i18n import tr
from photoclip.gui.wording import count_of

if TYPE_CHECKING:
    from photoclip.gui.backend import Backend

PLAIN, QUERY, TAG = 0, 1, 2
PREVIEW_DELAY_MS = 300  # typing pauses this long before the count is asked
DEFAULT_MIN_SCORE = 0.25


class AlbumDialog(QDialog):
    """Name and rule of a new album; :meth:`definition` gives what AlbumCreate takes."""

    def __init__(self, backend: Backend, tags: list[str], parent: QWidget | None = None, *,
                 kind: int = PLAIN, tag: str = "", query: str = "") -> None:
        super().__init__(parent)
        self.backend = backend
        self.setWindowTitle(tr("New album"))
        self.preview_count: int | None = None  # the newest count shown (tests read it)
        self._asked = 0  # the newest preview request
        box = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setPlaceholderText(tr("e.g. Holidays 2024"))
        form.addRow(tr("Name:"), self.name)
        self.kinds = QButtonGroup(self)
        for value, text in ((PLAIN, tr("Plain: photos I put in")),
                            (QUERY, tr("Smart: photos matching a search")),
                            (TAG, tr("Smart: photos with a tag"))):
            radio = QRadioButton(text, self)
            self.kinds.addButton(radio, value)
            form.addRow("" if value else tr("Kind:"), radio)
        self.query = QLineEdit(query, self)
        self.query.setPlaceholderText(tr("e.g. a dog on the beach"))
        form.addRow(tr("Search:"), self.query)
        self.min_score = QDoubleSpinBox(self)
        self.min_score.setRange(-1.0, 1.0)
        self.min_score.setDecimals(2)
        self.min_score.setSingleStep(0.01)
        self.min_score.setValue(DEFAULT_MIN_SCORE)
        self.min_score.setToolTip(tr("The lowest match score (cosine similarity) a photo needs"))
        form.addRow(tr("Minimum score:"), self.min_score)
        self.tag = QComboBox(self)
        self.tag.setEditable(True)
        self.tag.addItems(tags)
        self.tag.setCurrentText(tag)
        form.addRow(tr("Tag:"), self.tag)
        box.addLayout(form)
        self.preview = QLabel(self)
        box.addWidget(self.preview)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        box.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self._ask_preview)
        self.kinds.button(kind).setChecked(True)
        self.kinds.idToggled.connect(lambda *_: self._rule_changed())
        self.query.textChanged.connect(self._rule_changed)
        self.min_score.valueChanged.connect(self._rule_changed)
        self.tag.currentTextChanged.connect(self._rule_changed)
        self.name.textChanged.connect(self._update_ok)
        self._rule_changed()

    def kind(self) -> int:
        return self.kinds.checkedId()

    def rule(self) -> dict[str, Any]:
        """The smart rule as ``Albums.preview`` / ``AlbumCreate`` take it ({} for plain)."""
        if self.kind() == QUERY and self.query.text().strip():
            return {"query": self.query.text().strip(), "min_score": self.min_score.value()}
        if self.kind() == TAG and self.tag.currentText().strip():
            return {"tag": self.tag.currentText().strip()}
        return {}

    def definition(self) -> dict[str, Any]:
        return {"name": self.name.text().strip(), **self.rule()}

    def _rule_changed(self) -> None:
        kind = self.kind()
        self.query.setEnabled(kind == QUERY)
        self.min_score.setEnabled(kind == QUERY)
        self.tag.setEnabled(kind == TAG)
        self._asked += 1  # an answer on its way is for an old rule now
        if kind == PLAIN:
            self.preview.setText(tr("Drag photos onto the album in the sidebar to fill it."))
            self.preview_count = None
        elif not self.rule():
            self.preview.setText("")
            self.preview_count = None
        else:
            self.preview.setText(tr("Counting…"))
            self._timer.start()
        self._update_ok()

    def _ask_preview(self) -> None:
        asked = self._asked
        rule = self.rule()
        if not rule:
            return

        def done(n: int) -> None:
            if asked == self._asked:
                self.preview_count = n
                self.preview.setText(tr("{n} in this album now").format(
                    n=count_of(n, "photo")))

        def failed(exc: BaseException) -> None:
            if asked == self._asked:
                self.preview_count = None
                self.preview.setText(describe_error(exc))

        self.backend.album_preview(rule, done, failed)

    def _update_ok(self) -> None:
        ok = bool(self.name.text().strip()) and (self.kind() == PLAIN or bool(self.rule()))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
