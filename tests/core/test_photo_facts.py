"""Places, camera and lens, ratings and favourites: read with real exiftool-written EXIF/XMP from
real photos, named offline, kept in the catalog, filtered, and written back to sidecars."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest

from photoclip.core import places, xmp_marks
from photoclip.core.images import read_image_info
from photoclip.core.library import Library
from photoclip.core.types import PluginError
from tests.conftest import copy_coco
from tests.core.test_keywords import exif_json, exiftool, needs_exiftool

pytestmark = needs_exiftool

EIFFEL = ("-GPSLatitude=48.8584", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945",
          "-GPSLongitudeRef=E")
SYDNEY = ("-GPSLatitude=33.8568", "-GPSLatitudeRef=S", "-GPSLongitude=151.2153",
          "-GPSLongitudeRef=E")
CANON = ("-Make=Canon", "-Model=Canon EOS 5D Mark III", "-LensMake=Canon",
         "-LensModel=EF24-70mm f/2.8L II USM")


# ----- no library --------------------------------------------------------------------------


def test_places_are_named_offline_by_the_nearest_sizeable_town() -> None:
    paris, sydney, sea, junk, bad = places.name_places(
        [(48.8584, 2.2945), (-33.8568, 151.2153), (40.0, -40.0), (0.0, 0.0), (91.0, 0.0)])
    assert paris is not None and (paris.city, paris.country, paris.country_code) == (
        "Paris", "France", "FR")
    assert sydney is not None and sydney.label() == "Sydney, Australia"
    assert sea is None and junk is None and bad is None  # mid-Atlantic; no fix; out of range
    assert places.name_places([(math.nan, math.nan)]) == [None]


def test_lens_and_gps_come_from_exif(tmp_path: Path, datasets_dir: Path) -> None:
    photo = copy_coco(datasets_dir, tmp_path, 1)
    jpg = next(photo.glob("*.jpg"))
    exiftool("-q", "-overwrite_original", *CANON, *SYDNEY, jpg)
    info = read_image_info(jpg)
    assert info.camera == "Canon EOS 5D Mark III"
    assert info.lens == "Canon EF24-70mm f/2.8L II USM"
    assert info.gps is not None and info.gps[0] == pytest.approx(-33.8568, abs=1e-4)
    assert info.gps[1] == pytest.approx(151.2153, abs=1e-4)
    # a real phone photo with GPS (HEIC): Rostov-on-Don
    heic = read_image_info(datasets_dir / "edge-cases" / "heif" / "xiaomi.heic")
    assert heic.gps is not None
    assert places.name_places([heic.gps])[0].city == "Rostov-na-Donu"  # type: ignore[union-attr]


def test_marks_are_read_from_the_photo_and_its_sidecar_and_written_for_exiftool(
    tmp_path: Path, datasets_dir: Path
) -> None:
    folder = copy_coco(datasets_dir, tmp_path, 2)
    a, b = sorted(folder.glob("*.jpg"))
    exiftool("-q", "-overwrite_original", "-XMP-xmp:Rating=3", a)
    assert xmp_marks.read_marks(a) == xmp_marks.Marks(3, None)
    # a digiKam/exiftool-style sidecar (element form, several Descriptions) wins over the photo
    side = a.with_name(a.name + ".xmp")
    exiftool("-q", "-o", side, "-XMP-xmp:Rating=5", "-XMP-dc:Subject=cat", b)  # b: no XMP
    assert xmp_marks.read_marks(a).rating == 5
    before = a.read_bytes()
    assert xmp_marks.write_marks(a, 2, True) == side
    assert a.read_bytes() == before  # the photo is never written
    tags = exif_json(side, "-XMP-xmp:Rating", "-XMP-dc:Subject")
    assert tags["XMP-xmp:Rating"] == 2 and tags["XMP-dc:Subject"] == ["cat"]  # the rest kept
    assert xmp_marks.read_marks(a) == xmp_marks.Marks(2, True)
    # no sidecar yet: a new darktable-style one
    made = xmp_marks.write_marks(b, 4, False)
    assert made.name == b.name + ".xmp"
    assert exif_json(made, "-XMP-xmp:Rating")["XMP-xmp:Rating"] == 4
    with pytest.raises(ValueError, match="0 to 5"):
        xmp_marks.write_marks(b, 6, False)
    broken = tmp_path / "broken.jpg"
    shutil.copy2(b, broken)
    (tmp_path / "broken.jpg.xmp").write_text("<x:xmpmeta><rdf:RDF", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid XMP"):
        xmp_marks.write_marks(broken, 1, False)
    assert (tmp_path / "broken.jpg.xmp").read_text(encoding="utf-8") == "<x:xmpmeta><rdf:RDF"


# ----- a library ---------------------------------------------------------------------------


@pytest.fixture()
def tagged_folder(tmp_path: Path, datasets_dir: Path) -> Path:
    folder = copy_coco(datasets_dir, tmp_path / "photos", 4)
    p = sorted(folder.glob("*.jpg"))
    exiftool("-q", "-overwrite_original", *EIFFEL, *CANON, p[0], p[1])
    exiftool("-q", "-overwrite_original", *SYDNEY, "-Make=FUJIFILM", "-Model=X100V", p[2])
    exiftool("-q", "-overwrite_original", "-XMP-xmp:Rating=4", p[1])
    return folder


def _ids(lib: Library, folder: Path) -> list[int]:
    return [lib.browse.record_at(p).id for p in sorted(folder.glob("*.jpg"))]  # type: ignore[union-attr]


def _where(lib: Library, **where: str) -> set[int]:
    found = lib.search_contributions.matches(list(where.items()))
    assert found is not None
    return set(found)


def test_a_library_knows_places_cameras_lenses_and_ratings(
    make_library, tagged_folder: Path
) -> None:
    lib: Library = make_library([tagged_folder])
    lib.index_folders()
    # a library indexed before this release (a catalog migrated from version 2) has no facts:
    # the next index run reads them, without embedding again
    with lib._catalog.transaction() as db:
        db.execute("DELETE FROM photo_facts")
        db.execute("DELETE FROM photo_marks")
    assert lib.facts.place_counts() == []
    report = lib.index_folders()
    assert report.embedded == 0 and report.new == 0
    ids = _ids(lib, tagged_folder)
    assert [(p.country, p.city, p.count) for p in lib.facts.place_counts()] == [
        ("France", "", 2), ("France", "Paris", 2), ("Australia", "", 1),
        ("Australia", "Sydney", 1)]
    assert _where(lib, place="Paris") == set(ids[:2])
    assert _where(lib, place="paris, france") == _where(lib, place="FR") == set(ids[:2])
    assert _where(lib, place="Australia") == {ids[2]}
    assert _where(lib, camera="x100") == {ids[2]}
    assert _where(lib, lens="24-70") == set(ids[:2])
    assert _where(lib, place="Paris", lens="24-70", rating="4") == {ids[1]}  # read from XMP
    assert _where(lib, rating="=0") == {ids[0], ids[2], ids[3]}
    assert _where(lib, favourite="yes") == set()
    with pytest.raises(PluginError, match="rating: a rating filter is 0 to 5"):
        _where(lib, rating="seven")

    # the user's choices: kept in the library (no sidecar written with write_xmp off)
    assert lib.ratings.set_rating([ids[0], ids[1]], 5) == {ids[0]: 0, ids[1]: 4}
    assert lib.ratings.set_favourite([ids[3]], True) == {ids[3]: False}
    assert not list(tagged_folder.glob("*.xmp"))
    lib.index_folders()  # reading the files again does not undo them
    assert lib.ratings.marks(ids) == {ids[0]: (5, False), ids[1]: (5, False),
                                      ids[2]: (0, False), ids[3]: (0, True)}
    assert _where(lib, favourite="yes") == {ids[3]}
    assert _where(lib, favourite="no") == set(ids[:3])
    # an edit in another tool (a sidecar digiKam writes) is newer: it wins
    photo, plain = sorted(tagged_folder.glob("*.jpg"))[1::2]
    exiftool("-q", "-o", photo.with_name(photo.name + ".xmp"), "-XMP-xmp:Rating=1", plain)
    report = lib.index_folders()
    assert lib.keyword_sync.sidecars_tracked()  # the sidecar change came from its stamps
    assert report.embedded == 0  # facts are re-read without embedding again
    assert lib.ratings.marks([ids[1]]) == {ids[1]: (1, False)}
    with pytest.raises(ValueError, match="no photo"):
        lib.ratings.set_rating([999_999], 3)


def test_with_write_xmp_ratings_go_to_sidecars_only(make_library, tagged_folder: Path,
                                                    photoclip_home) -> None:
    lib: Library = make_library([tagged_folder])
    lib.settings.write_xmp = True
    lib.settings.read_keywords = False  # sidecar stamps not kept: facts look at the sidecars
    lib.index_folders()
    assert not lib.keyword_sync.sidecars_tracked()
    photo = sorted(tagged_folder.glob("*.jpg"))[0]
    before = photo.read_bytes()
    pid = lib.browse.record_at(photo).id  # type: ignore[union-attr]
    lib.ratings.set_rating([pid], 3)
    lib.ratings.set_favourite([pid], True)
    side = photo.with_name(photo.name + ".xmp")
    assert exif_json(side, "-XMP-xmp:Rating")["XMP-xmp:Rating"] == 3
    assert photo.read_bytes() == before
    lib.index_folders()  # our own write read back: the same values
    assert lib.ratings.marks([pid]) == {pid: (3, True)}
