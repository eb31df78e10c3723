"""The faces plugin through photoclip's hooks, as the GUI reaches it: photo regions (hook 2)
and the People interface (name a face, not this person, hide, suggestions), with the real dlib
models on real photos of the shared faces dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("dlib", reason="the faces plugin needs dlib (pip install dlib-bin)")

from photoclip_faces import people as ops
from photoclip_faces.store import FaceStore

from photoclip.core.people import People, PeopleError, face_crop
from photoclip.plugin_api import Photo
from tests.plugins.people_undo import check_people_edits_undo
from tests.plugins.test_faces import IDENTITIES, copy_lfw, enable_faces, face_models, lfw  # noqa: F401


@pytest.fixture()
def faces_library(make_library, datasets_dir: Path, tmp_path: Path, photoclip_home,
                  face_models) -> object:  # noqa: F811
    """A library of 2 identities x 3 LFW photos with People on, analysed."""
    folder = copy_lfw(datasets_dir, tmp_path / "Pictures",
                      [(who, k) for who in IDENTITIES[:2] for k in (1, 2, 3)])
    make_library([folder]).close()
    enable_faces(photoclip_home.settings_file)
    lib = make_library([])
    lib.index_folders()
    return lib


def by_file(lib) -> dict[str, Photo]:
    ctx = lib.plugin_context()
    return {Path(p.path).stem: p for p in ctx.photos()}


def test_regions_and_people_through_the_hooks(faces_library) -> None:
    lib = faces_library
    ctx = lib.plugin_context()
    people = lib.plugins.people(ctx)
    assert isinstance(people, People)
    listed = people.people()
    assert [p.faces for p in listed] == [3, 3] and all(p.title == "Unnamed" for p in listed)
    photos = by_file(lib)
    colin = photos[f"{IDENTITIES[0]}_0001"]
    regions = lib.plugins.photo_regions(colin, ctx)
    assert len(regions) == 1
    (face,) = regions
    assert (face.kind, face.label, face.plugin) == ("face", "Unnamed", "faces")
    left, top, w, h = face.box
    assert left >= 0 and left + w <= 250 and top >= 0 and top + h <= 250 and w > 40
    # the cover of each person is one of their faces; its crop is a real thumbnail
    cover = listed[0].cover
    assert cover is not None and cover.person_id == listed[0].id
    crop = face_crop(ctx.photo(cover.photo_id).path, cover.box, 64)
    assert crop.size == (64, 64) and crop.getextrema() != ((0, 0), (0, 0), (0, 0))

    # click a face, name it: the region says the name, the person has it, listed first
    anna = people.name_face(int(face.id), "Anna")
    assert anna.name == "Anna" and anna.faces == 1
    assert lib.plugins.photo_regions(colin, ctx)[0].label == "Anna"
    # naming the rest of that person (the sidebar's "name"): a name in use merges the two
    other = next(p for p in people.people() if p.name is None and p.id != anna.id
                 and colin.id not in people.photos_of(p.id)
                 and photos[f"{IDENTITIES[0]}_0002"].id in people.photos_of(p.id))
    merged = people.name(other.id, "anna")
    assert merged.name == "Anna" and merged.faces == 3
    assert set(people.photos_of("Anna")) == {photos[f"{IDENTITIES[0]}_000{k}"].id
                                             for k in (1, 2, 3)}
    # not this person: the face leaves Anna for good
    second = lib.plugins.photo_regions(photos[f"{IDENTITIES[0]}_0002"], ctx)[0]
    people.not_person(int(second.id))
    assert photos[f"{IDENTITIES[0]}_0002"].id not in people.photos_of("Anna")
    assert lib.plugins.photo_regions(photos[f"{IDENTITIES[0]}_0002"], ctx)[0].label != "Anna"

    # hide: gone from the list, still there with hidden=True, shown again on request
    serena = next(p for p in people.people() if p.faces == 3 and p.name is None)
    people.hide(serena.id)
    assert serena.id not in {p.id for p in people.people()}
    assert people.person(serena.id).hidden
    assert serena.id in {p.id for p in people.people(hidden=True)}
    assert not people.hide(serena.id, False).hidden
    with pytest.raises(PeopleError, match="no person 'Nobody'"):
        people.photos_of("Nobody")
    with pytest.raises(PeopleError, match="empty"):
        people.name_face(int(face.id), "  ")
    check_people_edits_undo(lib)  # the undoable People edits on this library


def test_not_this_person_survives_reindexing_and_reclustering(faces_library) -> None:
    """Through a real index run: the photo's content changes (saved again), it is embedded
    and its faces found again (new face rows), and the user's "not Colin" still holds; so it
    does after `people --recluster`."""
    from PIL import Image

    from photoclip.plugin_testing import run_action

    lib = faces_library
    photos = by_file(lib)
    people = lib.plugins.people(lib.plugin_context())
    people.people()  # clustered
    first = people.faces_in(photos[f"{IDENTITIES[0]}_0001"].id)[0]
    colin = people.name(first.person_id, "Colin")
    assert colin.photos == 3
    target = photos[f"{IDENTITIES[0]}_0002"]
    (face,) = people.faces_in(target.id)
    assert face.person_id == colin.id
    people.not_person(face.id)
    assert target.id not in people.photos_of("Colin")

    with Image.open(target.path) as im:  # the same faces, other bytes
        im.convert("RGB").save(target.path, quality=80)
    assert lib.index_folders().embedded == 1
    assert lib.analysis.pending("faces") == []
    (again,) = people.faces_in(target.id)
    assert again.id != face.id  # analysed again: a new face row
    assert again.person_id != colin.id and target.id not in people.photos_of("Colin")
    run_action(lib.plugins, lib, "people", recluster=True)
    assert target.id not in people.photos_of("Colin")
    assert people.person("Colin").photos == 2
    lib.close()


def test_suggestions_are_confirmed_or_declined_for_good(
    tmp_path: Path, datasets_dir: Path, face_models  # noqa: F811
) -> None:
    """Faces near a named person but not near enough to join by themselves are suggested (here
    Venus Williams' faces, 0.55 to 0.6 from her sister Serena's): yes joins the person as the
    user's decision, no never suggests that person again; clustering never adds them."""
    def face(who: str, k: int) -> list:
        faces = face_models.faces_in_file(lfw(datasets_dir, who, k))
        faces.sort(key=lambda f: abs(f.left + f.width / 2 - 125)
                   + abs(f.top + f.height / 2 - 125))
        return faces[:1]

    store = FaceStore(tmp_path)
    store.replace_photos({k: face("Serena_Williams", k) for k in (1, 2, 3)})
    ops.ensure_clustered(store)
    (serena,) = store.people()
    ops.name(store, serena.id, "Serena")
    store.replace_photos({10 + k: face("Venus_Williams", k) for k in (5, 7, 8)})
    ops.ensure_clustered(store)
    assert store.photos_of(serena.id) == [1, 2, 3]  # none joined by itself
    found = ops.suggestions(store)
    venus = {store.faces(photo_id=10 + k)[0].id: k for k in (5, 7, 8)}
    assert set(found) == set(venus) and set(found.values()) == {serena.id}
    assert ops.suggestions(store, "serena") == found
    no, yes = (f for f, k in venus.items() if k in (5, 8))
    assert ops.answer(store, no, False) != serena.id
    assert no not in ops.suggestions(store)
    assert ops.answer(store, yes, True) == serena.id
    assert store.face(yes).locked and 18 in store.photos_of(serena.id)
    ops.recluster(store)
    assert no not in ops.suggestions(store) and store.face(no).person_id != serena.id
    assert store.face(yes).person_id == serena.id
    with pytest.raises(PeopleError, match="no suggestion"):
        ops.answer(store, no, True)
    store.close()


def test_a_person_is_never_suggested_in_a_photo_they_are_already_in(
    tmp_path: Path, datasets_dir: Path, face_models  # noqa: F811
) -> None:
    """The same-photo rule on the suggestion side: Venus' face beside Serena's in one photo is
    never "Serena?" (Serena is already there), and of two Venus faces in one photo only the
    nearer is suggested; in photos of their own each would be."""
    def face(who: str, k: int) -> list:
        faces = face_models.faces_in_file(lfw(datasets_dir, who, k))
        faces.sort(key=lambda f: abs(f.left + f.width / 2 - 125)
                   + abs(f.top + f.height / 2 - 125))
        return faces[:1]

    store = FaceStore(tmp_path)
    store.replace_photos({k: face("Serena_Williams", k) for k in (1, 2, 3)})
    ops.ensure_clustered(store)
    (serena,) = store.people()
    ops.name(store, serena.id, "Serena")
    alone = {10 + k: face("Venus_Williams", k) for k in (5, 7, 8)}
    store.replace_photos(alone)
    ops.ensure_clustered(store)
    assert set(ops.suggestions(store).values()) == {serena.id}
    assert len(ops.suggestions(store)) == 3  # each Venus face alone in its photo: suggested
    # the same faces in group photos: Serena with Venus 5; Venus 7 and 8 side by side
    store.remove_photos(alone)
    store.replace_photos({20: face("Serena_Williams", 4) + face("Venus_Williams", 5),
                          21: face("Venus_Williams", 7) + face("Venus_Williams", 8)})
    ops.ensure_clustered(store)
    assert 20 in store.photos_of(serena.id)  # Serena's own face there joined her
    venus5 = next(f.id for f in store.faces(photo_id=20) if f.person_id != serena.id)
    found = ops.suggestions(store)
    assert venus5 not in found and venus5 not in ops.suggestions(store, "Serena")
    in_21 = [f.id for f in store.faces(photo_id=21)]
    assert len([f for f in in_21 if f in found]) == 1
    assert set(found.values()) <= {serena.id}
    store.close()


def test_search_by_person_with_and_without_a_query(
    make_library, datasets_dir: Path, tmp_path: Path, photoclip_home, face_models,  # noqa: F811
    capsys: pytest.CaptureFixture[str], restore_logging,
) -> None:
    """`photoclip search "..." --person Anna [--person Ben]` keeps the photos with all of
    them; `photoclip search --person Anna` lists Anna's photos (browse)."""
    import json
    import shutil

    from photoclip.cli import main as cli

    folder = tmp_path / "Pictures"
    folder.mkdir()
    groups = ["2008_001009", "2008_001322", "2008_002506"]
    for g in groups:
        shutil.copy2(datasets_dir / "faces" / "groups" / f"{g}.jpg", folder)
    make_library([folder]).close()
    enable_faces(photoclip_home.settings_file)
    lib = make_library([])
    lib.index_folders()
    photos = by_file(lib)
    people = lib.plugins.people(lib.plugin_context())
    first, second = (people.faces_in(photos[g].id) for g in groups[:2])
    assert len(first) >= 2 and len(second) >= 1
    people.name_face(first[0].id, "Anna")
    people.name_face(first[1].id, "Ben")
    people.name_face(second[0].id, "anna")  # the same Anna
    lib.close()

    def search(*args: str) -> list[str]:
        assert cli.main(["--json", "search", *args]) == 0
        return sorted(Path(h["path"]).stem for h in json.loads(capsys.readouterr().out)
                      ["results"])

    assert search("--person", "Anna") == groups[:2]
    assert search("--person", "Anna", "--person", "Ben") == groups[:1]
    assert search("people outdoors", "--person", "ben") == groups[:1]
    assert search("people", "--where", "person=Anna", "-n", "5") == groups[:2]
    assert search('person:"Anna" person:Ben') == groups[:1]
    assert cli.main(["search", "--person", "Nobody"]) == 1
    assert "no person 'Nobody'" in capsys.readouterr().err
    assert cli.main(["search"]) == 2  # neither a query nor a filter: as an empty query
    assert "the query is empty" in capsys.readouterr().err


def test_forget_then_on_again_analyses_every_photo_again(faces_library, photoclip_home
                                                         ) -> None:
    """`people --forget` removes every face and starts the analyzer over (the core's
    AnalysisStage.reset, not a version change): turned off, nothing comes back; on again,
    the next index run finds every photo's faces again."""
    from photoclip_faces.store import FILE_NAME

    from photoclip.plugin_testing import run_action

    lib = faces_library
    photo_ids = sorted(lib.vectors.index().ids().tolist())
    assert lib.analysis.pending("faces") == []
    lib.analysis.set_enabled("faces", False)
    gone = run_action(lib.plugins, lib, "people", forget=True, confirm=True)
    assert gone.data["forgotten"] and gone.data["faces"] == len(photo_ids)
    assert sorted(lib.analysis.pending("faces")) == photo_ids
    lib.index_folders()  # off: nothing is computed or stored
    data_dir = photoclip_home.data / "plugin-data" / "faces"
    assert not (data_dir / FILE_NAME).exists()
    lib.analysis.set_enabled("faces", True)
    lib.index_folders()
    assert lib.analysis.pending("faces") == []
    store = FaceStore(data_dir)
    assert sorted({f.photo_id for f in store.faces()}) == photo_ids
    store.close()
    with pytest.raises(KeyError, match="no analyzer named 'nope'"):
        lib.analysis.reset("nope")


def test_people_command_hides_names_faces_and_lists_suggestions(faces_library) -> None:
    """`photoclip people --face ID --name N`, `--hide`, `--hidden`, `--unhide`,
    `--suggestions`, `--accept`: the action behind the CLI (its --json data)."""
    from photoclip.plugin_api import PluginError

    lib = faces_library

    def people(**options):  # run_action's own `name` argument would hide --name
        action = lib.plugins.actions()["people"]
        values = {o.name: options.get(o.name, o.default) for o in action.options}
        return lib.plugins.run_action("people", lib.plugin_context(), [], values)

    listed = people().data["people"]
    assert [p["faces"] for p in listed] == [3, 3]
    face = lib.plugins.people(lib.plugin_context()).faces_in(
        by_file(lib)[f"{IDENTITIES[0]}_0001"].id)[0]
    named = people(face=face.id, name="Anna")
    assert named.message == f"face {face.id} is Anna" and named.data["faces"] == 1
    other = listed[1]["id"] if listed[0]["id"] == face.person_id else listed[0]["id"]
    hidden = people(hide=str(other))
    assert hidden.data["hidden"] and "is hidden" in hidden.message
    assert other not in {p["id"] for p in people().data["people"]}
    assert [p["id"] for p in people(hidden=True).data["people"]] == [other]
    assert people(hidden=True).message == "1 hidden person"
    assert "shown again" in people(unhide=str(other)).message
    # the rest of that group are the same man: each is suggested for Anna now
    waiting = people(suggestions=True).data["suggestions"]
    assert len(waiting) == 2 and {w["name"] for w in waiting} == {"Anna"}
    assert face.id not in {w["face"] for w in waiting}
    yes, no = waiting[0]["face"], waiting[1]["face"]
    assert people(accept=yes).data["person"] == named.data["id"]
    assert people(decline=no).data["person"] != named.data["id"]
    assert people(suggestions=True).data == {"suggestions": []}
    assert {f["id"] for f in people(show="anna").data["faces"]} == {face.id, yes}
    with pytest.raises(PluginError, match="has no suggestion"):
        people(accept=face.id)
    with pytest.raises(PluginError, match="no face 999999"):
        people(face=999999, name="Nobody")
