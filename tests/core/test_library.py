"""The core end to end: real open_clip (tiny random model), real Chroma on disk, real photos."""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from photoclip.core.library import Library, SearchFilters
from photoclip.core.lock import LibraryLockedError


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


@pytest.fixture()
def photos(tmp_path: Path, datasets_dir: Path) -> Path:
    """A small library: 12 COCO photos, 3 camera photos in a subfolder."""
    root = tmp_path / "Pictures"
    (root / "trip").mkdir(parents=True)
    for src in sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:12]:
        shutil.copy2(src, root / src.name)
    for src in sorted((datasets_dir / "camera-photos" / "images").glob("*.JPG"))[:3]:
        shutil.copy2(src, root / "trip" / src.name)
    return root


def test_index_search_similar(make_library, photos: Path) -> None:
    lib: Library = make_library([photos])
    report = lib.index_folders()
    assert (report.new, report.embedded, report.failed) == (15, 15, 0)
    st = lib.status()
    assert (st.photos, st.indexed, st.pending, st.failed) == (15, 15, 0, 0)

    hits = lib.search("a dog on the beach at sunset", limit=10)
    assert len(hits) == 10
    assert [h.rank for h in hits] == list(range(1, 11))
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(-1.0 <= s <= 1.0 for s in scores)

    for path in sorted(photos.rglob("*.*"))[:5]:
        top = lib.similar(path, limit=3)[0]
        assert top.path == str(path.resolve())
        assert top.score == pytest.approx(1.0, abs=1e-4)

    # min score and limit
    assert all(h.score >= scores[2] for h in lib.search("a dog on the beach at sunset",
                                                       filters=SearchFilters(min_score=scores[2])))


def test_incremental_rename_copy_delete_edit(make_library, photos: Path) -> None:
    lib: Library = make_library([photos])
    lib.index_folders()
    emb = lib.embedder
    calls = emb.images_embedded
    assert lib.index_folders().embedded == 0  # unchanged files are skipped
    assert emb.images_embedded == calls

    # rename and move into another folder: same id, same vector, no model call
    src = sorted(photos.glob("*.jpg"))[0]
    before = lib._catalog.get_by_path(str(src))
    vec_before = lib.index.vector(before.id)
    (photos / "moved").mkdir()
    dst = photos / "moved" / "renamed.jpg"
    src.rename(dst)
    report = lib.index_folders()
    assert (report.moved, report.embedded, report.removed) == (1, 0, 0)
    assert emb.images_embedded == calls
    after = lib._catalog.get_by_path(str(dst))
    assert after.id == before.id
    assert np.array_equal(lib.index.vector(after.id), vec_before)
    in_moved = lib.search("anything", filters=SearchFilters(folder=str(photos / "moved")))
    assert [h.path for h in in_moved] == [str(dst)]

    # a copy reuses the vector, the original stays
    copy = photos / "copy.jpg"
    shutil.copy2(dst, copy)
    report = lib.index_folders()
    assert (report.reused, report.embedded) == (1, 0)
    assert emb.images_embedded == calls
    copy_id = lib._catalog.get_by_path(str(copy)).id
    assert copy_id != before.id
    assert np.array_equal(lib.index.vector(copy_id), vec_before)

    # a deleted file leaves the index
    gone = sorted(photos.glob("*.jpg"))[1]
    gone.unlink()
    assert lib.index_folders().removed == 1
    assert str(gone) not in {h.path for h in lib.search("x", limit=100)}
    assert lib._catalog.get_by_path(str(gone)) is None

    # an edited file is embedded again
    edited = sorted(photos.glob("*.jpg"))[2]
    from PIL import Image

    with Image.open(edited) as im:
        im.rotate(90, expand=True).save(edited)
    report = lib.index_folders()
    assert (report.changed, report.embedded) == (1, 1)
    paths = [h.path for h in lib.search("x", limit=100)]
    assert len(paths) == len(set(paths)) == lib.status().indexed


def test_orientation_variants_embed_identically(make_library, datasets_dir: Path) -> None:
    lib: Library = make_library([])
    folder = datasets_dir / "edge-cases" / "orientation"
    for kind in ("Landscape", "Portrait"):
        ref = lib.embed_file(folder / f"{kind}_1.jpg")
        for i in range(9):
            vec = lib.embed_file(folder / f"{kind}_{i}.jpg")
            assert _cos(ref, vec) > 0.99, f"{kind}_{i}"


def test_edge_cases_indexed_or_failed_with_reason(make_library, datasets_dir: Path) -> None:
    root = datasets_dir / "edge-cases"
    lib: Library = make_library([root])
    report = lib.index_folders()
    st = lib.status()
    assert st.pending == 0
    assert st.photos == st.indexed + st.failed
    assert st.failed == report.failed > 0
    assert all(reason.strip() for _, reason in st.failures)
    assert st.indexed >= 30  # every readable format made it


def test_filters(make_library, photos: Path) -> None:
    lib: Library = make_library([photos])
    old = sorted(photos.glob("*.jpg"))[:3]
    for p in old:  # no EXIF date in COCO photos: the file date counts
        os.utime(p, (946_728_000, 946_728_000))  # 2000-01-01
    lib.index_folders()
    early = lib.search("x", limit=100, filters=SearchFilters(before=date(2001, 1, 1)))
    assert {h.path for h in early} == {str(p) for p in old}
    late = lib.search("x", limit=100, filters=SearchFilters(after=date(2001, 1, 1)))
    assert not {h.path for h in late} & {str(p) for p in old}
    trip = lib.search("x", limit=100, filters=SearchFilters(folder=str(photos / "trip")))
    assert len(trip) == 3 and all("/trip/" in h.path for h in trip)


def test_weighted_query_is_the_weighted_sum(make_library, photos: Path) -> None:
    lib: Library = make_library([photos])
    lib.index_folders()
    a, b, c = lib.embed_texts(["beach", "sunset", "people"])
    expected = a + b - c
    expected /= np.linalg.norm(expected)
    hits = lib.search('"beach" + "sunset" - "people"', limit=5)
    for h in hits:
        assert h.score == pytest.approx(float(lib.index.vector(h.photo_id) @ expected), abs=1e-5)


def test_crash_leftovers_are_repaired_on_open(make_library, photos: Path) -> None:
    lib: Library = make_library([photos])
    lib.index_folders()
    ids = sorted(lib._catalog.indexed_ids(lib.model_spec.key))
    # a vector written just before a crash, never recorded in the catalog
    lib.store.upsert([999_999], lib.index.vector(ids[0])[None], [{"path": "/nowhere.jpg"}])
    # a catalog row whose vector never reached the store
    lib.store.delete([ids[1]])
    lib.close()
    lib.paths.library_dir.joinpath(lib.vectors.snapshot_path.name).unlink()  # a crash leaves none
    lib = make_library([photos])
    assert len(lib.index) == len(ids) - 1  # loading the index reconciles it with the catalog
    assert 999_999 not in lib.store.ids()
    assert lib.status().pending == 1
    assert lib.index_folders().embedded == 1
    assert lib.status().indexed == len(ids)


def test_one_process_owns_a_library(make_library, photos: Path) -> None:
    lib: Library = make_library([photos])
    with pytest.raises(LibraryLockedError, match="in use by another photoclip"):
        Library(lib.paths)


def test_remove_folder_drops_its_photos_not_files(make_library, photos: Path) -> None:
    lib: Library = make_library([photos / "trip", photos])
    lib.index_folders()
    assert lib.remove_folder(photos) == 12  # the subfolder is still a library folder
    assert lib.status().photos == 3
    assert lib.remove_folder(photos / "trip") == 3
    assert lib.status().photos == 0 and len(lib.index) == 0
    assert len(list(photos.rglob("*.*"))) == 15  # no file was touched


def test_reopening_uses_the_index_snapshot_only_when_it_matches(make_library, photos: Path) -> None:
    lib: Library = make_library([photos])
    lib.index_folders()
    expected = [(h.path, h.score) for h in lib.search("a red car", limit=10)]
    lib.close()

    lib = make_library([photos])
    def no_store_reads():  # the snapshot must make reading every vector unnecessary
        raise AssertionError("vectors were read from the store")
    lib.store.iter_all = no_store_reads
    assert [(h.path, h.score) for h in lib.search("a red car", limit=10)] == expected

    # an edit after the snapshot was written: the snapshot no longer matches the catalog
    lib.index_folders()
    victim = sorted(photos.glob("*.jpg"))[0]
    lib._catalog.mark_indexed(lib.model_spec.key, [(lib._catalog.get_by_path(str(victim)).id,
                                                  "0" * 32, None)])
    lib.close()
    lib = make_library([photos])
    reads = []
    real_iter_all = lib.store.iter_all
    lib.store.iter_all = lambda *a, **k: reads.append(1) or real_iter_all(*a, **k)
    assert len(lib.index) == 15
    assert reads, "a stale snapshot was trusted"


def test_process_decode_pool_gives_the_same_vectors(make_library, photos: Path) -> None:
    lib: Library = make_library([photos])
    lib.settings.decode_pool = "processes"
    report = lib.index_folders()
    assert (report.embedded, report.failed) == (15, 0)
    for path in sorted(photos.rglob("*.*"))[:4]:
        stored = lib.index.vector(lib._catalog.get_by_path(str(path)).id)
        assert _cos(stored, lib.embed_file(path)) > 0.9999
