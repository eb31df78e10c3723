"""The undoable People decisions (:class:`~photoclip.core.undo.Command`): name a person, merge
two, say whose a face is or is not, answer a suggestion, hide a person.

A decision is recorded by the library's People (:meth:`People.recorded`: which faces it moved
to which person, the "not this person" constraints it added, names and hidden flags); undo puts
exactly that back and redo puts the decision's outcome back (:meth:`People.put_back`), so a
re-grouping of the faces in between changes neither (a decision's faces are the user's, kept
as constraints). Where ``write_xmp`` wrote the names into the photos' sidecars, undo and redo
write them again. Both fronts run them: the GUI's Edit › Undo and `photoclip undo` (the
`photoclip people` decisions go into the CLI's journal).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from photoclip.core.people import People
from photoclip.core.undo import Command, Editable, UndoError

__all__ = ["FaceAnswer", "FaceName", "FaceNotPerson", "PeopleDecision", "PersonHide",
           "PersonMerge", "PersonRename"]


def person_key(person: int | str) -> int | str:
    """A person as the user gave them: an id (digits) or a name."""
    text = str(person).strip()
    return int(text) if text.isdigit() else text


class PeopleDecision(Command):
    """A decision the library's People records; subclasses say what it is (:meth:`decide`).
    ``change`` (the record) is kept in the state: what undo and redo put back."""

    @abstractmethod
    def decide(self, people: People) -> Any:
        """Make the decision (the first time); what it returned."""

    @property
    def undoable(self) -> bool:
        return not self.done or self.state.get("change") is not None  # False: changed nothing

    def _do(self, lib: Editable) -> Any:
        people = _people(lib)
        change = self.state.get("change")
        if change is not None:  # redo: the recorded outcome, whatever was re-grouped since
            people.put_back(change, undo=False)
            return None
        result, self.state["change"] = people.recorded(lambda: self.decide(people))
        return result

    def _undo(self, lib: Editable) -> None:
        change = self.state.get("change")
        if change is None:
            raise UndoError(f"{self.text()}: nothing was recorded to undo")
        _people(lib).put_back(change, undo=True)


class PersonRename(PeopleDecision):
    """Name a person (named or not); a name someone else has merges the two."""

    kind = "person-rename"

    def __init__(self, person: int | str, name: str, change: dict[str, Any] | None = None,
                 **_older: Any) -> None:  # an older journal's old/final: not undoable
        super().__init__(person=person_key(person), name=name, change=change)

    def text(self) -> str:
        return f"Name person {self.state['person']} {self.state['name']!r}"

    def decide(self, people: People) -> Any:
        return people.name(self.state["person"], self.state["name"])


class PersonMerge(PeopleDecision):
    """Move every face of ``other`` into ``into``; undo gives ``other`` back, as they were."""

    kind = "person-merge"

    def __init__(self, into: int | str, other: int | str,
                 change: dict[str, Any] | None = None) -> None:
        super().__init__(into=person_key(into), other=person_key(other), change=change)

    def text(self) -> str:
        return f"Merge person {self.state['other']} into person {self.state['into']}"

    def decide(self, people: People) -> Any:
        return people.merge(self.state["into"], self.state["other"])


class FaceName(PeopleDecision):
    """"This face is NAME": the face moves to that person (made if new)."""

    kind = "person-face-name"

    def __init__(self, face: int, name: str, change: dict[str, Any] | None = None) -> None:
        super().__init__(face=int(face), name=name, change=change)

    def text(self) -> str:
        return f"Name face {self.state['face']} {self.state['name']!r}"

    def decide(self, people: People) -> Any:
        return people.name_face(self.state["face"], self.state["name"])


class FaceNotPerson(PeopleDecision):
    """"Not this person": the face leaves its person for good (undo: it is theirs again)."""

    kind = "person-not-face"

    def __init__(self, face: int, change: dict[str, Any] | None = None) -> None:
        super().__init__(face=int(face), change=change)

    def text(self) -> str:
        return f"Take face {self.state['face']} out of its person"

    def decide(self, people: People) -> Any:
        return people.not_person(self.state["face"])


class FaceAnswer(PeopleDecision):
    """The answer to a suggestion: yes joins the suggested person, no never suggests them."""

    kind = "person-answer"

    def __init__(self, face: int, yes: bool = True, change: dict[str, Any] | None = None) -> None:
        super().__init__(face=int(face), yes=bool(yes), change=change)

    def text(self) -> str:
        return (f"{'Confirm' if self.state['yes'] else 'Decline'} the suggestion for face "
                f"{self.state['face']}")

    def decide(self, people: People) -> Any:
        return people.confirm(self.state["face"], self.state["yes"])


class PersonHide(Command):
    """Hide a person from the People list (or show them again); undo puts the flag back."""

    kind = "person-hide"

    def __init__(self, person: int | str, hidden: bool = True, was: bool | None = None) -> None:
        super().__init__(person=person_key(person), hidden=bool(hidden), was=was)

    def text(self) -> str:
        return f"{'Hide' if self.state['hidden'] else 'Show'} person {self.state['person']}"

    def _do(self, lib: Editable) -> Any:
        people = _people(lib)
        self.state["was"] = people.person(self.state["person"]).hidden
        return people.hide(self.state["person"], self.state["hidden"])

    def _undo(self, lib: Editable) -> None:
        _people(lib).hide(self.state["person"], bool(self.state["was"]))


def _people(lib: Editable) -> People:
    people = lib.people()
    if people is None:
        raise UndoError("People is off (Settings › Plugins › faces)")
    return people
