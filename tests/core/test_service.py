"""The live library: real watchdog events on a temporary folder, real photos, real store."""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

from photoclip.core.library import Library
from photoclip.core.service import LibraryService, ServiceEvent
from tests.conftest import copy_coco


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


@pytest.fixture()
def folder(tmp_path: Path, datasets_dir: Path) -> Path:
    return copy_coco(datasets_dir, tmp_path / "Pictures", 3)


@pytest.fixture()
def spare(datasets_dir: Path) -> list[Path]:
    return sorted((datasets_dir / "coco-mini" / "train2017").glob("*.jpg"))[:3]


@pytest.fixture()
def running(make_library, folder: Path) -> Iterator[tuple[Library, LibraryService, list]]:
    lib: Library = make_library([folder])
    events: list[ServiceEvent] = []
    service = LibraryService(lib, quiet=0.3)
    service.subscribe(events.append)
    service.start()
    wait_for(lambda: any(e.kind == "reconciled" for e in events), 120)
    assert service.wait_idle(30)
    yield lib, service, events
    service.stop()


def indexed_paths(lib: Library) -> set[str]:
    ids = lib._catalog.indexed_ids(lib.model_spec.key)
    return {r.path for r in lib._catalog.get_many(ids).values()}


def test_start_up_reconciles(running) -> None:
    lib, service, events = running
    assert len(indexed_paths(lib)) == 3
    assert service.watcher.modes and set(service.watcher.modes.values()) == {"native"}
    assert any(e.kind == "progress" for e in events)
    if sys.platform.startswith("linux"):  # indexing yields to the GUI thread
        expected = min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
        assert os.getpriority(os.PRIO_PROCESS, service._thread.native_id) == expected


def test_copy_rename_move_delete(running, folder: Path, spare: list[Path]) -> None:
    lib, _, events = running
    emb = lib.embedder
    calls = emb.images_embedded

    new = folder / "new.jpg"
    shutil.copy2(spare[0], new)
    wait_for(lambda: str(new) in indexed_paths(lib))
    assert lib.similar(new, limit=1)[0].path == str(new)
    assert emb.images_embedded == calls + 1
    calls = emb.images_embedded
    photo_id = lib._catalog.get_by_path(str(new)).id
    vec = lib.index.vector(photo_id).copy()

    renamed = folder / "renamed.jpg"
    new.rename(renamed)
    wait_for(lambda: str(renamed) in indexed_paths(lib) and str(new) not in indexed_paths(lib))
    assert lib._catalog.get_by_path(str(renamed)).id == photo_id

    (folder / "sub").mkdir()
    moved = folder / "sub" / "renamed.jpg"
    renamed.rename(moved)
    wait_for(lambda: str(moved) in indexed_paths(lib) and len(indexed_paths(lib)) == 4)
    assert lib._catalog.get_by_path(str(moved)).id == photo_id, [
        e.report for e in events if e.kind == "batch"]

    (folder / "sub").rename(folder / "album")
    final = folder / "album" / "renamed.jpg"
    wait_for(lambda: str(final) in indexed_paths(lib) and len(indexed_paths(lib)) == 4)
    assert lib._catalog.get_by_path(str(final)).id == photo_id
    assert (lib.index.vector(photo_id) == vec).all()
    assert emb.images_embedded == calls, [e.report for e in events if e.kind == "batch"]

    # an edited photo is embedded again
    with Image.open(final) as im:
        im.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(final)
    wait_for(lambda: emb.images_embedded == calls + 1)
    assert lib._catalog.get_by_path(str(final)).id == photo_id
    wait_for(lambda: not (lib.index.vector(photo_id) == vec).all())

    final.unlink()
    wait_for(lambda: str(final) not in indexed_paths(lib) and lib.status().photos == 3)
    assert lib.index.vector(photo_id) is None


def test_slowly_written_file_is_indexed_once_complete(running, folder: Path,
                                                      spare: list[Path]) -> None:
    lib, service, _ = running
    calls = lib.embedder.images_embedded
    data = spare[1].read_bytes()
    target = folder / "slow.jpg"
    with open(target, "wb") as f:
        for start in range(0, len(data), len(data) // 8 + 1):
            f.write(data[start : start + len(data) // 8 + 1])
            f.flush()
            time.sleep(0.1)
    wait_for(lambda: str(target) in indexed_paths(lib))
    assert service.wait_idle(30)
    assert lib.embedder.images_embedded == calls + 1
    assert lib.status().failed == 0


def test_pause_resume_and_folder_removal(running, folder: Path, spare: list[Path]) -> None:
    lib, service, _ = running
    service.pause()
    assert service.paused
    shutil.copy2(spare[2], folder / "while-paused.jpg")
    time.sleep(1.5)
    assert str(folder / "while-paused.jpg") not in indexed_paths(lib)
    service.resume()
    wait_for(lambda: str(folder / "while-paused.jpg") in indexed_paths(lib))

    service.remove_folder(str(folder))
    wait_for(lambda: lib.status().photos == 0)
    assert len(list(folder.glob("*.jpg"))) == 4  # files untouched


def test_search_from_another_thread_while_indexing(running, folder: Path,
                                                   datasets_dir: Path) -> None:
    lib, _, _ = running
    for src in sorted((datasets_dir / "coco-mini" / "train2017").glob("*.jpg"))[:40]:
        shutil.copy2(src, folder / f"bulk-{src.name}")
    results: list[int] = []
    errors: list[BaseException] = []

    def searcher() -> None:
        try:
            for _ in range(10):
                results.append(len(lib.search("a photo", limit=5)))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    t = threading.Thread(target=searcher)
    t.start()
    t.join(60)
    assert not errors and len(results) == 10
    wait_for(lambda: len(indexed_paths(lib)) == 43, 120)


def test_polling_fallback_follows_changes(make_library, folder: Path, spare: list[Path]) -> None:
    lib: Library = make_library([folder])
    service = LibraryService(lib, quiet=0.2, polling=True, poll_interval=0.3)
    service.start()
    try:
        assert service.wait_idle(60)
        assert set(service.watcher.modes.values()) == {"polling"}
        shutil.copy2(spare[0], folder / "polled.jpg")
        wait_for(lambda: str(folder / "polled.jpg") in indexed_paths(lib))
        (folder / "polled.jpg").unlink()
        wait_for(lambda: str(folder / "polled.jpg") not in indexed_paths(lib))
    finally:
        service.stop()


def test_native_events_unavailable_falls_back_to_polling(make_library, folder: Path,
                                                         monkeypatch, caplog) -> None:
    lib: Library = make_library([folder])
    service = LibraryService(lib, reconcile_on_start=False, poll_interval=0.3)

    def exhausted(*args, **kwargs):
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(service.watcher._native, "schedule", exhausted)
    service.start()
    try:
        wait_for(lambda: service.watcher.modes.get(str(folder)) == "polling")
        assert "polling it every" in caplog.text and "inotify watch limit" in caplog.text
    finally:
        service.stop()


def test_nested_folders_are_one_library_folder(
    make_library, tmp_path: Path, datasets_dir: Path, spare: list[Path]
) -> None:
    """Adding a subfolder of a library folder used to add it again (watched twice); adding the
    parent of one likewise. Now a subfolder changes nothing, and a parent takes its
    subfolder's place: one watch each, photos indexed once, nothing embedded again."""
    root = tmp_path / "Photos"
    child = copy_coco(datasets_dir, root / "2024", 3)
    (child / "trip").mkdir()
    lib: Library = make_library([child])
    events: list[ServiceEvent] = []
    service = LibraryService(lib, quiet=0.3)
    service.subscribe(events.append)
    service.start()
    try:
        wait_for(lambda: any(e.kind == "reconciled" for e in events), 120)
        assert service.wait_idle(30)
        before = {p: lib._catalog.get_by_path(p).id for p in indexed_paths(lib)}
        embedded = lib.embedder.images_embedded

        inside = service.add_folder(str(child / "trip"))
        assert not inside.added and inside.within == str(child)
        assert "already in the library as part of" in inside.text
        assert lib.settings.folders == [str(child)] and set(service.watcher.modes) == {str(child)}

        parent = service.add_folder(str(root))
        assert parent.added and parent.absorbed == (str(child),)
        assert lib.settings.folders == [str(root)] and set(service.watcher.modes) == {str(root)}
        assert "no longer listed or watched on its own" in parent.text
        shutil.copy2(spare[0], child / "trip" / "new.jpg")
        shutil.copy2(spare[1], root / "top.jpg")
        wait_for(lambda: {str(child / "trip" / "new.jpg"), str(root / "top.jpg")}
                 <= indexed_paths(lib))
        assert service.wait_idle(30)
        assert {p: lib._catalog.get_by_path(p).id for p in before} == before  # kept as they were
        assert lib.embedder.images_embedded == embedded + 2  # only the two new photos
        assert len(indexed_paths(lib)) == 5
    finally:
        service.stop()
    with pytest.raises(KeyError, match="part of the library folder"):
        lib.remove_folder(child)
