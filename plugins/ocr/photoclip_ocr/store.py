"""The text read in photos, in the plugin's own SQLite file
(``<data>/plugin-data/ocr/text.sqlite3``): each photo's lines with their boxes and confidences,
and a full-text index of them (FTS5, terms as :mod:`photoclip_ocr.tokens` makes them). A batch
of photos is written in one transaction (WAL), so a kill leaves either the old or the new lines
of a photo; writing a photo again replaces its lines (the analyzer may run twice on a photo
after a crash)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .engine import Line
from .tokens import FUZZY_MIN, Term, index_terms, one_edit_apart, query_terms

FILE_NAME = "text.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS photos (photo_id INTEGER PRIMARY KEY, lines INTEGER NOT NULL,
                                   read_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS lines (id INTEGER PRIMARY KEY, photo_id INTEGER NOT NULL,
                                  n INTEGER NOT NULL, text TEXT NOT NULL,
                                  confidence REAL NOT NULL, quad TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS lines_by_photo ON lines (photo_id, n);
CREATE VIRTUAL TABLE IF NOT EXISTS lines_fts USING fts5(
    words, chars, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS lines_vocab USING fts5vocab(lines_fts, 'row');
"""
NEAR_WEIGHT = 0.7  # a word found only one letter away counts for this much of a word


@dataclass(frozen=True)
class StoredLine:
    """A line as stored: its id (the region id), photo, order in the photo and the line."""

    id: int
    photo_id: int
    n: int
    line: Line


@dataclass(frozen=True)
class TextHit:
    """A photo whose text matches a query: which of the query's words it holds (indexes into
    :func:`~photoclip_ocr.tokens.query_terms`) and how well (1, or :data:`NEAR_WEIGHT` for a
    word found one letter away), its best line and the best full-text rank."""

    photo_id: int
    matched: Mapping[int, float]
    terms: int
    line: str
    rank: float  # FTS5 bm25: lower is better

    @property
    def coverage(self) -> float:
        return sum(self.matched.values()) / self.terms if self.terms else 0.0


class TextStore:
    """One connection to the text file (open one per thread; close it). ``readonly``: for
    questions only, on a file that exists (no schema check: cheaper, searches open one each)."""

    def __init__(self, folder: Path, *, readonly: bool = False) -> None:
        self.path = folder / FILE_NAME
        if readonly:
            self._db = sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True, timeout=30)
            return
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # ----- writing ---------------------------------------------------------------------------

    def replace_photos(self, found: Mapping[int, Sequence[Line]]) -> None:
        """Store the lines of these photos (none: text-free), replacing what they had."""
        now = time.time()
        with self._db:
            self._delete(list(found))
            for photo_id, lines in found.items():
                self._db.execute("INSERT INTO photos VALUES (?, ?, ?)",
                                 (photo_id, len(lines), now))
                for n, line in enumerate(lines):
                    cur = self._db.execute(
                        "INSERT INTO lines (photo_id, n, text, confidence, quad) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (photo_id, n, line.text, line.confidence, json.dumps(line.quad)),
                    )
                    words, chars = index_terms(line.text)
                    self._db.execute("INSERT INTO lines_fts (rowid, words, chars) "
                                     "VALUES (?, ?, ?)", (cur.lastrowid, words, chars))

    def remove_photos(self, photo_ids: Iterable[int]) -> None:
        """Forget the text of these photos (they left the library)."""
        with self._db:
            self._delete(list(photo_ids))

    def _delete(self, ids: list[int]) -> None:
        for lo in range(0, len(ids), 500):
            chunk = ids[lo : lo + 500]
            marks = ",".join("?" * len(chunk))
            self._db.execute(f"DELETE FROM lines_fts WHERE rowid IN "
                             f"(SELECT id FROM lines WHERE photo_id IN ({marks}))", chunk)
            self._db.execute(f"DELETE FROM lines WHERE photo_id IN ({marks})", chunk)
            self._db.execute(f"DELETE FROM photos WHERE photo_id IN ({marks})", chunk)

    # ----- reading ---------------------------------------------------------------------------

    def lines(self, photo_id: int) -> list[StoredLine]:
        """A photo's lines in reading order."""
        rows = self._db.execute(
            "SELECT id, photo_id, n, text, confidence, quad FROM lines WHERE photo_id = ? "
            "ORDER BY n", (photo_id,)).fetchall()
        return [StoredLine(i, p, n, Line(t, c, tuple(tuple(pt) for pt in json.loads(q))))
                for i, p, n, t, c, q in rows]

    def read(self, photo_id: int) -> bool:
        """Whether the photo's text was read (text-free photos too)."""
        return self._db.execute("SELECT 1 FROM photos WHERE photo_id = ?",
                                (photo_id,)).fetchone() is not None

    def counts(self) -> tuple[int, int, int]:
        """(photos read, photos with text, lines)."""
        read, with_text, lines = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(lines > 0), 0), COALESCE(SUM(lines), 0) FROM photos"
        ).fetchone()
        return int(read), int(with_text), int(lines)

    def photo_ids(self) -> set[int]:
        return {r[0] for r in self._db.execute("SELECT photo_id FROM photos")}

    def search(self, text: str, limit: int = 1000) -> list[TextHit]:
        """Photos whose lines hold any of the query's words, most words first, then best rank.
        A photo holds a word when any of its lines does."""
        terms = query_terms(text)
        found: dict[int, dict[str, dict[int, float]]] = {}  # photo -> line -> {word: how well}
        ranks: dict[int, float] = {}
        for k, term in enumerate(terms):
            queries = [(term.fts(), 1.0)]
            near = self._near(term)
            if near:
                queries.append((term.fts_near(near), NEAR_WEIGHT))
            for query, weight in queries:
                for photo_id, line, rank in self._db.execute(
                    "SELECT l.photo_id, l.text, bm25(lines_fts) AS r FROM lines_fts JOIN lines l "
                    "ON l.id = lines_fts.rowid WHERE lines_fts MATCH ? ORDER BY r LIMIT ?",
                    (query, 20 * limit),
                ):
                    words = found.setdefault(photo_id, {}).setdefault(line, {})
                    words[k] = max(weight, words.get(k, 0.0))
                    ranks[photo_id] = min(rank, ranks.get(photo_id, rank))
        hits = []
        for pid, by_line in found.items():
            matched: dict[int, float] = {}
            for words in by_line.values():
                for k, w in words.items():
                    matched[k] = max(w, matched.get(k, 0.0))
            line = max(by_line, key=lambda t: (sum(by_line[t].values()), -len(t)))
            hits.append(TextHit(pid, matched, len(terms), line, ranks[pid]))
        hits.sort(key=lambda h: (-h.coverage, h.rank, h.photo_id))
        return hits[:limit]


    def _near(self, term: Term) -> list[str]:
        """Index terms one letter away from a long Latin query word (same first two letters:
        a misread first letter is rare, and the range keeps the lookup small)."""
        word = term.word
        if word is None or len(word) < FUZZY_MIN:
            return []
        try:
            rows = self._db.execute(
                "SELECT term FROM lines_vocab WHERE term >= ? AND term < ?",
                (word[:2], word[:2] + "\uffff")).fetchall()
        except sqlite3.OperationalError:  # a file from before the vocabulary table
            return []
        return [t for (t,) in rows if not t.startswith(word) and one_edit_apart(word, t)][:20]


def forget(folder: Path) -> None:
    """Remove the text file (and its WAL files)."""
    for suffix in ("", "-wal", "-shm"):
        (folder / (FILE_NAME + suffix)).unlink(missing_ok=True)
