"""What the GUI shows for an automatic tag: its label's name in the interface's language
(``dog`` -> ``狗``, from the label sets' ``names``); the tag itself, what filters and edits
use, stays the label's ``name``. Qt-free: :func:`load` runs on the work lane."""

from __future__ import annotations

from typing import TYPE_CHECKING

from photoclip.core.labels import display_names

if TYPE_CHECKING:
    from photoclip.core.library import Library

#: The interface's language (set by :func:`photoclip.gui.i18n.install_language`).
language = "en"
_shown: dict[str, str] = {}
_shown_language = "en"  # the language _shown was read in


def shown(tag: str) -> str:
    """``tag`` as the user sees it (as it is until names in the current language are read)."""
    return _shown.get(tag, tag) if _shown_language == language else tag


def load(lib: Library) -> None:
    """Read the label sets' names in the interface's language (disk work: off the GUI thread)."""
    global _shown, _shown_language
    wanted = language
    _shown = display_names(lib.label_sets().values(), wanted) if wanted != "en" else {}
    _shown_language = wanted
