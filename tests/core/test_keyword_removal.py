"""Removing a keyword that a file carries lasts, and a tag is listed once (issue 14, item 23).

Real files: exiftool writes the keywords into the photo and into sidecars, as other tools do."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from photoclip.core.keywords import read_keywords
from photoclip.core.library import Library
from photoclip.core.tags import KEYWORD, USER
from tests.conftest import copy_coco
from tests.core.test_keywords import exif_json, exiftool, needs_exiftool

pytestmark = needs_exiftool


@pytest.fixture()
def photos(tmp_path: Path, datasets_dir: Path) -> Path:
    root = copy_coco(datasets_dir, tmp_path / "Pictures", 2)
    p1 = sorted(root.glob("*.jpg"))[0]
    exiftool("-q", "-overwrite_original", "-XMP-dc:Subject=beach", "-XMP-dc:Subject=sea",
             "-IPTC:Keywords=beach", "-IPTC:Keywords=sea", p1)
    return root


@pytest.fixture()
def lib(make_library: Callable[[list[Path]], Library], photos: Path) -> Library:
    lib = make_library([photos])
    lib.settings.auto_tag = False
    lib.index_folders()
    return lib


def p1(photos: Path) -> Path:
    return sorted(photos.glob("*.jpg"))[0]


def touch(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5 * 10**9))


def listed(lib: Library, pid: int) -> list[tuple[str, str]]:
    return sorted((t.tag, t.source) for t in lib._tags.tags_of(pid))


@pytest.mark.parametrize("write_xmp", [False, True])
def test_removing_a_keyword_in_the_photo_lasts(lib: Library, photos: Path,
                                               write_xmp: bool) -> None:
    lib.settings.write_xmp = write_xmp
    (pid,) = lib.photo_ids([p1(photos)])
    assert listed(lib, pid) == [("beach", KEYWORD), ("sea", KEYWORD)]
    assert lib._tags.remove("beach", [pid]).changed == 1  # it was removed: say so
    assert listed(lib, pid) == [("sea", KEYWORD)]
    touch(p1(photos))  # `touch p1.jpg; photoclip index`: the photo is read again
    lib.index_folders()
    assert listed(lib, pid) == [("sea", KEYWORD)]
    assert "beach" in read_keywords(p1(photos))  # the photo itself is never written
    if write_xmp:  # photoclip and the sidecar (darktable, digiKam) agree
        sidecar = p1(photos).with_name(p1(photos).name + ".xmp")
        assert exif_json(sidecar, "-XMP-dc:Subject")["XMP-dc:Subject"] == ["sea"]
    lib.close()


def test_adding_it_again_brings_it_back(lib: Library, photos: Path) -> None:
    (pid,) = lib.photo_ids([p1(photos)])
    lib._tags.remove("beach", [pid])
    lib._tags.add("beach", [pid])
    touch(p1(photos))
    lib.index_folders()
    assert ("beach", USER) in listed(lib, pid)
    assert [t.tag for t in lib._tags.tags_of(pid)].count("beach") == 1


def test_removing_a_sidecar_keyword_lasts_while_the_sidecar_keeps_it(
        lib: Library, photos: Path) -> None:
    """write_xmp off: photoclip does not edit the sidecar, so the removal must be remembered."""
    photo = sorted(photos.glob("*.jpg"))[1]
    sidecar = photo.with_name(photo.name + ".xmp")
    exiftool("-q", "-o", sidecar, "-XMP-dc:Subject=Oma", "-XMP-xmp:Rating=3")
    lib.index_folders()
    (pid,) = lib.photo_ids([photo])
    assert listed(lib, pid) == [("Oma", KEYWORD)]
    assert lib._tags.remove("oma", [pid]).changed == 1
    exiftool("-q", "-overwrite_original", "-XMP-dc:Subject+=Opa", sidecar)  # edited elsewhere
    lib.index_folders()
    assert listed(lib, pid) == [("Opa", KEYWORD)]


def test_a_keyword_added_again_in_another_tool_comes_back(lib: Library, photos: Path) -> None:
    """write_xmp on: the removal took the keyword out of the sidecar; when digiKam puts it
    back later, that is the user's word again."""
    lib.settings.write_xmp = True
    photo = sorted(photos.glob("*.jpg"))[1]
    sidecar = photo.with_name(photo.name + ".xmp")
    exiftool("-q", "-o", sidecar, "-XMP-dc:Subject=Oma", "-XMP-dc:Subject=Opa")
    lib.index_folders()
    (pid,) = lib.photo_ids([photo])
    lib._tags.remove("Oma", [pid])
    assert exif_json(sidecar, "-XMP-dc:Subject")["XMP-dc:Subject"] == ["Opa"]
    lib.index_folders()
    assert listed(lib, pid) == [("Opa", KEYWORD)]
    exiftool("-q", "-overwrite_original", "-XMP-dc:Subject+=Oma", sidecar)
    touch(sidecar)
    lib.index_folders()
    assert listed(lib, pid) == [("Oma", KEYWORD), ("Opa", KEYWORD)]


def test_a_tag_written_to_the_sidecar_and_read_back_is_listed_once(
        lib: Library, photos: Path) -> None:
    lib.settings.write_xmp = True
    photo = sorted(photos.glob("*.jpg"))[1]
    (pid,) = lib.photo_ids([photo])
    lib._tags.add("p1tag", [pid])
    touch(photo)  # the photo is read again, and its sidecar with it
    lib.index_folders()
    assert [(t.tag, t.source) for t in lib._tags.tags_of(pid)] == [("p1tag", USER)]
    [count] = [c for c in lib._tags.counts() if c.tag == "p1tag"]
    assert (count.own, count.auto) == (1, 0)
    assert lib._tags.remove("p1tag", [pid]).changed == 1
    touch(photo)
    lib.index_folders()
    assert lib._tags.tags_of(pid) == []


def test_removing_a_tag_keeps_an_earlier_rejection(lib: Library, photos: Path) -> None:
    lib.settings.write_xmp = True
    photo = sorted(photos.glob("*.jpg"))[1]
    (pid,) = lib.photo_ids([photo])
    lib._tags.reject("dog", [pid])
    assert lib._tags.remove("dog", [pid]).changed == 0  # nothing to remove
    assert lib._tags.rejected(pid) == {"dog"}


def test_writing_tags_keeps_the_sidecars_keywords_when_reading_them_is_off(
        lib: Library, photos: Path) -> None:
    """read_keywords off: photoclip does not know the sidecar's keywords, so mirroring the
    user's tags must add to them, never replace them."""
    lib.settings.read_keywords = False
    lib.settings.write_xmp = True
    photo = sorted(photos.glob("*.jpg"))[1]
    sidecar = photo.with_name(photo.name + ".xmp")
    exiftool("-q", "-o", sidecar, "-XMP-dc:Subject=Oma", "-XMP-digiKam:TagsList=People/Oma")
    (pid,) = lib.photo_ids([photo])
    lib._tags.add("p1tag", [pid])
    found = exif_json(sidecar, "-XMP-dc:Subject", "-XMP-digiKam:TagsList")
    assert found["XMP-dc:Subject"] == ["Oma", "p1tag"]
    assert found["XMP-digiKam:TagsList"] == ["People/Oma", "p1tag"]
    lib._tags.remove("p1tag", [pid])
    found = exif_json(sidecar, "-XMP-dc:Subject", "-XMP-digiKam:TagsList")
    assert found["XMP-dc:Subject"] == ["Oma"]
    assert found["XMP-digiKam:TagsList"] == ["People/Oma"]
