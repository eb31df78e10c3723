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


class Spoken:
    """What can be put into a :class:`Said` as a value and is said in the front's language
    too (a :class:`Said`, :class:`Listed`, :class:`Count`)."""

    def text(self, translate: Translate = _same) -> str:  # pragma: no cover - overridden
        raise NotImplementedError


@dataclass(frozen=True)
class Said(Spoken):
    """``template.format(**values)``, translated at the front; ``words``: the values that are
    words of the catalogue themselves (``"label set"``), translated too."""

    template: str
    values: Mapping[str, Any] = field(default_factory=dict)
    words: tuple[str, ...] = ()

    def text(self, translate: Translate = _same) -> str:
        values = {k: v.text(translate) if isinstance(v, Spoken) else translate(v)
                  if k in self.words else v for k, v in self.values.items()}  # a Said in a Said
        return translate(self.template).format(**values)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:  # KeyError(said) reads as KeyError("the sentence") did
        return repr(self.text())


#: How :class:`Listed` joins its items ("a, b, c"; Chinese "a、b、c").
LIST = "{items}, {item}"
#: How :class:`Listed` joins alternatives ("a or b") and the last of several ("a and b").
ALTERNATIVES = "{items} or {item}"
AND = "{items} and {item}"
#: A count with its translated noun (:class:`Count`).
COUNT = "{count} {noun}"


@dataclass(frozen=True)
class Listed(Spoken):
    """Items (plain values or :class:`Spoken` ones) joined by ``joiner`` (:data:`LIST`,
    :data:`ALTERNATIVES`, :data:`AND`) in the front's language."""

    items: tuple[Any, ...]
    joiner: str = LIST

    def text(self, translate: Translate = _same) -> str:
        shown = [i.text(translate) if isinstance(i, Spoken) else str(i) for i in self.items]
        out = shown[0] if shown else ""
        for item in shown[1:]:
            out = translate(self.joiner).format(items=out, item=item)
        return out

    def __str__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Count(Spoken):
    """``"1 photo"``, ``"3 photos"`` (:func:`photoclip.core.types.counted`); where the front
    translates ``noun``, the number and its translation (``"3 张照片"``)."""

    n: int
    noun: str
    plural: str | None = None

    def text(self, translate: Translate = _same) -> str:
        word = translate(self.noun)
        if word == self.noun:
            from photoclip.core.types import counted

            return counted(self.n, self.noun, self.plural)
        return translate(COUNT).format(count=f"{self.n:,}", noun=word)

    def __str__(self) -> str:
        return self.text()


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


for _text in (LIST, ALTERNATIVES, AND, COUNT):
    N_(_text)


def said_error(error: BaseException, said: Said) -> BaseException:
    """``error`` (e.g. a FileNotFoundError made from ``str(said)``) carrying ``said`` for the
    fronts (:func:`photoclip.core.errors.user_message` shows ``exc.said`` translated)."""
    error.said = said  # type: ignore[attr-defined]
    return error
