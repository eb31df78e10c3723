"""Sentences the core builds and the fronts show in the user's language (no Qt, no gettext
here): a :class:`Said` keeps its English template and its values; a front shows
``said.text(tr)`` (the GUI) or ``said.text(_)`` (the CLI), translating the template and the
values the core marked as words. ``str()`` is the English sentence (logs, exceptions).

An error the fronts show carries one as ``exc.said`` (:class:`SaidError`);
:func:`photoclip.core.errors.user_message` turns it into text. Every template (and every word
put into one) is listed in :data:`SAID_TEXTS`, which ``scripts/update_translations.py``
collects into both fronts' catalogues (it imports every core module that imports this one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Translate = Callable[[str], str]


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Said:
    """``template.format(**values)``, translated at the front; ``words``: the values that are
    words of the catalogue themselves (``"label set"``), translated too."""

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    words: tuple[str, ...] = ()

    def text(self, translate: Translate = _same) -> str:
        values = {k: v.text(translate) if isinstance(v, Said) else translate(v)
                  if k in self.words else v for k, v in self.values.items()}  # a Said in a Said
        return translate(self.template).format(**values)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:  # KeyError(said) reads as KeyError("the sentence") did
        return repr(self.text())


class SaidError(Exception):
    """An exception whose message a front shows translated (``exc.said``)."""

    def __init__(self, said: Said) -> None:
        super().__init__(str(said))
        self.said = said


#: What the core says through :class:`Said` (templates and the words put into them).
SAID_TEXTS: list[str] = []


def N_(text: str) -> str:
    """Mark ``text`` as one of :data:`SAID_TEXTS` and return it unchanged."""
    if text not in SAID_TEXTS:
        SAID_TEXTS.append(text)
    return text
