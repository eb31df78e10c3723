"""The languages photoclip speaks, and the one rule for choosing one (no Qt here).

The ``language`` setting is ``""`` (follow the system) or one of :data:`LANGUAGES`' keys. The
GUI passes the system's UI languages from Qt, the CLI those of the environment (``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES``, ``LANG``); both then call :func:`choose_language`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

#: Language code -> its name in that language (what the Settings list shows).
LANGUAGES: dict[str, str] = {"en": "English", "zh_CN": "简体中文"}
DEFAULT_LANGUAGE = "en"
#: Where the compiled catalogues live (``photoclip_<code>.qm`` for the GUI, ``<code>.mo`` for
#: the CLI); their sources sit beside them (``.ts``, ``.po``).
I18N_DIR = Path(__file__).resolve().parent / "data" / "i18n"


def normalise(name: str) -> str | None:
    """The supported language a locale name means (``"zh_CN.UTF-8"``, ``"zh-Hans-CN"``,
    ``"zh"`` -> ``"zh_CN"``; ``"en_GB"`` -> ``"en"``), or None."""
    base = name.split(".")[0].split("@")[0].replace("-", "_").strip()
    if not base or base in ("C", "POSIX"):
        return None
    parts = base.split("_")
    lang = parts[0].lower()
    if lang == "zh":
        traditional = any(p in ("Hant", "TW", "HK", "MO") for p in parts[1:])
        return None if traditional else "zh_CN"
    return lang if lang in LANGUAGES else None


def choose_language(setting: str, system: Iterable[str]) -> str:
    """The language to use: the setting when it names a supported language, else the first
    supported one of the system's (in order of preference), else English."""
    chosen = normalise(setting) if setting else None
    if chosen:
        return chosen
    for name in system:
        found = normalise(name)
        if found:
            return found
    return DEFAULT_LANGUAGE


def environment_languages(env: Mapping[str, str] | None = None) -> list[str]:
    """The locale names the environment asks for, most preferred first (gettext's order)."""
    env = os.environ if env is None else env
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return [v for v in value.split(":") if v]
    return []
