"""The GUI's language: Qt translators for the chosen language, and the locale for dates and
numbers.

Every string the GUI shows goes through :func:`tr` with a literal text
(``tr("Opening the library…")``, ``tr("Adding {folder}…").format(folder=name)``: never an
f-string inside ``tr``); module constants, made before the translators are installed, are
marked with :func:`N_` and translated where used (``tr(NEEDS_MODEL)``).
``scripts/update_translations.py`` collects both into ``photoclip/data/i18n/*.ts`` (one Qt
context, ``photoclip``) and compiles the ``.qm`` files shipped in the package.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import (
    QCoreApplication,
    QDateTime,
    QLibraryInfo,
    QLocale,
    QTranslator,
)
from PySide6.QtGui import QFontDatabase

from photoclip.gui import tag_names
from photoclip.languages import DEFAULT_LANGUAGE, I18N_DIR, choose_language

log = logging.getLogger(__name__)

_installed: list[QTranslator] = []


CONTEXT = "photoclip"


def tr(text: str, disambiguation: str | None = None) -> str:
    """``text`` in the interface's language (``disambiguation`` tells apart two meanings of one
    English text, e.g. ``tr("Open", "verb")``)."""
    return QCoreApplication.translate(CONTEXT, text, disambiguation)


def N_(text: str, disambiguation: str | None = None) -> str:
    """Mark ``text`` for translation and return it unchanged (translate it later with
    :func:`tr`, with the same ``disambiguation``)."""
    return text


def system_languages() -> list[str]:
    """The system's UI languages, most preferred first (as Qt reads them)."""
    return [*QLocale.system().uiLanguages(), QLocale.system().name()]


def install_language(app: QCoreApplication, setting: str = "") -> str:
    """Install the translators for ``setting`` (``""``: the system's language) on ``app`` and
    make its locale the default for dates and numbers. Returns the language code used."""
    language = choose_language(setting, system_languages())
    tag_names.language = language
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    QLocale.setDefault(QLocale(language) if setting else QLocale.system())
    if language == DEFAULT_LANGUAGE:
        return language
    ours = QTranslator(app)
    if ours.load(str(I18N_DIR / f"photoclip_{language}.qm")):
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        log.warning("No translation for %s in %s: the interface stays in English",
                    language, I18N_DIR)
    problem = font_problem(language)
    if problem:
        log.warning("%s", problem)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt = QTranslator(app)  # Qt's own words (OK, Cancel, the file dialog)
    if qt.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qt)
        _installed.append(qt)
    return language


#: The writing system each language needs a font for (the others are Latin).
_SCRIPTS = {"zh_CN": QFontDatabase.WritingSystem.SimplifiedChinese}


def font_problem(language: str) -> str | None:
    """What is wrong when no installed font can show ``language`` (its text would show as
    boxes), in English, as it may not be readable in that language; None when one can."""
    script = _SCRIPTS.get(language)
    if script is None or QFontDatabase.families(script):
        return None
    return (f"No font on this system can show {language} text, so it shows as boxes: install "
            "one (Debian/Ubuntu: fonts-noto-cjk; Fedora: google-noto-sans-cjk-fonts)")


def format_number(n: int | float) -> str:
    """``n`` in the locale's format (``1,250``; the C locale, which groups no digits, as
    English)."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return f"{n:,}"
    return locale.toString(n)


def date_format() -> str:
    """The locale's short date format for date fields (the C locale: ``yyyy-MM-dd``)."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        return "yyyy-MM-dd"
    return locale.dateFormat(QLocale.FormatType.ShortFormat)


def format_date(timestamp: float) -> str:
    """A photo's date and time in the locale's short format (the C locale: ``2024-05-03 14:02``)."""
    locale = QLocale()
    if locale.language() == QLocale.Language.C:
        from datetime import datetime

        return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")
    when = QDateTime.fromSecsSinceEpoch(int(timestamp))
    return locale.toString(when, QLocale.FormatType.ShortFormat)


