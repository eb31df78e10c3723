"""The plugin's side of photoclip's People interface (``plugin_api.People``) and its photo
regions: what the desktop app's People view and photo view call, through the core's hooks
(the GUI never imports this plugin)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from photoclip.plugin_api import (
    UNNAMED,
    Match,
    People,
    PeopleError,
    PersonFace,
    PersonSummary,
    Photo,
    PluginContext,
    PluginError,
    Region,
)

from . import people as ops
from . import sidecars
from . import undo as undo_ops
from .store import FILE_NAME, FaceStore, Person, StoredFace

PLUGIN = "faces"
T = TypeVar("T")


def tidy(context: PluginContext, store: FaceStore) -> None:
    """Drop the faces of photos no longer in the library, then cluster faces that matched no
    one (what every listing starts with)."""
    stale = {f.photo_id for f in store.faces()}
    stale -= {p.id for p in context.photos(stale)}
    if stale:
        store.remove_photos(stale)
    ops.ensure_clustered(store)


class FacesPeople(People):
    """The faces plugin's people of one library (each call opens the store and closes it)."""

    def __init__(self, context: PluginContext) -> None:
        self.context = context
        self.folder = context.data_dir(PLUGIN)

    @contextmanager
    def _store(self) -> Iterator[FaceStore]:
        store = FaceStore(self.folder)
        try:
            yield store
        finally:
            store.close()

    def _with(self, fn: Callable[[FaceStore], T], *, tidy_first: bool = True) -> T:
        with self._store() as store:
            if tidy_first:
                tidy(self.context, store)
            return fn(store)

    def _change(self, fn: Callable[[FaceStore], T]) -> T:
        """A change: the sidecars of the photos whose confirmed names changed follow."""
        with self._store() as store:
            tidy(self.context, store)
            with sidecars.follow(self.context, store):
                return fn(store)

    def people(self, *, hidden: bool = False) -> list[PersonSummary]:
        def run(store: FaceStore) -> list[PersonSummary]:
            waiting: dict[int, int] = {}
            for person in ops.suggestions(store).values():
                waiting[person] = waiting.get(person, 0) + 1
            return [_summary(store, p, waiting.get(p.id, 0))
                    for p in store.people(hidden=None if hidden else False)]
        return self._with(run)

    def person(self, person: int | str) -> PersonSummary:
        return self._with(lambda s: _summary(s, ops.find_person(s, person),
                                             len(ops.suggestions(s, person))))

    def photos_of(self, person: int | str) -> list[int]:
        return self._with(lambda s: s.photos_of(ops.find_person(s, person).id))

    def faces_in(self, photo_id: int) -> list[PersonFace]:
        if not (self.folder / FILE_NAME).exists():
            return []

        def run(store: FaceStore) -> list[PersonFace]:
            names = store.named()
            waiting = ops.suggestions(store)
            return [_face(f, names, waiting.get(f.id)) for f in store.faces(photo_id=photo_id)]
        return self._with(run, tidy_first=False)

    def name(self, person: int | str, name: str) -> PersonSummary:
        return self._change(lambda s: _summary(s, ops.name(s, person, name)))

    def name_face(self, face_id: int, name: str) -> PersonSummary:
        return self._change(lambda s: _summary(s, ops.name_face(s, face_id, name)))

    def merge(self, into: int | str, other: int | str) -> PersonSummary:
        return self._change(lambda s: _summary(s, ops.merge(s, into, other)))

    def not_person(self, face_id: int) -> int | None:
        return self._change(lambda s: ops.not_person(s, face_id))

    def hide(self, person: int | str, hidden: bool = True) -> PersonSummary:
        return self._with(lambda s: _summary(s, ops.hide(s, person, hidden)))

    def suggestions(self, person: int | str | None = None) -> list[PersonFace]:
        def run(store: FaceStore) -> list[PersonFace]:
            names = store.named()
            found = ops.suggestions(store, person)
            return [_face(f, names, found[f.id]) for f in store.faces() if f.id in found]
        return self._with(run)

    def confirm(self, face_id: int, yes: bool = True) -> int | None:
        return self._change(lambda s: ops.answer(s, face_id, yes))

    def recorded(self, change: Callable[[], T]) -> tuple[T, dict[str, Any] | None]:
        """``change()`` and what it changed in the faces, people and constraints, None for
        nothing (the faces are grouped first, so that the record holds the decision only)."""
        with self._store() as store:
            tidy(self.context, store)
            before = undo_ops.state(store)
        result = change()
        with self._store() as store:
            found = undo_ops.changes(before, undo_ops.state(store))
        return result, None if undo_ops.empty(found) else found

    def put_back(self, change: dict[str, Any], *, undo: bool = True) -> None:
        """Undo (or redo) a recorded change; the sidecars' names follow."""
        self._change(lambda s: undo_ops.put_back(s, change, undo=undo))


def _face(f: StoredFace, names: dict[int, str], suggested: int | None = None) -> PersonFace:
    return PersonFace(f.id, f.photo_id, f.box, f.person_id,
                      names.get(f.person_id) if f.person_id is not None else None,
                      f.confidence, suggested,
                      names.get(suggested) if suggested is not None else None)


def _summary(store: FaceStore, p: Person, suggestions: int = 0) -> PersonSummary:
    faces = store.faces(person_id=p.id)
    # the cover: the largest face the user confirmed, else the largest one
    cover = max(faces, key=lambda f: (f.locked, f.box[2] * f.box[3]), default=None)
    names = {p.id: p.name} if p.name else {}
    return PersonSummary(p.id, p.name, p.faces, p.photos, p.hidden,
                         _face(cover, names) if cover else None, suggestions)


def photo_regions(context: PluginContext, photo: Photo) -> list[Region]:
    """The faces of one photo as regions: the person's name (or "Unnamed"; a suggestion
    shows as "Anna?"), the detector's score, the face id."""
    out = []
    for f in FacesPeople(context).faces_in(photo.id):
        label = f.name or (f"{f.suggested_name}?" if f.suggested_name else UNNAMED)
        out.append(Region("face", f.box, label, f.confidence, id=str(f.id)))
    return out


_readers: dict[Path, tuple[tuple[int, int], sqlite3.Connection]] = {}
_readers_lock = threading.Lock()


def _reader(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to the faces file, kept between searches (opening one costs
    about a millisecond, the reads a tenth of that); a new one when the file was replaced,
    None when there is none (forgotten, or People never ran)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        close_readers(path)
        return None
    key = (st.st_dev, st.st_ino)
    kept = _readers.get(path)
    if kept is not None and kept[0] == key:
        return kept[1]
    close_readers(path)
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                         check_same_thread=False)
    _readers[path] = (key, db)
    return db


def close_readers(path: Path | None = None) -> None:
    """Close the kept read-only connections (of ``path``, or all): before the file goes."""
    for p in [path] if path is not None else list(_readers):
        kept = _readers.pop(p, None)
        if kept is not None:
            kept[1].close()


def person_filter(context: PluginContext, value: str) -> dict[int, Match]:
    """The search filter ``person``: the photos with a face of that person (a name, any case,
    or an id). Two indexed reads on a kept read-only connection, no clustering: a fraction of
    a millisecond, so a ``--person`` search is as fast as one without."""
    path = context.data_dir(PLUGIN) / FILE_NAME
    text = value.strip()
    with _readers_lock:
        db = _reader(path)
        if db is None:
            raise PluginError("no faces yet: turn People on (`photoclip plugins enable faces`) "
                              "and index")
        row = db.execute("SELECT id, name FROM persons WHERE id = ? OR lower(name) = lower(?) "
                         "ORDER BY lower(name) = lower(?) DESC LIMIT 1",
                         (int(text) if text.isdigit() else -1, text, text)).fetchone()
        if row is None:
            raise PluginError(f"no person {text!r} (`photoclip people` lists them)")
        reason = f"person: {row[1] or f'person {row[0]}'}"
        return {pid: Match(1.0, reason) for (pid,) in db.execute(
            "SELECT DISTINCT photo_id FROM faces WHERE person_id = ?", (row[0],))}


__all__ = ["FacesPeople", "PeopleError", "close_readers", "person_filter", "photo_regions",
           "tidy"]
