"""The faces plugin with the real dlib models on the shared faces dataset: same-person photos
cluster together and different people do not; the user's "not this person" survives
re-clustering and re-analysis; a re-run after a kill stores no duplicates; the analyzer catches
up on an existing library through the core's analysis stage; off stores nothing new; forget
leaves no face data on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("dlib", reason="the faces plugin needs dlib (pip install dlib-bin)")

from photoclip_faces import clustering, people
from photoclip_faces.models import FaceModels, FaceModelsMissing, models_dir
from photoclip_faces.store import FILE_NAME, FaceStore
from photoclip_faces.workers import worker_count

from photoclip.config import Settings
from photoclip.plugin_testing import run_action

IDENTITIES = ["Colin_Powell", "Serena_Williams", "Jackie_Chan", "Junichiro_Koizumi"]
PER_PERSON = 5


@pytest.fixture(scope="session")
def face_models() -> FaceModels:
    try:
        models_dir()
    except FaceModelsMissing as exc:
        pytest.skip(str(exc))
    return FaceModels()


def lfw(datasets_dir: Path, identity: str, k: int) -> Path:
    return datasets_dir / "faces" / "lfw" / identity / f"{identity}_{k:04d}.jpg"


@pytest.fixture(scope="session")
def subset(datasets_dir: Path, face_models: FaceModels) -> dict:
    """{photo id: (identity, faces)} for 4 identities x 5 photos (ids 1..20)."""
    out = {}
    for n, identity in enumerate(IDENTITIES):
        for k in range(1, PER_PERSON + 1):
            faces = face_models.faces_in_file(lfw(datasets_dir, identity, k))
            assert faces, f"no face found in {identity} {k}"
            # the labelled person is the face nearest the centre of an LFW crop
            faces.sort(key=lambda f: abs(f.left + f.width / 2 - 125)
                       + abs(f.top + f.height / 2 - 125))
            out[n * PER_PERSON + k] = (identity, faces[:1])
    return out


def test_same_person_clusters_together_and_different_people_do_not(subset: dict) -> None:
    import numpy as np

    ids = sorted(subset)
    vecs = np.stack([subset[i][1][0].vector for i in ids])
    labels = clustering.cluster(vecs)
    by_identity: dict[str, set[int]] = {}
    for i, label in zip(ids, labels):
        by_identity.setdefault(subset[i][0], set()).add(label)
    assert all(len(found) == 1 for found in by_identity.values()), by_identity
    assert len({next(iter(s)) for s in by_identity.values()}) == len(IDENTITIES)
    # the same through the store (incremental assignment, then clustering)
    assert clustering.pairwise_scores([subset[i][0] for i in ids], labels) == (1.0, 1.0)


def test_not_this_person_survives_reclustering_and_reanalysis(tmp_path: Path, subset: dict
                                                              ) -> None:
    store = FaceStore(tmp_path)
    store.replace_photos({pid: faces for pid, (_, faces) in subset.items()})
    people.ensure_clustered(store)
    assert len(store.people()) == len(IDENTITIES)
    colin = store.faces(photo_id=1)[0].person_id
    anna = people.name(store, colin, "Anna")
    assert anna.faces == PER_PERSON and store.person("anna").id == colin
    face = store.faces(photo_id=3)[0]
    moved_to = people.not_person(store, face.id)
    assert moved_to is not None and moved_to != colin
    for _ in range(2):
        people.recluster(store)
        assert store.face(face.id).person_id != colin
        assert 3 not in store.photos_of(colin)
    # the photo is analysed again (content changed, a new model version, a run after a kill):
    # its face is replaced, never doubled, and the user's word still holds
    for _ in range(2):
        store.replace_photos({3: subset[3][1], 1: subset[1][1]})
        people.ensure_clustered(store)
    assert len(store.faces(photo_id=3)) == 1 and len(store.faces(photo_id=1)) == 1
    assert store.faces(photo_id=3)[0].person_id != colin
    assert store.faces(photo_id=1)[0].person_id == colin  # the named face stays named
    assert store.person(colin).faces == PER_PERSON - 1
    # merging keeps the name; the merged-away person is gone
    other = store.faces(photo_id=3)[0].person_id
    merged = people.merge(store, colin, other)
    assert merged.name == "Anna" and store.person(other) is None
    store.close()


def copy_lfw(datasets_dir: Path, folder: Path, photos: list[tuple[str, int]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for identity, k in photos:
        shutil.copy2(lfw(datasets_dir, identity, k), folder)
    return folder


def enable_faces(settings_file: Path) -> None:
    settings = Settings.load(settings_file)
    settings.enabled_plugins = sorted({*settings.enabled_plugins, "faces"})
    settings.save(settings_file)


def test_analyzer_catches_up_off_stores_nothing_and_forget_leaves_no_face_data(
    make_library, datasets_dir: Path, tmp_path: Path, photoclip_home, face_models: FaceModels
) -> None:
    first = [(who, k) for who in IDENTITIES[:2] for k in (1, 2, 3)]
    folder = copy_lfw(datasets_dir, tmp_path / "Pictures", first)
    lib = make_library([folder])
    assert lib.index_folders().embedded == len(first)  # a library made before People was on
    assert "faces" not in lib.analyzers()
    lib.close()

    enable_faces(photoclip_home.settings_file)
    lib = make_library([])
    assert len(lib.analysis.pending("faces")) == len(first)
    seen = []
    assert lib.index_folders(seen.append).embedded == 0  # nothing embedded again
    assert any(p.phase == "analyzing" and p.current == "Finding faces" for p in seen)
    status = {s.name: s for s in lib.analysis.status()}["faces"]
    assert (status.pending, status.done, status.failed) == (0, len(first), 0)
    listed = run_action(lib.plugins, lib, "people")
    assert [p["faces"] for p in listed.data["people"]] == [3, 3]  # largest first, two people
    data_dir = photoclip_home.data / "plugin-data" / "faces"
    store = FaceStore(data_dir)
    photo_ids = set(lib.vectors.index().ids().tolist())
    assert {f.photo_id for f in store.faces()} == photo_ids
    before = store.counts()[0]
    store.close()
    shown = run_action(lib.plugins, lib, "people", show=str(listed.data["people"][0]["id"]))
    assert len(shown.data["paths"]) == 3

    # off: a new photo is indexed, no face of it is computed or stored
    lib.analysis.set_enabled("faces", False)
    copy_lfw(datasets_dir, folder, [(IDENTITIES[2], 1)])
    assert lib.index_folders().embedded == 1
    store = FaceStore(data_dir)
    assert store.counts()[0] == before
    store.close()

    # forget asks; "no" keeps everything, "yes" leaves no face data on disk
    kept = run_action(lib.plugins, lib, "people", forget=True, confirm=False)
    assert kept.data == {"forgotten": False} and (data_dir / FILE_NAME).exists()
    gone = run_action(lib.plugins, lib, "people", forget=True, confirm=True)
    assert gone.data["forgotten"] and gone.data["faces"] == before
    assert [p for p in data_dir.rglob("*") if p.is_file()] == []
    lib.close()


def test_people_command_lists_names_merges_and_shows_as_json(
    cli_env: dict, photoclip_home, datasets_dir: Path, tmp_path: Path, face_models: FaceModels
) -> None:
    import json
    import subprocess
    import sys

    folder = copy_lfw(datasets_dir, tmp_path / "Pictures",
                      [(who, k) for who in IDENTITIES[:2] for k in (1, 2)])
    settings = Settings.load(photoclip_home.settings_file)
    settings.folders = [str(folder.resolve())]
    settings.save(photoclip_home.settings_file)
    enable_faces(photoclip_home.settings_file)

    def photoclip(*args: str) -> dict:
        out = subprocess.run([sys.executable, "-m", "photoclip", *args, "--json"], env=cli_env,
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    photoclip("index")
    listed = photoclip("people")["data"]["people"]
    assert [p["faces"] for p in listed] == [2, 2] and all(p["name"] is None for p in listed)
    a, b = listed[0]["id"], listed[1]["id"]
    assert photoclip("people", "--person", str(a), "--name", "Anna")["data"]["name"] == "Anna"
    shown = photoclip("people", "--show", "anna")["data"]
    assert len(shown["paths"]) == 2 and len(shown["faces"]) == 2
    merged = photoclip("people", "--person", "Anna", "--merge", str(b))["data"]
    assert merged == {"id": a, "name": "Anna", "faces": 4, "photos": 4}
    bad = subprocess.run([sys.executable, "-m", "photoclip", "people", "--show", "Nobody"],
                         env=cli_env, capture_output=True, text=True)
    assert bad.returncode != 0 and "no person 'Nobody'" in bad.stderr


CHILD = """
from photoclip.core.library import Library
lib = Library()
lib.index_folders()
lib.close()
"""


def test_kill_9_during_face_analysis_then_resume_stores_no_duplicates(
    make_library, datasets_dir: Path, tmp_path: Path, photoclip_home, face_models: FaceModels
) -> None:
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    chosen = [(who, k) for who in IDENTITIES for k in range(1, 11)][:40]  # 3 batches of 16
    folder = copy_lfw(datasets_dir, tmp_path / "Pictures", chosen)
    make_library([folder]).close()  # writes the settings (tiny model, the folder)
    enable_faces(photoclip_home.settings_file)
    faces_file = photoclip_home.data / "plugin-data" / "faces" / FILE_NAME

    def stored() -> int:
        if not faces_file.exists():
            return 0
        try:
            with sqlite3.connect(faces_file, timeout=1) as db:
                return db.execute("SELECT COUNT(DISTINCT photo_id) FROM faces").fetchone()[0]
        except sqlite3.OperationalError:  # created but no table yet
            return 0

    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}  # PHOTOCLIP_HOME: the test's home
    child = subprocess.Popen([sys.executable, "-c", CHILD], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 600  # a bound on a stuck child, not a timed assertion
        while stored() == 0 and child.poll() is None:
            assert time.monotonic() < deadline, "the child never stored a face"
            time.sleep(0.05)
        assert child.poll() is None, child.communicate()[1][-2000:]
        helpers = children_of(child.pid)  # the face workers (one per core)
        assert helpers or worker_count() == 1
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert 0 < stored() < len(chosen)  # killed mid-way through the photos
    while any(alive(pid) for pid in helpers):  # the workers go with it, none is left behind
        assert time.monotonic() < deadline, f"face workers {helpers} outlived their parent"
        time.sleep(0.05)

    lib = make_library([])
    assert 0 < len(lib.analysis.pending("faces")) < len(chosen)
    lib.index_folders()
    assert lib.analysis.pending("faces") == []
    store = FaceStore(faces_file.parent)
    records = lib.browse.records(lib.vectors.index().ids().tolist()).values()
    by_name = {Path(r.path).name: r.id for r in records}
    assert len(by_name) == len(chosen)
    for who, k in chosen:
        photo_id = by_name[lfw(datasets_dir, who, k).name]
        expected = face_models.faces_in_file(folder / lfw(datasets_dir, who, k).name)
        assert len(store.faces(photo_id=photo_id)) == len(expected)  # once, never twice
    store.close()
    lib.close()


def children_of(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_two_faces_of_one_photo_are_never_one_person() -> None:
    """Look-alike faces side by side in one photo (siblings, a poster behind someone) are two
    people: clustering never puts them together, nor lets a small group join across them."""
    from photoclip_faces import clustering

    rng = np.random.default_rng(7)
    base = rng.normal(size=128)
    base /= np.linalg.norm(base)
    near = [base + 0.01 * rng.normal(size=128) for _ in range(4)]
    vecs = np.stack(near)
    assert clustering.distances(vecs, vecs).max() < clustering.CLUSTER_DISTANCE
    assert len(set(clustering.cluster(vecs))) == 1  # without photos: one person
    labels = clustering.cluster(vecs, photos=[1, 1, 2, 3])
    assert labels[0] != labels[1]  # the two faces of photo 1
    assert len(set(labels)) == 2  # the faces of photos 2 and 3 join one of them
    locked = clustering.cluster(vecs, photos=[1, 1, 2, 3], locked=[5, None, None, None])
    assert locked[0] != locked[1]  # a named face does not absorb its neighbour in the photo
    # a new photo's faces join a known person one at a time: the nearest one only
    both = clustering.assign(vecs[:2], vecs[2:], [5, 5])
    assert both == [5, 5]  # faces of different photos may
    one = clustering.assign(vecs[:2], vecs[2:], [5, 5], distinct=True)
    assert one.count(5) == 1 and one.count(None) == 1  # two faces of one photo may not
