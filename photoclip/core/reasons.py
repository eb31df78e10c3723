"""Why a photo could not be indexed, or what is wrong with a catalog file: short English texts
the core stores (the catalog's ``error`` column, ``IndexReport.failures``, a recovery plan's
``problem``) and the fronts show in the user's language.

The core writes each from one of the templates below (``reason(TOO_LARGE, size=12)``); a front
shows a stored text with :func:`shown` (``shown(text, tr)``), which recognises the template it
came from and translates it (:class:`~photoclip.core.said.Said`). A text no template made (a
decoder's own words, a reason stored by an older photoclip) is shown as it is.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from photoclip.core.said import N_, Said, Translate, _same

REASONS: list[str] = []


def _reason(template: str) -> str:
    REASONS.append(N_(template))
    return template


# ----- a photo that could not be read (the indexer, the decoders) ----------------------------
TOO_LARGE_FILE = _reason("file too large ({size} MiB)")
CANNOT_READ = _reason("cannot read file: {error}")
UNEXPECTED = _reason("unexpected error: {error}")
EMPTY = _reason("empty file")
TRUNCATED = _reason("truncated file")
TOO_LARGE = _reason("image too large")
TOO_MANY_PIXELS = _reason("image too large ({mp} MP > {limit} MP limit)")
BOMB = _reason("decompression bomb ({mp} MP from {kb} KB)")
NO_MEMORY = _reason("out of memory while decoding")
SVG = _reason("SVG (vector) images are not supported")
JPEG_XL = _reason("JPEG XL is not supported")
CORRUPT = _reason("corrupt {format}")
CORRUPT_BECAUSE = _reason("corrupt {format}: {error}")
CORRUPT_IMAGE = _reason("corrupt image: {error}")
CORRUPT_TIFF = _reason("unsupported or corrupt TIFF")
NO_CODEC = _reason("{format} is not supported by this build of Pillow")
NO_CODEC_ANY = _reason("this format is not supported by this build of Pillow")
NO_JPEG2000 = _reason("JPEG 2000 is not supported by this build of Pillow (it lacks OpenJPEG)")
NO_HEIF = _reason("HEIF support is not installed")
TEXT_FILE = _reason("not an image (text file)")
NOT_AN_IMAGE = _reason("not an image or unsupported format")
# ----- a catalog file (core.catalog_backup.check) --------------------------------------------
NO_FILE = _reason("the file does not exist")
EMPTY_FILE = _reason("the file is empty (0 bytes)")
MISSING_FILE = _reason("the file is missing")
NOT_A_CATALOG = _reason("it holds no photoclip catalog")
# ----- why the vector store could not help a recovery (core.recovery) ------------------------
UNKNOWN_COLLECTION = _reason("the library's collection on the Chroma server is not known any "
                             "more")
NO_VECTORS = _reason("the vector store holds no vectors for the model {model}")


def reason(template: str, **values: Any) -> str:
    """The English text of ``template`` (one of :data:`REASONS`) with ``values`` (as texts)."""
    return template.format(**{k: str(v) for k, v in values.items()})


_FIELD = re.compile(r"\{(\w+)\}")


@functools.cache
def _pattern(template: str) -> re.Pattern[str]:
    parts, seen, pos = [], set(), 0
    for m in _FIELD.finditer(template):
        parts.append(re.escape(template[pos:m.start()]))
        name = m.group(1)
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.+?)")
        seen.add(name)
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("".join(parts), re.DOTALL)


def _literal(template: str) -> int:
    return len(_FIELD.sub("", template))


def recognise(text: str, templates: list[str] | None = None) -> Said | None:
    """The :class:`Said` that ``text`` was made from, of ``templates`` (default
    :data:`REASONS`); the template with the most words of its own wins. None: none made it."""
    for template in sorted(templates or REASONS, key=_literal, reverse=True):
        m = _pattern(template).fullmatch(text)
        if m is not None:
            return Said(template, m.groupdict())
    return None


def shown(text: str, translate: Translate = _same) -> str:
    """A stored reason in the front's language (as stored when no template made it)."""
    said = recognise(text)
    return said.text(translate) if said is not None else text
