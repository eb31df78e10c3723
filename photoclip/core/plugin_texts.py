"""A plugin's texts in the user's language: the one rule both fronts use.

A plugin's ``plugin.toml`` may carry a table per language of its own texts (its description,
its actions' titles, descriptions and option help, its analyzers' titles, its search filters'
help), written in English in the code and translated there::

    [translations.zh_CN]
    "Find duplicates" = "查找重复照片"
    "Group identical and near-identical photos for review (nothing is deleted)" = "…"

The fronts show ``plugin_text(translations, text, language)`` (or
:meth:`PluginHost.text <photoclip.core.plugin_host.PluginHost.text>`): the translation when
the table has one, else the text as written. A sentence with values (an action's result, a
:class:`~photoclip.core.said.Said` such as ``Said("exported {photos} to {folder}", ...)``) is
shown with :func:`plugin_said`: its template (and the nouns of its counts, ``"photo"``) are
entries of the table too. An option's label in the GUI's form is :func:`option_label`
(``--max-distance``: "Max distance"), an entry as well. Texts are compared as the fronts show them
(:func:`~photoclip.core.types.display_text`: reST/Markdown marks removed, lines joined).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from photoclip.core.said import Spoken, Translate, _same
from photoclip.core.types import Option, display_text
from photoclip.languages import normalise

Translations = Mapping[str, Mapping[str, str]]  # language code -> {English: translation}


class TranslationsError(ValueError):
    """A manifest's ``[translations]`` table is malformed."""


def parse_translations(value: Any, location: str) -> dict[str, dict[str, str]]:
    """The ``[translations]`` table of a manifest (language names normalised: ``zh-CN``,
    ``zh_CN`` -> ``zh_CN``; texts as shown). TranslationsError saying what is wrong."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(
        isinstance(table, dict) and all(isinstance(k, str) and isinstance(v, str)
                                        for k, v in table.items())
        for table in value.values()
    ):
        raise TranslationsError(f"{location}: 'translations' must be tables of "
                                '"English text" = "translation", one per language '
                                "([translations.zh_CN])")
    out: dict[str, dict[str, str]] = {}
    for lang, table in value.items():
        code = normalise(lang)
        if code is None:
            raise TranslationsError(f"{location}: 'translations.{lang}': not a language "
                                    "photoclip speaks")
        out.setdefault(code, {}).update(
            {display_text(k): display_text(v) for k, v in table.items() if v.strip()})
    return out


def plugin_text(translations: Translations, text: str, language: str) -> str:
    """``text`` (a plugin's, as written in English) in ``language`` when ``translations`` has
    it, else as written; always as shown (plain text)."""
    shown = display_text(text)
    return translations.get(language, {}).get(shown, shown)


def option_label(option: Option) -> str:
    """The label of an action's option in a form, in English: its name in words
    (``max-distance``: "Max distance"); translated as a plugin text."""
    return option.name.replace("-", " ").capitalize()


def plugin_said(
    tables: Iterable[Translations], message: object, language: str,
    fallback: Translate = _same,
) -> str:
    """A plugin's ``message`` (a text, or a :class:`~photoclip.core.said.Spoken` such as a
    :class:`~photoclip.core.said.Said`) in ``language``: each template and word from the
    first of ``tables`` that has it, else ``fallback`` (the front's own catalogue: photoclip's
    words, "photo"), else as written."""
    found = [t.get(language, {}) for t in tables]

    def translate(text: str) -> str:
        shown = display_text(text)
        for table in found:
            if shown in table:
                return table[shown]
        return fallback(text)

    if isinstance(message, Spoken):
        return message.text(translate)
    return translate(str(message)) if str(message) else ""
