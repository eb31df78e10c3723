"""Star ratings and the favourite flag in XMP: read from a photo (embedded XMP) and its
sidecars, written into its sidecar only (never into the photo).

- Rating: ``xmp:Rating`` (0-5), as digiKam, darktable and Lightroom read and write it. Values
  below 0 (Lightroom's -1, "rejected") read as 0, above 5 as 5.
- Favourite: ``photoclip:Favorite`` ("True"/"False", namespace :data:`NS_PHOTOCLIP`). No common
  XMP property means "favourite" (a 5-star rating is a rating), so photoclip keeps its own;
  other tools keep unknown properties of a sidecar as they are.

A sidecar's value wins over the photo's own (the sidecar is what other tools edit). Writing
edits the sidecar's text in place (an attribute or element changed, or an attribute added to the
first ``rdf:Description``), keeping every other byte, and checks that the result reads back as
asked; a sidecar it cannot edit safely is a ValueError and stays as it was.
"""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from photoclip.core import keywords as keyword_files

log = logging.getLogger(__name__)

__all__ = ["NS_PHOTOCLIP", "NS_XMP", "Marks", "read_marks", "write_marks"]

NS_XMP = "http://ns.adobe.com/xap/1.0/"
NS_PHOTOCLIP = "http://photoclip.org/ns/1.0/"
_RATING, _FAVOURITE = f"{{{NS_XMP}}}Rating", f"{{{NS_PHOTOCLIP}}}Favorite"
_RDF_DESC = f"{{{keyword_files.NS_RDF}}}Description"


@dataclass(frozen=True)
class Marks:
    """A rating and favourite flag as found in XMP (None: not given there)."""

    rating: int | None = None
    favourite: bool | None = None

    def over(self, other: Marks) -> Marks:
        """These values, with ``other``'s where these are not given."""
        return Marks(other.rating if self.rating is None else self.rating,
                     other.favourite if self.favourite is None else self.favourite)


def _rating(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        value = round(float(text.strip()))
    except ValueError:
        return None
    return max(0, min(5, value))


def _flag(text: str | None) -> bool | None:
    if text is None or not text.strip():
        return None
    return text.strip().lower() in ("true", "1", "yes")


def packet_marks(packet: bytes) -> Marks:
    """The marks in one XMP packet or sidecar (attribute or element form)."""
    root = keyword_files._parse_xmp(packet)
    rating: int | None = None
    favourite: bool | None = None
    for desc in root.iter(_RDF_DESC):
        for tag, is_rating in ((_RATING, True), (_FAVOURITE, False)):
            text = desc.get(tag)
            if text is None and (el := desc.find(tag)) is not None:
                text = el.text
            if is_rating and rating is None:
                rating = _rating(text)
            elif not is_rating and favourite is None:
                favourite = _flag(text)
    return Marks(rating, favourite)


def _embedded_packets(data: bytes) -> list[bytes]:
    region = data
    try:
        keyword_files._register_heif()
        with Image.open(io.BytesIO(data)) as im:
            xmp = im.info.get("xmp")
            region = keyword_files.scan_region(data, im)
        if isinstance(xmp, str):
            xmp = xmp.encode("utf-8")
        if xmp:
            return [xmp]
    except Exception as exc:  # RAW and others: scan the bytes
        log.debug("marks: Pillow cannot open the photo: %s", exc)
    return list(keyword_files._scan_packets(region))


def read_marks(photo: str | Path, data: bytes | None = None) -> Marks:
    """The rating and favourite flag of ``photo`` (its sidecars over its own XMP). Never raises
    for bad or absent metadata."""
    found = Marks()
    for sidecar in keyword_files.existing_sidecars(photo):
        try:
            found = found.over(packet_marks(sidecar.read_bytes()))
        except Exception as exc:
            log.debug("marks: skipping sidecar %s: %s", sidecar, exc)
    if found.rating is not None and found.favourite is not None:
        return found
    if data is None:
        try:
            data = Path(photo).read_bytes()
        except OSError as exc:
            log.debug("marks: cannot read %s: %s", photo, exc)
            return found
    for packet in _embedded_packets(data):
        try:
            found = found.over(packet_marks(packet))
        except Exception as exc:
            log.debug("marks: bad XMP packet in %s: %s", photo, exc)
    return found


# ---------------------------------------------------------------------------------- writing

_NEW_SIDECAR = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""/>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
"""
_DECL = re.compile(r"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*(["'])(.*?)\2""", re.S)


def _prefix(text: str, ns: str) -> str | None:
    bound = {m.group(1) for m in _DECL.finditer(text) if m.group(3) == ns}
    return bound.pop() if len(bound) == 1 else None


def _set(text: str, ns: str, local: str, value: str, default_prefix: str) -> str:
    """``text`` with the property ns:local set to ``value`` (see the module docstring)."""
    prefix = _prefix(text, ns)
    if prefix is not None:
        name = re.escape(f"{prefix}:{local}")
        attr = re.compile(rf"""(\s{name}\s*=\s*)(["'])(.*?)\2""", re.S)
        if attr.search(text):
            return attr.sub(lambda m: f"{m.group(1)}{m.group(2)}{value}{m.group(2)}", text, 1)
        elem = re.compile(rf"(<{name}>)([^<]*)(</{name}>)")
        if elem.search(text):
            return elem.sub(lambda m: f"{m.group(1)}{value}{m.group(3)}", text, 1)
    rdf = _prefix(text, keyword_files.NS_RDF) or "rdf"
    desc = re.search(rf"<{re.escape(rdf)}:Description(?=[\s/>])", text)
    if desc is None:
        raise ValueError("no rdf:Description to add the property to")
    used = {m.group(1) for m in _DECL.finditer(text)}
    added = ""
    if prefix is None:
        prefix = default_prefix
        while prefix in used:
            prefix += "x"
        added = f' xmlns:{prefix}="{ns}"'
    return f'{text[:desc.end()]}{added} {prefix}:{local}="{value}"{text[desc.end():]}'


def write_marks(photo: str | Path, rating: int, favourite: bool) -> Path:
    """Set ``xmp:Rating`` and ``photoclip:Favorite`` in ``photo``'s sidecar (an existing one,
    else ``photo.jpg.xmp``); returns its path. The photo is never touched."""
    if not 0 <= int(rating) <= 5:
        raise ValueError(f"a rating is 0 to 5 stars, not {rating}")
    existing = keyword_files.existing_sidecars(photo)
    target = existing[0] if existing else keyword_files.sidecar_path(photo, "darktable")
    original = target.read_bytes() if existing else _NEW_SIDECAR.encode("utf-8")
    try:
        text = original.decode("utf-8")
        packet_marks(original)  # refuse to edit what does not parse
    except (UnicodeDecodeError, ET.ParseError, ValueError) as exc:
        raise ValueError(f"cannot update {target}: not valid XMP ({exc})") from exc
    text = _set(text, NS_XMP, "Rating", str(int(rating)), "xmp")
    if favourite or _prefix(text, NS_PHOTOCLIP) is not None:
        text = _set(text, NS_PHOTOCLIP, "Favorite", "True" if favourite else "False",
                    "photoclip")
    payload = text.encode("utf-8")
    try:
        back = packet_marks(payload)
    except (ET.ParseError, ValueError) as exc:
        raise ValueError(f"cannot update {target}: the edit did not parse ({exc})") from exc
    if back.rating != int(rating) or bool(back.favourite) != bool(favourite):
        raise ValueError(f"cannot update {target}: its layout hides the edit")
    if payload != original or not existing:
        keyword_files._atomic_write(target, payload)
    return target
