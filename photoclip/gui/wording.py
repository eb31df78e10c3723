"""Words for the GUI. Counts of things ("1 photo", "2 photos") follow the core's one rule in
English; other languages translate the noun (Chinese puts the measure word there: "张照片")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from photoclip.core.browse import shown_count_text
from photoclip.core.types import counted, plural_of
from photoclip.gui.i18n import N_, format_number, tr

if TYPE_CHECKING:
    from photoclip.gui.queries import Browse


def plural(n: int, noun: str, many: str | None = None) -> str:
    """``noun`` for ``n`` of it (:func:`photoclip.core.types.plural_of`)."""
    return plural_of(n, noun, many)


#: The nouns the GUI counts (for the translators; English keeps the core's plural rule).
COUNTED_NOUNS = (
    N_("photo", "noun"), N_("plugin", "noun"),
    N_("selected photo", "noun"), N_("face", "noun"), N_("group", "noun"),
    N_("suggestion", "noun"),
)


def count_of(n: int, noun: str, many: str | None = None) -> str:
    """``"1 photo"``, ``"1,250 photos"`` (:func:`photoclip.core.types.counted`); in another
    language the number in its format and the noun's translation (``"1,250 张照片"``)."""
    word = tr(noun, "noun")
    if word == noun:
        return counted(n, noun, many)
    return tr("{count} {noun}").format(count=format_number(n), noun=word)


def shown_count(n: int, searching: bool, waiting: int = 0) -> str:
    """The count above the grid (:func:`photoclip.core.browse.shown_count_text`, the core's
    rule) in the interface's language."""
    return shown_count_text(n, searching=searching, waiting=waiting, words=tr,
                            photos=lambda k: count_of(k, "photo"), number=format_number)


NO_INTERNET = N_(
    "No internet connection: the model could not be downloaded. You can choose a weights file "
    "you downloaded elsewhere, or try again later."
)
_OFFLINE_TEXT = (
    "name or service not known", "temporary failure in name resolution", "nodename nor servname",
    "getaddrinfo failed", "network is unreachable", "no route to host", "connection refused",
    "failed to establish a new connection", "cannot be reached",
)


def is_offline_error(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the network or the server cannot be reached."""
    import socket

    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, (socket.gaierror, ConnectionError, TimeoutError)):
            return True
        name = type(cur).__name__
        if name in ("ConnectError", "ConnectTimeout", "ConnectionError", "OfflineModeIsEnabled"):
            return True
        if any(t in str(cur).lower() for t in _OFFLINE_TEXT):
            return True
        cur = cur.__cause__ or cur.__context__
    return False


def download_failure(exc: BaseException) -> str:
    """What the GUI says when a model download fails: a sentence and what to do, never a raw
    errno or a command line."""
    if is_offline_error(exc):
        return tr(NO_INTERNET)
    root: BaseException = exc
    while root.__cause__ is not None:
        root = root.__cause__
    reason = (str(root).strip().splitlines() or [type(root).__name__])[0][:160]
    return tr("The model could not be downloaded ({reason}). You can choose a weights file you "
              "downloaded elsewhere, or try again later.").format(reason=reason)


NEEDS_MODEL = N_(
    "Searching needs the model, which is not installed yet: download it or choose a weights "
    "file (Model menu). Meanwhile, browse your photos by folder and date in the sidebar."
)


def empty_grid_text(browse: Browse, has_folders: bool) -> str:
    """Why the grid of this request (a :class:`photoclip.gui.queries.Browse`) is empty."""
    text = browse.text.strip()
    if text:
        return tr("No photos match \u201c{text}\u201d. Try other words, or fewer filters."
                  ).format(text=text)
    if browse.image or browse.similar_to is not None:
        return tr("No photos are like this one here. Try another photo, or fewer filters.")
    if browse.folder or browse.tag or browse.album or browse.after or browse.before:
        return tr("No photos match these filters. Clear one of them, or choose "
                  "\u201cAll photos\u201d in the sidebar.")
    if not has_folders:
        return tr("Your library is empty: add a folder of photos "
                  "(File \u203a Add photo folder\u2026).")
    return tr("No photos yet: photoclip is looking through your folders\u2026")
