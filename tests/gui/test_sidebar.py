"""The sidebar's tree keeps the shape the user gave it: sections open, nested groups (the
"Unnamed" people, maybe hundreds) closed, and a folded or opened entry stays so when the model
is rebuilt (which every refresh does)."""

from __future__ import annotations

from PySide6.QtGui import QStandardItem

from photoclip.core.browse import SidebarData
from photoclip.gui.sidebar import Sidebar
from photoclip.gui.sidebar_model import SidebarModel, ValueRole, heading


def _people() -> QStandardItem:
    section = heading("People")
    unnamed = QStandardItem("Unnamed — 30 groups")
    unnamed.setData("Unnamed", ValueRole)
    for n in range(30):
        unnamed.appendRow(QStandardItem(f"Unnamed — {n}"))
    section.appendRow(QStandardItem("Anna — 3"))
    section.appendRow(unnamed)
    return section


def test_sections_open_groups_closed_and_the_users_choice_kept(qtbot) -> None:
    model = SidebarModel()
    model.people_section = _people
    data = SidebarData([("/photos/trip", 3), ("/photos/home", 2)], [], [])
    model.set_data(data, total=5)
    view = Sidebar(model)
    qtbot.addWidget(view)
    people = model.indexFromItem(model.section("People"))
    folders = model.indexFromItem(model.section("Folders"))
    unnamed = model.index(1, 0, people)
    assert view.isExpanded(folders) and view.isExpanded(people)
    assert not view.isExpanded(unnamed)  # 30 single faces do not push the tags off screen
    view.collapse(folders)
    view.expand(unnamed)
    model.set_data(data, total=5)  # a refresh rebuilds every item
    people = model.indexFromItem(model.section("People"))
    assert not view.isExpanded(model.indexFromItem(model.section("Folders")))
    assert view.isExpanded(people) and view.isExpanded(model.index(1, 0, people))
