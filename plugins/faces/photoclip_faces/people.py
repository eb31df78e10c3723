"""What the user does with people: cluster, name, merge, "not this person". Plain functions on a
:class:`~photoclip_faces.store.FaceStore` (the CLI action and the tests call them; a GUI will).

Every decision locks the faces it is about: re-clustering keeps a locked face with its person,
never merges two people the user told apart, and never puts a rejected face back.
"""

from __future__ import annotations

__all__ = ["PeopleError", "answer", "ensure_clustered", "find_person", "hide", "merge", "name",
           "name_face", "not_person", "recluster", "suggestions"]

from photoclip.plugin_api import PeopleError

from . import clustering
from .store import _DIRTY, FaceStore, Person, StoredFace


def recluster(store: FaceStore) -> int:
    """Cluster every face again under the user's decisions; returns the number of people.
    Faces beyond :data:`~photoclip_faces.clustering.MAX_CLUSTER_FACES` keep their person."""
    face_ids, vecs, previous, locked = store.all_vectors()
    limit = clustering.MAX_CLUSTER_FACES
    face_ids, vecs = face_ids[:limit], vecs[:limit]
    previous, locked = previous[:limit], locked[:limit]
    rejected = clustering.rejected_sets(store.rejections(), face_ids)
    labels = clustering.cluster(vecs, locked=locked, rejected=rejected,
                                photos=store.photos_of_faces(face_ids))
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
        # "not B" becomes "not A" (a face that is neither already says "not A")
        db.execute("UPDATE OR IGNORE rejections SET person_id=? WHERE person_id=?", (a.id, b.id))
        db.execute("DELETE FROM rejections WHERE person_id=?", (b.id,))
        db.execute("DELETE FROM persons WHERE id=?", (b.id,))
        if a.name is None and b.name is not None:
            db.execute("UPDATE persons SET name=? WHERE id=?", (b.name, a.id))
    return find_person(store, a.id)


def not_person(store: FaceStore, face_id: int) -> int | None:
    """"This face is not its person": the face leaves the person for good (its other faces
    become the user's decision) and joins the person it otherwise matches, or a new one.
    Returns the face's new person."""
    face = _face(store, face_id)
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


def hide(store: FaceStore, key: str | int, hidden: bool = True) -> Person:
    """Hide a person from the list (or show them again); their faces stay theirs."""
    person = find_person(store, key)
    store.set_hidden(person.id, hidden)
    return find_person(store, person.id)


def name_face(store: FaceStore, face_id: int, new_name: str) -> Person:
    """"This face is NAME": the face moves to the person of that name (a new one if nobody
    has it) as the user's decision, and is never put back into the person it leaves."""
    new_name = new_name.strip()
    if not new_name:
        raise PeopleError("a name cannot be empty")
    face = _face(store, face_id)
    target = store.person(new_name)
    with store.transaction() as db:
        if target is None:
            target_id = db.execute("INSERT INTO persons (name) VALUES (?)",
                                   (new_name,)).lastrowid
        else:
            target_id = target.id
        if face.person_id is not None and face.person_id != target_id:
            db.execute("INSERT OR IGNORE INTO rejections VALUES (?, ?)",
                       (face_id, face.person_id))
        db.execute("DELETE FROM rejections WHERE face_id=? AND person_id=?",
                   (face_id, target_id))
        db.execute("UPDATE faces SET person_id=?, locked=1 WHERE id=?", (target_id, face_id))
        db.execute("DELETE FROM persons WHERE id NOT IN "
                   "(SELECT DISTINCT person_id FROM faces WHERE person_id IS NOT NULL)")
    return find_person(store, target_id)


def suggestions(store: FaceStore, key: str | int | None = None, *,
                threshold: float = clustering.SUGGEST_DISTANCE) -> dict[int, int]:
    """{face id: named person} for faces outside every named person that are near enough to
    one (within :data:`~photoclip_faces.clustering.SUGGEST_DISTANCE` on average, the match
    not confident enough to join by itself) and that the user has not declined; only for
    ``key``'s person when given. Hidden people get no suggestions, and a person is never
    suggested in a photo they are already in (nor for two faces of one photo)."""
    named = {pid for pid in store.named()
             if (p := store.person(pid)) is not None and not p.hidden}
    if key is not None:
        named &= {find_person(store, key).id}
    if not named:
        return {}
    face_ids, vecs, persons, _ = store.all_vectors()
    ref = [i for i, p in enumerate(persons) if p in named]
    todo = [i for i, p in enumerate(persons) if p not in named]
    photos = store.photos_of_faces(face_ids)
    # the same-photo rule: a person already in a photo is never suggested for another face there
    present: dict[int, set[int]] = {}
    for i in ref:
        present.setdefault(photos[i], set()).add(persons[i])  # type: ignore[arg-type]
    rejections = store.rejections()

    def nots(i: int) -> set[int]:
        return rejections.get(face_ids[i], set()) | present.get(photos[i], set())

    found: dict[int, int] = {}  # index in face_ids -> person
    for lo in range(0, len(todo), 512):  # bounded memory: 512 x (named faces) distances
        chunk = todo[lo:lo + 512]
        who = clustering.assign(vecs[chunk], vecs[ref], [persons[i] for i in ref],
                                rejected=[nots(i) for i in chunk], threshold=threshold)
        found.update({i: p for i, p in zip(chunk, who) if p is not None})
    # two faces of one photo suggested for one person: only the nearer one is
    by_photo: dict[int, list[int]] = {}
    for i in found:
        by_photo.setdefault(photos[i], []).append(i)
    for faces in by_photo.values():
        if len({found[i] for i in faces}) < len(faces):
            who = clustering.assign(vecs[faces], vecs[ref], [persons[i] for i in ref],
                                    rejected=[nots(i) for i in faces], threshold=threshold,
                                    distinct=True)
            for i, p in zip(faces, who):
                if p is None:
                    del found[i]
                else:
                    found[i] = p
    return {face_ids[i]: p for i, p in found.items()}


def answer(store: FaceStore, face_id: int, yes: bool) -> int | None:
    """Answer the suggestion for a face: yes, it joins the suggested person (the user's
    decision); no, that person is never suggested for it again. Returns its person."""
    face = _face(store, face_id)
    suggested = suggestions(store).get(face_id)
    if suggested is None:
        raise PeopleError(f"face {face_id} has no suggestion (`photoclip people "
                          "--suggestions` lists them)")
    with store.transaction() as db:
        if yes:
            db.execute("UPDATE faces SET person_id=?, locked=1 WHERE id=?",
                       (suggested, face_id))
            if face.person_id is not None:
                db.execute("INSERT OR IGNORE INTO rejections VALUES (?, ?)",
                           (face_id, face.person_id))
            db.execute("DELETE FROM persons WHERE id NOT IN "
                       "(SELECT DISTINCT person_id FROM faces WHERE person_id IS NOT NULL)")
        else:
            db.execute("INSERT OR IGNORE INTO rejections VALUES (?, ?)", (face_id, suggested))
    moved = store.face(face_id)
    return moved.person_id if moved else None


def _face(store: FaceStore, face_id: int) -> StoredFace:
    face = store.face(int(face_id))
    if face is None:
        raise PeopleError(f"no face {face_id} (`photoclip people --show NAME` lists faces)")
    return face
