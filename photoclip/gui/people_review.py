"""Reviewing suggestions: faces that may be a named person (not sure enough to join by
themselves). Each row shows the face and who it may be; Yes joins it, No never suggests that
person for it again."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photoclip.core.people import PersonFace
from photoclip.gui.i18n import tr
from photoclip.gui.people_requests import THUMB_PX, PeopleRequests
from photoclip.gui.wording import count_of

FaceRole = Qt.ItemDataRole.UserRole + 1


class ReviewDialog(QDialog):
    """The suggestions of one person (or everyone's), with Yes / No for the selected face."""

    def __init__(self, requests: PeopleRequests, person: int | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("peopleReview")
        self.setWindowTitle(tr("Review suggested faces"))
        self.requests = requests
        self.person = person
        self.faces: list[PersonFace] = []
        self.names: dict[int, str] = {}
        self.summary = QLabel(tr("Loading…"), self)
        self.list = QListWidget(self)
        self.list.setIconSize(QSize(THUMB_PX * 2, THUMB_PX * 2))
        self.yes = QPushButton(tr("Yes, that is them"), self)
        self.no = QPushButton(tr("No"), self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        row = QHBoxLayout()
        row.addWidget(self.yes)
        row.addWidget(self.no)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addWidget(self.list, 1)
        box.addLayout(row)
        box.addWidget(buttons)
        buttons.rejected.connect(self.reject)
        self.yes.clicked.connect(lambda: self._answer(True))
        self.no.clicked.connect(lambda: self._answer(False))
        self.list.currentRowChanged.connect(lambda _: self._buttons())
        self.resize(420, 480)
        self.reload()

    def reload(self) -> None:
        self.requests.suggestions(self.person, self._loaded)

    def _loaded(self, faces: list[PersonFace]) -> None:
        self.faces = list(faces)
        self.list.clear()
        for f in self.faces:
            item = QListWidgetItem(tr("May be {person}").format(person=f.suggested_name)
                                   if f.suggested_name else tr("May be someone you named"))
            item.setData(FaceRole, f.id)
            self.list.addItem(item)
        self.summary.setText(
            tr("{suggestions} to review").format(
                suggestions=count_of(len(self.faces), "suggestion"))
            if self.faces else tr("Nothing to review"))
        if self.faces:
            self.list.setCurrentRow(0)
            self.requests.thumbnails(self.faces, self._icons)
        self._buttons()

    def _icons(self, icons: dict[int, QImage]) -> None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            image = icons.get(item.data(FaceRole))
            if image is not None and not image.isNull():
                item.setIcon(QIcon(QPixmap.fromImage(image)))

    def _buttons(self) -> None:
        on = self.list.currentRow() >= 0
        self.yes.setEnabled(on)
        self.no.setEnabled(on)

    def _answer(self, yes: bool) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.requests.answer(int(item.data(FaceRole)), yes)
        self.list.takeItem(self.list.row(item))  # the reload after the change confirms it
        self._buttons()
