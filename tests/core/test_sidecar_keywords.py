"""Keywords edited in another tool (digiKam, darktable, Lightroom write XMP sidecars) reach the
library without the photo changing: on the next scan and, while the service runs, at once."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from photoclip.core import keywords as keyword_files
from photoclip.core.keywords import write_sidecar
from photoclip.core.library import Library
from photoclip.core.service import LibraryService
from photoclip.core.tags import KEYWORD, USER
from tests.conftest import copy_coco

# coco-mini photos that carry Flickr keywords inside the file
WITH_KEYWORDS = "000000433998.jpg"  # baseball, Citizens Bank Park, Philadelphia, ...


@pytest.fixture()
def photos(tmp_path: Path, datasets_dir: Path) -> Path:
    root = copy_coco(datasets_dir, tmp_path / "Pictures", 3)
    for src in (datasets_dir / "coco-mini").glob(f"*/{WITH_KEYWORDS}"):
        shutil.copy2(src, root / src.name)
    return root


@pytest.fixture()
def lib(make_library: Callable[[list[Path]], Library], photos: Path) -> Library:
    lib = make_library([photos])
    lib.settings.auto_tag = False
    lib.index_folders()
    return lib


@pytest.fixture()
def photo_file_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths whose photo file was read for its embedded keywords (the real reader still runs)."""
    seen: list[str] = []
    real = keyword_files.embedded_keywords

    def spy(path: str | Path, data: bytes | None = None) -> list[str]:
        seen.append(str(path))
        return real(path, data)

    monkeypatch.setattr(keyword_files, "embedded_keywords", spy)
    return seen


def keywords_of(lib: Library, pid: int) -> set[str]:
    return {t.tag for t in lib._tags.tags_of(pid) if t.source == KEYWORD}


def wait_for(condition: Callable[[], bool], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def touch_later(path: Path) -> None:
    """Move the mtime on by a second: an edit within the file system's timestamp granularity."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))


def test_an_edited_sidecar_is_read_again_and_the_photo_is_not(
    lib: Library, photos: Path, photo_file_reads: list[str]
) -> None:
    photo = photos / WITH_KEYWORDS
    (pid,) = lib.photo_ids([photo])
    inside = keywords_of(lib, pid)
    assert {"baseball", "Citizens Bank Park"} <= inside
    lib._tags.add("my own", [pid])

    sidecar = write_sidecar(photo, ["Oma", "Summer 2024"])  # digiKam/darktable: photo.jpg.xmp
    report = lib.index_folders()
    assert report.keywords_reread == 1
    assert report.embedded == report.changed == 0  # no photo was indexed again
    assert keywords_of(lib, pid) == inside | {"Oma", "Summer 2024"}
    assert photo_file_reads == []  # the keywords inside the photo were known
    origins = {t.tag: t.origin for t in lib._tags.tags_of(pid) if t.source == KEYWORD}
    assert origins["Oma"] == "sidecar" and origins["baseball"] == "file"  # shown to the user

    write_sidecar(photo, ["Oma"])
    touch_later(sidecar)
    assert lib.index_folders().keywords_reread == 1
    assert keywords_of(lib, pid) == inside | {"Oma"}

    assert lib.index_folders().keywords_reread == 0  # nothing changed: nothing read

    sidecar.unlink()
    assert lib.index_folders().keywords_reread == 1
    assert keywords_of(lib, pid) == inside
    assert {t.tag for t in lib._tags.tags_of(pid) if t.source == USER} == {"my own"}
    assert lib._tags.photos_with("Oma") == set()


def test_a_lightroom_sidecar_belongs_to_every_photo_of_its_name(lib: Library, photos: Path) -> None:
    jpeg = sorted(p for p in photos.glob("*.jpg") if p.name != WITH_KEYWORDS)[0]
    twin = photos / (jpeg.stem + ".png")  # a RAW+JPEG pair, here a second format of one shot
    with Image.open(jpeg) as im:
        im.save(twin)
    lib.index_folders()
    ids = lib.photo_ids([jpeg, twin])
    sidecar = write_sidecar(jpeg, ["pair"], convention="adobe")  # photo.xmp, as Lightroom writes
    assert lib.keyword_sync.photos_of_sidecars([str(sidecar)]) == set(ids)  # a watcher event
    assert lib.keyword_sync.photos_of_sidecars([str(jpeg) + ".xmp"]) == {ids[0]}  # darktable
    assert lib.index_folders().keywords_reread == 2
    assert all(keywords_of(lib, pid) == {"pair"} for pid in ids)


def test_a_library_indexed_before_sidecars_were_tracked_is_not_read_again(
    make_library: Callable[[list[Path]], Library], photos: Path, photo_file_reads: list[str]
) -> None:
    photo = photos / WITH_KEYWORDS
    write_sidecar(photo, ["Oma"])
    lib = make_library([photos])
    lib.settings.auto_tag = False
    lib.index_folders()
    (pid,) = lib.photo_ids([photo])
    with lib._catalog.transaction() as db:  # as an older photoclip left it
        db.execute("DELETE FROM file_keywords")
        db.execute("DELETE FROM meta WHERE key='sidecars_known'")
    photo_file_reads.clear()
    assert lib.index_folders().keywords_reread == 0  # the sidecars are recorded as they are
    assert keywords_of(lib, pid) >= {"Oma", "baseball"}
    write_sidecar(photo, ["Opa"])
    touch_later(Path(str(photo) + ".xmp"))
    assert lib.index_folders().keywords_reread == 1
    assert photo_file_reads == [str(photo)]  # the keywords inside were not known: read once
    assert "Opa" in keywords_of(lib, pid) and "Oma" not in keywords_of(lib, pid)
    assert "baseball" in keywords_of(lib, pid)


def test_photoclips_own_sidecar_writes_are_not_read_back(lib: Library, photos: Path) -> None:
    photo = sorted(photos.glob("*.jpg"))[1]
    (pid,) = lib.photo_ids([photo])
    lib.settings.write_xmp = True
    lib._tags.add("beach", [pid])
    assert keyword_files.read_keywords(photo) == ["beach"]
    assert lib.index_folders().keywords_reread == 0


def test_no_sidecars_are_read_when_keywords_are_off(lib: Library, photos: Path) -> None:
    lib.settings.read_keywords = False
    write_sidecar(sorted(photos.glob("*.jpg"))[1], ["Oma"])
    assert lib.index_folders().keywords_reread == 0
    assert lib._tags.photos_with("Oma") == set()


@pytest.fixture()
def service(lib: Library) -> Iterator[LibraryService]:
    service = LibraryService(lib, quiet=0.3)
    events: list[str] = []
    service.subscribe(lambda e: events.append(e.kind))
    service.start()
    wait_for(lambda: "reconciled" in events)  # the watcher is watching
    assert service.wait_idle(30)
    yield service
    service.stop()


def test_a_sidecar_edited_while_the_app_runs_updates_the_tags(
    lib: Library, service: LibraryService, photos: Path
) -> None:
    photo = sorted(photos.glob("*.jpg"))[1]
    (pid,) = lib.photo_ids([photo])
    sidecar = write_sidecar(photo, ["Oma"])
    wait_for(lambda: keywords_of(lib, pid) == {"Oma"})
    sidecar.unlink()
    wait_for(lambda: keywords_of(lib, pid) == set())
    assert lib._catalog.counts(lib.model_spec.key).pending == 0


def test_photoclips_own_writes_are_not_read_back_while_the_app_runs(
    lib: Library, service: LibraryService, photos: Path
) -> None:
    photo = sorted(photos.glob("*.jpg"))[1]
    (pid,) = lib.photo_ids([photo])
    lib.settings.write_xmp = True
    lib._tags.add("beach", [pid])
    assert keyword_files.read_keywords(photo) == ["beach"]
    time.sleep(1.5)  # the watcher has seen the sidecar being written and settled
    assert service.wait_idle(30)
    assert [(t.tag, t.source) for t in lib._tags.tags_of(pid)] == [("beach", USER)]


def test_keywords_are_read_once_reading_them_is_turned_on(
    make_library: Callable[[list[Path]], Library], photos: Path
) -> None:
    lib = make_library([photos])
    lib.settings.auto_tag = False
    lib.settings.read_keywords = False
    lib.index_folders()
    (pid,) = lib.photo_ids([photos / WITH_KEYWORDS])
    assert keywords_of(lib, pid) == set()

    lib.settings.read_keywords = True
    phases: list[str] = []
    report = lib.index_folders(progress=lambda p: phases.append(p.phase))
    assert report.embedded == 0 and report.keywords_reread == len(list(photos.glob("*.jpg")))
    assert "keywords" in phases
    assert {"baseball", "Citizens Bank Park"} <= keywords_of(lib, pid)
    assert lib.index_folders().keywords_reread == 0  # caught up once, not every run
