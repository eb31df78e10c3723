"""People's names as MWG face regions (``mwg-rs:Regions``), checked with the real exiftool:
names written into sidecars only with ``write_xmp`` on (other tools' sidecar bytes kept), and
named regions already in a photo read as the user's own names (they seed and override
clustering)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("dlib", reason="the faces plugin needs dlib (pip install dlib-bin)")
EXIFTOOL = shutil.which("exiftool")
pytestmark = pytest.mark.skipif(EXIFTOOL is None, reason="needs exiftool")

from photoclip.config import Settings  # noqa: E402
from photoclip.core.xmp_regions import NamedRegion, read_named_regions, write_face_regions  # noqa: E402
from tests.plugins.test_faces import enable_faces, face_models  # noqa: E402, F401

GROUP = "2008_001322"  # three faces, 500 x 375


def exif_regions(path: Path) -> list[dict]:
    out = subprocess.run([EXIFTOOL, "-j", "-struct", "-XMP:RegionInfo", str(path)],
                         capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)[0].get("RegionInfo", {})
    return info.get("RegionList", [])


def library_of(make_library, photoclip_home, folder: Path, write_xmp: bool):
    make_library([folder]).close()
    enable_faces(photoclip_home.settings_file)
    settings = Settings.load(photoclip_home.settings_file)
    settings.write_xmp = write_xmp
    settings.save(photoclip_home.settings_file)
    lib = make_library([])
    lib.index_folders()
    return lib


def test_names_go_into_sidecars_only_with_write_xmp_and_exiftool_reads_them(
    make_library, photoclip_home, datasets_dir: Path, tmp_path: Path, face_models  # noqa: F811
) -> None:
    folder = tmp_path / "Pictures"
    folder.mkdir()
    photo = folder / f"{GROUP}.jpg"
    shutil.copy2(datasets_dir / "faces" / "groups" / photo.name, photo)
    # another tool's sidecar (exiftool writes a keyword): its bytes must stay
    subprocess.run([EXIFTOOL, "-q", "-o", str(photo) + ".xmp", "-XMP-dc:Subject=picnic",
                    str(photo)], check=True)
    sidecar = Path(str(photo) + ".xmp")
    original = sidecar.read_bytes()
    lib = library_of(make_library, photoclip_home, folder, write_xmp=False)
    ctx = lib.plugin_context()
    people = lib.plugins.people(ctx)
    (pid,) = [p.id for p in ctx.photos()]
    faces = sorted(people.faces_in(pid), key=lambda f: f.box[0])
    assert len(faces) == 3
    people.name_face(faces[0].id, "Anna")
    assert sidecar.read_bytes() == original  # write_xmp off: nothing written
    lib.close()

    settings = Settings.load(photoclip_home.settings_file)
    settings.write_xmp = True
    settings.save(photoclip_home.settings_file)
    lib = make_library([])
    people = lib.plugins.people(lib.plugin_context())
    people.name_face(faces[1].id, "Zoë \"Z\" & co")
    regions = exif_regions(sidecar)
    assert sorted(r["Name"] for r in regions) == ["Anna", "Zoë \"Z\" & co"]
    assert all(r["Type"] == "Face" and r["Area"]["Unit"] == "normalized" for r in regions)
    anna = next(r["Area"] for r in regions if r["Name"] == "Anna")
    left, top, w, h = faces[0].box
    assert anna["X"] == pytest.approx((left + w / 2) / 500, abs=1e-4)
    assert anna["Y"] == pytest.approx((top + h / 2) / 375, abs=1e-4)
    assert anna["W"] == pytest.approx(w / 500, abs=1e-4)
    keyword = subprocess.run([EXIFTOOL, "-s3", "-XMP-dc:Subject", str(sidecar)],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert keyword == "picnic"
    text = sidecar.read_text("utf-8")
    # photoclip's block is added before </rdf:RDF>; every byte of the other tool's stays
    start = text.rindex("\n", 0, text.index("<rdf:Description rdf:about=\"\"\n")) + 1
    end = text.index("</rdf:Description>\n", text.index("</mwg-rs:Regions>"))
    assert original.decode("utf-8") == text[:start] + text[end + len("</rdf:Description>\n"):]
    # photoclip reads them back as written; an unchanged name writes nothing
    back = read_named_regions(photo, (500, 375))
    assert sorted(r.name for r in back) == ["Anna", "Zoë \"Z\" & co"]
    stamp = sidecar.stat().st_mtime_ns
    assert write_face_regions(photo, back, (500, 375)) is None
    assert sidecar.stat().st_mtime_ns == stamp
    # "not Anna": her region leaves the sidecar; the other stays
    people.not_person(faces[0].id)
    assert [r["Name"] for r in exif_regions(sidecar)] == ["Zoë \"Z\" & co"]
    lib.close()


def test_named_regions_in_a_photo_seed_the_people(
    make_library, photoclip_home, datasets_dir: Path, tmp_path: Path, face_models  # noqa: F811
) -> None:
    folder = tmp_path / "Pictures"
    folder.mkdir()
    photo = folder / f"{GROUP}.jpg"
    shutil.copy2(datasets_dir / "faces" / "groups" / photo.name, photo)
    faces = sorted(face_models.faces_in_file(photo), key=lambda f: f.left)
    f = faces[2]
    area = (f"{{X={(f.left + f.width / 2) / 500:.5f},Y={(f.top + f.height / 2) / 375:.5f},"
            f"W={f.width / 500:.5f},H={f.height / 375:.5f},Unit=normalized}}")
    ghost = "{X=0.1,Y=0.85,W=0.08,H=0.1,Unit=normalized}"  # no face detected there
    subprocess.run([EXIFTOOL, "-q", "-overwrite_original",
                    "-XMP-mwg-rs:RegionInfo={AppliedToDimensions={W=500,H=375,Unit=pixel},"
                    f"RegionList=[{{Area={area},Name=Carol,Type=Face}},"
                    f"{{Area={ghost},Name=Dan,Type=Face}},"
                    "{Area={X=0.5,Y=0.5,W=0.2,H=0.2,Unit=normalized},Name=Focus,Type=Focus}]}",
                    str(photo)], check=True)
    assert sorted(r.name for r in read_named_regions(photo, (500, 375))) == [
        "Carol", "Dan", "Focus"]
    lib = library_of(make_library, photoclip_home, folder, write_xmp=False)
    people = lib.plugins.people(lib.plugin_context())
    listed = {p.name: p for p in people.people()}
    assert {"Carol", "Dan"} <= set(listed) and "Focus" not in listed
    (pid,) = [p.id for p in lib.plugin_context().photos()]
    found = people.faces_in(pid)
    assert len(found) == 4  # the three detected, and Dan's box encoded where it is
    carol = next(x for x in found if x.name == "Carol")
    assert carol.box[0] == pytest.approx(f.left, abs=2) and carol.confidence > 0
    assert next(x for x in found if x.name == "Dan").confidence == 0.0
    # the file's names are the user's: re-clustering keeps them
    from photoclip.plugin_testing import run_action

    run_action(lib.plugins, lib, "people", recluster=True)
    assert {x.name for x in people.faces_in(pid)} >= {"Carol", "Dan"}
    lib.close()


def test_a_region_written_into_a_sidecar_without_one(tmp_path: Path) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"not read")
    assert write_face_regions(photo, [], (100, 50)) is None and not list(tmp_path.glob("*.xmp"))
    path = write_face_regions(photo, [NamedRegion("Eve", (10, 5, 20, 10))], (100, 50))
    assert path == tmp_path / "a.jpg.xmp"
    (region,) = exif_regions(path)
    assert region["Name"] == "Eve" and region["Area"]["X"] == pytest.approx(0.2)
    assert read_named_regions(photo, (100, 50)) == [NamedRegion("Eve", (10.0, 5.0, 20.0, 10.0))]


def test_turn_off_and_forget_leaves_no_face_data_anywhere(
    make_library, photoclip_home, datasets_dir: Path, tmp_path: Path, face_models  # noqa: F811
) -> None:
    """Off + forget: no face file, no catalog row of the analyzer, and the names photoclip
    wrote leave the sidecars (the other tool's keyword stays); on again, the photos are
    analysed afresh and no old name comes back from a sidecar."""
    import sqlite3

    from photoclip.plugin_testing import run_action

    folder = tmp_path / "Pictures"
    folder.mkdir()
    photo = folder / f"{GROUP}.jpg"
    shutil.copy2(datasets_dir / "faces" / "groups" / photo.name, photo)
    subprocess.run([EXIFTOOL, "-q", "-o", str(photo) + ".xmp", "-XMP-dc:Subject=picnic",
                    str(photo)], check=True)
    sidecar = Path(str(photo) + ".xmp")
    original = sidecar.read_bytes()
    lib = library_of(make_library, photoclip_home, folder, write_xmp=True)
    people = lib.plugins.people(lib.plugin_context())
    (pid,) = [p.id for p in lib.plugin_context().photos()]
    faces = sorted(people.faces_in(pid), key=lambda f: f.box[0])
    people.name_face(faces[0].id, "Anna")
    people.name_face(faces[1].id, "Ben")
    assert sorted(r["Name"] for r in exif_regions(sidecar)) == ["Anna", "Ben"]
    from photoclip_faces.api import person_filter

    from photoclip.plugin_api import PluginError

    ctx = lib.plugin_context()
    assert set(person_filter(ctx, "anna")) == {pid}  # --person (its connection is kept)

    lib.analysis.set_enabled("faces", False)
    gone = run_action(lib.plugins, lib, "people", forget=True, confirm=True)
    assert gone.data["forgotten"] and gone.data["sidecars"] == 1
    assert exif_regions(sidecar) == [] and read_named_regions(photo, (500, 375)) == []
    assert sidecar.read_bytes() == original  # the other tool's sidecar as it was
    lib.index_folders()  # off: nothing is computed or stored
    with pytest.raises(PluginError, match="no faces yet"):
        person_filter(ctx, "anna")
    data_dir = photoclip_home.data / "plugin-data" / "faces"
    assert [p for p in data_dir.rglob("*") if p.is_file()] == []
    catalog = next(photoclip_home.data.rglob("catalog.sqlite3"))
    with sqlite3.connect(catalog) as db:
        assert db.execute("SELECT COUNT(*) FROM analysis WHERE analyzer='faces'"
                          ).fetchone()[0] == 0
    lib.analysis.set_enabled("faces", True)
    lib.index_folders()
    assert len(people.faces_in(pid)) == 3
    assert {f.name for f in people.faces_in(pid)} == {None}  # no name came back
    with pytest.raises(PluginError, match="no person 'anna'"):  # the new file is read
        person_filter(ctx, "anna")
    lib.close()


def test_rewriting_regions_adds_no_blank_lines_and_the_last_one_goes_cleanly(
    tmp_path: Path
) -> None:
    photo = tmp_path / "a.jpg"
    photo.write_bytes(b"not read")
    path = write_face_regions(photo, [NamedRegion("Eve", (10, 5, 20, 10))], (100, 50))
    write_face_regions(photo, [NamedRegion("Fay", (10, 5, 20, 10))], (100, 50))
    write_face_regions(photo, [NamedRegion("Eve", (10, 5, 20, 10))], (100, 50))
    again = path.read_text("utf-8")  # rewritten in place
    for name in ("Fay", "Eve", "Fay", "Eve"):
        write_face_regions(photo, [NamedRegion(name, (10, 5, 20, 10))], (100, 50))
    assert path.read_text("utf-8") == again  # the same regions, the same bytes
    assert "\n\n" not in again
    write_face_regions(photo, [], (100, 50))
    assert exif_regions(path) == [] and read_named_regions(photo, (100, 50)) == []
    assert "mwg-rs:Regions" not in path.read_text("utf-8")
