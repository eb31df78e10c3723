"""Undoing People edits (core/edits.py) on the faces plugin's real People: a rename and a
hide come back; naming an unnamed person is done but says it cannot be undone. Called from a
test that has built a faces library already (that takes most of a minute on two cores)."""

from __future__ import annotations

from photoclip.core.edits import PersonHide, PersonRename
from photoclip.core.undo import UndoHistory


def check_people_edits_undo(lib) -> None:
    people = lib.people()
    first = next(p for p in people.people() if p.name is None)
    second = next(p for p in people.people() if p.id != first.id)
    history = UndoHistory()
    history.run(PersonRename(first.id, "Colin"), lib)  # unnamed before: no way back
    assert people.person(first.id).name == "Colin" and history.done == []
    history.run(PersonRename(first.id, "Colin P"), lib)
    history.run(PersonHide(second.id), lib)
    assert second.id not in {p.id for p in people.people()}
    history.undo(lib)
    assert second.id in {p.id for p in people.people()}
    history.undo(lib)
    assert people.person(first.id).name == "Colin"
    history.redo(lib)
    assert people.person(first.id).name == "Colin P"
