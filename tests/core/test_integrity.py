"""Library integrity with a real Chroma store: a store that lost its vectors is never hidden by
the index snapshot (issue 14, item 29), and files deleted while an index run goes on do not stay
in the index (item 31)."""

from __future__ import annotations

import shutil
from pathlib import Path

from photoclip.core.indexer import IndexProgress
from photoclip.core.store_count import local_count
from photoclip.core.vectors import collection_name_for
from tests.conftest import copy_coco


def test_a_deleted_chroma_folder_is_noticed_and_re_embedded(
    make_library, datasets_dir: Path, tmp_path: Path
) -> None:
    photos = copy_coco(datasets_dir, tmp_path / "Pictures", 8)
    lib = make_library([photos])
    assert lib.index_folders().embedded == 8
    lib.close()  # saves the index snapshot
    chroma = lib.paths.library_dir / "chroma"
    assert chroma.is_dir() and lib.vectors.snapshot_path.exists()
    shutil.rmtree(chroma)  # a backup without it, a user tidying up, ...

    lib = make_library([photos])
    st = lib.status()
    assert (st.indexed, st.pending) == (0, 8)  # the truth, not the snapshot's 8
    assert lib.search("a photo", limit=20) == []
    report = lib.index_folders()
    assert report.embedded == 8 and report.reused == 0
    assert lib.vectors.store.count() == 8 and len(lib.vectors.index()) == 8
    assert lib.status().indexed == 8
    lib.close()

    lib = make_library([photos])  # and the next open agrees with the store again
    assert lib.status().indexed == 8 and len(lib.search("a photo", limit=20)) == 8


def test_an_old_backup_of_the_store_is_noticed_without_chromadb(
    make_library, datasets_dir: Path, tmp_path: Path
) -> None:
    """The count check reads the store's SQLite file (no chromadb import): a store restored from
    an older backup (4 vectors, catalog and snapshot 8) is still never hidden."""
    photos = copy_coco(datasets_dir, tmp_path / "Pictures", 8)
    lib = make_library([photos])
    files = sorted(photos.glob("*.jpg"))
    aside = tmp_path / "aside"
    aside.mkdir()
    for f in files[4:]:
        f.rename(aside / f.name)
    assert lib.index_folders().embedded == 4
    lib.close()
    chroma = lib.paths.library_dir / "chroma"
    shutil.copytree(chroma, tmp_path / "backup")
    assert local_count(chroma, collection_name_for(lib.model_spec.key)) == 4
    for f in aside.iterdir():
        f.rename(photos / f.name)
    lib = make_library([photos])
    assert lib.index_folders().embedded == 4
    lib.close()
    assert local_count(chroma, collection_name_for(lib.model_spec.key)) == 8
    shutil.rmtree(chroma)
    shutil.copytree(tmp_path / "backup", chroma)

    lib = make_library([photos])
    st = lib.status()
    assert (st.indexed, st.pending) == (4, 4)  # the store's truth, not the snapshot's 8
    assert lib.index_folders().embedded == 4
    assert lib.vectors.store.count() == 8
    lib.close()


def test_files_deleted_during_a_run_leave_the_index_at_its_end(
    make_library, datasets_dir: Path, tmp_path: Path
) -> None:
    photos = copy_coco(datasets_dir, tmp_path / "Pictures", 16)
    files = sorted(photos.glob("*.jpg"))
    doomed = files[::3]  # some embedded already, some read ahead, some not read yet
    lib = make_library([photos])
    deleted: list[Path] = []

    def progress(p: IndexProgress) -> None:
        if p.phase == "indexing" and p.done >= 8 and not deleted:  # after the first batch
            for f in doomed:
                f.unlink()
                deleted.append(f)

    report = lib.index_folders(progress)
    assert deleted and not report.stopped
    left = {str(f) for f in files if f.exists()}
    st = lib.status()
    assert st.photos == len(left) and st.indexed == len(left) and st.failed == 0
    hits = lib.search("a photo", limit=50)
    assert {h.path for h in hits} == left  # search never returns a path known to be gone
    assert not any(path in {str(f) for f in doomed} for path, _ in report.failures)


def test_a_file_moved_during_a_run_keeps_its_identity(
    make_library, datasets_dir: Path, tmp_path: Path
) -> None:
    photos = copy_coco(datasets_dir, tmp_path / "Pictures", 12)
    lib = make_library([photos])
    lib.index_folders()
    for f in sorted(photos.glob("*.jpg"))[:6]:  # changed: indexed again by the next run
        f.write_bytes(f.read_bytes() + b"\0")
    keep = sorted(photos.glob("*.jpg"))[-1]  # unchanged, already indexed
    (pid,) = lib.photo_ids([keep])
    lib._tags.add("mine", [pid])
    target = photos / "sub" / "moved.jpg"

    def progress(p: IndexProgress) -> None:
        if p.phase == "indexing" and p.done and not target.exists():
            target.parent.mkdir()
            keep.rename(target)

    report = lib.index_folders(progress)
    assert target.exists() and report.removed == 0 and report.moved == 1
    assert lib.photo_ids([target]) == [pid] and "mine" in lib.tagging.own(pid)
    assert str(keep) not in {h.path for h in lib.search("a photo", limit=50)}
