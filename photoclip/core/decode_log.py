"""Decoder chatter goes to the log, not to the terminal.

Two kinds of messages would otherwise flood stderr on a folder of odd files:

- libtiff's warnings and errors ("Fax3Decode1D: Bad code word at line 985 ...": thousands for
  one damaged fax TIFF), which libtiff's default handlers print to the C-level stderr. Pillow
  offers no Python hook for them, so :func:`install` sets libtiff's own global handlers
  (``TIFFSetWarningHandler``/``TIFFSetErrorHandler``) on the libtiff Pillow loaded, through
  ctypes. Inside :func:`collecting` (around a decode) the messages are counted per thread and
  one line per file is logged; elsewhere each is logged at debug level.
- Python warnings raised inside Pillow (``DecompressionBombWarning``, "Corrupt EXIF data",
  ...): :func:`install` wraps ``warnings.showwarning`` so that these become log records; every
  other warning is shown as before.

Where libtiff cannot be found (e.g. linked into Pillow statically), its messages stay on stderr.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import glob
import logging
import os
import sys
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

import PIL
from PIL import Image

log = logging.getLogger(__name__)

_state = threading.local()
_installed = False
_lock = threading.Lock()
_keep: list[object] = []  # the ctypes callbacks must live as long as libtiff may call them
_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p)


@dataclass
class Messages:
    """What libtiff said during one decode."""

    errors: int = 0
    warnings: int = 0
    first: list[str] = field(default_factory=list)  # the first few, as libtiff wrote them

    def __bool__(self) -> bool:
        return bool(self.errors or self.warnings)

    def summary(self) -> str:
        counts = ", ".join(
            f"{n} {word}{'s' if n != 1 else ''}"
            for n, word in ((self.errors, "error"), (self.warnings, "warning")) if n
        )
        return f"{counts} (first: {'; '.join(self.first)})"


def install() -> bool:
    """Route libtiff's messages and Pillow's Python warnings to the log (idempotent). Whether
    libtiff's handlers could be set."""
    global _installed
    with _lock:
        if _installed:
            return bool(_keep)
        _installed = True
        _wrap_showwarning()
        return _set_libtiff_handlers()


@contextlib.contextmanager
def collecting(name: str) -> Iterator[Messages]:
    """Count libtiff's messages in this thread while decoding ``name``; log one line after."""
    messages = Messages()
    previous = getattr(_state, "messages", None)
    _state.messages = messages
    try:
        yield messages
    finally:
        _state.messages = previous
        if messages:
            log.info("libtiff, decoding %s: %s", name or "an image", messages.summary())


# ----- libtiff ------------------------------------------------------------------------------


def _libtiff_candidates() -> list[str]:
    """Where the libtiff that Pillow loaded is: the wheel's own copy, else the system's."""
    base = os.path.dirname(PIL.__file__)
    found = sorted(glob.glob(os.path.join(os.path.dirname(base), "pillow.libs", "libtiff*")))
    found += sorted(glob.glob(os.path.join(base, ".dylibs", "libtiff*")))
    system = ctypes.util.find_library("tiff")
    return found + ([system] if system else [])


def _vsnprintf() -> object | None:
    if sys.platform == "win32":  # pragma: no cover - Windows wheels link libtiff statically
        return None
    libc = ctypes.CDLL(None)
    fn = libc.vsnprintf
    fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p]
    fn.restype = ctypes.c_int
    return fn


def _set_libtiff_handlers() -> bool:
    from PIL import features

    if not features.check("libtiff"):
        return False
    try:
        vsnprintf = _vsnprintf()
    except (OSError, AttributeError):
        vsnprintf = None
    if vsnprintf is None:
        return False
    for path in _libtiff_candidates():
        try:
            lib = ctypes.CDLL(path)
            set_warning, set_error = lib.TIFFSetWarningHandler, lib.TIFFSetErrorHandler
        except (OSError, AttributeError):
            continue
        for setter, kind in ((set_warning, "warning"), (set_error, "error")):
            setter.argtypes, setter.restype = [_HANDLER], ctypes.c_void_p
            handler = _HANDLER(_make_handler(kind, vsnprintf))
            _keep.append(handler)
            setter(handler)
        log.debug("libtiff messages go to the log (%s)", path)
        return True
    return False


def _make_handler(kind: str, vsnprintf: object) -> object:
    def handler(module: bytes | None, fmt: bytes | None, args: int | None) -> None:
        try:
            buf = ctypes.create_string_buffer(512)
            vsnprintf(buf, len(buf), fmt or b"", args)  # type: ignore[operator]
            text = buf.value.decode("utf-8", "replace")
            where = (module or b"").decode("utf-8", "replace")
            message = f"{where}: {text}" if where else text
            current: Messages | None = getattr(_state, "messages", None)
            if current is None:
                log.debug("libtiff %s: %s", kind, message)
                return
            if kind == "error":
                current.errors += 1
            else:
                current.warnings += 1
            if len(current.first) < 3:
                current.first.append(message)
        except Exception:  # never raise into C
            pass

    return handler


# ----- Python warnings from Pillow ------------------------------------------------------------

_PIL_DIR = os.path.dirname(PIL.__file__)


def _wrap_showwarning() -> None:
    shown = warnings.showwarning

    def showwarning(message: Warning | str, category: type[Warning], filename: str,
                    lineno: int, file: object = None, line: str | None = None) -> None:
        if issubclass(category, Image.DecompressionBombWarning) or (
                filename or "").startswith(_PIL_DIR):
            log.info("Pillow: %s", message)
            return
        shown(message, category, filename, lineno, file, line)  # type: ignore[arg-type]

    warnings.showwarning = showwarning
