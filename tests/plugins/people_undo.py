"""Undoing People edits (core/people_edits.py) on the faces plugin's real People: a rename and
a hide come back, and so does naming an unnamed person. Called from a test that has built a
faces library already (that takes most of a minute on two cores); every decision in depth:
test_faces_undo.py."""

from __future__ import annotations

from photoclip.core.edits import PersonHide, PersonRename
from photoclip.core.undo import UndoHistory


def check_people_edits_undo(lib) -> None:
    people = lib.people()
    first = next(p for p in people.people() if p.name is None)
    second = next(p for p in people.people() if p.id != first.id)
    history = UndoHistory()
    history.run(PersonRename(first.id, "Colin"), lib)  # unnamed before: undoable too
    assert people.person(first.id).name == "Colin" and len(history.done) == 1
    history.run(PersonRename(first.id, "Colin P"), lib)
    history.run(PersonHide(second.id), lib)
    assert second.id not in {p.id for p in people.people()}
    history.undo(lib)
    assert second.id in {p.id for p in people.people()}
    history.undo(lib)
    assert people.person(first.id).name == "Colin"
    history.redo(lib)
    assert people.person(first.id).name == "Colin P"
    history.undo(lib)
    history.undo(lib)
    assert people.person(first.id).name is None
