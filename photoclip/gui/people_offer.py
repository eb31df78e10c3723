"""The one-time, non-modal question "Find people in your photos?" in the app: a strip under
the banner after the first index run of a session, shown when the core says to ask
(:mod:`photoclip.core.people_offer`: People installed, off, never chosen). [Turn on] starts
People at once (the faces of every photo are found in the background, its own progress
phase); [Not now] keeps it off and is remembered (Settings > Plugins still turns it on);
the strip's ✕ only hides it for this session."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from photoclip.core.service import ServiceEvent
from photoclip.gui.banner import Banner
from photoclip.gui.i18n import tr

if TYPE_CHECKING:
    from photoclip.gui.main_window import MainWindow

log = logging.getLogger(__name__)


class PeopleOffer(QObject):
    """Asks once whether to turn People on; :attr:`strip` is the question."""

    def __init__(self, window: MainWindow,
                 on_changed: Callable[[], None] | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.on_changed = on_changed  # called after People was turned on
        self.asked = False  # the core was asked this session (and answered)
        self.decided: bool | None = None  # its answer: True, the strip is shown
        self.answered: bool | None = None  # True/False once the user's answer is saved
        self.strip = Banner(window)
        self.strip.setObjectName("peopleOffer")
        box = window.banner.parentWidget().layout()
        box.insertWidget(box.indexOf(window.banner) + 1, self.strip)
        window.backend.service_event.connect(self._service_event)

    def _service_event(self, event: ServiceEvent) -> None:
        if self.asked or event.kind not in ("reconciled", "batch"):
            return
        self.asked = True
        self.window.backend.people_offer(self._decided)

    def _decided(self, ask: bool | None) -> None:
        if ask is None:  # no photo yet (a new library): after a later index run
            self.asked = False
            return
        self.decided = ask
        if not ask:
            return
        self.strip.show_message(
            tr("Find people in your photos? Faces are analysed on this computer only."),
            "info", [(tr("Turn on"), lambda: self.answer(True)),
                     (tr("Not now"), lambda: self.answer(False))])

    def answer(self, on: bool) -> None:
        """Save the user's answer (yes: People starts now)."""
        self.strip.hide()
        self.window.backend.answer_people_offer(on, lambda problem: self._answered(on, problem))

    def _answered(self, on: bool, problem: str | None) -> None:
        self.answered = on
        if problem:
            self.window.show_error(tr("People could not be turned on: {problem}").format(
                problem=problem))
            return
        if on:
            self.window.plugin_actions.refresh()  # the People action joins the menu
            self.window.backend.sync()  # the analysis stage finds the faces now
            if self.on_changed is not None:
                self.on_changed()
