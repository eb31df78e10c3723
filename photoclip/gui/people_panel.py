"""People in the desktop app: the sidebar's People section (thumbnails, counts, a person's
photos on click; name, merge, hide, review from its menu) and the photo view's regions (face
boxes with names, click to name or fix; text lines to copy).

Wiring only: the data comes through :class:`~photoclip.gui.people_requests.PeopleRequests`
on the backend's lane; the questions go through :attr:`PeoplePanel.ask_text` and
:attr:`PeoplePanel.ask_choice` (dialogs; a test answers them itself).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, QSize, Qt
from PySide6.QtGui import QGuiApplication, QImage, QStandardItem
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from photoclip.core.people import UNNAMED, PersonSummary
from photoclip.core.types import Region
from photoclip.gui.i18n import tr
from photoclip.gui.people_offer import PeopleOffer
from photoclip.gui.people_requests import PeopleRequests
from photoclip.gui.people_sidebar import PersonRole, build_section, person_title
from photoclip.gui.wording import count_of

if TYPE_CHECKING:
    from photoclip.gui.main_window import MainWindow

log = logging.getLogger(__name__)


def _ask(parent: QWidget, title: str, prompt: str, choices: list[str], editable: bool
         ) -> tuple[str, bool]:
    """The question in a dialog; then the window is made active again: where nothing else
    does that (no window manager re-activates it), Ctrl+Z right after naming did nothing."""
    text, ok = QInputDialog.getItem(parent, title, prompt, choices, -1 if editable else 0,
                                    editable)
    parent.window().activateWindow()
    return text, ok


def _ask_text(parent: QWidget, title: str, prompt: str, choices: list[str]) -> str | None:
    text, ok = _ask(parent, title, prompt, choices, True)
    return text.strip() if ok and text.strip() else None


def _ask_choice(parent: QWidget, title: str, prompt: str, choices: list[str]) -> str | None:
    text, ok = _ask(parent, title, prompt, choices, False)
    return text if ok and text else None


class PeoplePanel(QObject):
    """Connects the People section, the photo view's regions and the People requests."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.requests = PeopleRequests(window.backend, self)
        self.people: list[PersonSummary] | None = None  # None: People is off
        self.hidden: list[PersonSummary] = []
        self.show_hidden = False
        self.icons: dict[int, QImage] = {}  # face id -> crop
        self.ask_text: Callable[[QWidget, str, str, list[str]], str | None] = _ask_text
        self.ask_choice: Callable[[QWidget, str, str, list[str]], str | None] = _ask_choice
        self.review: Any = None  # the open review dialog
        self.menu: QMenu | None = None  # the menu shown last (a popup: the GUI never waits)
        self.merged_into: dict[int, int] = {}  # person id -> the person it was merged into
        window.sidebar_model.people_section = self._section
        sidebar = window.sidebar
        sidebar.setUniformRowHeights(False)  # the People entries' face thumbnails are taller
        sidebar.setIconSize(QSize(28, 28))
        sidebar.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        sidebar.customContextMenuRequested.connect(self._sidebar_menu)
        view = window.photo_view
        view.photo_shown.connect(self.load_regions)
        view.region_clicked.connect(self._region_clicked)
        self.requests.changed.connect(self._changed)
        self.requests.failed.connect(window.show_error)
        self.offer = PeopleOffer(window, self.refresh)  # "Find people in your photos?"
        window.backend.opened.connect(lambda _: self.refresh())
        window.backend.library_changed.connect(self.refresh)

    # ----- the People section ------------------------------------------------------------------

    def refresh(self) -> None:
        """Ask for everyone again (and the hidden people, when shown)."""
        self.requests.people(self._loaded)
        if self.show_hidden:
            self.requests.people(self._hidden_loaded, hidden=True)

    def _loaded(self, people: list[PersonSummary] | None) -> None:
        self.people = people
        self._rebuild()
        self._covers()

    def _hidden_loaded(self, people: list[PersonSummary] | None) -> None:
        self.hidden = list(people or [])
        self._rebuild()
        self._covers()

    def _covers(self) -> None:
        faces = [p.cover for p in [*(self.people or []), *self.hidden]
                 if p.cover is not None and p.cover.id not in self.icons]
        if faces:
            self.requests.thumbnails(faces, self._icons_loaded)

    def _icons_loaded(self, icons: dict[int, QImage]) -> None:
        self.icons.update(icons)
        self._rebuild()

    def _rebuild(self) -> None:
        self.window.sidebar_model.refresh_people()

    def _section(self) -> QStandardItem | None:
        if self.people is None:
            return None
        return build_section(self.people, self.icons, self.hidden if self.show_hidden else None)

    def person_entries(self) -> list[PersonSummary]:
        """The people the section lists now (named first, then unnamed, then hidden)."""
        named = [p for p in self.people or [] if p.name]
        return named + [p for p in self.people or [] if not p.name] + (
            self.hidden if self.show_hidden else [])

    def _changed(self) -> None:
        self.refresh()
        shown = self.window.photo_view.details
        if shown is not None:
            self.load_regions(shown.photo_id)
        if self.review is not None:
            self.review.reload()
        if self.window.search_bar.person is not None:
            self.requests.everyone(self._follow_filter)

    def _follow_filter(self, people: list[PersonSummary] | None) -> None:
        """The person filter (the search bar's chip) after a change: the person's name now,
        the person they were merged into here, or no filter once they are gone (forgotten,
        a naming undone), and
        their photos asked again (the grid showed those from before the change)."""
        bar = self.window.search_bar
        if bar.person is None or people is None:
            return
        everyone = {p.id: p for p in people}
        now = everyone.get(bar.person[0])
        if now is None and bar.person[0] in self.merged_into:  # merged by the user here:
            now = everyone.get(self.merged_into[bar.person[0]])  # follow to whom it joined
        bar.set_person(None if now is None else (now.id, now.title), notify=False)
        self.window.run_search(show_grid=False)

    def _sidebar_menu(self, pos: QPoint) -> None:
        index = self.window.sidebar.indexAt(pos)
        person = index.data(PersonRole) if index.isValid() else None
        if person is None and (not index.isValid() or self.people is None):
            return
        self.menu = self.person_menu(person)
        self.menu.popup(self.window.sidebar.viewport().mapToGlobal(pos))

    def person_menu(self, person: PersonSummary | None) -> QMenu:
        """The menu of a People entry (or of the section, with ``person`` None)."""
        menu = QMenu(self.window)
        if person is not None:
            menu.addAction(tr("Rename…") if person.name else tr("Name…"),
                           lambda: self.ask_name_person(person))
            menu.addAction(tr("Merge into…"), lambda: self.ask_merge(person))
            if person.hidden:
                menu.addAction(tr("Show again"), lambda: self.requests.hide(person.id, False))
            else:
                menu.addAction(tr("Hide"), lambda: self.requests.hide(person.id))
            if person.suggestions:
                menu.addAction(tr("Review {count} suggested…").format(count=person.suggestions),
                               lambda: self.open_review(person.id))
            menu.addSeparator()
        toggle = menu.addAction(tr("Show hidden people"), self.toggle_hidden)
        toggle.setCheckable(True)
        toggle.setChecked(self.show_hidden)
        menu.addAction(tr("Review all suggestions…"), lambda: self.open_review(None))
        return menu

    def toggle_hidden(self) -> None:
        self.show_hidden = not self.show_hidden
        self.hidden = []
        self.refresh()
        self._rebuild()

    def ask_name_person(self, person: PersonSummary) -> None:
        prompt = tr("Who is this? ({person}, {photos}; a name in use merges the two)").format(
            person=person_title(person), photos=count_of(person.photos, "photo"))
        name = self.ask_text(self.window, tr("Name"), prompt, self._names())
        if name:
            taken = next((p for p in self.person_entries() if p.id != person.id and p.name
                          and p.name.lower() == name.strip().lower()), None)
            if taken is not None:  # a name in use merges the two
                self.merged_into[person.id] = taken.id
            self.requests.name(person.id, name)

    def ask_merge(self, person: PersonSummary) -> None:
        others = [p for p in self.person_entries() if p.id != person.id]
        labels = [tr("{person} (#{id}, {photos})").format(
            person=person_title(p), id=p.id, photos=count_of(p.photos, "photo")) for p in others]
        chosen = self.ask_choice(self.window, tr("Merge"),
                                 tr("Merge {person} into:").format(person=person_title(person)),
                                 labels)
        if chosen in labels:
            into = others[labels.index(chosen)].id
            self.merged_into[person.id] = into
            self.requests.merge(into, person.id)

    def _names(self) -> list[str]:
        return sorted({p.name for p in self.person_entries() if p.name})

    def open_review(self, person: int | None) -> None:
        from photoclip.gui.people_review import ReviewDialog

        if self.review is not None:
            self.review.close()
        self.review = ReviewDialog(self.requests, person, self.window)
        self.review.finished.connect(lambda _: setattr(self, "review", None))
        self.review.show()

    # ----- the photo view's regions ------------------------------------------------------------

    def load_regions(self, photo_id: int) -> None:
        self.window.backend.regions(
            photo_id, lambda regions: self.window.photo_view.show_regions(photo_id, regions))

    def _region_clicked(self, region: Region, where: QPoint) -> None:
        self.menu = self.region_menu(region)
        self.menu.popup(where)

    def region_menu(self, region: Region) -> QMenu:
        """What a click on a region offers: for a face, name it, say who it is not, answer its
        suggestion, show the person's photos; for a text line (any other kind), copy it."""
        menu = QMenu(self.window)
        if region.kind != "face" or region.id is None or not region.id.isdigit():
            menu.addAction(tr("Copy text"), lambda: QGuiApplication.clipboard().setText(
                region.label))
            return menu
        face = int(region.id)
        label = region.label
        if label.endswith("?"):
            who = label[:-1]
            menu.addAction(tr("Yes, this is {person}").format(person=who),
                           lambda: self.requests.answer(face, True))
            menu.addAction(tr("No, this is not {person}").format(person=who),
                           lambda: self.requests.answer(face, False))
        menu.addAction(tr("Name this face…") if label in (UNNAMED,) or label.endswith("?")
                       else tr("This is someone else…"), lambda: self.ask_name_face(face))
        if label != UNNAMED and not label.endswith("?"):
            menu.addAction(tr("Not {person}").format(person=label),
                           lambda: self.requests.not_person(face))
            menu.addAction(tr("Show {person}'s photos").format(person=label),
                           lambda: self.window.search_bar.set_person(self._person_of(label)))
        return menu

    def ask_name_face(self, face: int) -> None:
        name = self.ask_text(self.window, tr("Name this face"), tr("Who is this?"), self._names())
        if name:
            self.requests.name_face(face, name)

    def _person_of(self, name: str) -> tuple[int, str] | None:
        for p in self.person_entries():
            if p.name == name:
                return (p.id, p.title)
        return None
