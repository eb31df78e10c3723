"""The CLI's language: its messages and help through a gettext catalogue.

User-facing text goes through :func:`_` (``_("No photos match {query!r}.").format(...)``);
machine output (``--json`` keys, exit codes, paths) never does. The catalogues are
``photoclip/data/i18n/photoclip_cli_<lang>.po`` (the sources, any gettext tool edits them) and
the ``.mo`` compiled from them (``scripts/update_translations.py``). The language is the
``language`` setting, else the environment's (``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``,
``LANG``), chosen by :func:`photoclip.languages.choose_language`. argparse's own words
("usage:", "options") are translated by the same catalogue.
"""

from __future__ import annotations

import ast
import contextlib
import gettext
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

from photoclip.languages import (
    DEFAULT_LANGUAGE,
    I18N_DIR,
    choose_language,
    environment_languages,
)

#: argparse's own words that photoclip's help and errors show (translated by the same catalogue).
ARGPARSE_TEXTS = (
    "usage: ", "options", "optional arguments", "positional arguments",
    "show this help message and exit", "show program's version number and exit",
    "%(prog)s: error: %(message)s\n", "the following arguments are required: %s",
    "unrecognized arguments: %s", "invalid choice: %(value)r (choose from %(choices)s)",
    "expected one argument", "invalid %(type)s value: %(value)r", "not allowed with argument %s",
    "ambiguous option: %(option)s could match %(matches)s",
)

_catalogue: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT_LANGUAGE
_thread = threading.local()  # a library's owner answers each client in the client's language


def _(text: str) -> str:
    """``text`` in the CLI's language (this thread's, inside :func:`speaking`)."""
    return (getattr(_thread, "catalogue", None) or _catalogue).gettext(text)


def N_(text: str) -> str:
    """Mark ``text`` for the catalogue and return it unchanged (translate it later with
    :func:`_`)."""
    return text


#: A date and time as the CLI shows them (the catalogue gives each language its order:
#: "2023年6月30日 14:02"); :func:`format_time` fills it. Numbers are grouped by thousands
#: (``1,250``) in every language photoclip speaks (:func:`photoclip.cli.output.plural`).
DATE_TIME = N_("{year}-{month:02}-{day:02} {hour:02}:{minute:02}")


def format_time(timestamp: float) -> str:
    """``timestamp`` in local time, in the CLI's language (``2023-06-30 14:02``)."""
    import time

    t = time.localtime(timestamp)
    return _(DATE_TIME).format(year=t.tm_year, month=t.tm_mon, day=t.tm_mday, hour=t.tm_hour,
                               minute=t.tm_min)


def language() -> str:
    """The language the CLI speaks now."""
    return getattr(_thread, "language", None) or _language


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Speak ``lang`` on this thread only (an owner process answering a client)."""
    _hook_argparse()
    _thread.catalogue, _thread.language = _load(lang), lang
    try:
        yield
    finally:
        _thread.catalogue = _thread.language = None


def mo_path(lang: str) -> Path:
    return I18N_DIR / f"photoclip_cli_{lang}.mo"


def set_language(setting: str = "") -> str:
    """Speak ``setting`` (``""``: the environment's language); returns the code used."""
    global _catalogue, _language
    lang = choose_language(setting, environment_languages())
    _catalogue, _language = _load(lang), lang
    _hook_argparse()
    return lang


def _load(lang: str) -> gettext.NullTranslations:
    path = mo_path(lang)
    if lang != DEFAULT_LANGUAGE and path.exists():
        with path.open("rb") as f:
            return gettext.GNUTranslations(f)
    return gettext.NullTranslations()


def _hook_argparse() -> None:
    import argparse

    argparse._ = _  # type: ignore[attr-defined]  # "usage:", "options", its errors


def language_setting() -> str:
    """The ``language`` setting ("" when the settings cannot be read: the environment's)."""
    from photoclip.config import Settings, SettingsError, app_paths

    try:
        return Settings.load(app_paths().settings_file).language
    except (SettingsError, OSError, TypeError):
        return ""


def parse_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a ``.po`` file (the header included, fuzzy and empty ones left out)."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    fuzzy = False
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None and not fuzzy:
            ident, text = "".join(msgid), "".join(msgstr)
            if text:
                entries[ident] = text

    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            flush()
            msgid = msgstr = current = None
            fuzzy = False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid "):
            msgid, current = [ast.literal_eval(line[6:])], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [ast.literal_eval(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
    return entries


def compile_po(path: Path) -> bytes:
    """The ``.mo`` bytes of a ``.po`` file (what msgfmt writes; no gettext tools needed)."""
    entries = parse_po(path)
    keys = sorted(entries)
    ids = [k.encode("utf-8") for k in keys]
    strs = [entries[k].encode("utf-8") for k in keys]
    n = len(keys)
    key_start = 7 * 4 + 16 * n
    value_start = key_start + sum(len(i) + 1 for i in ids)
    offsets, koff, voff = [], key_start, value_start
    for i, s in zip(ids, strs):
        offsets.append((len(i), koff, len(s), voff))
        koff += len(i) + 1
        voff += len(s) + 1
    out = struct.pack("<7I", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0)
    out += b"".join(struct.pack("<2I", a, b) for a, b, _, _ in offsets)
    out += b"".join(struct.pack("<2I", c, d) for _, _, c, d in offsets)
    out += b"".join(i + b"\0" for i in ids) + b"".join(s + b"\0" for s in strs)
    return out
