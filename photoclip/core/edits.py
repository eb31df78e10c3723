"""The undoable edits (:class:`~photoclip.core.undo.Command`): tags, albums, people, trash,
ratings and favourites (People's: :mod:`photoclip.core.people_edits`, re-exported here).

Each is built with what the user asked (``TagEdit("add", "dog", [1, 2])``) and run through an
:class:`~photoclip.core.undo.UndoHistory` (CLI) or the GUI's undo stack, on the library.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from photoclip.core.albums import TAG_ACTIONS
from photoclip.core.people_edits import (
    FaceAnswer,
    FaceName,
    FaceNotPerson,
    PersonHide,
    PersonMerge,
    PersonRename,
)
from photoclip.core.photo_trash import TrashRecord
from photoclip.core.tag_snapshots import AlbumSnapshot, TagSnapshot
from photoclip.core.types import counted
from photoclip.core.undo import Command, Editable

__all__ = ["AlbumCreate", "AlbumDelete", "AlbumPhotos", "AlbumRedefine", "AlbumRename",
           "FaceAnswer", "FaceName", "FaceNotPerson", "MarksEdit", "PersonHide", "PersonMerge",
           "PersonRename", "TagEdit", "TrashPhotos"]

_TAG_WORDS = {"add": "Add tag {tag!r} to {n}", "remove": "Remove tag {tag!r} from {n}",
              "reject": "Reject tag {tag!r} on {n}", "accept": "Accept tag {tag!r} on {n}"}


def _ids(photo_ids: Iterable[int]) -> list[int]:
    return [int(i) for i in dict.fromkeys(photo_ids)]


class TagEdit(Command):
    """A tag action (add, remove, reject, accept) on photos; undo puts each photo's rows of
    that tag (any source, scores and rejections included) back as they were."""

    kind = "tag"

    def __init__(self, action: str, tag: str, photo_ids: Iterable[int],
                 before: dict[str, Any] | None = None) -> None:
        if action not in TAG_ACTIONS:
            raise ValueError(f"unknown tag action {action!r}")
        super().__init__(action=action, tag=tag, photo_ids=_ids(photo_ids), before=before)

    def text(self) -> str:
        s = self.state
        return _TAG_WORDS[s["action"]].format(tag=s["tag"], n=counted(len(s["photo_ids"]),
                                                                      "photo"))

    def _do(self, lib: Editable) -> Any:
        s = self.state
        s["before"] = lib.tagging.snapshot(s["tag"], s["photo_ids"]).as_dict()
        return lib.tagging.apply(s["action"], s["tag"], s["photo_ids"])

    def _undo(self, lib: Editable) -> None:
        lib.tagging.restore(TagSnapshot.from_dict(self.state["before"]))


class MarksEdit(Command):
    """A star rating (``stars`` 0-5, 0 clears) or the favourite flag (``favourite``: True,
    False, or ``"toggle"``: all become favourites unless all already are) for photos; undo
    puts each photo's stars and flag back as they were (core/ratings.py ``restore``)."""

    kind = "marks"

    def __init__(self, photo_ids: Iterable[int], stars: int | None = None,
                 favourite: bool | str | None = None,
                 before: list[list[Any]] | None = None) -> None:
        if (stars is None) == (favourite is None):
            raise ValueError("a marks edit sets either stars or the favourite flag")
        if stars is not None and not 0 <= int(stars) <= 5:
            raise ValueError(f"a rating is 0 to 5 stars, not {stars}")
        if favourite not in (None, True, False, "toggle"):
            raise ValueError(f"favourite is True, False or 'toggle', not {favourite!r}")
        super().__init__(photo_ids=_ids(photo_ids), stars=None if stars is None else int(stars),
                         favourite=favourite, before=before)

    def text(self) -> str:
        s = self.state
        n = counted(len(s["photo_ids"]), "photo")
        if s["stars"] is not None:
            return (f"Clear the rating of {n}" if s["stars"] == 0
                    else f"Rate {n} {s['stars']} stars")
        return f"Mark {n} as favourites" if s["favourite"] else f"Unmark {n} as favourites"

    def _do(self, lib: Editable) -> Any:
        s, ratings = self.state, lib.ratings
        before = ratings.marks(s["photo_ids"])
        if s["favourite"] == "toggle":  # decided once: a redo does the same
            s["favourite"] = not all(fav for _, fav in before.values())
        if s["stars"] is not None:
            ratings.set_rating(s["photo_ids"], s["stars"])
        else:
            ratings.set_favourite(s["photo_ids"], bool(s["favourite"]))
        s["before"] = [[pid, stars, fav] for pid, (stars, fav) in before.items()]
        return ratings.marks(s["photo_ids"])

    def _undo(self, lib: Editable) -> None:
        lib.ratings.restore({int(pid): (int(stars), bool(fav))
                             for pid, stars, fav in self.state["before"]})


class AlbumCreate(Command):
    """A new plain or smart album; undo deletes it, redo makes the same album again."""

    kind = "album-create"

    def __init__(self, name: str, query: str | None = None, min_score: float | None = None,
                 tag: str | None = None, made: dict[str, Any] | None = None) -> None:
        super().__init__(name=name, query=query, min_score=min_score, tag=tag, made=made)

    def text(self) -> str:
        return f"Create album {self.state['name']!r}"

    def _do(self, lib: Editable) -> Any:
        s = self.state
        if s["made"] is not None:  # redo: the very album again (same id)
            lib.albums.restore(AlbumSnapshot.from_dict(s["made"]))
            return lib.albums.get(AlbumSnapshot.from_dict(s["made"]).name)
        album = lib.albums.create(s["name"], query=s["query"], min_score=s["min_score"],
                                  tag=s["tag"])
        s["name"] = album.name
        s["made"] = lib.albums.snapshot(album.name).as_dict()
        return album

    def _undo(self, lib: Editable) -> None:
        lib.albums.delete(AlbumSnapshot.from_dict(self.state["made"]).name)


class AlbumDelete(Command):
    """Delete an album (its photos stay); undo brings it back with its rule and photos."""

    kind = "album-delete"

    def __init__(self, name: str, before: dict[str, Any] | None = None) -> None:
        super().__init__(name=name, before=before)

    def text(self) -> str:
        return f"Delete album {self.state['name']!r}"

    def _do(self, lib: Editable) -> Any:
        snap = lib.albums.snapshot(self.state["name"])
        self.state["before"] = snap.as_dict()
        lib.albums.delete(snap.name)
        return snap.name

    def _undo(self, lib: Editable) -> None:
        lib.albums.restore(AlbumSnapshot.from_dict(self.state["before"]))


class AlbumRename(Command):
    kind = "album-rename"

    def __init__(self, name: str, new_name: str, old: str | None = None) -> None:
        super().__init__(name=name, new_name=new_name, old=old)

    def text(self) -> str:
        return f"Rename album {self.state['name']!r} to {self.state['new_name']!r}"

    def _do(self, lib: Editable) -> Any:
        s = self.state
        s["old"] = lib.albums.get(s["name"]).name
        s["new_name"] = lib.albums.rename(s["old"], s["new_name"])
        return s["new_name"]

    def _undo(self, lib: Editable) -> None:
        lib.albums.rename(self.state["new_name"], self.state["old"])


class AlbumRedefine(Command):
    """Another rule for a smart album; undo gives the old one back."""

    kind = "album-redefine"

    def __init__(self, name: str, query: str | None = None, min_score: float | None = None,
                 tag: str | None = None, before: dict[str, Any] | None = None) -> None:
        super().__init__(name=name, query=query, min_score=min_score, tag=tag, before=before)

    def text(self) -> str:
        return f"Change the rule of album {self.state['name']!r}"

    def _do(self, lib: Editable) -> Any:
        s = self.state
        s["before"] = lib.albums.snapshot(s["name"]).as_dict()
        lib.albums.redefine(s["name"], query=s["query"], min_score=s["min_score"], tag=s["tag"])
        return lib.albums.get(s["name"])

    def _undo(self, lib: Editable) -> None:
        lib.albums.restore(AlbumSnapshot.from_dict(self.state["before"]))


class AlbumPhotos(Command):
    """Put photos into a plain album (``add``, making it if ``create``) or take them out
    (``remove``); undo changes back exactly the photos that changed."""

    kind = "album-photos"

    def __init__(self, action: str, name: str, photo_ids: Iterable[int], create: bool = False,
                 changed: list[int] | None = None, created: bool = False) -> None:
        if action not in ("add", "remove"):
            raise ValueError(f"unknown album action {action!r}")
        super().__init__(action=action, name=name, photo_ids=_ids(photo_ids), create=create,
                         changed=changed, created=created)

    def text(self) -> str:
        s = self.state
        n = counted(len(s["photo_ids"]), "photo")
        return (f"Add {n} to album {s['name']!r}" if s["action"] == "add"
                else f"Remove {n} from album {s['name']!r}")

    def _do(self, lib: Editable) -> Any:
        s, albums = self.state, lib.albums
        exists = any(a.name.lower() == s["name"].strip().lower() for a in albums.list())
        s["created"] = bool(s["action"] == "add" and s["create"] and not exists)
        before = albums.members(s["name"]) if exists else set()
        if s["action"] == "add":
            n = albums.add(s["name"], s["photo_ids"], create=s["create"])
            s["changed"] = [i for i in s["photo_ids"] if i not in before]
        else:
            n = albums.remove(s["name"], s["photo_ids"])
            s["changed"] = [i for i in s["photo_ids"] if i in before]
        return n

    def _undo(self, lib: Editable) -> None:
        s = self.state
        if s["created"]:
            lib.albums.delete(s["name"])
        elif s["action"] == "add":
            lib.albums.remove(s["name"], s["changed"])
        else:
            lib.albums.add(s["name"], s["changed"])


class TrashPhotos(Command):
    """Move photos to the system trash (the library forgets them); undo restores the files
    where the platform allows (:mod:`photoclip.core.trash`), with their tags and albums."""

    kind = "trash"

    def __init__(self, photo_ids: Iterable[int], record: dict[str, Any] | None = None,
                 paths: list[str] | None = None) -> None:
        super().__init__(photo_ids=_ids(photo_ids), record=record, paths=paths)

    def text(self) -> str:
        return f"Move {counted(len(self.state['photo_ids']), 'photo')} to the trash"

    def _do(self, lib: Editable) -> Any:
        s = self.state
        ids = lib.photo_ids(s["paths"]) if s["paths"] else s["photo_ids"]  # redo: by path
        record = lib.trash.move(ids)
        s["record"] = record.as_dict()
        s["photo_ids"] = ids
        return record

    def _undo(self, lib: Editable) -> None:
        self.state["paths"] = lib.trash.restore(TrashRecord.from_dict(self.state["record"]))
