"""The faces plugin's own SQLite file: faces, people and the user's decisions.

Keyed by photo id; which photos were analysed (and at which version) is the core's analysis
table, so this file holds only results. A photo's faces are written in one transaction that
replaces any earlier ones for the photo: a run killed after the write and before the core
recorded the batch writes the same faces again, never twice.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import clustering
from .models import Face

FILE_NAME = "faces.sqlite3"
SCHEMA = """
CREATE TABLE IF NOT EXISTS persons (     -- AUTOINCREMENT: an id is never reused (undo)
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    name   TEXT UNIQUE,
    hidden INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS faces (
    id         INTEGER PRIMARY KEY,
    photo_id   INTEGER NOT NULL,
    left       REAL NOT NULL,
    top        REAL NOT NULL,
    width      REAL NOT NULL,
    height     REAL NOT NULL,
    confidence REAL NOT NULL,
    vector     BLOB NOT NULL,
    person_id  INTEGER REFERENCES persons(id) ON DELETE SET NULL,
    locked     INTEGER NOT NULL DEFAULT 0,  -- the user put it there (named, merged, reviewed)
    added      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS faces_by_photo ON faces(photo_id);
CREATE INDEX IF NOT EXISTS faces_by_person ON faces(person_id);
CREATE TABLE IF NOT EXISTS rejections (     -- "not this person": never put back
    face_id   INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL,
    PRIMARY KEY (face_id, person_id)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sidecars (photo_id INTEGER PRIMARY KEY);  -- names written there
"""
_DIRTY = "unclustered"  # meta: faces were added without a person since the last clustering


@dataclass(frozen=True)
class StoredFace:
    """A face as stored (box in the original photo's upright pixels)."""

    id: int
    photo_id: int
    box: tuple[float, float, float, float]  # left, top, width, height
    confidence: float
    person_id: int | None
    locked: bool


@dataclass(frozen=True)
class Person:
    """A group of faces; ``name`` is None until the user names it."""

    id: int
    name: str | None
    faces: int
    photos: int
    hidden: bool = False


class FaceStore:
    """The plugin's SQLite file in ``folder`` (created on first use)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False,
                                   isolation_level=None)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.executescript(SCHEMA)
        _person_ids_never_reused(self._db)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ----- writing the analyzer's results ---------------------------------------------------------

    def replace_photos(self, found: Mapping[int, Sequence[Face]]) -> int:
        """Store each photo's faces in place of any earlier ones (one transaction), and give
        each new face the person it confidently matches; returns the faces stored."""
        now = time.time()
        with self.transaction() as db:
            _, known, persons = self._assigned(db)
            stored = 0
            for photo_id, faces in found.items():
                earlier = self._earlier(db, photo_id)
                db.execute("DELETE FROM faces WHERE photo_id=?", (photo_id,))
                vecs = np.stack([f.vector for f in faces]) if faces else np.zeros((0, 128))
                kept = [_same_face(f, earlier) for f in faces]
                who = clustering.assign(vecs, known, persons, distinct=True,
                                        rejected=[k[2] if k else set() for k in kept])
                for face, person, old in zip(faces, who, kept):
                    locked = bool(old and old[1])
                    if old is not None and old[1]:  # the user's decision for this face stays
                        person = old[0]
                    if face.name:  # the user's name in the photo's MWG regions wins
                        person, locked = self._person_named(db, face.name), True
                    cur = db.execute(
                        "INSERT INTO faces (photo_id, left, top, width, height, confidence, "
                        "vector, person_id, locked, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (photo_id, face.left, face.top, face.width, face.height,
                         face.confidence, _blob(face.vector), person, int(locked), now),
                    )
                    for no in old[2] if old else ():
                        db.execute("INSERT OR IGNORE INTO rejections VALUES (?, ?)",
                                   (cur.lastrowid, no))
                    stored += 1
                if any(p is None for p in who):
                    db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (_DIRTY,))
            db.execute("DELETE FROM persons WHERE id NOT IN "
                       "(SELECT DISTINCT person_id FROM faces WHERE person_id IS NOT NULL)")
        return stored

    @staticmethod
    def _person_named(db: sqlite3.Connection, name: str) -> int:
        """The person called ``name`` (any case), made if there is none."""
        row = db.execute("SELECT id FROM persons WHERE lower(name) = lower(?)",
                         (name.strip(),)).fetchone()
        if row is not None:
            return int(row[0])
        return int(db.execute("INSERT INTO persons (name) VALUES (?)",
                              (name.strip(),)).lastrowid)

    def named_faces(self) -> dict[int, set[tuple[int, str, tuple[float, ...]]]]:
        """{photo id: {(face id, name, box)}} of the faces the user confirmed for a named
        person (what the photos' sidecars carry as MWG face regions)."""
        out: dict[int, set[tuple[int, str, tuple[float, ...]]]] = {}
        with self._lock:
            for pid, fid, name, *box in self._db.execute(
                "SELECT f.photo_id, f.id, p.name, f.left, f.top, f.width, f.height FROM faces f "
                "JOIN persons p ON p.id = f.person_id WHERE p.name IS NOT NULL AND f.locked = 1"
            ):
                out.setdefault(pid, set()).add((fid, name, tuple(box)))
        return out

    def wrote_sidecars(self, photo_ids: Iterable[int]) -> None:
        """Remember that these photos' sidecars carry face regions photoclip wrote (what
        "forget" takes out of them again)."""
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO sidecars VALUES (?)",
                           [(int(i),) for i in photo_ids])

    def sidecars_written(self) -> list[int]:
        """The photos whose sidecars photoclip wrote face regions into."""
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT photo_id FROM sidecars ORDER BY 1")]

    def remove_photos(self, photo_ids: Iterable[int]) -> None:
        """Forget the faces of photos no longer in the library."""
        with self.transaction() as db:
            db.executemany("DELETE FROM faces WHERE photo_id=?", [(int(i),) for i in photo_ids])

    @staticmethod
    def _earlier(db: sqlite3.Connection, photo_id: int) -> list[tuple]:
        """The photo's stored faces: (box, person, locked, rejected persons)."""
        out = []
        for fid, left, top, w, h, person, locked in db.execute(
            "SELECT id, left, top, width, height, person_id, locked FROM faces WHERE photo_id=?",
            (photo_id,),
        ).fetchall():
            nots = {r[0] for r in db.execute(
                "SELECT person_id FROM rejections WHERE face_id=?", (fid,))}
            out.append(((left, top, w, h), person, bool(locked), nots))
        return out

    @staticmethod
    def _assigned(db: sqlite3.Connection) -> tuple[list[int], np.ndarray, list[int]]:
        rows = db.execute(
            "SELECT id, vector, person_id FROM faces WHERE person_id IS NOT NULL"
        ).fetchall()
        if not rows:
            return [], np.zeros((0, 128), dtype=np.float32), []
        return ([r[0] for r in rows], np.stack([_vector(r[1]) for r in rows]),
                [r[2] for r in rows])

    # ----- reading ------------------------------------------------------------------------------

    def needs_clustering(self) -> bool:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (_DIRTY,)).fetchone()
        return row is not None

    def faces(self, *, photo_id: int | None = None, person_id: int | None = None
              ) -> list[StoredFace]:
        sql, args = "SELECT id, photo_id, left, top, width, height, confidence, person_id, " \
                    "locked FROM faces", []
        where = []
        if photo_id is not None:
            where.append("photo_id=?")
            args.append(photo_id)
        if person_id is not None:
            where.append("person_id=?")
            args.append(person_id)
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY id", args).fetchall()
        return [StoredFace(r[0], r[1], (r[2], r[3], r[4], r[5]), r[6], r[7], bool(r[8]))
                for r in rows]

    def face(self, face_id: int) -> StoredFace | None:
        with self._lock:
            r = self._db.execute(
                "SELECT id, photo_id, left, top, width, height, confidence, person_id, locked "
                "FROM faces WHERE id=?", (face_id,)).fetchone()
        return (StoredFace(r[0], r[1], (r[2], r[3], r[4], r[5]), r[6], r[7], bool(r[8]))
                if r else None)

    def people(self, *, hidden: bool | None = False) -> list[Person]:
        """Every person with their face and photo counts, largest first: the shown ones
        (``hidden=False``), the hidden ones (True) or all (None)."""
        where = "" if hidden is None else f"WHERE p.hidden = {int(hidden)} "
        with self._lock:
            rows = self._db.execute(
                "SELECT p.id, p.name, COUNT(f.id), COUNT(DISTINCT f.photo_id), p.hidden "
                f"FROM persons p JOIN faces f ON f.person_id = p.id {where}GROUP BY p.id "
                "ORDER BY COUNT(f.id) DESC, p.id"
            ).fetchall()
        return [Person(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]

    def person(self, key: int | str) -> Person | None:
        """A person by id or by name (case-insensitive), hidden ones too."""
        for p in self.people(hidden=None):
            if (isinstance(key, int) and p.id == key) or (
                isinstance(key, str) and p.name is not None and p.name.lower() == key.lower()
            ):
                return p
        return None

    def set_hidden(self, person_id: int, hidden: bool) -> None:
        with self.transaction() as db:
            db.execute("UPDATE persons SET hidden=? WHERE id=?", (int(hidden), person_id))

    def named(self) -> dict[int, str]:
        """{person id: name} of every named person."""
        with self._lock:
            return dict(self._db.execute(
                "SELECT id, name FROM persons WHERE name IS NOT NULL").fetchall())

    def vectors_of(self, face_ids: Sequence[int]) -> np.ndarray:
        """The vectors of ``face_ids`` in that order."""
        with self._lock:
            found = {r[0]: _vector(r[1]) for r in self._db.execute(
                f"SELECT id, vector FROM faces WHERE id IN ({','.join('?' * len(face_ids))})",
                list(face_ids))}
        return (np.stack([found[i] for i in face_ids]) if face_ids
                else np.zeros((0, 128), dtype=np.float32))

    def photos_of(self, person_id: int) -> list[int]:
        with self._lock:
            return [r[0] for r in self._db.execute(
                "SELECT DISTINCT photo_id FROM faces WHERE person_id=? ORDER BY photo_id",
                (person_id,),
            )]

    def rejections(self) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        with self._lock:
            for face_id, person_id in self._db.execute("SELECT face_id, person_id FROM rejections"):
                out.setdefault(face_id, set()).add(person_id)
        return out

    def all_vectors(self) -> tuple[list[int], np.ndarray, list[int | None], list[int | None]]:
        """(face ids, vectors, person of each, locked person of each) in id order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, vector, person_id, locked FROM faces ORDER BY id"
            ).fetchall()
        vecs = (np.stack([_vector(r[1]) for r in rows]) if rows
                else np.zeros((0, 128), dtype=np.float32))
        return ([r[0] for r in rows], vecs, [r[2] for r in rows],
                [r[2] if r[3] else None for r in rows])

    def photos_of_faces(self, face_ids: list[int]) -> list[int]:
        """The photo of each of ``face_ids`` (two faces of one photo are two people)."""
        with self._lock:
            photo = dict(self._db.execute("SELECT id, photo_id FROM faces").fetchall())
        return [int(photo[f]) for f in face_ids]

    def counts(self) -> tuple[int, int]:
        """(faces, people) stored."""
        with self._lock:
            faces = self._db.execute("SELECT COUNT(*) FROM faces").fetchone()[0]
            people = self._db.execute("SELECT COUNT(*) FROM persons").fetchone()[0]
        return int(faces), int(people)


def _person_ids_never_reused(db: sqlite3.Connection) -> None:
    """A file from before undo (persons without AUTOINCREMENT, whose ids SQLite may give
    again) gets the table that never reuses an id, rows and ids kept (SQLite's way to change
    a table: a new one, copied, renamed, with foreign keys off so no face loses its person)."""
    def old() -> bool:
        (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = 'persons'").fetchone()
        return "AUTOINCREMENT" not in sql.upper()

    if not old():
        return
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        db.execute("BEGIN IMMEDIATE")
        try:
            if old():  # another process may have done it meanwhile
                db.execute("CREATE TABLE persons_new (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                           "name TEXT UNIQUE, hidden INTEGER NOT NULL DEFAULT 0)")
                db.execute("INSERT INTO persons_new SELECT id, name, hidden FROM persons")
                db.execute("DROP TABLE persons")
                db.execute("ALTER TABLE persons_new RENAME TO persons")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
    finally:
        db.execute("PRAGMA foreign_keys = ON")


def _same_face(face: Face, earlier: list[tuple]) -> tuple[int | None, bool, set[int]] | None:
    """The user's decisions about the earlier face at the same place (boxes overlapping by
    more than half): (person, locked, rejected persons), or None."""
    best, found = 0.5, None
    for box, person, locked, nots in earlier:
        left, top = max(face.left, box[0]), max(face.top, box[1])
        right = min(face.left + face.width, box[0] + box[2])
        bottom = min(face.top + face.height, box[1] + box[3])
        inter = max(0.0, right - left) * max(0.0, bottom - top)
        union = face.width * face.height + box[2] * box[3] - inter
        if union > 0 and inter / union > best:
            best, found = inter / union, (person, locked, nots)
    return found


def _blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def _vector(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)


def forget(folder: Path) -> bool:
    """Remove the faces file (every face vector, box and name) and its journal; True if
    there was one."""
    removed = False
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(folder) / (FILE_NAME + suffix)
        if path.exists():
            path.unlink()
            removed = True
    return removed
