"""Undoable edits (core/edits.py, core/undo.py): tags, albums and the trash, each put back
exactly, kept in a journal between runs; and the keeper rule of duplicate groups."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from photoclip.core.duplicates import original_first
from photoclip.core.edits import (
    AlbumCreate,
    AlbumDelete,
    AlbumPhotos,
    AlbumRedefine,
    AlbumRename,
    MarksEdit,
    TagEdit,
    TrashPhotos,
)
from photoclip.core.library import Library
from photoclip.core.tags import TagError
from photoclip.core.types import Photo
from photoclip.core.undo import UndoError, UndoHistory
from tests.system_trash import system_trash_fixture  # noqa: F401  (the system_trash fixture)


@pytest.fixture()
def lib(make_library, tmp_path: Path, datasets_dir: Path) -> Library:
    root = tmp_path / "Pictures"
    root.mkdir()
    for src in sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:5]:
        shutil.copy2(src, root / src.name)
    library = make_library([root])
    library.settings.auto_tag = False
    library.index_folders()
    return library


def _ids(lib: Library) -> list[int]:
    return sorted(lib._catalog.indexed_ids(lib.model_spec.key))


def _rows(lib: Library, tag: str) -> set[tuple]:
    with lib._catalog.transaction() as db:
        tags = db.execute("SELECT photo_id, source, label_set, score FROM tags WHERE tag=?",
                          (tag,)).fetchall()
        rejected = db.execute("SELECT photo_id FROM rejected_tags WHERE tag=?",
                              (tag,)).fetchall()
    return {tuple(r) for r in tags} | {("rejected", r[0]) for r in rejected}


def test_tag_edits_undo_to_the_row_and_survive_in_the_journal(lib: Library, tmp_path: Path
                                                              ) -> None:
    a, b, c = _ids(lib)[:3]
    lib._tags.replace_auto("m", {a: [("dog", "animals", 0.9)]})
    lib._tags.reject("dog", [b])
    before = _rows(lib, "dog")
    journal = tmp_path / "journal.json"
    history = UndoHistory(journal)
    change = history.run(TagEdit("add", "Dog", [a, b, c]), lib)
    assert change.changed == 3
    after = _rows(lib, "dog")
    assert {(r[0], r[1]) for r in after} == {(a, "auto"), (a, "user"), (b, "user"), (c, "user")}
    history.undo(lib)
    assert _rows(lib, "dog") == before  # the automatic tag with its score, the rejection
    history.redo(lib)
    assert _rows(lib, "dog") == after
    again = UndoHistory(journal)  # another run of the CLI
    assert [cmd.text() for cmd in again.done] == ["Add tag 'Dog' to 3 photos"]
    again.undo(lib)
    assert _rows(lib, "dog") == before
    with pytest.raises(UndoError, match="nothing to undo"):
        again.undo(lib)
    history = UndoHistory(journal)
    history.run(TagEdit("reject", "dog", [a]), lib)  # a new edit: the redo is gone
    assert history.undone == [] and ("rejected", a) in _rows(lib, "dog")
    history.undo(lib)
    assert _rows(lib, "dog") == before


def test_album_edits_undo_and_never_overwrite(lib: Library) -> None:
    a, b, c = _ids(lib)[:3]
    history = UndoHistory()
    lib._tags.add("beach", [a, c])
    assert lib.albums.preview(tag="beach") == 2
    assert lib.albums.preview(query="a photo", min_score=-1.0) == len(_ids(lib))
    history.run(AlbumCreate("Beach", tag="beach"), lib)
    history.run(AlbumCreate("Trip"), lib)
    lib.albums.add("Trip", [a])
    history.run(AlbumPhotos("add", "Trip", [a, b]), lib)
    assert lib.albums.members("Trip") == {a, b}
    history.undo(lib)
    assert lib.albums.members("Trip") == {a}  # only the photo that was added goes
    history.redo(lib)
    with pytest.raises(TagError, match="exists already"):
        history.run(AlbumRename("Trip", "beach"), lib)  # never over another album
    with pytest.raises(TagError, match="exists already"):
        history.run(AlbumCreate("TRIP"), lib)
    history.run(AlbumRename("trip", "Holiday"), lib)
    assert [x.name for x in lib.albums.list()] == ["Beach", "Holiday"]
    history.run(AlbumPhotos("remove", "Holiday", [b, c]), lib)
    assert lib.albums.members("Holiday") == {a}
    trip_id = lib.albums.get("Holiday").id
    history.run(AlbumDelete("Holiday"), lib)
    assert [x.name for x in lib.albums.list()] == ["Beach"]
    history.undo(lib)  # the delete: same album, same id, same photos
    assert lib.albums.get("Holiday").id == trip_id and lib.albums.members("Holiday") == {a}
    history.undo(lib)  # the remove: only b was in it
    assert lib.albums.members("Holiday") == {a, b}
    history.undo(lib)  # the rename
    assert lib.albums.get("Trip").id == trip_id
    history.undo(lib)
    history.undo(lib)  # the plain album goes
    assert [x.name for x in lib.albums.list()] == ["Beach"]
    history.undo(lib)
    assert lib.albums.list() == []
    history.redo(lib)  # the smart album again, with its rule
    assert lib.albums.get("Beach").tag == "beach" and lib.albums.members("Beach") == {a, c}
    history.run(AlbumRedefine("beach", query="a photo", min_score=-1.0), lib)
    assert lib.albums.members("Beach") == set(_ids(lib))
    history.undo(lib)
    assert lib.albums.get("Beach").tag == "beach" and lib.albums.get("Beach").query is None
    lib.albums.create("Plain")
    with pytest.raises(TagError, match="plain album"):
        history.run(AlbumRedefine("Plain", tag="beach"), lib)  # what the user put in stays


def test_trash_moves_to_the_system_trash_and_undo_restores(lib: Library,
                                                          system_trash: Path) -> None:
    ids = _ids(lib)
    victim = ids[1]
    path = lib.browse.record(victim).path
    content = Path(path).read_bytes()
    lib.tagging.add("keep me", [victim])
    lib.albums.create("Trip")
    lib.albums.add("Trip", [victim, ids[0]])
    history = UndoHistory()
    history.run(TrashPhotos([victim]), lib)
    assert not os.path.exists(path)
    (in_trash,) = (system_trash / "files").iterdir()
    assert in_trash.read_bytes() == content  # moved, never deleted
    assert len(list((system_trash / "info").glob("*.trashinfo"))) == 1
    assert lib.browse.record(victim) is None  # the catalog follows
    assert victim not in set(lib.vectors.index().ids().tolist())
    assert lib.albums.members("Trip") == {ids[0]}
    history.undo(lib)
    assert Path(path).read_bytes() == content
    assert list((system_trash / "files").iterdir()) == []
    assert list((system_trash / "info").iterdir()) == []
    (back,) = lib.photo_ids([path])
    assert "keep me" in lib.tagging.own(back) and back in lib.albums.members("Trip")
    assert back in set(lib.vectors.index().ids().tolist())  # indexed again
    history.redo(lib)  # by path: the photo has a new id now
    assert not os.path.exists(path) and len(list((system_trash / "files").iterdir())) == 1


def test_rating_and_favourite_edits_undo_per_photo_and_survive_in_the_journal(
        lib: Library, tmp_path: Path) -> None:
    a, b, c = _ids(lib)[:3]
    lib.ratings.set_rating([a], 2)
    lib.ratings.set_favourite([b], True)
    start = lib.ratings.marks([a, b, c])
    history = UndoHistory(tmp_path / "journal.json")
    assert history.run(MarksEdit([a, b, c], stars=5), lib) == {a: (5, False), b: (5, True),
                                                             c: (5, False)}
    history.run(MarksEdit([a, b], favourite="toggle"), lib)  # not all are: all become ♥
    assert lib.ratings.marks([a, b, c]) == {a: (5, True), b: (5, True), c: (5, False)}
    again = UndoHistory(tmp_path / "journal.json")  # another run of the CLI
    assert [cmd.text() for cmd in again.done] == ["Rate 3 photos 5 stars",
                                                  "Mark 2 photos as favourites"]
    again.undo(lib)
    assert lib.ratings.marks([a, b, c]) == {a: (5, False), b: (5, True), c: (5, False)}
    again.redo(lib)  # the toggle was decided once: redo marks again, never unmarks
    assert lib.ratings.marks([a, b]) == {a: (5, True), b: (5, True)}
    again.undo(lib)
    again.undo(lib)
    assert lib.ratings.marks([a, b, c]) == start  # each photo its own stars and heart
    with pytest.raises(ValueError, match="0 to 5 stars"):
        MarksEdit([a], stars=6)
    with pytest.raises(ValueError, match="either stars or the favourite"):
        MarksEdit([a], stars=3, favourite=True)
    with pytest.raises(ValueError, match="no photo with id"):
        again.run(MarksEdit([a, 999_999], stars=1), lib)
    assert lib.ratings.marks([a]) == {a: start[a]} and again.done == []  # nothing changed


def test_the_original_is_the_keeper(tmp_path: Path) -> None:
    def photo(i: int, rel: str, w: int, size: int, age: float) -> Photo:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")
        stamp = time.time() - age
        os.utime(p, (stamp, stamp))
        return Photo(i, str(p), size, w, w)

    orig = photo(1, "2020/IMG_1.jpg", 100, 5000, 1000)
    in_copies = photo(2, "copies/IMG_1.jpg", 100, 5000, 2000)  # older, but in a copies folder
    newer = photo(3, "2020/IMG_1 (1).jpg", 100, 5000, 500)
    bigger = photo(4, "dups/IMG_1-big.jpg", 200, 9000, 10)  # more pixels win over all
    assert [p.id for p in original_first([in_copies, newer, orig])] == [1, 3, 2]
    assert original_first([orig, bigger])[0].id == 4


def test_restore_keeps_a_file_now_in_the_way_and_says_what_it_cannot(
        tmp_path: Path, system_trash: Path) -> None:
    from photoclip.core.trash import Trashed, TrashError, move_to_trash, restore

    photo = tmp_path / "IMG_1.jpg"
    photo.write_bytes(b"the original")
    (moved,) = move_to_trash([photo])
    assert moved.original == str(photo) and Path(moved.in_trash).read_bytes() == b"the original"
    photo.write_bytes(b"a new file with the same name")  # made since: never overwritten
    (back,) = restore([moved])
    assert back == str(tmp_path / "IMG_1 (2).jpg")
    assert Path(back).read_bytes() == b"the original"
    assert photo.read_bytes() == b"a new file with the same name"
    assert not Path(moved.info).exists()
    one, two = tmp_path / "a" / "IMG_2.jpg", tmp_path / "b" / "IMG_2.jpg"  # same name twice
    for p, text in ((one, b"one"), (two, b"two")):
        p.parent.mkdir()
        p.write_bytes(text)
    moved_two = move_to_trash([one, two])
    assert len({t.in_trash for t in moved_two}) == 2
    assert restore(list(reversed(moved_two))) == [str(two), str(one)]
    assert (one.read_bytes(), two.read_bytes()) == (b"one", b"two")
    with pytest.raises(TrashError, match="restore it from the system trash"):
        restore([Trashed(str(photo))])  # where it went is not known (macOS, Windows)
    with pytest.raises(TrashError, match=r"cannot move .*missing\.jpg to the trash"):
        move_to_trash([tmp_path / "missing.jpg"])
