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

Writing (:func:`write_sidecar`) never touches the photo: it creates or updates an XMP sidecar,
replacing only ``dc:subject`` and leaving every other property alone, except that entries of
``lr:hierarchicalSubject`` / ``digiKam:TagsList`` whose leaf is no longer a keyword are dropped
(otherwise a keyword removed here would come back on the next read).

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
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, IptcImagePlugin

log = logging.getLogger(__name__)

NS_X = "adobe:ns:meta/"
NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_LR = "http://ns.adobe.com/lightroom/1.0/"
NS_DIGIKAM = "http://www.digikam.org/ns/1.0/"

_X, _RDF, _DC = f"{{{NS_X}}}", f"{{{NS_RDF}}}", f"{{{NS_DC}}}"
_SUBJECT = f"{_DC}subject"
_HIERARCHIES = {f"{{{NS_LR}}}hierarchicalSubject": "|", f"{{{NS_DIGIKAM}}}TagsList": "/"}

CONVENTIONS = ("darktable", "digikam", "adobe")
_PACKET_START = re.compile(rb"<x:xmpmeta[\s>]|<x:xapmeta[\s>]|<rdf:RDF[\s>]")
_PACKET_END = {b"<x:xmpmeta": b"</x:xmpmeta>", b"<x:xapmeta": b"</x:xapmeta>",
               b"<rdf:RDF": b"</rdf:RDF>"}
_FORBIDDEN = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XPACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_XPACKET_END = '\n<?xpacket end="w"?>\n'
_NS_LOCK = threading.Lock()  # ET's prefix registry is global; writers take turns with it


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
    except Exception as exc:  # not something Pillow opens (RAW, ...): scan the bytes below
        log.debug("keywords: Pillow cannot open %s: %s", path, exc)
    if not packets:
        packets = list(_scan_packets(data))
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
            found += [leaf for v in values if (leaf := _leaf(v, sep))]
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


def _leaf(value: str, sep: str) -> str:
    parts = [p.strip() for p in value.split(sep)]
    if sep == "|" and parts[0] == "darktable":
        return ""
    return parts[-1]


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
        prefixes = _prefixes(original)
        had_xpacket = b"<?xpacket" in original[:256]
    else:
        root = ET.Element(f"{_X}xmpmeta", {f"{_X}xmptk": "photoclip"})
        ET.SubElement(ET.SubElement(root, f"{_RDF}RDF"), f"{_RDF}Description",
                      {f"{_RDF}about": ""})
        prefixes, had_xpacket = {}, True
    _set_subject(root, values)
    text = _serialise(root, prefixes)
    if had_xpacket:
        text = _XPACKET_BEGIN + text + _XPACKET_END
    else:
        text = '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"
    _atomic_write(target, text.encode("utf-8"))
    return target


def _existing_spelling(target: Path) -> Path:
    upper = target.with_name(target.name[: -len(".xmp")] + ".XMP")
    return upper if not target.exists() and upper.exists() else target


def _set_subject(root: ET.Element, values: list[str]) -> None:
    rdf = root if root.tag == f"{_RDF}RDF" else root.find(f".//{_RDF}RDF")
    if rdf is None:
        raise ValueError("cannot update the sidecar: it has no rdf:RDF element")
    descriptions = rdf.findall(f"{_RDF}Description")
    if not descriptions:
        descriptions = [ET.SubElement(rdf, f"{_RDF}Description", {f"{_RDF}about": ""})]
    host: ET.Element | None = None
    index, tail = 0, None
    wanted = {v.casefold() for v in values}
    for desc in descriptions:
        if desc.get(_SUBJECT) is not None:
            del desc.attrib[_SUBJECT]
            if host is None:
                host, index = desc, len(desc)
        for el in desc.findall(_SUBJECT):
            if host is None or (host is desc and index == len(desc)):
                host, index = desc, list(desc).index(el)  # the new bag takes the old one's place
                tail = el.tail
            desc.remove(el)
        for tag, sep in _HIERARCHIES.items():
            _prune_hierarchy(desc, tag, sep, wanted)
    if not values:
        return
    if host is None:
        host, index = descriptions[0], len(descriptions[0])
    subject = ET.Element(_SUBJECT)
    bag = ET.SubElement(subject, f"{_RDF}Bag")
    for value in values:
        ET.SubElement(bag, f"{_RDF}li").text = value
    if tail is not None and tail.strip() == "" and "\n" in tail:
        level = max(len(tail.rsplit("\n", 1)[-1]), 0)
        ET.indent(subject, space=" ", level=level)
    subject.tail = tail
    host.insert(min(index, len(host)), subject)


def _prune_hierarchy(desc: ET.Element, tag: str, sep: str, wanted: set[str]) -> None:
    """Drop hierarchy entries whose leaf is no longer a keyword (darktable's own are kept)."""
    for el in desc.findall(tag):
        for container in list(el):
            for li in list(container.findall(f"{_RDF}li")):
                value = (li.text or "").strip()
                if value.split(sep)[0].strip() == "darktable" and sep == "|":
                    continue
                if _leaf(value, sep).casefold() not in wanted:
                    container.remove(li)
            if len(container) == 0:
                el.remove(container)
        if len(el) == 0:
            desc.remove(el)
    value = desc.get(tag)
    if value is not None and _leaf(value, sep).casefold() not in wanted:
        del desc.attrib[tag]


def _prefixes(document: bytes) -> dict[str, str]:
    """prefix -> namespace URI as declared in ``document`` (first declaration wins)."""
    out: dict[str, str] = {}
    for _event, (prefix, uri) in ET.iterparse(io.BytesIO(document), events=("start-ns",)):
        if prefix and prefix not in out and uri not in out.values():
            out[prefix] = uri
    return out


_DEFAULT_PREFIXES = {"x": NS_X, "rdf": NS_RDF, "dc": NS_DC, "lr": NS_LR, "digiKam": NS_DIGIKAM}


def _serialise(root: ET.Element, prefixes: dict[str, str]) -> str:
    """Serialise with the document's own prefixes (ET would otherwise write ns0, ns1...)."""
    mapping = {**_DEFAULT_PREFIXES, **prefixes}
    with _NS_LOCK:
        saved = dict(ET._namespace_map)  # type: ignore[attr-defined]
        try:
            for prefix, uri in mapping.items():
                if re.match(r"ns\d+$", prefix):
                    continue  # ET refuses these; it will invent its own, still valid, prefix
                ET.register_namespace(prefix, uri)
            return ET.tostring(root, encoding="unicode")
        finally:
            ET._namespace_map.clear()  # type: ignore[attr-defined]
            ET._namespace_map.update(saved)  # type: ignore[attr-defined]


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
