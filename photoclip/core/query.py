"""Parse search queries, including weighted combinations.

Grammar (informal)::

    query  := [sign] term (sign term)*
    sign   := "+" | "-"        (an operator only with a space or a quote after it)
    term   := [weight "*"] (quoted | words)
    weight := a positive number, e.g. 2 or 0.5
    quoted := '"' ... '"' | "'" ... "'"

``"beach" + "sunset" - "people"`` adds the first two and subtracts the third; ``2*"dog" + cat``
weights terms. A ``+``/``-`` is an operator only at the start, after a space or a closing quote,
and followed by a space or a quote, so "black-and-white photo" stays one term. An apostrophe
inside a word ("the dog's toy") is just a letter. A term that names an existing image file is a
query by that image.

Anything else is a :class:`QueryError` that says what is wrong and points at it: an operator with
no term after it (``"beach" +``), two operators in a row, an unclosed or stray quote, words
after a quoted term without an operator between them, an empty term, a weight that is not a
positive number. Nothing is silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class QueryError(ValueError):
    """The query cannot be understood; the message says why and, with ``position``, where;
    ``hint`` (optional) what to do instead."""

    def __init__(self, reason: str, query: str = "", position: int | None = None,
                 hint: str | None = None) -> None:
        self.reason, self.query, self.position, self.hint = reason, query, position, hint
        text = reason
        if position is not None and query.strip():
            text += f"\n  {query}\n  {' ' * position}^"
        super().__init__(text)


@dataclass(frozen=True)
class QueryTerm:
    text: str
    weight: float  # negative for subtracted terms


_WEIGHT = re.compile(r"([-+]?[0-9]*\.?[0-9]+)\s*\*\s*")
_QUOTES = "\"'"


def parse_query(query: str) -> list[QueryTerm]:
    """Split a query into weighted terms; a malformed query raises QueryError."""
    if not query.strip():
        raise QueryError("the query is empty")
    return _Parser(query).parse()


class _Parser:
    def __init__(self, query: str) -> None:
        self.q = query
        self.i = 0

    def fail(self, reason: str, at: int | None = None) -> QueryError:
        return QueryError(reason, self.q, self.i if at is None else at)

    def skip_space(self) -> None:
        while self.i < len(self.q) and self.q[self.i].isspace():
            self.i += 1

    def at_operator(self, after_quote: bool = False) -> bool:
        q, i = self.q, self.i
        if i >= len(q) or q[i] not in "+-":
            return False
        before_ok = after_quote or i == 0 or q[i - 1].isspace()
        after_ok = i + 1 >= len(q) or q[i + 1].isspace() or q[i + 1] in _QUOTES
        return before_ok and after_ok

    def parse(self) -> list[QueryTerm]:
        terms: list[QueryTerm] = []
        self.skip_space()
        sign, sign_at = 1.0, None
        if self.at_operator():  # a leading sign: "- people + beach"
            sign, sign_at = (1.0 if self.q[self.i] == "+" else -1.0), self.i
            self.i += 1
        while True:
            self.skip_space()
            if self.i >= len(self.q):
                op = self.q[sign_at] if sign_at is not None else "+"
                raise self.fail(f'the query ends with "{op}": put a term after it, or remove it',
                                sign_at)
            if self.at_operator():
                raise self.fail(f'two operators in a row ("{self.q[self.i]}"): '
                                "put a term between them")
            text, weight, quoted = self.term()
            terms.append(QueryTerm(text, sign * weight))
            self.skip_space()
            if self.i >= len(self.q):
                return terms
            if not self.at_operator(after_quote=quoted):
                raise self.fail("words after a quoted term: join terms with + or -, "
                                "or put the words inside the quotes")
            sign, sign_at = (1.0 if self.q[self.i] == "+" else -1.0), self.i
            self.i += 1

    def term(self) -> tuple[str, float, bool]:
        """One term at ``self.i``: (text, weight, whether it was quoted)."""
        start, weight = self.i, 1.0
        m = _WEIGHT.match(self.q, self.i)
        if m:
            weight = float(m.group(1))
            if weight <= 0:
                raise self.fail(f"a weight is a positive number, not {m.group(1)} "
                                '(to subtract a term, write - 2*"term")', start)
            self.i = m.end()
            if self.i >= len(self.q) or self.at_operator():
                raise self.fail(f"nothing after the weight {m.group(1)}*: put a term after it")
        if self.q[self.i] in _QUOTES:
            quote, opened = self.q[self.i], self.i
            end = self.q.find(quote, opened + 1)
            if end < 0:
                raise self.fail(f"unclosed quote {quote}: close it, or remove it", opened)
            text = self.q[opened + 1 : end].strip()
            if not text:
                raise self.fail("a term of the query is empty (nothing between the quotes)", opened)
            self.i = end + 1
            return text, weight, True
        words_at = self.i
        while self.i < len(self.q) and not self.at_operator():
            if self.q[self.i] == '"':
                raise self.fail('a stray quote ": quote a whole term ("red car"), '
                                "or join terms with + or -")
            self.i += 1
        text = self.q[words_at : self.i].strip()
        if not text:
            raise self.fail("a term of the query is empty", words_at)
        return text, weight, False
