"""The sidebar's item model: all photos, folders, tags (own and automatic) and albums, counted."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from photoclip.gui.i18n import N_, tr
from photoclip.gui.i18n import format_number as num
from photoclip.gui.places_sidebar import add_places
from photoclip.gui.queries import SidebarData
from photoclip.gui.tag_names import shown

KindRole = Qt.ItemDataRole.UserRole + 1  # all|folder|tag|album|person|place; None: headings
ValueRole = Qt.ItemDataRole.UserRole + 2
CountRole = Qt.ItemDataRole.UserRole + 3

SECTIONS = (N_("Folders"), N_("My tags"), N_("Automatic tags"), N_("Albums"), N_("Places"))
SectionRole = Qt.ItemDataRole.UserRole + 4  # a heading's English name (SECTIONS)
PEOPLE = N_("People")


class SidebarModel(QStandardItemModel):
    """A two-level tree; each leaf carries a (kind, value) filter and a count."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: builds the People section (gui.people_sidebar), or None while People is off
        self.people_section: Callable[[], QStandardItem | None] = lambda: None
        self.set_data(SidebarData([], [], []))

    def set_data(self, data: SidebarData, total: int | None = None) -> None:
        self.clear()
        root = self.invisibleRootItem()
        everything = _leaf(tr("All photos"), "all", None, total)
        root.appendRow(everything)
        sections = {name: heading(name) for name in SECTIONS}
        for folder, n in data.folders:
            leaf = _leaf(os.path.basename(folder.rstrip("/\\")) or folder, "folder", folder, n)
            leaf.setToolTip(folder)
            sections["Folders"].appendRow(leaf)
        for tc in data.tags:
            if tc.own:
                sections["My tags"].appendRow(_leaf(tc.tag, "tag", tc.tag, tc.own))
            if tc.auto:
                sections["Automatic tags"].appendRow(_leaf(shown(tc.tag), "tag", tc.tag, tc.auto))
        for album, n in data.albums:
            leaf = _leaf(album.name, "album", album.name, n)
            if album.smart:
                rule = (tr("query {query} ≥ {score}").format(query=repr(album.query),
                                                            score=album.min_score)
                        if album.query else tr("tag {tag}").format(tag=repr(album.tag)))
                leaf.setToolTip(tr("Smart album: {rule}").format(rule=rule))
                leaf.setText(tr("{album} (smart)").format(album=album.name) + f" — {num(n)}")
            sections["Albums"].appendRow(leaf)
        add_places(sections["Places"], data.places)
        for name in SECTIONS:
            root.appendRow(sections[name])
        self.refresh_people()

    def refresh_people(self) -> None:
        """Build the People section again, after the folders (automatic tags may be many)."""
        for row in range(self.rowCount()):
            if self.item(row).data(SectionRole) == PEOPLE:
                self.removeRow(row)
                break
        people = self.people_section()
        if people is not None:
            rows = range(self.rowCount())
            after = next((r for r in rows if self.item(r).data(SectionRole) == SECTIONS[0]),
                         self.rowCount() - 1)
            self.insertRow(after + 1, people)

    def section(self, name: str) -> QStandardItem:
        for row in range(self.rowCount()):
            item = self.item(row)
            if item.data(SectionRole) == name or item.text() == name:
                return item
        raise KeyError(name)

    def leaves(self, section: str) -> list[tuple[str, Any, int]]:
        """(label, value, count) of a section's entries (for tests and menus)."""
        sec = self.section(section)
        return [
            (sec.child(r).text(), sec.child(r).data(ValueRole), sec.child(r).data(CountRole))
            for r in range(sec.rowCount())
        ]


def heading(name: str) -> QStandardItem:
    item = QStandardItem(tr(name))
    item.setData(name, SectionRole)
    item.setEditable(False)
    item.setSelectable(False)
    font = item.font()
    font.setBold(True)
    item.setFont(font)
    return item


def _leaf(label: str, kind: str, value: Any, count: int | None) -> QStandardItem:
    item = QStandardItem(label if count is None else f"{label} — {num(count)}")
    item.setEditable(False)
    item.setData(kind, KindRole)
    item.setData(value, ValueRole)
    item.setData(count, CountRole)
    return item
