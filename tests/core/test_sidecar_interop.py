"""Sidecars of other tools survive photoclip's edits (issue 14, items 24 and 25).

The sidecars are written by exiftool in the layouts and with the properties digiKam, darktable
and Lightroom use (and, for darktable and Lightroom, as those tools' own XMP toolkits lay them
out); exiftool reads them back after photoclip added and removed a keyword."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from photoclip.core.keywords import read_keywords, write_sidecar
from tests.core.test_keywords import DARKTABLE_SIDECAR, exif_json, exiftool, needs_exiftool

pytestmark = needs_exiftool

KEYWORD_TAGS = ("XMP-dc:Subject", "XMP-digiKam:TagsList", "XMP-lr:HierarchicalSubject",
                "XMP-microsoft:LastKeywordXMP")

# Lightroom Classic's own layout (Adobe XMP Core): one Description, double quotes, simple
# properties as attributes, the namespaces declared on the Description
LIGHTROOM_SIDECAR = """<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Adobe XMP Core 7.0">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
   xmp:Rating="2"
   xmp:ModifyDate="2024-06-01T10:00:00+02:00"
   photoshop:DateCreated="2024-05-30T18:12:03"
   crs:Version="16.0"
   crs:Exposure2012="+0.35"
   crs:HasSettings="True">
   <dc:subject>
    <rdf:Bag>
     <rdf:li>Paris</rdf:li>
     <rdf:li>France</rdf:li>
     <rdf:li>Places</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>Places|France|Paris</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


def _digikam(side: Path) -> None:
    exiftool("-q", "-o", side, "-XMP-dc:Subject=Paris", "-XMP-dc:Subject=Oma",
             "-XMP-digiKam:TagsList=Places/France/Paris", "-XMP-digiKam:TagsList=People/Oma",
             "-XMP-lr:HierarchicalSubject=Places|France|Paris",
             "-XMP-lr:HierarchicalSubject=People|Oma",
             "-XMP-microsoft:LastKeywordXMP=Places/France/Paris",
             "-XMP-microsoft:LastKeywordXMP=People/Oma", "-XMP-xmp:Rating=4",
             "-XMP-digiKam:ColorLabel=2", "-XMP-digiKam:PickLabel=1")


def _darktable_by_exiftool(side: Path) -> None:
    exiftool("-q", "-o", side, "-XMP-dc:Subject=holiday",
             "-XMP-lr:HierarchicalSubject=darktable|format|jpg",
             "-XMP-lr:HierarchicalSubject=holiday", "-XMP-xmp:Rating=1",
             "-XMP-xmpMM:DerivedFrom=photo.jpg", "-XMP-tiff:Orientation=1")


def _lightroom_by_exiftool(side: Path) -> None:
    exiftool("-q", "-o", side, "-XMP-dc:Subject=Paris", "-XMP-dc:Subject=France",
             "-XMP-lr:HierarchicalSubject=Places|France|Paris", "-XMP-xmp:Rating=2",
             "-XMP-crs:Exposure2012=+0.35", "-XMP-crs:HasSettings=True",
             "-XMP-photoshop:DateCreated=2024:05:30 18:12:03")


def _only_keywords_in_tags(side: Path) -> None:
    """A digiKam sidecar with hierarchical tags and a rating but no dc:subject."""
    exiftool("-q", "-o", side, "-XMP-digiKam:TagsList=People/Oma", "-XMP-xmp:Rating=5")


def _text(content: str) -> object:
    return lambda side: side.write_text(content, encoding="utf-8")


STYLES = {
    "digikam-exiftool": ("photo.jpg.xmp", _digikam),
    "darktable-exiftool": ("photo.jpg.xmp", _darktable_by_exiftool),
    "darktable-exiv2": ("photo.jpg.xmp", _text(DARKTABLE_SIDECAR)),
    "lightroom-exiftool": ("photo.xmp", _lightroom_by_exiftool),
    "lightroom-xmpcore": ("photo.xmp", _text(LIGHTROOM_SIDECAR)),
    "digikam-tagslist-only": ("photo.jpg.xmp", _only_keywords_in_tags),
}


@pytest.fixture()
def photo(tmp_path: Path, datasets_dir: Path) -> Path:
    src = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[0]
    dst = tmp_path / "photo.jpg"
    shutil.copyfile(src, dst)
    return dst


def block_without(block: list[str], keyword: str) -> str:
    return "".join(line[1:] + "\n" for line in block if keyword not in line)


def _as_list(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _keyword_tags(content: bytes, folder: Path) -> dict:
    copy = folder / "copy-of-original.xmp"
    copy.write_bytes(content)
    try:
        return exif_json(copy, *(f"-{t}" for t in KEYWORD_TAGS))
    finally:
        copy.unlink()


def _others(side: Path) -> dict:
    found = exif_json(side, "-XMP:all")
    return {k: v for k, v in found.items() if k not in KEYWORD_TAGS}


@pytest.mark.parametrize("style", sorted(STYLES))
def test_add_then_remove_a_keyword_leaves_the_sidecar_byte_for_byte(
        photo: Path, style: str) -> None:
    name, make = STYLES[style]
    side = photo.with_name(name)
    make(side)
    original = side.read_bytes()
    others = _others(side)
    existing = read_keywords(photo)
    convention = "adobe" if name == "photo.xmp" else "darktable"

    assert write_sidecar(photo, [*existing, "p1tag"], convention) == side
    added = side.read_bytes()
    # the only change: one new item in each keyword bag the sidecar has (or, where it had no
    # dc:subject, the new property), written as the neighbouring items are
    diff = [line for line in difflib.unified_diff(
        original.decode().splitlines(), added.decode().splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert diff and all(line.startswith("+") for line in diff), diff
    if b"dc:subject" in original:
        assert [line for line in diff if "p1tag" not in line] == []
    else:  # one new Description, in the document's style, holding the new dc:subject
        first = next(i for i, line in enumerate(diff) if "<rdf:Description" in line)
        assert all("<rdf:li>p1tag</rdf:li>" in line for line in diff[:first])
        block = diff[first:]
        assert block[0] == "+ <rdf:Description rdf:about=''"
        assert block[-1] == "+ </rdf:Description>"
        assert [line.replace(" ", "") for line in block[1:-1]] == [
            "+xmlns:dc='http://purl.org/dc/elements/1.1/'>", "+<dc:subject>", "+<rdf:Bag>",
            *(f"+<rdf:li>{k}</rdf:li>" for k in [*existing, "p1tag"]), "+</rdf:Bag>",
            "+</dc:subject>"]
    assert _others(side) == others  # exiftool reads every other tool's property back
    assert "p1tag" in exif_json(side, "-XMP-dc:Subject")["XMP-dc:Subject"]
    had = {t for t in KEYWORD_TAGS[1:] if t in _keyword_tags(original, photo.parent)}
    after = exif_json(side, *(f"-{t}" for t in KEYWORD_TAGS))
    for tag in had:  # digiKam (TagsList first) and Lightroom show it too
        assert "p1tag" in _as_list(after[tag]), tag
    assert read_keywords(photo) == [*existing, "p1tag"]

    write_sidecar(photo, existing, convention)
    if b"dc:subject" in original:
        assert side.read_bytes() == original
    else:  # the documented minimal diff: the keywords read from TagsList are now in dc:subject
        assert side.read_bytes() == original.replace(
            b"</rdf:RDF>", block_without(block, "p1tag").encode() + b"</rdf:RDF>")


def test_removing_a_keyword_removes_it_from_every_hierarchy(photo: Path) -> None:
    side = photo.with_name("photo.jpg.xmp")
    _digikam(side)
    others = _others(side)
    write_sidecar(photo, ["Paris"])
    found = exif_json(side, *(f"-{t}" for t in KEYWORD_TAGS))
    assert found == {"SourceFile": str(side), "XMP-dc:Subject": ["Paris"],
                     "XMP-digiKam:TagsList": ["Places/France/Paris"],
                     "XMP-lr:HierarchicalSubject": ["Places|France|Paris"],
                     "XMP-microsoft:LastKeywordXMP": ["Places/France/Paris"]}
    assert _others(side) == others
    assert read_keywords(photo) == ["Paris"]


def test_no_empty_description_is_left(photo: Path) -> None:
    side = photo.with_name("photo.jpg.xmp")
    exiftool("-q", "-o", side, "-XMP-dc:Subject=only", "-XMP-xmp:Rating=3")
    write_sidecar(photo, [])
    text = side.read_text()
    assert "dc:subject" not in text and "xmlns:dc=" not in text
    assert text.count("<rdf:Description") == 1  # the one with the rating
    assert exif_json(side, "-XMP:all")["XMP-xmp:Rating"] == 3
    assert read_keywords(photo) == []


def test_a_layout_beyond_the_text_edit_is_rewritten_keeping_every_property(photo: Path) -> None:
    """Two prefixes for the dc namespace: re-serialised (layout not kept), content kept."""
    side = photo.with_name("photo.jpg.xmp")
    side.write_text(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
        ' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="2">'
        "<dc:subject><rdf:Bag><rdf:li>a</rdf:li></rdf:Bag></dc:subject></rdf:Description>"
        '<rdf:Description rdf:about="" xmlns:dc2="http://purl.org/dc/elements/1.1/"'
        ' xmlns:digiKam="http://www.digikam.org/ns/1.0/">'
        "<dc2:title><rdf:Alt><rdf:li xml:lang='x-default'>T</rdf:li></rdf:Alt></dc2:title>"
        "<digiKam:TagsList><rdf:Seq><rdf:li>People/a</rdf:li></rdf:Seq></digiKam:TagsList>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>")
    others = _others(side)
    write_sidecar(photo, ["a", "b"])
    assert _others(side) == others
    found = exif_json(side, "-XMP-dc:Subject", "-XMP-digiKam:TagsList")
    assert found["XMP-dc:Subject"] == ["a", "b"]
    assert found["XMP-digiKam:TagsList"] == ["People/a", "b"]
    write_sidecar(photo, [])
    assert _others(side) == others
    assert read_keywords(photo) == []
