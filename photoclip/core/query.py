"""Parse search queries, including weighted combinations.

Grammar (informal)::

    query  := term (("+" | "-") term)*
    term   := [weight "*"] (quoted | words)
    quoted := '"' ... '"' | "'" ... "'"

``"beach" + "sunset" - "people"`` adds the first two and subtracts the third; ``2*"dog" + cat``
weights terms. A ``+``/``-`` is an operator only at the start or after whitespace and followed by
whitespace or a quote, so "black-and-white photo" stays one term. A term that names an existing
image file is a query by that image.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class QueryError(ValueError):
    """The query cannot be understood; the message says why."""


@dataclass(frozen=True)
class QueryTerm:
    text: str
    weight: float  # negative for subtracted terms


_WEIGHT = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*\*\s*")


def parse_query(query: str) -> list[QueryTerm]:
    """Split a query into weighted terms."""
    terms: list[QueryTerm] = []
    sign = 1.0
    i, n = 0, len(query)
    buf: list[str] = []

    def flush() -> None:
        raw = "".join(buf).strip()
        buf.clear()
        if not raw:
            return
        weight = 1.0
        m = _WEIGHT.match(raw)
        if m:
            weight = float(m.group(1))
            raw = raw[m.end() :].strip()
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
            raw = raw[1:-1].strip()
        if not raw:
            raise QueryError("a term of the query is empty")
        terms.append(QueryTerm(raw, sign * weight))

    while i < n:
        ch = query[i]
        if ch in "\"'":
            end = query.find(ch, i + 1)
            if end < 0:
                raise QueryError(f"unclosed quote in query: {query!r}")
            buf.append(query[i : end + 1])
            i = end + 1
            continue
        at_boundary = i == 0 or query[i - 1].isspace()
        next_ok = i + 1 >= n or query[i + 1].isspace() or query[i + 1] in "\"'"
        if ch in "+-" and at_boundary and next_ok:
            flush()
            sign = 1.0 if ch == "+" else -1.0
            i += 1
            continue
        buf.append(ch)
        i += 1
    flush()
    if not terms:
        raise QueryError("the query is empty")
    return terms
