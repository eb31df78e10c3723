"""Edit the keyword bags of an XMP sidecar in place, keeping every other byte as it was.

Other tools' sidecars (darktable, digiKam, Lightroom, exiftool) have their own layout: where the
namespaces are declared, single or double quotes, indentation, one ``rdf:Description`` or one per
namespace. Re-serialising the document would change all of that, so :func:`edit_keywords` works
on the text. It changes only the ``rdf:li`` items of ``dc:subject``, ``digiKam:TagsList``,
``lr:hierarchicalSubject`` and ``MicrosoftPhoto:LastKeywordXMP``, copying the neighbouring
items' indentation; adds a ``dc:subject`` where there is none (into a Description that declares
``dc``, else a new Description written in the document's style); removes a property whose bag
became empty, and then a Description left with nothing in it.

It returns None for layouts it does not handle (a property written as an attribute, a prefix
bound to two namespaces, two ``dc:subject`` elements, ...); the caller then falls back to
:mod:`photoclip.core.xmp_rewrite`, which keeps the content but not the layout. The caller also
parses every edit and checks that it reads exactly as asked.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NS_DC = "http://purl.org/dc/elements/1.1/"
NS_LR = "http://ns.adobe.com/lightroom/1.0/"
NS_DIGIKAM = "http://www.digikam.org/ns/1.0/"
NS_MSPHOTO = "http://ns.microsoft.com/photo/1.0"  # digiKam writes it too, and reads it second
# hierarchical keyword properties: namespace, local name, separator
HIERARCHIES = ((NS_DIGIKAM, "TagsList", "/"), (NS_LR, "hierarchicalSubject", "|"),
               (NS_MSPHOTO, "LastKeywordXMP", "/"))

_DECL = re.compile(r"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*(["'])(.*?)\2""", re.S)


@dataclass
class _Prop:
    """One keyword property element found in the text."""

    start: int  # of its line (the indentation before it)
    end: int  # after its closing tag and the line break after it
    open_end: int  # after the bag's opening tag (where items begin)
    close_start: int  # where the bag's closing tag begins
    items: list[tuple[int, int, str]]  # (start incl. leading whitespace, end, value) per rdf:li



def _escape(text: str) -> str:
    """``xml.sax.saxutils.escape`` (&, <, >), without importing it: it imports urllib.request
    and http.client, 0.1-0.3 s of every CLI start."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")

def leaf(value: str, sep: str) -> str:
    """The leaf of a hierarchical keyword ("" for darktable's own "darktable|..." tags)."""
    parts = [p.strip() for p in value.split(sep)]
    if sep == "|" and parts[0] == "darktable":
        return ""
    return parts[-1]


def edit_keywords(text: str, keep: Callable[[str, str | None], bool],
                  add: Sequence[str]) -> str | None:
    """``text`` with the keyword bags edited, or None when this layout is not handled.

    ``keep(value, separator)`` says whether an existing item stays (separator None for
    ``dc:subject``, else the hierarchy's); ``add`` are values for ``dc:subject`` that are not in
    it yet, each also added to an existing hierarchy bag where it is not a part of any entry."""
    try:
        return _edit(text, keep, list(add))
    except _Unhandled:
        return None


class _Unhandled(Exception):
    pass


def _edit(text: str, keep: Callable[[str, str | None], bool], add: list[str]) -> str:
    prefixes = _prefixes(text)
    rdf = prefixes.get(NS_RDF)
    if rdf is None:
        raise _Unhandled
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), never overlapping
    dc = prefixes.get(NS_DC)
    subject = _find(text, dc, "subject", rdf) if dc else None
    if subject is not None:
        edits.append(_edit_bag(text, subject, lambda v: keep(v, None), add))
    elif add:
        edits.append(_new_subject(text, rdf, dc, add))
    for ns, local, sep in HIERARCHIES:
        prefix = prefixes.get(ns)
        prop = _find(text, prefix, local, rdf) if prefix else None
        if prop is None:
            continue
        parts = {p.strip().casefold() for _, _, v in prop.items for p in v.split(sep)}
        new = [a for a in add if a.strip().casefold() not in parts]
        edits.append(_edit_bag(text, prop, lambda v, s=sep: keep(v, s), new))
    out = _apply(text, edits)
    return _drop_empty_descriptions(out, rdf)


def _prefixes(text: str) -> dict[str, str]:
    """namespace URI -> its one prefix; two prefixes for a URI, or a prefix for two URIs, are
    beyond a text edit."""
    by_uri: dict[str, str] = {}
    by_prefix: dict[str, str] = {}
    for prefix, _, uri in _DECL.findall(text):
        if by_uri.setdefault(uri, prefix) != prefix or by_prefix.setdefault(prefix, uri) != uri:
            raise _Unhandled
    return by_uri


def _find(text: str, prefix: str, local: str, rdf: str) -> _Prop | None:
    name = re.escape(f"{prefix}:{local}")
    if re.search(rf"\s{name}\s*=", text):  # written as an attribute
        raise _Unhandled
    found = list(re.finditer(rf"<{name}(\s[^>]*)?(/?)>", text))
    if not found:
        return None
    if len(found) > 1 or found[0].group(2):
        raise _Unhandled
    m = found[0]
    close = re.compile(rf"</{name}\s*>").search(text, m.end())
    if close is None:
        raise _Unhandled
    r = re.escape(rdf)
    body = re.compile(rf"\s*<{r}:(Bag|Seq)\s*>(.*?)</{r}:\1\s*>\s*", re.S).fullmatch(
        text, m.end(), close.start())
    if body is None:
        raise _Unhandled
    items: list[tuple[int, int, str]] = []
    pos, stop = body.start(2), body.end(2)
    li = re.compile(rf"(\s*)<{r}:li(\s[^>]*)?>([^<]*)</{r}:li\s*>")
    while (item := li.match(text, pos, stop)) is not None:
        items.append((item.start(), item.end(), html.unescape(item.group(3)).strip()))
        pos = item.end()
    if text[pos:stop].strip():  # something other than plain items
        raise _Unhandled
    line = text.rfind("\n", 0, m.start()) + 1
    whole_line = not text[line : m.start()].strip()
    start, end = (line if whole_line else m.start()), close.end()
    tail = re.compile(r"[ \t]*\r?\n").match(text, end)
    if whole_line and tail is not None:
        end = tail.end()
    return _Prop(start, end, body.start(2), body.end(2), items)


def _edit_bag(text: str, prop: _Prop, keep: Callable[[str], bool],
              add: list[str]) -> tuple[int, int, str]:
    kept = [(s, e) for s, e, value in prop.items if keep(value)]
    if not kept and not add:
        return (prop.start, prop.end, "")
    body = "".join(text[s:e] for s, e in kept)
    if add:
        if prop.items:
            s, e, _ = prop.items[-1]
            last = text[s:e]
            lead = last[: len(last) - len(last.lstrip())]
            tag = last.lstrip()
            open_tag = tag[: tag.index(">") + 1]
            close_tag = tag[tag.rindex("</"):]
        else:
            indent = _indent_of(text, prop.start)
            lead = "\n" + indent + "  "
            r = _rdf_prefix_near(text, prop)
            open_tag, close_tag = f"<{r}:li>", f"</{r}:li>"
        body += "".join(f"{lead}{open_tag}{_escape(v)}{close_tag}" for v in add)
    # what follows the last item (the line break and indentation of the closing tag) stays
    after_items = prop.items[-1][1] if prop.items else prop.open_end
    return (prop.open_end, after_items, body)


def _rdf_prefix_near(text: str, prop: _Prop) -> str:
    m = re.search(r"<([\w.-]+):(Bag|Seq)", text[prop.start : prop.open_end])
    return m.group(1) if m else "rdf"


def _indent_of(text: str, line_start: int) -> str:
    m = re.compile(r"[ \t]*").match(text, line_start)
    return m.group() if m else ""


def _descriptions(text: str, rdf: str) -> list[tuple[int, int, int, bool]]:
    """Top-level rdf:Description elements: (start, end of opening tag, end, self-closing)."""
    r = re.escape(rdf)
    token = re.compile(rf"<{r}:Description\b[^>]*?(/?)>|</{r}:Description\s*>")
    out: list[tuple[int, int, int, bool]] = []
    depth, start, open_end = 0, 0, 0
    for m in token.finditer(text):
        if m.group().startswith("</"):
            depth -= 1
            if depth == 0:
                out.append((start, open_end, m.end(), False))
            if depth < 0:
                raise _Unhandled
        elif m.group(1):
            if depth == 0:
                out.append((m.start(), m.end(), m.end(), True))
        else:
            if depth == 0:
                start, open_end = m.start(), m.end()
            depth += 1
    if depth != 0:
        raise _Unhandled
    return out


def _new_subject(text: str, rdf: str, dc: str | None, add: list[str]) -> tuple[int, int, str]:
    descriptions = _descriptions(text, rdf)
    if not descriptions:
        raise _Unhandled
    first_start, first_open_end, _, _ = descriptions[0]
    opening = text[first_start:first_open_end]
    quote = "'" if re.search(rf"{re.escape(rdf)}:about\s*=\s*'", opening) else '"'
    about = re.search(rf"""{re.escape(rdf)}:about\s*=\s*(["'])(.*?)\1""", opening, re.S)
    indent = _indent_of(text, text.rfind("\n", 0, first_start) + 1)
    step = _step(text, descriptions[0], indent)

    def bag(prefix: str, level: str) -> str:
        lines = [f"{level}<{prefix}:subject>", f"{level}{step}<{rdf}:Bag>"]
        lines += [f"{level}{step * 2}<{rdf}:li>{_escape(v)}</{rdf}:li>" for v in add]
        lines += [f"{level}{step}</{rdf}:Bag>", f"{level}</{prefix}:subject>"]
        return "\n".join(lines) + "\n"

    if dc is not None:  # declared: into the Description whose scope has it
        outer = text[: text.find(f"<{rdf}:RDF")] if f"<{rdf}:RDF" in text else ""
        rdf_open = re.search(rf"<{re.escape(rdf)}:RDF\b[^>]*>", text)
        global_dc = re.search(rf"xmlns:{re.escape(dc)}\s*=", outer + (rdf_open.group()
                                                                     if rdf_open else ""))
        for start, open_end, end, closed in descriptions:
            declares = re.search(rf"xmlns:{re.escape(dc)}\s*=", text[start:open_end])
            if closed or not (declares or global_dc):
                continue
            close = text.rindex("</", start, end)
            line = text.rfind("\n", 0, close) + 1
            if text[line:close].strip():
                raise _Unhandled
            own = _indent_of(text, text.rfind("\n", 0, start) + 1)
            return (line, line, bag(dc, own + step))
        if global_dc:
            raise _Unhandled
    prefix = dc or "dc"
    about_value = about.group(2) if about else ""
    decl = re.search(r"\n([ \t]*)xmlns:", opening)  # where the document puts declarations
    decl_indent = decl.group(1) if decl else indent + step * 2
    new = (f"{indent}<{rdf}:Description {rdf}:about={quote}{about_value}{quote}\n"
           f"{decl_indent}xmlns:{prefix}={quote}{NS_DC}{quote}>\n"
           f"{bag(prefix, indent + step)}{indent}</{rdf}:Description>\n")
    close_rdf = text.rfind(f"</{rdf}:RDF")
    if close_rdf < 0:
        raise _Unhandled
    line = text.rfind("\n", 0, close_rdf) + 1
    if text[line:close_rdf].strip():
        raise _Unhandled
    return (line, line, new)


def _step(text: str, description: tuple[int, int, int, bool], indent: str) -> str:
    """The indentation one level deeper than a Description, as the document writes it."""
    _, open_end, end, _ = description
    m = re.compile(r"\s*?\n([ \t]*)<").match(text, open_end, end)
    if m and m.group(1).startswith(indent) and len(m.group(1)) > len(indent):
        return m.group(1)[len(indent):]
    return " "


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    edits.sort()
    for (_, a_end, _), (b_start, _, _) in itertools.pairwise(edits):
        if b_start < a_end:
            raise _Unhandled
    out, pos = [], 0
    for start, end, new in edits:
        out += [text[pos:start], new]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _drop_empty_descriptions(text: str, rdf: str) -> str:
    """Remove Descriptions with neither children nor properties (only rdf:about and xmlns)."""
    r = re.escape(rdf)
    for start, open_end, end, closed in reversed(_descriptions(text, rdf)):
        opening = text[start:open_end]
        attrs = re.findall(r"""([\w.:-]+)\s*=\s*(["']).*?\2""", opening, re.S)
        if any(not (name.startswith("xmlns") or name == f"{rdf}:about") for name, _ in attrs):
            continue
        inner = "" if closed else text[open_end : text.rindex("</", start, end)]
        if re.sub(r"<!--.*?-->", "", inner, flags=re.S).strip():
            continue
        line = text.rfind("\n", 0, start) + 1
        if text[line:start].strip():
            line = start
        tail = re.compile(r"[ \t]*\r?\n").match(text, end)
        stop = tail.end() if tail is not None and line != start else end
        text = text[:line] + text[stop:]
    if not re.search(rf"<{r}:RDF\b", text):
        raise _Unhandled
    return text
