"""The sidebar's Places: countries with their towns below them, counted (from the photos' GPS,
named offline; see :mod:`photoclip.core.places`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem

from photoclip.gui.i18n import format_number as num

__all__ = ["add_places"]

_KIND, _VALUE, _COUNT = (Qt.ItemDataRole.UserRole + i for i in (1, 2, 3))  # sidebar_model's


def _leaf(label: str, value: str, count: int) -> QStandardItem:
    item = QStandardItem(f"{label} — {num(count)}")
    item.setEditable(False)
    item.setData("place", _KIND)
    item.setData(value, _VALUE)
    item.setData(count, _COUNT)
    return item


def add_places(section: QStandardItem, places: Sequence[Any]) -> None:
    """Add a country entry per country (value: the country) with an entry per town below it
    (value: "Town, Country"), as :meth:`PhotoFacts.place_counts` lists them."""
    from photoclip.core.places import place_label
    from photoclip.gui import tag_names

    country: QStandardItem | None = None
    for p in places:
        if not p.city:  # the country in the interface's language; its value as stored
            country = _leaf(place_label(p.country, tag_names.language), p.country, p.count)
            section.appendRow(country)
        elif country is not None:
            country.appendRow(_leaf(p.city, f"{p.city}, {p.country}", p.count))
