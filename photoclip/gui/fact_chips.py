"""The search bar's filters by photo facts: a Place chip (from the sidebar's Places) and a
Rating/Favourites choice; both reach the search as the built-in ``place``, ``rating`` and
``favourite`` filters (:mod:`photoclip.core.facts_plugin`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QComboBox, QToolButton, QWidget

from photoclip.gui.i18n import tr

__all__ = ["FACT_KINDS", "FactChips"]

FACT_KINDS = frozenset({"place"})  # sidebar kinds that become a chip


class FactChips:
    """A Place chip and a Rating choice, added to ``layout``; ``changed`` is called when the
    user changes one."""

    def __init__(self, parent: QWidget, layout: QBoxLayout, changed: Callable[[], None]) -> None:
        self._changed = changed
        self.place: str | None = None
        self.place_chip = QToolButton(parent)
        self.place_chip.setObjectName("placeChip")
        self.place_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.place_chip.setToolTip(tr("Only photos taken in this place; click to clear"))
        self.place_chip.hide()
        self.place_chip.clicked.connect(lambda: self.set_place(None))
        self.rating = QComboBox(parent)
        self.rating.setObjectName("ratingFilter")
        self.rating.setToolTip(tr("Only photos with at least this many stars, or favourites"))
        self.rating.addItem(tr("Any rating"), None)
        for stars in range(1, 6):
            self.rating.addItem("★" * stars + ("+" if stars < 5 else ""), f"rating={stars}")
        self.rating.addItem(tr("♥ Favourites"), "favourite=yes")
        self.rating.activated.connect(lambda _=0: self._changed())
        layout.addWidget(self.place_chip)
        layout.addWidget(self.rating)

    def set_place(self, place: str | None, notify: bool = True) -> None:
        """Only photos taken in ``place`` ("Paris, France", "France"); None clears it."""
        self.place = place
        self.place_chip.setText(tr("Place: {place}").format(place=place) + "  ✕" if place else "")
        self.place_chip.setVisible(place is not None)
        if notify:
            self._changed()

    def set(self, kind: str, value: str | None) -> None:
        """A sidebar choice of one of :data:`FACT_KINDS`."""
        if kind == "place":
            self.set_place(value)

    def clear(self) -> None:
        self.set_place(None, notify=False)
        self.rating.setCurrentIndex(0)

    def where(self) -> tuple[tuple[str, str], ...]:
        """The (filter, value) pairs chosen now."""
        out: list[tuple[str, str]] = []
        if self.place:
            out.append(("place", self.place))
        if (chosen := self.rating.currentData()) is not None:
            name, _, value = str(chosen).partition("=")
            out.append((name, value))
        return tuple(out)
