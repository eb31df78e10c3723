"""MWG face regions (``mwg-rs:Regions``, as digiKam, Lightroom and Picasa exchange them): read
the named regions of a photo's embedded XMP and its sidecars, and write person names into the
sidecar (the photo file is never written).

Boxes are (left, top, width, height) in the upright photo's pixels (EXIF orientation applied);
MWG stores a region's centre and size as fractions of the image (``stArea:unit="normalized"``),
taken here as fractions of the image as displayed, as digiKam and exiftool's MWG tags do.

Writing edits the sidecar's text: the ``mwg-rs:Regions`` element is replaced (the regions that
are not faces, e.g. a "Focus" or "Pet" region, are written back as they were read) or a new
``rdf:Description`` holding it is added before ``</rdf:RDF>``; every other byte stays. The
result is parsed back and must read as asked, or nothing is written.
"""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from PIL import Image

from photoclip.core import keywords

log = logging.getLogger(__name__)

NS_MWG_RS = "http://www.metadataworkinggroup.com/schemas/regions/"
NS_ST_AREA = "http://ns.adobe.com/xmp/sType/Area#"
NS_ST_DIM = "http://ns.adobe.com/xap/1.0/sType/Dimensions#"
_RS, _AREA, _DIM = f"{{{NS_MWG_RS}}}", f"{{{NS_ST_AREA}}}", f"{{{NS_ST_DIM}}}"
_RDF = f"{{{keywords.NS_RDF}}}"
FACE = "Face"

__all__ = ["FACE", "NamedRegion", "read_named_regions", "write_face_regions"]


@dataclass(frozen=True)
class NamedRegion:
    """A region of a photo with a name (``kind`` is MWG's Type: "Face", "Pet", "Focus"...)."""

    name: str
    box: tuple[float, float, float, float]  # left, top, width, height: upright pixels
    kind: str = FACE


# ----- reading ----------------------------------------------------------------------------------


def read_named_regions(photo: str | Path, size: tuple[int, int]) -> list[NamedRegion]:
    """The named MWG regions of a photo (``size``: its upright width and height): a sidecar's
    win over the photo's embedded ones (the sidecar is the later edit); unreadable XMP counts
    as none."""
    for sidecar in keywords.existing_sidecars(photo):
        try:
            found = regions_in(sidecar.read_bytes(), size)
        except (OSError, ValueError, ET.ParseError) as exc:
            log.debug("regions: cannot read %s: %s", sidecar, exc)
            continue
        if found:
            return found
    try:
        data = Path(photo).read_bytes()
    except OSError:
        return []
    for packet in _embedded_packets(data):
        try:
            found = regions_in(packet, size)
        except (ValueError, ET.ParseError) as exc:
            log.debug("regions: bad XMP packet in %s: %s", photo, exc)
            continue
        if found:
            return found
    return []


def _embedded_packets(data: bytes) -> list[bytes]:
    try:
        with Image.open(io.BytesIO(data)) as im:
            xmp = im.info.get("xmp")
        if xmp:
            return [xmp.encode("utf-8") if isinstance(xmp, str) else xmp]
    except Exception:  # not something Pillow opens: scan the bytes
        pass
    return list(keywords._scan_packets(data))


def regions_in(document: bytes, size: tuple[int, int]) -> list[NamedRegion]:
    """The named regions of one XMP document (UnsafeXMPError/ParseError for bad XML)."""
    root = keywords._parse_xmp(document)
    width, height = size
    out: list[NamedRegion] = []
    for regions in root.iter(f"{_RS}Regions"):
        for li in regions.iter(f"{_RDF}li"):
            item = _resource(li)
            name = _value(item, f"{_RS}Name")
            area = _child(item, f"{_RS}Area")
            if not name or area is None:
                continue
            try:
                x, y = float(_value(area, f"{_AREA}x")), float(_value(area, f"{_AREA}y"))
                w, h = float(_value(area, f"{_AREA}w")), float(_value(area, f"{_AREA}h"))
            except (TypeError, ValueError):
                continue
            if (_value(area, f"{_AREA}unit") or "normalized") != "normalized" or w <= 0 or h <= 0:
                continue
            box = ((x - w / 2) * width, (y - h / 2) * height, w * width, h * height)
            box = (max(0.0, box[0]), max(0.0, box[1]), box[2], box[3])
            out.append(NamedRegion(name.strip(), box, _value(item, f"{_RS}Type") or FACE))
    return out


def _resource(li: ET.Element) -> ET.Element:
    """The element holding a list item's fields (an rdf:Description or the li itself)."""
    desc = li.find(f"{_RDF}Description")
    return desc if desc is not None else li


def _child(el: ET.Element, tag: str) -> ET.Element | None:
    found = el.find(tag)
    if found is None:
        return None
    desc = found.find(f"{_RDF}Description")
    return desc if desc is not None else found


def _value(el: ET.Element, tag: str) -> str | None:
    """A field written as an attribute or as a child element's text."""
    if tag in el.attrib:
        return el.attrib[tag]
    child = el.find(tag)
    return child.text.strip() if child is not None and child.text else None


# ----- writing ----------------------------------------------------------------------------------


def write_face_regions(photo: str | Path, faces: Sequence[NamedRegion], size: tuple[int, int]
                       ) -> Path | None:
    """Make ``faces`` the named face regions of ``photo``'s sidecar (the existing sidecar, else
    ``photo.jpg.xmp``), keeping its regions of other kinds and every other byte. Returns the
    sidecar, or None when it was already so. ValueError for a sidecar that is not valid XMP or
    an edit that would not read back as asked (nothing is written then)."""
    existing = keywords.existing_sidecars(photo)
    target = existing[0] if existing else keywords.sidecar_path(photo)
    original = target.read_bytes() if target.exists() else None
    if original is None and not faces:
        return None
    kept = []
    if original is not None:
        try:
            kept = [r for r in regions_in(original, size) if r.kind != FACE]
        except ET.ParseError as exc:
            raise ValueError(f"cannot update {target}: not valid XMP ({exc})") from exc
        current = regions_in(original, size)
        if _same(current, [*faces, *kept], size):
            return None
    wanted = [*faces, *kept]
    text = original.decode("utf-8") if original is not None else _NEW_DOCUMENT
    payload = _edited(text, wanted, size).encode("utf-8")
    if not _same(regions_in(payload, size), wanted, size):
        raise ValueError(f"cannot update {target}: the regions would not read back as written")
    if original is not None and keywords._subjects(keywords._parse_xmp(payload)) != \
            keywords._subjects(keywords._parse_xmp(original)):
        raise ValueError(f"cannot update {target}: its keywords would change")
    keywords._atomic_write(target, payload)
    return target


def _same(a: Sequence[NamedRegion], b: Sequence[NamedRegion], size: tuple[int, int]) -> bool:
    def key(r: NamedRegion) -> tuple:
        return (r.name, r.kind, *(round(v / s, 4) for v, s in zip(r.box, (*size, *size))))
    return sorted(map(key, a)) == sorted(map(key, b))


_NEW_DOCUMENT = """<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="photoclip">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
"""


def _edited(text: str, regions: Sequence[NamedRegion], size: tuple[int, int]) -> str:
    rdf = _prefix_of(text, keywords.NS_RDF) or "rdf"
    rs = _prefix_of(text, NS_MWG_RS)
    if rs is not None:
        m = re.search(rf"(?m)^([ \t]*)<{re.escape(rs)}:Regions\b[^>]*?(/>|>)", text)
        if m is not None:
            end = m.end() if m.group(2) == "/>" else text.find(f"</{rs}:Regions>", m.end())
            if end < 0:
                raise ValueError("an mwg-rs:Regions element without its end")
            if m.group(2) == ">":
                end += len(f"</{rs}:Regions>")
            if not regions:  # no region left: the element goes (and the block, if ours)
                return _without_our_block(text[: m.start()] + text[end:].removeprefix("\n"))
            indent = m.group(1)
            new = _regions_element(regions, size, rdf, indent, declare=True).lstrip()
            # the element's own line end is in ``new``: one more would add a blank line a time
            return text[: m.start()] + indent + new + text[end:].removeprefix("\n")
    close = re.search(rf"(?m)^([ \t]*)</{re.escape(rdf)}:RDF>", text)
    if close is None:
        raise ValueError("no rdf:RDF element to add the regions to")
    indent = close.group(1) + " "
    block = (f'{indent}<{rdf}:Description {rdf}:about=""\n{indent}    xmlns:mwg-rs="{NS_MWG_RS}"'
             f'\n{indent}    xmlns:stDim="{NS_ST_DIM}"\n{indent}    xmlns:stArea="{NS_ST_AREA}">\n'
             f"{_regions_element(regions, size, rdf, indent + ' ', declare=False)}"
             f"{indent}</{rdf}:Description>\n")
    return text[: close.start()] + block + text[close.start():]


def _without_our_block(text: str) -> str:
    """``text`` without an empty rdf:Description of the form photoclip adds for regions
    (so taking the last region out of another tool's sidecar gives back its bytes)."""
    block = re.compile(
        r'(?m)^[ \t]*<(\w+):Description \1:about=""\n[ \t]*xmlns:mwg-rs="'
        + re.escape(NS_MWG_RS) + r'"\n[ \t]*xmlns:stDim="' + re.escape(NS_ST_DIM)
        + r'"\n[ \t]*xmlns:stArea="' + re.escape(NS_ST_AREA)
        + r'">\n(?:[ \t]*\n)*[ \t]*</\1:Description>\n')
    return block.sub("", text, count=1)


def _regions_element(regions: Sequence[NamedRegion], size: tuple[int, int], rdf: str,
                     indent: str, *, declare: bool) -> str:
    width, height = size
    ns = (f' xmlns:mwg-rs="{NS_MWG_RS}" xmlns:stDim="{NS_ST_DIM}" xmlns:stArea="{NS_ST_AREA}"'
          if declare else "")
    i = [indent + " " * k for k in range(7)]
    lines = [f'{i[0]}<mwg-rs:Regions {rdf}:parseType="Resource"{ns}>',
             f'{i[1]}<mwg-rs:AppliedToDimensions stDim:w="{width}" stDim:h="{height}" '
             'stDim:unit="pixel"/>',
             f"{i[1]}<mwg-rs:RegionList>", f"{i[2]}<{rdf}:Bag>"]
    for r in regions:
        left, top, w, h = r.box
        cx, cy = (left + w / 2) / width, (top + h / 2) / height
        lines += [f"{i[3]}<{rdf}:li>",
                  f"{i[4]}<{rdf}:Description mwg-rs:Name={quoteattr(r.name)} "
                  f"mwg-rs:Type={quoteattr(r.kind)}>",
                  f'{i[5]}<mwg-rs:Area stArea:x="{cx:.6f}" stArea:y="{cy:.6f}" '
                  f'stArea:w="{w / width:.6f}" stArea:h="{h / height:.6f}" '
                  'stArea:unit="normalized"/>',
                  f"{i[4]}</{rdf}:Description>", f"{i[3]}</{rdf}:li>"]
    lines += [f"{i[2]}</{rdf}:Bag>", f"{i[1]}</mwg-rs:RegionList>", f"{i[0]}</mwg-rs:Regions>"]
    return "\n".join(lines) + "\n"


def _prefix_of(text: str, namespace: str) -> str | None:
    for m in re.finditer(r"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*(["'])(.*?)\2""", text, re.S):
        if m.group(3) == namespace:
            return m.group(1)
    return None
