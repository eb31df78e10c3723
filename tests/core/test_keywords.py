"""Keyword interoperability on real files: exiftool writes the metadata, photoclip reads it back,
and exiftool checks the sidecars photoclip writes."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from photoclip.core import keywords as kw
from photoclip.core.keywords import read_keywords, sidecar_path, write_sidecar

DATASETS = Path("/work/shared/datasets")
COCO = DATASETS / "coco-mini" / "val2017"
HEIC = DATASETS / "edge-cases" / "heif" / "L_exif_xmp_iptc.heic"
EXIFTOOL = shutil.which("exiftool")

needs_exiftool = pytest.mark.skipif(
    EXIFTOOL is None,
    reason="exiftool not installed (run .ci/install-system-deps: apt-get libimage-exiftool-perl)",
)

DARKTABLE_SIDECAR = """<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:darktable="http://darktable.sf.net/"
   xmp:Rating="3"
   xmpMM:DerivedFrom="photo.jpg"
   darktable:import_timestamp="63818000000000000"
   darktable:xmp_version="5"
   darktable:auto_presets_applied="1"
   darktable:history_end="2">
   <darktable:masks_history>
    <rdf:Seq/>
   </darktable:masks_history>
   <dc:subject>
    <rdf:Bag>
     <rdf:li>old</rdf:li>
     <rdf:li>gone</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>darktable|format|jpg</rdf:li>
     <rdf:li>Places|old</rdf:li>
     <rdf:li>Places|gone</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <darktable:history>
    <rdf:Seq>
     <rdf:li darktable:num="0" darktable:operation="exposure" darktable:enabled="1"
      darktable:modversion="6" darktable:params="0000000000000000"
      darktable:multi_name="" darktable:multi_priority="0"/>
     <rdf:li darktable:num="1" darktable:operation="colorin" darktable:enabled="1"
      darktable:modversion="7" darktable:params="gz48eJzjZhgFowAEAAQQAAE="
      darktable:multi_name="" darktable:multi_priority="0"/>
    </rdf:Seq>
   </darktable:history>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
"""


def exiftool(*args: str | Path) -> str:
    assert EXIFTOOL is not None
    done = subprocess.run([EXIFTOOL, *map(str, args)], capture_output=True, text=True,
                          check=True, timeout=60)
    return done.stdout


def exif_json(path: Path, *tags: str) -> dict:
    return json.loads(exiftool("-j", "-G1", "-struct", *tags, path))[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def photo(tmp_path: Path) -> Path:
    if not COCO.is_dir():
        pytest.skip(f"{COCO} not available")
    src = sorted(COCO.glob("*.jpg"))[0]
    dst = tmp_path / "photo.jpg"
    shutil.copyfile(src, dst)
    return dst


def with_app1_xmp(jpeg: bytes, packet: bytes) -> bytes:
    """A JPEG with ``packet`` as its XMP APP1 segment, inserted right after SOI."""
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + packet
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:2] + segment + jpeg[2:]


# ------------------------------------------------------------------------------ reading


@needs_exiftool
def test_embedded_xmp_and_iptc_with_non_ascii(photo: Path) -> None:
    exiftool("-q", "-overwrite_original", "-XMP-dc:Subject+=beach", "-XMP-dc:Subject+=自行车",
             "-IPTC:CodedCharacterSet=UTF8", "-IPTC:Keywords+=sunset",
             "-IPTC:Keywords+=Strand", "-IPTC:Keywords+=café", "-IPTC:Keywords+=Beach", photo)
    expected = ["beach", "自行车", "sunset", "Strand", "café"]  # "Beach" dedupes into "beach"
    assert read_keywords(photo) == expected
    assert read_keywords(str(photo), data=photo.read_bytes()) == expected


@needs_exiftool
def test_iptc_without_charset_falls_back_to_latin1(photo: Path) -> None:
    exiftool("-q", "-overwrite_original", "-IPTC:Keywords+=café", "-IPTC:Keywords+=plain",
             photo)
    assert b"caf\xe9" in photo.read_bytes()  # exiftool stored Latin-1, as old tools do
    assert read_keywords(photo) == ["café", "plain"]


@needs_exiftool
def test_sidecars_of_both_conventions_and_hierarchies(photo: Path) -> None:
    exiftool("-q", "-overwrite_original", "-XMP-dc:Subject+=embedded", photo)
    exiftool("-q", "-o", photo.with_name("photo.jpg.xmp"), "-XMP-dc:Subject=Strand",
             "-XMP-dc:Subject=café", "-XMP-lr:HierarchicalSubject=Places|France|Paris",
             "-XMP-lr:HierarchicalSubject=darktable|format|jpg",
             "-XMP-digiKam:TagsList=People/Family/Anna")
    exiftool("-q", "-o", photo.with_name("photo.xmp"), "-XMP-dc:Subject=自行车",
             "-XMP-dc:Subject=strand")
    found = read_keywords(photo)
    assert found[:3] == ["embedded", "Strand", "café"]
    assert sorted(found[3:5]) == ["Anna", "Paris"]  # leaves; darktable's own tag is skipped
    assert found[5:] == ["自行车"]  # "strand" duplicates "Strand"


@needs_exiftool
def test_uppercase_sidecar_extension(photo: Path) -> None:
    exiftool("-q", "-o", photo.with_name("photo.XMP"), "-XMP-dc:Subject=lightroom")
    assert read_keywords(photo) == ["lightroom"]


def test_no_keywords_and_missing_files(tmp_path: Path, photo: Path) -> None:
    assert read_keywords(photo) == []
    assert read_keywords(tmp_path / "absent.jpg") == []
    # a photo that is gone still has its sidecar
    (tmp_path / "absent.jpg.xmp").write_text(DARKTABLE_SIDECAR)
    assert read_keywords(tmp_path / "absent.jpg") == ["old", "gone"]


def test_packet_scan_for_formats_pillow_cannot_open(tmp_path: Path) -> None:
    raw = tmp_path / "x.raf"
    packet = DARKTABLE_SIDECAR.split("\n", 1)[1].encode()
    raw.write_bytes(b"FUJIFILMCCD-RAW junk" * 100 + packet + b"\x00more junk")
    assert read_keywords(raw) == ["old", "gone"]


@pytest.mark.skipif(not HEIC.exists(), reason=f"{HEIC} not available")
def test_heic_with_xmp(tmp_path: Path) -> None:
    from photoclip.core import image_formats

    if not image_formats.HEIF_AVAILABLE:
        pytest.skip("pillow_heif unavailable")
    assert read_keywords(HEIC) == []  # Lightroom XMP and no keywords: parsed, nothing found
    if EXIFTOOL is None:
        pytest.skip("exiftool not installed")
    copy = tmp_path / "bike.heic"
    shutil.copyfile(HEIC, copy)
    exiftool("-q", "-overwrite_original", "-XMP-dc:Subject+=自行车", "-XMP-dc:Subject+=bike",
             copy)
    assert read_keywords(copy) == ["自行车", "bike"]


def test_corrupt_packets_never_raise(tmp_path: Path, photo: Path) -> None:
    jpeg = photo.read_bytes()
    photo.write_bytes(with_app1_xmp(jpeg, b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF"))
    (tmp_path / "photo.jpg.xmp").write_bytes(b"\x00\xff garbage <x:xmpmeta")
    (tmp_path / "photo.xmp").write_text(DARKTABLE_SIDECAR.replace("</rdf:Bag>", "", 1))
    assert read_keywords(photo) == []
    assert read_keywords(photo, data=b"") == []


@pytest.mark.parametrize("where", ["embedded", "sidecar"])
def test_doctype_is_rejected_without_entity_expansion(
    tmp_path: Path, photo: Path, where: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    evil = f"""<?xml version="1.0"?>
<!DOCTYPE x:xmpmeta [
 <!ENTITY ext SYSTEM "file://{secret}">
 <!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag>
<rdf:li>&ext;</rdf:li><rdf:li>&d;</rdf:li><rdf:li>fine</rdf:li></rdf:Bag></dc:subject>
</rdf:Description></rdf:RDF></x:xmpmeta>""".encode()
    if where == "embedded":
        photo.write_bytes(with_app1_xmp(photo.read_bytes(), evil))
    else:
        (tmp_path / "photo.jpg.xmp").write_bytes(evil)
    assert read_keywords(photo) == []
    with pytest.raises(kw.UnsafeXMPError):
        kw._parse_xmp(evil)


# ------------------------------------------------------------------------------ writing


def test_sidecar_path_conventions(tmp_path: Path) -> None:
    p = tmp_path / "IMG_1.CR2"
    assert sidecar_path(p) == tmp_path / "IMG_1.CR2.xmp"
    assert sidecar_path(p, "digikam") == tmp_path / "IMG_1.CR2.xmp"
    assert sidecar_path(str(p), "adobe") == tmp_path / "IMG_1.xmp"
    with pytest.raises(ValueError, match="convention"):
        sidecar_path(p, "picasa")


@needs_exiftool
@pytest.mark.parametrize("convention", ["darktable", "adobe"])
def test_write_new_sidecar(photo: Path, convention: str) -> None:
    before = sha(photo)
    words = ["beach", "Strand", "自行车", "café", "a & b <c>", "beach"]
    out = write_sidecar(photo, words, convention)
    assert out == sidecar_path(photo, convention) and out.exists()
    assert sha(photo) == before
    assert exif_json(out, "-XMP-dc:Subject")["XMP-dc:Subject"] == words[:-1]
    assert read_keywords(photo) == words[:-1]
    assert not list(photo.parent.glob("*.tmp"))


@needs_exiftool
def test_update_exiftool_sidecar_keeps_other_properties(photo: Path) -> None:
    side = photo.with_name("photo.jpg.xmp")
    exiftool("-q", "-o", side, "-XMP-xmp:Rating=3", "-XMP-dc:Subject=old",
             "-XMP-dc:Subject=gone", "-XMP-xmpMM:HistoryAction=saved",
             "-XMP-xmpMM:HistorySoftwareAgent=darktable 4.6")
    before = exif_json(side, "-XMP:all")
    photo_hash = sha(photo)
    write_sidecar(photo, ["old", "新しい"])
    after = exif_json(side, "-XMP:all")
    assert after.pop("XMP-dc:Subject") == ["old", "新しい"]
    before.pop("XMP-dc:Subject")
    assert after == before
    assert after["XMP-xmp:Rating"] == 3
    assert sha(photo) == photo_hash


@needs_exiftool
def test_update_darktable_sidecar_keeps_history(photo: Path) -> None:
    side = photo.with_name("photo.jpg.xmp")
    side.write_text(DARKTABLE_SIDECAR)
    side.chmod(0o640)
    before = exif_json(side, "-XMP:all")
    assert before["XMP-lr:HierarchicalSubject"] == [
        "darktable|format|jpg", "Places|old", "Places|gone"]
    write_sidecar(photo, ["old", "new"])
    after = exif_json(side, "-XMP:all")
    assert after.pop("XMP-dc:Subject") == ["old", "new"]
    # the removed keyword's hierarchy entry goes too, the new one is added (as a top-level
    # entry); darktable's own tags stay
    assert after.pop("XMP-lr:HierarchicalSubject") == ["darktable|format|jpg", "Places|old",
                                                       "new"]
    for key in ("XMP-dc:Subject", "XMP-lr:HierarchicalSubject"):
        before.pop(key)
    assert after == before
    assert "darktable:history" in side.read_text() and 'xmlns:darktable="' in side.read_text()
    assert "ns0:" not in side.read_text()
    assert side.stat().st_mode & 0o777 == 0o640
    assert read_keywords(photo) == ["old", "new"]

    write_sidecar(photo, [])  # no keywords left: dc:subject goes, the rest stays
    cleared = exif_json(side, "-XMP:all")
    assert "XMP-dc:Subject" not in cleared
    assert cleared["XMP-xmp:Rating"] == 3
    assert read_keywords(photo) == []


def test_write_refuses_to_clobber_a_bad_sidecar(photo: Path) -> None:
    side = photo.with_name("photo.xmp")
    side.write_bytes(b"<x:xmpmeta broken")
    with pytest.raises(ValueError):
        write_sidecar(photo, ["x"], "adobe")
    assert side.read_bytes() == b"<x:xmpmeta broken"
    with pytest.raises(TypeError):
        write_sidecar(photo, "beach")  # type: ignore[arg-type]


def test_write_updates_uppercase_sidecar_in_place(photo: Path) -> None:
    upper = photo.with_name("photo.XMP")
    upper.write_text(DARKTABLE_SIDECAR)
    assert write_sidecar(photo, ["lr"], "adobe") == upper
    assert not photo.with_name("photo.xmp").exists()
    assert read_keywords(photo) == ["lr"]
