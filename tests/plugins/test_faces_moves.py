"""A moved photo keeps its faces and names: real faces (the shared dataset, the dlib models),
real files moved within a library folder and between two, seen by an index run and by the
live watcher (real watchdog events); a renamed file is known again by its content."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("dlib", reason="the faces plugin needs dlib (pip install dlib-bin)")

from photoclip.core.service import LibraryService, ServiceEvent
from tests.plugins.test_faces import IDENTITIES, copy_lfw, enable_faces, face_models, lfw  # noqa: F401

COLIN, SERENA = IDENTITIES[0], IDENTITIES[1]


def wait_for(condition: Callable[[], bool], bound: float = 120.0) -> None:
    """Wait for ``condition`` (``bound``: a stuck run fails, not a timed assertion)."""
    deadline = time.monotonic() + bound
    while not condition():
        assert time.monotonic() < deadline, "the condition was never reached"
        time.sleep(0.05)


def faces_by_path(lib) -> dict[str, list[tuple[int, str | None, bool]]]:
    """{file name: [(face id, person's name, locked)]} of every photo, and no photo twice."""
    from photoclip_faces.store import FaceStore

    ctx = lib.plugin_context()
    photos = ctx.photos()
    store = FaceStore(lib.paths.data / "plugin-data" / "faces")
    try:
        names = store.named()
        out = {Path(p.path).name: [(f.id, names.get(f.person_id), f.locked)
                                   for f in store.faces(photo_id=p.id)] for p in photos}
    finally:
        store.close()
    assert len(out) == len(photos)
    return out


def test_a_moved_photo_keeps_its_faces_and_names(
    make_library, datasets_dir: Path, tmp_path: Path, photoclip_home, face_models  # noqa: F811
) -> None:
    first, second = tmp_path / "Pictures", tmp_path / "Family"
    copy_lfw(datasets_dir, first, [(COLIN, k) for k in (1, 2, 3)])
    copy_lfw(datasets_dir, second, [(SERENA, k) for k in (1, 2)])
    make_library([first, second]).close()
    enable_faces(photoclip_home.settings_file)
    lib = make_library([])
    lib.index_folders()
    people = lib.plugins.people(lib.plugin_context())
    assert [p.faces for p in people.people()] == [3, 2]  # clustered
    by_name = {Path(p.path).name: p for p in lib.plugin_context().photos()}
    colin = people.faces_in(by_name[lfw(datasets_dir, COLIN, 1).name].id)[0].person_id
    people.name(colin, "Colin")
    serena_face = people.faces_in(by_name[lfw(datasets_dir, SERENA, 2).name].id)[0]
    people.name_face(serena_face.id, "Serena")  # one face named, its other one not
    before = faces_by_path(lib)
    assert sum(len(f) for f in before.values()) == 5
    ids = {name: p.id for name, p in by_name.items()}

    def same_faces_after(moves: dict[str, str]) -> None:
        """Every photo kept its id and its faces (the same face ids, names and decisions)."""
        after = faces_by_path(lib)
        assert {moves.get(n, n): f for n, f in before.items()} == after
        now = {Path(p.path).name: p.id for p in lib.plugin_context().photos()}
        assert now == {moves.get(n, n): i for n, i in ids.items()}
        assert lib.analysis.pending("faces") == []
        assert set(people.photos_of("Colin")) == {ids[lfw(datasets_dir, COLIN, k).name]
                                                  for k in (1, 2, 3)}
        assert people.photos_of("Serena") == [ids[lfw(datasets_dir, SERENA, 2).name]]

    # an index run: moved between the two folders, renamed, moved into a new sub-folder
    c1, c2, s1 = (lfw(datasets_dir, w, k).name for w, k in ((COLIN, 1), (COLIN, 2), (SERENA, 1)))
    (first / c1).rename(second / c1)
    (first / c2).rename(first / "renamed.jpg")
    (second / "2004").mkdir()
    (second / s1).rename(second / "2004" / s1)
    report = lib.index_folders()
    assert report.embedded == 0 and report.removed == 0
    moves = {c2: "renamed.jpg"}
    same_faces_after(moves)

    # the live watcher: moved back between the folders, a folder renamed, a file renamed
    events: list[ServiceEvent] = []
    service = LibraryService(lib, quiet=0.3)
    service.subscribe(events.append)
    service.start()
    try:
        wait_for(lambda: any(e.kind == "reconciled" for e in events))
        assert service.wait_idle(60)
        paths = lambda: {p.path for p in lib.plugin_context().photos()}  # noqa: E731
        (second / c1).rename(first / c1)
        (second / "2004").rename(second / "2005")
        (first / "renamed.jpg").rename(first / "colin.jpg")
        wanted = {str(first / c1), str(second / "2005" / s1), str(first / "colin.jpg")}
        wait_for(lambda: wanted <= paths() and len(paths()) == 5)
        assert service.wait_idle(60)
        moves = {c2: "colin.jpg"}
        same_faces_after(moves)
        # a move between devices: a copy appears (indexed, its faces found), the original goes
        s2 = lfw(datasets_dir, SERENA, 2).name
        shutil.copy2(second / s2, first / "serena.jpg")
        wait_for(lambda: str(first / "serena.jpg") in paths() and len(paths()) == 6)
        assert service.wait_idle(60)
        (second / s2).unlink()
        wait_for(lambda: str(second / s2) not in paths() and len(paths()) == 5)
        assert service.wait_idle(60)
        moves[s2] = "serena.jpg"
        same_faces_after(moves)
        assert not [e for e in events if e.kind == "batch" and e.report.embedded]
    finally:
        service.stop()
    lib.close()
