"""The sidebar's People section: one entry per person, a face thumbnail and a photo count,
largest first; the named first, then the "Unnamed" groups to review, then the hidden people
(when asked for). Each entry's kind is ``person`` and its value ``(id, title)``."""

from __future__ import annotations

from PySide6.QtGui import QIcon, QImage, QPixmap, QStandardItem

from photoclip.core.people import UNNAMED, PersonSummary
from photoclip.gui.i18n import N_, tr
from photoclip.gui.i18n import format_number as num
from photoclip.gui.sidebar_model import PEOPLE, CountRole, KindRole, ValueRole, heading
from photoclip.gui.wording import count_of

PersonRole = KindRole + 10  # the PersonSummary of an entry
UNNAMED_GROUPS = N_("Unnamed")  # also the core's title of a person nobody named (UNNAMED)
HIDDEN = N_("Hidden people")


def person_title(p: PersonSummary) -> str:
    """The person's name, or "Unnamed" in the interface's language."""
    return p.name or tr(UNNAMED)


def person_item(p: PersonSummary, icon: QImage | None) -> QStandardItem:
    label = f"{person_title(p)} — {num(p.photos)}"
    if p.suggestions:
        label += tr(" ({count} to review)").format(count=num(p.suggestions))
    item = QStandardItem(label)
    item.setEditable(False)
    item.setData("person", KindRole)
    item.setData((p.id, p.title), ValueRole)
    item.setData(p.photos, CountRole)
    item.setData(p, PersonRole)
    tip = (tr("{person}: {photos}, {faces}, hidden; right-click to name, merge, hide or review")
           if p.hidden else
           tr("{person}: {photos}, {faces}; right-click to name, merge, hide or review"))
    item.setToolTip(tip.format(person=person_title(p), photos=count_of(p.photos, "photo"),
                               faces=count_of(p.faces, "face")))
    if icon is not None and not icon.isNull():
        item.setIcon(QIcon(QPixmap.fromImage(icon)))
    return item


def build_section(people: list[PersonSummary], icons: dict[int, QImage],
                  hidden: list[PersonSummary] | None = None) -> QStandardItem:
    """The People heading with its entries (``icons``: {face id: crop} of the covers)."""
    section = heading(PEOPLE)

    def icon(p: PersonSummary) -> QImage | None:
        return icons.get(p.cover.id) if p.cover else None

    named = [p for p in people if p.name]
    unnamed = [p for p in people if not p.name]
    for p in named:
        section.appendRow(person_item(p, icon(p)))
    if unnamed:
        group = heading(UNNAMED_GROUPS)
        group.setText(tr("{unnamed} — {groups} to review").format(
            unnamed=tr(UNNAMED_GROUPS), groups=count_of(len(unnamed), "group")))
        group.setData(UNNAMED_GROUPS, ValueRole)
        for p in unnamed:
            group.appendRow(person_item(p, icon(p)))
        section.appendRow(group)
    if hidden:
        box = heading(HIDDEN)
        box.setData(HIDDEN, ValueRole)
        for p in hidden:
            box.appendRow(person_item(p, icon(p)))
        section.appendRow(box)
    if not people and not hidden:
        empty = QStandardItem(tr("No faces yet (they are found after indexing)"))
        empty.setEditable(False)
        empty.setSelectable(False)
        section.appendRow(empty)
    return section
