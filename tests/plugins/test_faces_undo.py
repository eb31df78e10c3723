"""Undo and redo of every People decision (core/people_edits.py) on the real faces plugin: name
an unnamed person, name a face, "not this person", merge, answer, hide; through the core's
history and through `photoclip people` / `photoclip undo` across CLI runs. Undo gives back
exactly what was there (which face is whose, the locks, the rejections, names, hidden flags,
the names in the sidecars write_xmp wrote), redo the outcome, with a re-clustering in between.

One library (2 people x 3 LFW photos, analysed once for the module); each test ends with
everything undone, which is also what it checks."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("dlib", reason="the faces plugin needs dlib (pip install dlib-bin)")

from photoclip_faces import people as ops
from photoclip_faces import undo as undo_ops
from photoclip_faces.store import FILE_NAME, FaceStore

from photoclip.config import AppPaths, Settings, app_paths
from photoclip.core.edits import (
    FaceAnswer,
    FaceName,
    FaceNotPerson,
    PersonHide,
    PersonMerge,
    PersonRename,
)
from photoclip.core.library import Library
from photoclip.core.undo import journal
from photoclip.core.xmp_regions import read_named_regions
from tests.plugins.test_faces import IDENTITIES, copy_lfw, face_models  # noqa: F401

COLIN, SERENA = IDENTITIES[:2]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory, datasets_dir: Path, install_tiny_model,
         face_models) -> Iterator[AppPaths]:  # noqa: F811
    """A home whose library (write_xmp on, People on) holds 2 people x 3 photos, analysed."""
    root = tmp_path_factory.mktemp("people-undo")
    folder = copy_lfw(datasets_dir, root / "Pictures",
                      [(who, k) for who in (COLIN, SERENA) for k in (1, 2, 3)])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PHOTOCLIP_HOME", str(root / "home"))
        mp.setenv("LANGUAGE", "en")
        paths = app_paths().ensure()
        spec = install_tiny_model(paths.config / "models")
        Settings(folders=[str(folder)], model=spec.key, device="cpu", precision="fp32",
                 batch_size=8, enabled_plugins=["faces"], write_xmp=True,
                 ).save(paths.settings_file)
        lib = Library(paths)
        lib.index_folders()
        lib.people().people()  # grouped
        lib.close()
        yield paths


@pytest.fixture()
def lib(home: AppPaths) -> Iterator[Library]:
    lib = Library(home)
    yield lib
    lib.close()


def faces_file(paths: AppPaths) -> Path:
    return paths.data / "plugin-data" / "faces" / FILE_NAME


def picture(paths: AppPaths) -> dict[str, object]:
    """Everything undo must give back, read straight from the files: each face's photo,
    person and lock, each person's name and hidden flag, the rejections, and the names in
    the photos' sidecars."""
    db = sqlite3.connect(faces_file(paths))
    try:
        faces = db.execute("SELECT id, photo_id, person_id, locked FROM faces ORDER BY id")
        out: dict[str, object] = {
            "faces": faces.fetchall(),
            "persons": db.execute("SELECT id, name, hidden FROM persons ORDER BY id").fetchall(),
            "rejections": db.execute("SELECT * FROM rejections ORDER BY 1, 2").fetchall(),
        }
    finally:
        db.close()
    folder = Path(Settings.load(paths.settings_file).folders[0])
    out["sidecars"] = {p.stem: sorted(r.name for r in read_named_regions(p, (250, 250))
                                      if r.kind == "Face")
                       for p in sorted(folder.glob("*.jpg"))}
    return out


def faces_of(lib: Library, stem: str) -> list:
    photo = next(p for p in lib.plugin_context().photos() if Path(p.path).stem == stem)
    return lib.people().faces_in(photo.id)


def test_every_decision_is_undone_exactly_and_redone_across_runs(lib: Library,
                                                                  home: AppPaths) -> None:
    people = lib.people()
    start = picture(home)
    assert all(not names for names in start["sidecars"].values())
    colin = faces_of(lib, f"{COLIN}_0001")[0].person_id
    serena = faces_of(lib, f"{SERENA}_0001")[0].person_id
    assert colin != serena and people.person(colin).name is None
    face2 = faces_of(lib, f"{COLIN}_0002")[0].id
    face3 = faces_of(lib, f"{SERENA}_0003")[0].id
    edits = [
        PersonRename(colin, "Colin"),  # an unnamed person: undoable now
        FaceNotPerson(face2),  # "not Colin"
        FaceName(face3, "Venus"),  # "this is someone else": a new person
        PersonMerge(colin, serena),  # the rest of Serena into Colin (a wrong merge)
        PersonHide(colin),
    ]
    pictures = [start]
    for edit in edits:  # each in a run of its own: the journal is read again every time
        journal(home.library_dir).run(edit, lib)
        pictures.append(picture(home))
    assert pictures[1]["sidecars"][f"{COLIN}_0001"] == ["Colin"]  # write_xmp wrote the name
    assert pictures[2]["sidecars"][f"{COLIN}_0002"] == []  # ... and took it out again
    assert pictures[3]["sidecars"][f"{SERENA}_0003"] == ["Venus"]
    assert set(people.photos_of("Colin")) >= {f.photo_id for f in faces_of(lib, f"{SERENA}_0001")}
    assert people.person("Colin").hidden
    ops_store = FaceStore(faces_file(home).parent)  # a re-clustering between do and undo
    try:
        ops.recluster(ops_store)
    finally:
        ops_store.close()
    assert picture(home) == pictures[-1]  # the decisions are constraints: nothing moved
    for k in range(len(edits), 0, -1):
        undone = journal(home.library_dir).undo(lib)
        assert undone.kind == edits[k - 1].kind
        assert picture(home) == pictures[k - 1], f"undoing {undone.text()}"
    for k in range(1, len(edits) + 1):
        journal(home.library_dir).redo(lib)
        assert picture(home) == pictures[k]
    for _ in edits:
        journal(home.library_dir).undo(lib)
    assert picture(home) == start


def test_people_command_decisions_are_undone_by_photoclip_undo(
    home: AppPaths, capsys: pytest.CaptureFixture[str], restore_logging,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`photoclip people --person ID --name`, `--merge`, `--not-face`, `--decline`, `--hide`,
    each a CLI run of its own; `photoclip undo` takes each back, `photoclip redo` again."""
    from photoclip.cli import main as cli

    monkeypatch.setenv("PHOTOCLIP_HOME", str(home.data.parent))

    def run(*args: str) -> dict:
        assert cli.main(["--json", *args]) == 0, capsys.readouterr().err
        return json.loads(capsys.readouterr().out)

    start = picture(home)
    listed = run("people")["data"]["people"]
    first, second = (p["id"] for p in listed)
    run("people", "--person", str(first), "--name", "Anna")
    named = picture(home)
    merged = run("people", "--person", "anna", "--merge", str(second))["data"]
    assert merged["faces"] == 6 and merged["name"] == "Anna"
    face = next(f["id"] for f in run("people", "--show", "Anna")["data"]["faces"])
    moved = run("people", "--not-face", str(face))["data"]["person"]
    assert moved != first
    shown = picture(home)
    assert run("undo") == {"undone": f"Take face {face} out of its person",
                           "kind": "person-not-face"}
    assert run("undo")["kind"] == "person-merge"
    assert picture(home) == named
    assert run("redo")["kind"] == "person-merge"
    assert run("redo")["kind"] == "person-not-face"
    assert picture(home) == shown
    for _ in range(3):
        run("undo")
    assert picture(home) == start
    assert cli.main(["undo"]) == 1  # nothing left from this test's runs
    capsys.readouterr()


def test_an_answer_and_a_refused_undo(lib: Library, home: AppPaths) -> None:
    """Declining a suggestion is undone (the suggestion is back) and redone; an undo whose
    name someone else has taken meanwhile is refused with a clear error and changes nothing,
    and works once the name is free again."""
    from photoclip.core.people import PeopleError
    from photoclip.core.undo import UndoHistory

    people = lib.people()
    start = picture(home)
    colin = faces_of(lib, f"{COLIN}_0001")[0]
    rest = [faces_of(lib, f"{COLIN}_000{k}")[0].id for k in (2, 3)]
    history, elsewhere = UndoHistory(), UndoHistory()
    history.run(FaceName(colin.id, "Colin"), lib)  # the others are suggested for Colin now
    waiting = {f.id for f in people.suggestions()}
    assert waiting == set(rest)
    history.run(FaceAnswer(rest[0], False), lib)
    assert {f.id for f in people.suggestions()} == {rest[1]}
    history.undo(lib)
    assert {f.id for f in people.suggestions()} == waiting
    history.redo(lib)
    history.run(PersonRename("Colin", "Anna"), lib)
    serena = faces_of(lib, f"{SERENA}_0001")[0].person_id
    elsewhere.run(PersonRename(serena, "colin"), lib)  # someone else is Colin now
    before = picture(home)
    with pytest.raises(PeopleError, match="cannot put the name 'Colin' back: someone else"):
        history.undo(lib)
    assert picture(home) == before and people.person("Anna").faces == 1
    elsewhere.undo(lib)
    for _ in range(3):
        history.undo(lib)
    assert picture(home) == start


def test_person_ids_are_never_reused_and_an_older_file_is_upgraded(home: AppPaths,
                                                                   tmp_path: Path) -> None:
    """A merge removes a person; a person made later must not take their id, or undoing the
    merge would hand that id's faces the old name (SQLite gives the largest id again without
    AUTOINCREMENT). A faces file from before is upgraded in place: ids, names and each face's
    person kept. And two people a face was told apart from both are merged (it failed). And
    nothing is put back into a faces file made after a forget."""
    source, copy = sqlite3.connect(faces_file(home)), sqlite3.connect(tmp_path / FILE_NAME)
    source.backup(copy)
    source.close()
    copy.executescript(  # the persons table as it was before undo
        "CREATE TABLE old (id INTEGER PRIMARY KEY, name TEXT UNIQUE, hidden INTEGER NOT NULL "
        "DEFAULT 0); INSERT INTO old SELECT * FROM persons; DROP TABLE persons; "
        "ALTER TABLE old RENAME TO persons;")
    faces_before = copy.execute("SELECT id, person_id FROM faces ORDER BY id").fetchall()
    persons_before = copy.execute("SELECT * FROM persons ORDER BY id").fetchall()
    copy.close()
    store = FaceStore(tmp_path)
    try:
        (sql,) = store._db.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'persons'").fetchone()
        assert "AUTOINCREMENT" in sql
        assert [(f.id, f.person_id) for f in store.faces()] == faces_before
        assert store._db.execute("SELECT * FROM persons ORDER BY id").fetchall() == \
            persons_before
        a, b = sorted(p.id for p in store.people())
        ops.merge(store, a, b)  # b, the largest id, is gone
        face, other = store.faces(person_id=a)[:2]
        made = ops.not_person(store, face.id)  # a new person for it
        assert made is not None and made > b
        # a face that is neither a nor made: merging the two keeps it apart from the one
        ops.name_face(store, other.id, "Somebody")
        with store.transaction() as db:
            db.execute("INSERT OR IGNORE INTO rejections VALUES (?, ?)", (other.id, made))
        assert store.rejections()[other.id] >= {a, made}
        ops.merge(store, a, made)
        assert a in store.rejections()[other.id] and made not in store.rejections()[other.id]
        # a decision recorded on a faces file that `people --forget` removed since: its redo
        # brings no forgotten name back
        before = undo_ops.state(store)
        ops.name(store, a, "Zed")
        change = undo_ops.changes(before, undo_ops.state(store))
        undo_ops.put_back(store, change)
        assert store.person("Zed") is None and store.person(a) is not None
        with store.transaction() as db:
            db.execute("UPDATE meta SET value = 'another file' WHERE key = 'file_id'")
        undo_ops.put_back(store, change, undo=False)
        assert store.person("Zed") is None
    finally:
        store.close()
