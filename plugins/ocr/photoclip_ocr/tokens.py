"""How recognised text and queries become full-text index terms (one rule for both).

Text is NFKC-normalised (full-width letters and digits become ASCII: ``ＷｉＦｉ`` is ``wifi``) and
case-folded. Words are runs of letters and digits (``wi-fi`` is ``wi`` ``fi``, ``12.50`` is
``12`` ``50``). Chinese, Japanese and Korean have no spaces between words, and SQLite's FTS5
tokenizers cannot find a two-character word inside a run of them (``unicode61`` keeps the whole
run as one token; ``trigram`` needs at least three characters), so a CJK run is indexed as its
overlapping character pairs (``增值税发票`` is ``增值 值税 税发 发票``) and, in a column of their
own, its single characters. A query's CJK word is then a phrase of its pairs (``发票`` is the
pair ``发票``; ``增值税`` the phrase ``增值 值税``), a single character is looked up alone.

OCR misreads letters, so a Latin query word of 4 letters or more also matches words it begins
(``reserve`` finds ``reserver``), and one of 6 or more words one letter away (``fusionopolis``
finds ``furionopolis``; :func:`one_edit_apart`), the latter counting for less.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["STOPWORDS", "Term", "index_terms", "normalise", "one_edit_apart", "query_terms"]

PREFIX_MIN = 4  # a Latin word this long also matches the words it begins
FUZZY_MIN = 6  # ... and this long, words one letter away

_CJK = (
    r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    r"\U00020000-\U0002fa1f"
)
_RUN = re.compile(rf"([{_CJK}]+)|([^\W_{_CJK}]+)")

#: English words too common to say anything about a photo's text ("a photo of the beach").
STOPWORDS = frozenset((
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "with", "by", "from",
    "is", "are", "was", "be", "this", "that", "it", "its", "as", "photo", "photos", "picture",
    "image",
))


def normalise(text: str) -> str:
    """NFKC, case-folded: what matching compares."""
    return unicodedata.normalize("NFKC", text).casefold()


def _pairs(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run]


def index_terms(text: str) -> tuple[str, str]:
    """(words and CJK pairs, CJK single characters) of a line, space-separated."""
    words: list[str] = []
    chars: list[str] = []
    for cjk, word in _RUN.findall(normalise(text)):
        if cjk:
            words += _pairs(cjk)
            chars += list(cjk)
        else:
            words.append(word)
    return " ".join(words), " ".join(chars)


@dataclass(frozen=True)
class Term:
    """One word of a query as the index sees it: a phrase of tokens in a column."""

    column: str  # "words" or "chars"
    tokens: tuple[str, ...]

    @property
    def word(self) -> str | None:
        """The single Latin word, if that is what it is (for prefix and near matches)."""
        if self.column == "words" and len(self.tokens) == 1 and self.tokens[0].isascii() \
                and self.tokens[0].isalpha():
            return self.tokens[0]
        return None

    def fts(self) -> str:
        """The FTS5 query of this word (exact, or as a prefix for longer Latin words)."""
        star = "*" if self.word and len(self.word) >= PREFIX_MIN else ""
        return f'{self.column} : "{" ".join(self.tokens)}"{star}'

    def fts_near(self, words: Sequence[str]) -> str:
        """The FTS5 query of ``words`` (index terms one letter away from this word)."""
        return f"{self.column} : (" + " OR ".join(f'"{w}"' for w in words) + ")"


def one_edit_apart(a: str, b: str) -> bool:
    """Whether ``b`` is ``a`` with one letter changed, added or removed."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + (len(a) == len(b)):] == b[i + 1:]


def query_terms(text: str) -> list[Term]:
    """The index terms of each word of a query, stopwords left out (unless nothing else is
    left); every one must match for the whole query to match."""
    out: list[tuple[Term, bool]] = []
    for piece in normalise(text).split():
        parts = _RUN.findall(piece)
        if not parts:
            continue
        column, tokens = "words", []
        for cjk, word in parts:
            if cjk and len(cjk) == 1 and len(parts) == 1:
                column, tokens = "chars", [cjk]
            else:
                tokens += _pairs(cjk) if cjk else [word]
        stop = len(parts) == 1 and not parts[0][0] and parts[0][1] in STOPWORDS
        out.append((Term(column, tuple(tokens)), stop))
    kept = [q for q, stop in out if not stop]
    return kept or [q for q, _ in out]
