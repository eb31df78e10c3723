"""Duplicates review for the whole library: each group side by side with size, resolution and
date, the suggested keeper marked (the core's rule, :func:`photoclip.core.duplicates.
original_first`, the same as `photoclip duplicates`), and "move the others to the trash".

The groups come from the duplicates plugin's action over every photo (on the plugin lane).
Nothing is deleted: the others go to the system trash as one undoable edit
(:class:`~photoclip.core.edits.TrashPhotos`, Edit › Undo brings them back).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from photoclip.core.duplicates import is_copy_folder, original_first
from photoclip.core.edits import TrashPhotos
from photoclip.core.types import Photo, PluginError
from photoclip.gui.i18n import format_number as num
from photoclip.gui.i18n import tr
from photoclip.gui.wording import count_of

if TYPE_CHECKING:
    from photoclip.core.library import Library
    from photoclip.gui.main_window import MainWindow

ACTION = "duplicates"
THUMB = 160


@dataclass(frozen=True)
class Copy:
    """One photo of a group as the review shows it."""

    id: int
    path: str
    size: int
    width: int | None
    height: int | None
    date: float
    in_copies: bool  # in a folder named like copies/dups
    why: str = ""  # how it matched the keeper (empty for the keeper)


@dataclass(frozen=True)
class Group:
    photos: list[Copy]  # the suggested keeper first

    @property
    def keeper(self) -> Copy:
        return self.photos[0]


def find_groups(lib: Library) -> list[Group]:
    """Every duplicate group of the library, keeper first (runs the duplicates action)."""
    host = lib.actions.host()
    action = lib.actions.all(host).get(ACTION)
    if action is None:
        raise PluginError(tr("Finding duplicates needs the duplicates plugin: turn it on in "
                             "Settings › Plugins"))
    context = lib.actions.context(host=host)
    photos = lib.actions.targets(action, context)
    result = lib.actions.run(ACTION, photos, {}, context=context, host=host)
    by_path = {p.path: p for p in photos}
    groups = []
    for g in (result.data or {}).get("groups", []):
        why = {m["path"]: _why(m) for m in g.get("members", [])}
        members = [by_path[p] for p in [g["keep"], *g["duplicates"]] if p in by_path]
        if len(members) >= 2:
            groups.append(Group([_copy(p, why.get(p.path, "")) for p in
                                 original_first(members)]))
    return groups


def _why(member: dict) -> str:
    how = set(member.get("matched_by") or [])
    if "exact" in how:
        return tr("identical file")
    if "phash" in how:
        return tr("looks the same")
    return tr("nearly the same picture") if how else ""


def _copy(p: Photo, why: str) -> Copy:
    try:
        mtime = os.stat(p.path).st_mtime
    except OSError:
        mtime = 0.0
    return Copy(p.id, p.path, p.size, p.width, p.height,
                p.taken if p.taken is not None else mtime, is_copy_folder(p.path), why)


def facts(c: Copy) -> str:
    """The lines under a photo: resolution, file size, date, folder."""
    size = (f"{num(c.width)} × {num(c.height)}" if c.width and c.height
            else tr("size unknown"))
    mb = tr("{mb} MB").format(mb=f"{c.size / 1e6:.1f}")
    lines = [size, mb, time.strftime("%Y-%m-%d %H:%M", time.localtime(c.date)),
             Path(c.path).parent.name or c.path]
    if c.why:
        lines.append(c.why)
    return "\n".join(lines)


class DuplicatesReview(QDialog):
    """The groups, one row each; a radio button per photo says which to keep (the suggested
    keeper is chosen), a check box keeps the whole group. :meth:`trash_others` moves the
    rest to the system trash after :attr:`confirm` says yes."""

    def __init__(self, window: MainWindow, groups: list[Group]) -> None:
        super().__init__(window)
        self.window_ = window
        self.groups = groups
        self.setWindowTitle(tr("Review duplicates"))
        self.resize(900, 640)
        #: asks before anything moves (tests answer it themselves)
        self.confirm: Callable[[str], bool] = self._ask
        self.keep: list[QButtonGroup] = []
        self.keep_all: list[QCheckBox] = []
        self.thumbs: dict[str, list[QLabel]] = {}
        box = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        area = QScrollArea(self)
        area.setWidgetResizable(True)
        inner = QWidget(area)
        rows = QVBoxLayout(inner)
        for n, group in enumerate(groups, 1):
            rows.addWidget(self._group_box(n, group))
        rows.addStretch(1)
        area.setWidget(inner)
        box.addWidget(area, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.trash_button = QPushButton(tr("Move the others to the trash…"), self)
        buttons.addButton(self.trash_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.trash_button.clicked.connect(self.trash_others)
        box.addWidget(buttons)
        window.loader.ready.connect(self._thumbnail_ready)
        self._update_summary()

    def _group_box(self, n: int, group: Group) -> QGroupBox:
        gbox = QGroupBox(tr("Group {n}").format(n=n), self)
        outer = QVBoxLayout(gbox)
        row = QHBoxLayout()
        choice = QButtonGroup(gbox)
        for i, c in enumerate(group.photos):
            card = QVBoxLayout()
            thumb = QLabel(gbox)
            thumb.setFixedSize(THUMB, THUMB)
            thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
            thumb.setToolTip(c.path)
            self.thumbs.setdefault(c.path, []).append(thumb)
            self._set_thumb(thumb, c.path)
            card.addWidget(thumb)
            info = QLabel(facts(c), gbox)
            info.setToolTip(c.path)
            card.addWidget(info)
            radio = QRadioButton(tr("Keep (suggested: the original)") if i == 0
                                 else tr("Keep this one"), gbox)
            radio.setChecked(i == 0)
            choice.addButton(radio, i)
            card.addWidget(radio)
            card.addStretch(1)
            row.addLayout(card)
        row.addStretch(1)
        outer.addLayout(row)
        keep_all = QCheckBox(tr("Keep all of them (not duplicates)"), gbox)
        keep_all.toggled.connect(lambda on, g=choice: [b.setEnabled(not on) for b in g.buttons()])
        keep_all.toggled.connect(self._update_summary)
        outer.addWidget(keep_all)
        self.keep.append(choice)
        self.keep_all.append(keep_all)
        return gbox

    def _set_thumb(self, label: QLabel, path: str) -> None:
        pix = self.window_.loader.pixmap(path)
        if pix is not None:
            label.setPixmap(pix.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation))
        elif self.window_.loader.failed(path):
            label.setText(tr("(no preview)"))

    def _thumbnail_ready(self, path: str) -> None:
        for label in self.thumbs.get(path, []):
            self._set_thumb(label, path)

    def chosen(self) -> list[int]:
        """The photos to move: every photo but the one kept, in groups not kept whole."""
        out = []
        for group, choice, keep_all in zip(self.groups, self.keep, self.keep_all):
            if keep_all.isChecked():
                continue
            kept = max(choice.checkedId(), 0)
            out += [c.id for i, c in enumerate(group.photos) if i != kept]
        return out

    def _update_summary(self) -> None:
        n = len(self.chosen())
        self.summary.setText(tr(
            "{groups} of duplicates. Each group keeps one photo: the suggested one is the "
            "original (the most pixels, not in a copies or dups folder, the older file). "
            "{n} would move to the system trash (Edit › Undo brings them back)."
        ).format(groups=count_of(len(self.groups), "group"), n=count_of(n, "photo")))
        self.trash_button.setEnabled(n > 0)

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, tr("Move to the trash"), question)
        return answer == QMessageBox.StandardButton.Yes

    def trash_others(self) -> None:
        ids = self.chosen()
        if not ids:
            return
        if not self.confirm(tr("Move {n} to the system trash? Nothing is deleted; Edit › "
                               "Undo brings them back.").format(n=count_of(len(ids), "photo"))):
            return
        self.trash_button.setEnabled(False)
        self.window_.edits.run(TrashPhotos(ids), lambda _: self.accept())


def open_review(window: MainWindow) -> None:
    """Find the library's duplicates (a banner says so meanwhile), then show the review."""
    window.banner.show_message(tr("Looking for duplicates in the whole library…"), "info")

    def done(groups: list[Group]) -> None:
        if not groups:
            window.banner.show_message(tr("No duplicates found."), "info")
            return
        window.banner.hide()
        window.duplicates_review = DuplicatesReview(window, groups)
        window.duplicates_review.show()

    window.backend.duplicate_groups(done, lambda exc: window.show_error(str(exc)))
