"""Re-serialise an XMP sidecar with new keywords: the fallback for layouts that
:mod:`photoclip.core.xmp_edit` cannot edit in place. Keeps every property and the document's
prefixes, not its layout (quoting, where namespaces are declared, indentation)."""

from __future__ import annotations

import io
import re
import threading
import xml.etree.ElementTree as ET

from photoclip.core.xmp_edit import NS_DC, NS_DIGIKAM, NS_LR, NS_MSPHOTO, NS_RDF, leaf

NS_X = "adobe:ns:meta/"
_X, _RDF = f"{{{NS_X}}}", f"{{{NS_RDF}}}"
_SUBJECT = f"{{{NS_DC}}}subject"
# hierarchical keyword properties kept consistent with dc:subject, and their separators
HIERARCHIES = {f"{{{NS_LR}}}hierarchicalSubject": "|", f"{{{NS_DIGIKAM}}}TagsList": "/",
               f"{{{NS_MSPHOTO}}}LastKeywordXMP": "/"}
_XPACKET_BEGIN = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_XPACKET_END = '\n<?xpacket end="w"?>\n'
_NS_LOCK = threading.Lock()  # ET's prefix registry is global; writers take turns with it


def new_document() -> ET.Element:
    """An empty XMP document (one Description) for a new sidecar."""
    root = ET.Element(f"{_X}xmpmeta", {f"{_X}xmptk": "photoclip"})
    ET.SubElement(ET.SubElement(root, f"{_RDF}RDF"), f"{_RDF}Description",
                  {f"{_RDF}about": ""})
    return root


def rewritten(root: ET.Element, values: list[str], prefixes: dict[str, str],
               xpacket: bool) -> bytes:
    """``root`` with ``values`` as its dc:subject (hierarchies made consistent), serialised."""
    _set_subject(root, values)
    text = _serialise(root, prefixes)
    if xpacket:
        text = _XPACKET_BEGIN + text + _XPACKET_END
    else:
        text = '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"
    return text.encode("utf-8")


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
        for tag, sep in HIERARCHIES.items():
            _prune_hierarchy(desc, tag, sep, wanted)
            _extend_hierarchy(desc, tag, sep, values)
    remaining = list(descriptions)
    for desc in descriptions:  # none left empty (an rdf:about and nothing else)
        if len(remaining) > 1 and len(desc) == 0 and set(desc.attrib) <= {f"{_RDF}about"}:
            rdf.remove(desc)
            remaining.remove(desc)
    if not values:
        return
    descriptions = remaining
    if host is not None and host not in descriptions:
        host = None
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


def _extend_hierarchy(desc: ET.Element, tag: str, sep: str, values: list[str]) -> None:
    """Add, as top-level entries, the keywords that are not part of any entry of an existing
    hierarchy bag (so that digiKam, which reads TagsList first, shows them)."""
    for el in desc.findall(tag):
        containers = list(el)
        if not containers:
            continue
        texts = [(li.text or "") for c in containers for li in c.findall(f"{_RDF}li")]
        parts = {p.strip().casefold() for t in texts for p in t.split(sep)}
        for value in values:
            if value.casefold() not in parts:
                ET.SubElement(containers[0], f"{_RDF}li").text = value
                parts.add(value.casefold())


def _prune_hierarchy(desc: ET.Element, tag: str, sep: str, wanted: set[str]) -> None:
    """Drop hierarchy entries whose leaf is no longer a keyword (darktable's own are kept)."""
    for el in desc.findall(tag):
        for container in list(el):
            for li in list(container.findall(f"{_RDF}li")):
                value = (li.text or "").strip()
                if value.split(sep)[0].strip() == "darktable" and sep == "|":
                    continue
                if leaf(value, sep).casefold() not in wanted:
                    container.remove(li)
            if len(container) == 0:
                el.remove(container)
        if len(el) == 0:
            desc.remove(el)
    value = desc.get(tag)
    if value is not None and leaf(value, sep).casefold() not in wanted:
        del desc.attrib[tag]


def prefixes(document: bytes) -> dict[str, str]:
    """prefix -> namespace URI as declared in ``document`` (first declaration wins)."""
    out: dict[str, str] = {}
    for _event, (prefix, uri) in ET.iterparse(io.BytesIO(document), events=("start-ns",)):
        if prefix and prefix not in out and uri not in out.values():
            out[prefix] = uri
    return out


_DEFAULT_PREFIXES = {"x": NS_X, "rdf": NS_RDF, "dc": NS_DC, "lr": NS_LR, "digiKam": NS_DIGIKAM,
                     "MicrosoftPhoto": NS_MSPHOTO}


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
