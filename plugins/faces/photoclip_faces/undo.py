"""Undo for the user's People decisions: what one decision changed in the face store, and
putting exactly that back (undo) or its outcome back (redo).

:func:`state` reads every face's person and lock, every person's name and hidden flag and
every "not this person" constraint; :func:`changes` is what differs between two states
(JSON-ready: the core keeps it in its undo history or the CLI's journal); :func:`put_back`
makes the faces, people and constraints it names as they were before the decision (undo) or
after it (redo), in one transaction. Only what the decision changed is put back: faces found
or grouped again since keep their person, and a decision's faces are locked (the user's), so
a re-clustering in between leaves them where it put them. Person ids are never reused (the
store's AUTOINCREMENT), so a person a merge removed comes back as themself.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from typing import Any

from photoclip.plugin_api import PeopleError

from .store import FaceStore

__all__ = ["State", "changes", "empty", "put_back", "state"]

log = logging.getLogger(__name__)

#: ({face: (photo, person, locked)}, {person: (name, hidden)}, {(face, rejected person)},
#: the faces file's own id: a file made after `people --forget` has another)
State = tuple[dict[int, tuple[int, int | None, bool]], dict[int, tuple[str | None, bool]],
              set[tuple[int, int]], str]
_FILE_ID = "file_id"  # meta


def state(store: FaceStore) -> State:
    """Everything a decision can change, read at one moment."""
    with store.transaction() as db:
        faces = {int(f): (int(photo), person, bool(locked)) for f, photo, person, locked in
                 db.execute("SELECT id, photo_id, person_id, locked FROM faces")}
        persons = {int(p): (name, bool(hidden)) for p, name, hidden in
                   db.execute("SELECT id, name, hidden FROM persons")}
        rejections = {(int(f), int(p)) for f, p in
                      db.execute("SELECT face_id, person_id FROM rejections")}
        return faces, persons, rejections, _file_id(db)


def _file_id(db: sqlite3.Connection) -> str:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (_FILE_ID,)).fetchone()
    if row is not None:
        return str(row[0])
    made = uuid.uuid4().hex
    db.execute("INSERT INTO meta VALUES (?, ?)", (_FILE_ID, made))
    return made


def changes(before: State, after: State) -> dict[str, Any]:
    """What changed from ``before`` to ``after``: ``faces`` [face, photo, person, locked
    before, person, locked after] (faces in both), ``persons`` [person, [name, hidden] or None
    before, the same after] (those changed and those the faces name, so that they can be made
    again), ``rejected`` and ``unrejected`` [face, person] pairs."""
    faces0, persons0, rejected0, file_id = before
    faces1, persons1, rejected1, _ = after
    faces = []
    for fid, (photo, person, locked) in sorted(faces0.items()):
        now = faces1.get(fid)
        if now is not None and now[0] == photo and now[1:] != (person, locked):
            faces.append([fid, photo, person, int(locked), now[1], int(now[2])])
    named = {p for f in faces for p in (f[2], f[4]) if p is not None}
    changed = {p for p in persons0.keys() | persons1.keys() if persons0.get(p) != persons1.get(p)}
    return {
        "file": file_id,
        "faces": faces,
        "persons": [[p, _row(persons0.get(p)), _row(persons1.get(p))]
                    for p in sorted(named | changed)],
        "rejected": sorted([f, p] for f, p in rejected1 - rejected0),
        "unrejected": sorted([f, p] for f, p in rejected0 - rejected1),
    }


def empty(change: dict[str, Any]) -> bool:
    """Whether a change changed nothing (naming a person the name they have)."""
    return not (change.get("faces") or change.get("rejected") or change.get("unrejected")
                or any(b != a for _, b, a in change.get("persons", ())))


def put_back(store: FaceStore, change: dict[str, Any], *, undo: bool = True) -> None:
    """Make what ``change`` names as it was before (``undo``) or after (redo). A face gone
    since (its photo left the library, or was analysed again) is skipped, and nothing is put
    back into a faces file made after `people --forget` (no forgotten name comes back); a
    name another person has taken since is refused (PeopleError), and then nothing changes."""
    side = 0 if undo else 1
    # the people the decision changed (theirs: name and flag as recorded), and those it only
    # moved faces to or from (made again if gone since, else left as they are now)
    ours = {int(p): (b, a)[side] for p, b, a in change["persons"] if b != a}
    named = {int(p): b for p, b, a in change["persons"] if b == a}
    with store.transaction() as db:
        if change.get("file") not in (None, _file_id(db)):
            log.info("The faces were forgotten since that decision: nothing to put back")
            return
        there = {int(r[0]) for r in db.execute("SELECT id FROM persons")}
        wanted = {**{p: row for p, row in named.items() if p not in there},
                  **{p: row for p, row in ours.items() if row is not None}}
        for pid, (name, _hidden) in wanted.items():
            taken = db.execute("SELECT id FROM persons WHERE lower(name) = lower(?) AND id != ?",
                               (name, pid)).fetchall() if name is not None else []
            if any(int(other) not in ours for (other,) in taken):
                raise PeopleError(f"cannot put the name {name!r} back: someone else has it "
                                  "now (rename them first)")
        # names first cleared, so that two people can trade theirs
        db.executemany("UPDATE persons SET name = NULL WHERE id = ?", [(p,) for p in ours])
        for pid, (name, hidden) in wanted.items():
            db.execute("INSERT INTO persons (id, name, hidden) VALUES (?, ?, ?) ON CONFLICT(id) "
                       "DO UPDATE SET name = excluded.name, hidden = excluded.hidden",
                       (pid, name, int(bool(hidden))))
        for fid, photo, *values in change["faces"]:
            person, locked = values[2 * side], values[2 * side + 1]
            db.execute("UPDATE faces SET person_id = ?, locked = ? WHERE id = ? AND photo_id = ?",
                       (person, int(locked), fid, photo))
        add, remove = change["rejected"], change["unrejected"]
        if undo:
            add, remove = remove, add
        db.executemany("DELETE FROM rejections WHERE face_id = ? AND person_id = ?",
                       [tuple(r) for r in remove])
        db.executemany("INSERT OR IGNORE INTO rejections SELECT ?, ? WHERE EXISTS "
                       "(SELECT 1 FROM faces WHERE id = ?)", [(f, p, f) for f, p in add])
        db.execute("DELETE FROM persons WHERE id NOT IN "
                   "(SELECT DISTINCT person_id FROM faces WHERE person_id IS NOT NULL)")


def _row(row: tuple[str | None, bool] | None) -> list[Any] | None:
    return None if row is None else [row[0], bool(row[1])]
