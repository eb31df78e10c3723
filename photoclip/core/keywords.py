"""Keyword interoperability: read the keywords other tools attached to a photo; write sidecars.

Reading (:func:`read_keywords`) collects, in this order, deduplicated case-insensitively (the
first spelling wins) and with the order kept:

1. the photo's embedded XMP packet(s): ``dc:subject``, then ``lr:hierarchicalSubject``
   (``"Places|France|Paris"``) and ``digiKam:TagsList`` (``"Places/France/Paris"``);
2. its embedded IPTC-IIM keywords (record 2, dataset 25), UTF-8 when the IIM says so (1:90)
   or when the bytes are valid UTF-8, else Latin-1;
3. its XMP sidecars: ``photo.jpg.xmp`` (darktable, digiKam) and ``photo.xmp`` (Lightroom,
   Adobe Bridge), each also spelt ``.XMP``.

Hierarchical keywords keep only their leaf (``"Paris"``): photoclip's tags are flat, and the
tools that write hierarchies also put the leaf (and often its ancestors) into ``dc:subject``, so
the full path would mostly add noise. darktable's own bookkeeping tags (``"darktable|..."``,
e.g. ``darktable|format|nef``) are not keywords and are skipped.

Writing (:func:`write_sidecar`) never touches the photo: it creates or updates an XMP sidecar.
In an existing one only the keyword bags change, edited in place so that every other byte stays
(:mod:`photoclip.core.xmp_edit`; :mod:`photoclip.core.xmp_rewrite` re-serialises the layouts that
cannot be edited so): ``dc:subject`` becomes the keywords, and ``digiKam:TagsList``,
``lr:hierarchicalSubject`` and ``MicrosoftPhoto:LastKeywordXMP``, where present, lose the entries
whose leaf is no longer a keyword (otherwise it would come back on the next read) and gain the
new keywords as top-level entries (digiKam reads TagsList first).

XMP is parsed with :mod:`xml.etree.ElementTree` after rejecting any packet carrying a DOCTYPE or
ENTITY declaration, so no entity (external or internal) is ever expanded. Reading never raises
for bad metadata: what could not be read is logged at debug level and skipped.
"""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, IptcImagePlugin

from photoclip.core import xmp_edit, xmp_rewrite

log = logging.getLogger(__name__)

NS_X = "adobe:ns:meta/"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_LR = "http://ns.adobe.com/lightroom/1.0/"
NS_DIGIKAM = "http://www.digikam.org/ns/1.0/"

_RDF, _DC = f"{{{NS_RDF}}}", f"{{{NS_DC}}}"
_SUBJECT = f"{_DC}subject"
_HIERARCHIES = {f"{{{NS_LR}}}hierarchicalSubject": "|", f"{{{NS_DIGIKAM}}}TagsList": "/"}
# written (kept consistent), not read: digiKam's second choice after TagsList
_WRITE_ONLY = {f"{{{xmp_edit.NS_MSPHOTO}}}LastKeywordXMP": "/"}  # (xmp_rewrite.HIERARCHIES)

CONVENTIONS = ("darktable", "digikam", "adobe")
_PACKET_START = re.compile(rb"<x:xmpmeta[\s>]|<x:xapmeta[\s>]|<rdf:RDF[\s>]")
_PACKET_END = {b"<x:xmpmeta": b"</x:xmpmeta>", b"<x:xapmeta": b"</x:xapmeta>",
               b"<rdf:RDF": b"</rdf:RDF>"}
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class UnsafeXMPError(ValueError):
    """An XMP packet declares a DOCTYPE or entities, which photoclip refuses to parse."""


# ---------------------------------------------------------------------------------- reading


def read_keywords(path: str | Path, data: bytes | None = None) -> list[str]:
    """The keywords already attached to the photo at ``path`` (see the module docstring).

    ``data`` is the file's bytes when the caller already read them. Never raises for bad or
    absent metadata; an unreadable photo file only loses its embedded keywords."""
    return _dedupe(embedded_keywords(path, data) + sidecar_keywords(path))


def embedded_keywords(path: str | Path, data: bytes | None = None) -> list[str]:
    """The keywords inside the photo file itself (XMP and IPTC)."""
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            log.debug("keywords: cannot read %s: %s", path, exc)
            return []
    return _dedupe(_embedded_keywords(data, Path(path)))


def sidecar_keywords(path: str | Path) -> list[str]:
    """The keywords in the photo's XMP sidecars (a bad sidecar is skipped)."""
    found: list[str] = []
    for sidecar in existing_sidecars(path):
        try:
            found += _xmp_keywords(sidecar.read_bytes())
        except Exception as exc:  # a bad sidecar must not cost the other keywords
            log.debug("keywords: skipping sidecar %s: %s", sidecar, exc)
    return found


@dataclass(frozen=True)
class FileKeywords:
    """What :func:`read_file_keywords` found, kept by source so that a changed sidecar can be
    read again without reading the photo."""

    embedded: list[str]  # in the photo file
    in_sidecars: list[str]
    sidecars: str  # the sidecars' stamp (see sidecar_stamp); "" when the photo has none

    @property
    def keywords(self) -> list[str]:
        """All of them, as :func:`read_keywords` gives them."""
        return _dedupe(self.embedded + self.in_sidecars)


def read_file_keywords(path: str | Path, data: bytes | None = None) -> FileKeywords:
    """:func:`read_keywords`, kept by source."""
    return reread_sidecars(path, embedded_keywords(path, data))


def reread_sidecars(path: str | Path, embedded: list[str]) -> FileKeywords:
    """A photo's keywords from its ``embedded`` ones (when known, the photo is not read) and its
    sidecars, whose stamp is taken *before* reading them (so an edit made meanwhile shows up as
    a change next time)."""
    stamp = sidecar_stamp(path)
    return FileKeywords(list(embedded), sidecar_keywords(path), stamp)


def is_sidecar(path: str | Path) -> bool:
    """Whether ``path`` names an XMP sidecar (``.xmp`` in any case)."""
    name = os.path.basename(path)
    return name.lower().endswith(".xmp") and not name.startswith("._") and len(name) > 4


def sidecar_candidates(photo: str | Path, seen: set[str] | None = None) -> list[str]:
    """Where ``photo``'s sidecars may be: ``photo.jpg.xmp`` first, then ``photo.xmp``, each
    also spelt ``.XMP``. ``seen``: the sidecars a folder walk found, as paths without ``.xmp``
    in lower case (see :func:`photoclip.core.scanner.scan`); places not among them are left
    out, which saves a ``stat`` per photo without a sidecar."""
    path = os.fspath(photo)
    root, ext = os.path.splitext(path)
    out: list[str] = []
    if seen is None or path.lower() in seen:
        out += [path + ".xmp", path + ".XMP"]
    if ext and (seen is None or root.lower() in seen):
        out += [root + ".xmp", root + ".XMP"]
    return out


def sidecar_stamp(photo: str | Path, seen: set[str] | None = None) -> str:
    """A short text that changes whenever one of ``photo``'s sidecars is added, removed,
    renamed or rewritten: their names, sizes and modification times ("" when there is none).
    ``seen``: as for :func:`sidecar_candidates`."""
    return "|".join(
        f"{os.path.basename(path)}:{st.st_size}:{st.st_mtime_ns}"
        for path, st in _existing(sidecar_candidates(photo, seen))
    )


def existing_sidecars(photo: str | Path) -> list[Path]:
    """The XMP sidecars of ``photo`` that exist: ``photo.jpg.xmp`` first, then ``photo.xmp``."""
    return [Path(path) for path, _ in _existing(sidecar_candidates(photo))]


def _existing(candidates: list[str]) -> list[tuple[str, os.stat_result]]:
    out: list[tuple[str, os.stat_result]] = []
    files: set[tuple[int, int]] = set()
    for candidate in candidates:
        try:
            st = os.stat(candidate)
        except OSError:
            continue
        key = (st.st_dev, st.st_ino)  # .xmp and .XMP are one file on case-insensitive disks
        if key not in files and stat.S_ISREG(st.st_mode):
            files.add(key)
            out.append((candidate, st))
    return out


def _embedded_keywords(data: bytes, path: Path) -> list[str]:
    packets: list[bytes] = []
    iptc: dict | None = None
    region = data
    try:
        _register_heif()
        with Image.open(io.BytesIO(data)) as im:
            xmp = im.info.get("xmp")
            if isinstance(xmp, str):
                xmp = xmp.encode("utf-8")
            if xmp:
                packets.append(xmp)
            if im.format in ("JPEG", "MPO", "TIFF"):
                iptc = IptcImagePlugin.getiptcinfo(im)
            region = scan_region(data, im)
    except Exception as exc:  # not something Pillow opens (RAW, ...): scan the bytes below
        log.debug("keywords: Pillow cannot open %s: %s", path, exc)
    if not packets:
        packets = list(_scan_packets(region))
    found: list[str] = []
    for packet in packets:
        try:
            found += _xmp_keywords(packet)
        except Exception as exc:
            log.debug("keywords: bad XMP packet in %s: %s", path, exc)
    if iptc:
        try:
            found += _iptc_keywords(iptc)
        except Exception as exc:  # malformed IIM must not cost the XMP keywords
            log.debug("keywords: bad IPTC in %s: %s", path, exc)
    return found


def _register_heif() -> None:
    """HEIC/AVIF XMP comes from pillow_heif, registered by the image_formats module."""
    from photoclip.core import image_formats  # noqa: F401  (registers the HEIF opener)


def scan_region(data: bytes, im: Image.Image) -> bytes:
    """The bytes of a photo Pillow opened to scan for XMP packets it did not find: a JPEG's
    metadata segments, which all come before its entropy-coded data (nearly all of the file:
    scanning that cost ~1.5 ms a camera photo, twice per indexed photo); else all of them."""
    return data[: _jpeg_scan_start(data)] if im.format == "JPEG" else data


def _jpeg_scan_start(data: bytes) -> int:
    """Where a JPEG's first scan (SOS) begins: its segments before it are the metadata. The
    file's length where the segments cannot be followed (then all of it is scanned)."""
    pos, end = 2, len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return end
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
        elif marker == 0xDA:
            return pos
        elif marker == 0x01 or 0xD0 <= marker <= 0xD8:  # no length field
            pos += 2
        else:
            pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return end


def _scan_packets(data: bytes) -> Iterator[bytes]:
    """XMP packets found by scanning raw bytes (the XMP spec's fallback for unknown formats)."""
    pos = 0
    while (m := _PACKET_START.search(data, pos)) is not None:
        start = m.start()
        tag = m.group()[:-1]
        end = data.find(_PACKET_END[tag], m.end())
        if end < 0:
            return
        end += len(_PACKET_END[tag])
        yield data[start:end]
        pos = end


def _iptc_keywords(iptc: dict) -> list[str]:
    raw = iptc.get((2, 25))
    if raw is None:
        return []
    items = raw if isinstance(raw, list) else [raw]
    charset = iptc.get((1, 90)) or b""
    utf8 = b"\x1b%G" in (charset if isinstance(charset, bytes) else b"")
    out = []
    for item in items:
        if utf8:
            out.append(item.decode("utf-8", "replace"))
            continue
        try:
            out.append(item.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(item.decode("latin-1"))
    return out


def _parse_xmp(packet: bytes) -> ET.Element:
    """Parse an XMP packet or sidecar, keeping comments and processing instructions.

    Raises UnsafeXMPError for DOCTYPE/ENTITY declarations, ET.ParseError for bad XML."""
    if _FORBIDDEN.search(packet):
        raise UnsafeXMPError("XMP with a DOCTYPE or ENTITY declaration is not accepted")
    text = packet.rstrip(b"\x00 \t\r\n")
    builder = ET.TreeBuilder(insert_comments=True, insert_pis=True)
    parser = ET.XMLParser(target=builder)
    parser.feed(text)
    return parser.close()


def _xmp_keywords(packet: bytes) -> list[str]:
    root = _parse_xmp(packet)
    found: list[str] = []
    descriptions = list(root.iter(f"{_RDF}Description"))
    for desc in descriptions:
        for el in desc.findall(_SUBJECT):
            found += _items(el)
        found += _single_attr(desc, _SUBJECT)
    for desc in descriptions:
        for tag, sep in _HIERARCHIES.items():
            values = [v for el in desc.findall(tag) for v in _items(el)]
            values += _single_attr(desc, tag)
            found += [leaf for v in values if (leaf := xmp_edit.leaf(v, sep))]
    return found


def _items(prop: ET.Element) -> list[str]:
    """The rdf:li texts of an rdf:Bag/Seq/Alt property, or a (non-standard) plain text value."""
    lis = [li for li in prop.iter(f"{_RDF}li")]
    if lis:
        return [(li.text or "").strip() for li in lis]
    return [prop.text.strip()] if prop.text and prop.text.strip() else []


def _single_attr(desc: ET.Element, tag: str) -> list[str]:
    value = desc.get(tag)  # some writers shorten a one-item bag to an attribute
    return [value.strip()] if value else []


def _dedupe(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        value = value.strip()
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            out.append(value)
    return out


# ---------------------------------------------------------------------------------- writing


def sidecar_path(photo: str | Path, convention: str = "darktable") -> Path:
    """Where a sidecar of ``photo`` goes: ``photo.jpg.xmp`` for "darktable"/"digikam",
    ``photo.xmp`` for "adobe" (shared by RAW+JPEG pairs, as Lightroom does)."""
    photo = Path(photo)
    if convention in ("darktable", "digikam"):
        return photo.with_name(photo.name + ".xmp")
    if convention == "adobe":
        return photo.with_suffix(".xmp")
    raise ValueError(f"unknown sidecar convention {convention!r}; use one of {CONVENTIONS}")


def write_sidecar(photo: str | Path, keywords: Sequence[str],
                  convention: str = "darktable") -> Path:
    """Write ``keywords`` as the dc:subject of ``photo``'s XMP sidecar; return its path.

    Never touches the photo itself. An existing sidecar keeps everything else (a differently
    spelt ``.XMP`` one is updated in place); an unreadable or unsafe one raises ValueError
    rather than being overwritten. The write is atomic (temporary file, then os.replace)."""
    if isinstance(keywords, str):
        raise TypeError("keywords must be a sequence of strings, not one string")
    target = _existing_spelling(sidecar_path(photo, convention))
    values = _dedupe(keywords)
    if target.exists():
        original = target.read_bytes()
        try:
            root = _parse_xmp(original)
        except ET.ParseError as exc:
            raise ValueError(f"cannot update {target}: not valid XMP ({exc})") from exc
        payload = _edited_in_place(original, root, values)
        if payload is None:  # a layout the text edit does not handle: keep content, not layout
            log.debug("keywords: rewriting %s (its layout cannot be edited in place)", target)
            payload = xmp_rewrite.rewritten(root, values, xmp_rewrite.prefixes(original),
                                 b"<?xpacket" in original[:256])
        if payload == original:
            return target
    else:
        root = xmp_rewrite.new_document()
        payload = xmp_rewrite.rewritten(root, values, {}, True)
    _atomic_write(target, payload)
    return target


def _keeper(values: list[str]) -> Callable[[str, str | None], bool]:
    """Which existing bag items stay when ``values`` are to be the keywords: a dc:subject item
    that is one of them (once), a hierarchy entry whose leaf is one (darktable's own stay)."""
    wanted = {v.casefold() for v in values}
    seen: set[str] = set()

    def keep(value: str, sep: str | None) -> bool:
        key = value.casefold()
        if sep is None:
            if key in wanted and key not in seen:
                seen.add(key)
                return True
            return False
        if sep == "|" and value.split(sep)[0].strip() == "darktable":
            return True
        return xmp_edit.leaf(value, sep).casefold() in wanted

    return keep


def _edited_in_place(original: bytes, root: ET.Element, values: list[str]) -> bytes | None:
    """The sidecar with only its keyword bags edited (see :mod:`photoclip.core.xmp_edit`), or
    None when that cannot be done or would not read back as exactly ``values`` with every
    other property unchanged."""
    try:
        text = original.decode("utf-8")
    except UnicodeDecodeError:
        return None
    present = {v.casefold() for v in _subjects(root)}
    add = [v for v in values if v.casefold() not in present]
    edited = xmp_edit.edit_keywords(text, _keeper(values), add)
    if edited is None:
        return None
    payload = edited.encode("utf-8")
    try:
        new_root = _parse_xmp(payload)
    except (ET.ParseError, UnsafeXMPError):
        return None
    if sorted(map(str.casefold, _subjects(new_root))) != sorted(map(str.casefold, values)):
        return None
    if _others(new_root) != _others(root):
        return None
    return payload


def _subjects(root: ET.Element) -> list[str]:
    found: list[str] = []
    for desc in root.iter(f"{_RDF}Description"):
        for el in desc.findall(_SUBJECT):
            found += _items(el)
        found += _single_attr(desc, _SUBJECT)
    return found


def _others(root: ET.Element) -> list[tuple]:
    """Everything in a document but its keyword properties and the Descriptions' grouping."""
    skip = {_SUBJECT, *_HIERARCHIES, *_WRITE_ONLY}
    out: list[tuple] = []

    def walk(el: ET.Element, path: str) -> None:
        for child in el:
            if child.tag in skip or not isinstance(child.tag, str):
                continue
            here = f"{path}/{child.tag}" if child.tag != f"{_RDF}Description" else path
            attrs = sorted((k, v) for k, v in child.attrib.items() if k not in skip)
            if child.tag != f"{_RDF}Description" or len(attrs) > 1:
                out.append((here, attrs, (child.text or "").strip()))
            walk(child, here)

    walk(root, "")
    return sorted(out, key=repr)


def _existing_spelling(target: Path) -> Path:
    upper = target.with_name(target.name[: -len(".xmp")] + ".XMP")
    return upper if not target.exists() and upper.exists() else target


def _atomic_write(target: Path, payload: bytes) -> None:
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
