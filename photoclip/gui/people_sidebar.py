"""The sidebar's People section: one entry per person, a face thumbnail and a photo count,
largest first; the named first, then the "Unnamed" groups to review, then the hidden people
(when asked for). Each entry's kind is ``person`` and its value ``(id, title)``."""

from __future__ import annotations

from PySide6.QtGui import QIcon, QImage, QPixmap, QStandardItem

from photoclip.core.people import PersonSummary
from photoclip.core.types import counted
from photoclip.gui.sidebar_model import PEOPLE, CountRole, KindRole, ValueRole, _heading

PersonRole = KindRole + 10  # the PersonSummary of an entry
UNNAMED_GROUPS = "Unnamed"
HIDDEN = "Hidden people"


def person_item(p: PersonSummary, icon: QImage | None) -> QStandardItem:
    label = f"{p.title} — {p.photos:,}"
    if p.suggestions:
        label += f" ({p.suggestions} to review)"
    item = QStandardItem(label)
    item.setEditable(False)
    item.setData("person", KindRole)
    item.setData((p.id, p.title), ValueRole)
    item.setData(p.photos, CountRole)
    item.setData(p, PersonRole)
    item.setToolTip(f"{p.title}: {counted(p.photos, 'photo')}, {counted(p.faces, 'face')}"
                    + (", hidden" if p.hidden else "")
                    + "; right-click to name, merge, hide or review")
    if icon is not None and not icon.isNull():
        item.setIcon(QIcon(QPixmap.fromImage(icon)))
    return item


def build_section(people: list[PersonSummary], icons: dict[int, QImage],
                  hidden: list[PersonSummary] | None = None) -> QStandardItem:
    """The People heading with its entries (``icons``: {face id: crop} of the covers)."""
    section = _heading(PEOPLE)

    def icon(p: PersonSummary) -> QImage | None:
        return icons.get(p.cover.id) if p.cover else None

    named = [p for p in people if p.name]
    unnamed = [p for p in people if not p.name]
    for p in named:
        section.appendRow(person_item(p, icon(p)))
    if unnamed:
        group = _heading(f"{UNNAMED_GROUPS} — {counted(len(unnamed), 'group')} to review")
        group.setData(UNNAMED_GROUPS, ValueRole)
        for p in unnamed:
            group.appendRow(person_item(p, icon(p)))
        section.appendRow(group)
    if hidden:
        box = _heading(HIDDEN)
        box.setData(HIDDEN, ValueRole)
        for p in hidden:
            box.appendRow(person_item(p, icon(p)))
        section.appendRow(box)
    if not people and not hidden:
        empty = QStandardItem("No faces yet (they are found after indexing)")
        empty.setEditable(False)
        empty.setSelectable(False)
        section.appendRow(empty)
    return section
