"""What the user does with people: cluster, name, merge, "not this person". Plain functions on a
:class:`~photoclip_faces.store.FaceStore` (the CLI action and the tests call them; a GUI will).

Every decision locks the faces it is about: re-clustering keeps a locked face with its person,
never merges two people the user told apart, and never puts a rejected face back.
"""

from __future__ import annotations

from . import clustering
from .store import _DIRTY, FaceStore, Person


class PeopleError(ValueError):
    """A request about people that cannot be done (the message says why)."""


def recluster(store: FaceStore) -> int:
    """Cluster every face again under the user's decisions; returns the number of people.
    Faces beyond :data:`~photoclip_faces.clustering.MAX_CLUSTER_FACES` keep their person."""
    face_ids, vecs, previous, locked = store.all_vectors()
    limit = clustering.MAX_CLUSTER_FACES
    face_ids, vecs = face_ids[:limit], vecs[:limit]
    previous, locked = previous[:limit], locked[:limit]
    rejected = clustering.rejected_sets(store.rejections(), face_ids)
    labels = clustering.cluster(vecs, locked=locked, rejected=rejected)
    reserved = {p for p in locked if p is not None}
    persons = clustering.persons_for_clusters(labels, previous, locked, reserved)
    with store.transaction() as db:
        new_for: dict[int, int] = {}
        for face_id, label, person in zip(face_ids, labels, persons):
            if person is None:
                if label not in new_for:
                    new_for[label] = db.execute("INSERT INTO persons DEFAULT VALUES").lastrowid
                person = new_for[label]
            db.execute("UPDATE faces SET person_id=? WHERE id=?", (person, face_id))
        db.execute("DELETE FROM persons WHERE id NOT IN "
                   "(SELECT DISTINCT person_id FROM faces WHERE person_id IS NOT NULL)")
        db.execute("DELETE FROM meta WHERE key=?", (_DIRTY,))
    return len(store.people())


def ensure_clustered(store: FaceStore) -> None:
    """Cluster when faces were added that matched no one (the analyzer leaves those)."""
    if store.needs_clustering():
        recluster(store)


def find_person(store: FaceStore, key: str | int) -> Person:
    """A person by id (a number) or name; PeopleError if there is none."""
    text = str(key).strip()
    person = store.person(int(text)) if text.isdigit() else store.person(text)
    if person is None:
        raise PeopleError(f"no person {text!r} (`photoclip people` lists them)")
    return person


def name(store: FaceStore, key: str | int, new_name: str) -> Person:
    """Name a person (their faces become the user's decision); a name another person already
    has merges the two, as naming a face "Anna" in two places means one Anna."""
    new_name = new_name.strip()
    if not new_name:
        raise PeopleError("a name cannot be empty")
    person = find_person(store, key)
    other = store.person(new_name)
    if other is not None and other.id != person.id:
        return merge(store, other.id, person.id)
    with store.transaction() as db:
        db.execute("UPDATE persons SET name=? WHERE id=?", (new_name, person.id))
        db.execute("UPDATE faces SET locked=1 WHERE person_id=?", (person.id,))
    return find_person(store, person.id)


def merge(store: FaceStore, into: str | int, other: str | int) -> Person:
    """Move every face of ``other`` into ``into`` (a name on either is kept, ``into``'s
    first); both become the user's decision."""
    a, b = find_person(store, into), find_person(store, other)
    if a.id == b.id:
        raise PeopleError("that is the same person")
    with store.transaction() as db:
        db.execute("UPDATE faces SET person_id=?, locked=1 WHERE person_id IN (?, ?)",
                   (a.id, a.id, b.id))
        db.execute("UPDATE rejections SET person_id=? WHERE person_id=?", (a.id, b.id))
        db.execute("DELETE FROM persons WHERE id=?", (b.id,))
        if a.name is None and b.name is not None:
            db.execute("UPDATE persons SET name=? WHERE id=?", (b.name, a.id))
    return find_person(store, a.id)


def not_person(store: FaceStore, face_id: int) -> int | None:
    """"This face is not its person": the face leaves the person for good (its other faces
    become the user's decision) and joins the person it otherwise matches, or a new one.
    Returns the face's new person."""
    face = store.face(face_id)
    if face is None:
        raise PeopleError(f"no face {face_id} (`photoclip people --show NAME` lists faces)")
    if face.person_id is None:
        raise PeopleError(f"face {face_id} belongs to no person")
    with store.transaction() as db:
        db.execute("INSERT OR IGNORE INTO rejections VALUES (?, ?)", (face_id, face.person_id))
        db.execute("UPDATE faces SET locked=1 WHERE person_id=? AND id!=?",
                   (face.person_id, face_id))
        db.execute("UPDATE faces SET person_id=NULL, locked=0 WHERE id=?", (face_id,))
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (_DIRTY,))
    recluster(store)
    moved = store.face(face_id)
    return moved.person_id if moved else None
