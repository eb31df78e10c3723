"""VectorStore on a real Chroma folder (no mocks)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from photoclip.core.vectors import VectorStore, VectorStoreError, collection_name_for

DIM = 16


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _meta(i: int, **extra) -> dict:
    m = {
        "path": f"/p/{i}.jpg",
        "folder": "/p",
        "size": 100 + i,
        "mtime": 1_700_000_000,
        "hash": f"h{i}",
        "width": 640,
        "height": 480,
    }
    m.update(extra)
    return m


def _dated(m: dict) -> dict:
    """``m`` as stored: plus the dates the store derives (local ISO text, "date" = taken or
    mtime)."""
    from datetime import datetime

    out = dict(m)
    date = m.get("taken") or m["mtime"]
    out.update(date=date, date_iso=datetime.fromtimestamp(date).isoformat())
    if m.get("taken"):
        out["taken_iso"] = datetime.fromtimestamp(m["taken"]).isoformat()
    return out


@pytest.fixture()
def store(tmp_path: Path):
    s = VectorStore("photos_test", DIM, path=tmp_path / "chroma")
    yield s
    s.close()


def test_round_trip(store: VectorStore) -> None:
    rng = np.random.default_rng(0)
    vecs = _unit(rng, 20)
    ids = list(range(1, 21))
    store.upsert(ids, vecs, [_meta(i, taken=1_600_000_000 + i) for i in ids])
    assert store.count() == 20
    assert store.ids() == set(ids)
    got = store.get_vectors([3, 5, 999])
    assert set(got) == {3, 5}
    assert got[3].dtype == np.float32
    np.testing.assert_allclose(got[3], vecs[2], atol=1e-6)

    seen: dict[int, tuple[np.ndarray, dict]] = {}
    for bids, bvecs, metas in store.iter_all(batch=7):
        assert len(bids) <= 7 and bvecs.shape == (len(bids), DIM) and bvecs.dtype == np.float32
        seen.update({i: (v, m) for i, v, m in zip(bids, bvecs, metas)})
    assert set(seen) == set(ids)
    np.testing.assert_allclose(seen[7][0], vecs[6], atol=1e-6)
    assert seen[7][1] == _dated(_meta(7, taken=1_600_000_007))

    store.delete([1, 2, 12345])  # a missing id is fine
    assert store.ids() == set(ids) - {1, 2}
    assert store.count() == 18


def test_idempotent_upsert_replaces(store: VectorStore) -> None:
    rng = np.random.default_rng(1)
    ids = [1, 2, 3]
    store.upsert(ids, _unit(rng, 3), [_meta(i, camera="Canon") for i in ids])
    newer = _unit(rng, 3)
    store.upsert(ids, newer, [_meta(i, camera=None) for i in ids])
    store.upsert(ids, newer, [_meta(i, camera=None) for i in ids])
    assert store.count() == 3
    np.testing.assert_allclose(store.get_vectors([2])[2], newer[1], atol=1e-6)
    metas = {i: m for b, _, ms in store.iter_all() for i, m in zip(b, ms)}
    assert "camera" not in metas[2]  # None dropped, and the stale value is gone
    assert metas[2] == _dated(_meta(2))


def test_metadata_none_dropped_and_update(store: VectorStore) -> None:
    v = _unit(np.random.default_rng(2), 2)
    store.upsert([1, 2], v, [_meta(1, taken=None, camera=None), _meta(2, camera="Nikon")])
    metas = {i: m for b, _, ms in store.iter_all() for i, m in zip(b, ms)}
    assert metas[1] == _dated(_meta(1))
    store.update_metadata([2, 77], [{"path": "/q/2.jpg", "folder": "/q"}, {"path": "/x"}])
    metas = {i: m for b, _, ms in store.iter_all() for i, m in zip(b, ms)}
    assert metas[2]["path"] == "/q/2.jpg" and metas[2]["camera"] == "Nikon"
    assert store.ids() == {1, 2}


def test_more_than_one_batch(store: VectorStore) -> None:
    n = 6000  # Chroma takes at most 5,461 per call
    vecs = _unit(np.random.default_rng(3), n)
    store.upsert(range(n), vecs, [{"path": f"/p/{i}"} for i in range(n)])
    assert store.count() == n
    assert len(store.get_vectors(range(n))) == n
    assert sum(len(b) for b, _, _ in store.iter_all()) == n
    store.delete(range(n))
    assert store.count() == 0


def test_query_scores(store: VectorStore) -> None:
    rng = np.random.default_rng(4)
    vecs = _unit(rng, 200)
    store.upsert(range(200), vecs, [_meta(i, folder="/a" if i % 2 else "/b") for i in range(200)])
    hits = store.query(vecs[42], 10)
    assert hits[0][0] == 42 and hits[0][1] == pytest.approx(1.0, abs=1e-4)
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    exact = vecs @ vecs[42]
    assert hits[1][1] == pytest.approx(float(np.sort(exact)[-2]), abs=1e-4)
    even = store.query(vecs[43], 10, where={"folder": "/b"})  # 43 is in /a
    assert len(even) == 10 and all(i % 2 == 0 for i, _ in even)
    assert len(store.query(vecs[0], 500)) == 200


def test_dim_mismatch_and_reopen(tmp_path: Path) -> None:
    path = tmp_path / "chroma"
    vecs = _unit(np.random.default_rng(5), 30)
    with VectorStore("photos_m", DIM, path=path) as s:
        s.upsert(range(30), vecs, [_meta(i) for i in range(30)])
        with pytest.raises(VectorStoreError):
            s.upsert([1], np.ones((1, DIM + 1), dtype=np.float32), [_meta(1)])
        assert s.size_bytes() > 0
    with pytest.raises(VectorStoreError):
        s.count()  # closed
    with pytest.raises(VectorStoreError):
        VectorStore("photos_m", DIM * 2, path=path)
    with VectorStore("photos_m", DIM, path=path) as again:
        assert again.count() == 30
        np.testing.assert_allclose(again.get_vectors([29])[29], vecs[29], atol=1e-6)
        assert again.query(vecs[5], 1)[0][0] == 5
    with pytest.raises(ValueError):
        VectorStore("photos_m", DIM)


def test_collection_name_for() -> None:
    rule = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$")
    keys = [
        "ViT-B-32",
        "ViT-B-32/openai",
        "ViT-B-32:openai",
        "xlm-roberta-base-ViT-B-32@laion5b",
        "..",
        "a" * 600,
        "ü",
        "",
        "a..b",
    ]
    names = [collection_name_for(k) for k in keys]
    for name in names:
        assert rule.match(name), name
        assert ".." not in name
    assert len(set(names)) == len(names)
    assert collection_name_for("ViT-B-32") == "photos_ViT-B-32"
    assert collection_name_for("ViT-B-32") == collection_name_for("ViT-B-32")


def test_a_plain_chroma_client_filters_by_date_and_tag(
    make_library, photoclip_home, tmp_path: Path, datasets_dir: Path
) -> None:
    """The collection carries the full capture date (number + ISO text), the photo's date and
    its tags, kept current as tags change, so a chromadb user can filter by them."""
    import os
    import shutil
    from datetime import datetime

    import chromadb
    from chromadb.config import Settings as ChromaSettings

    folder = tmp_path / "pics"
    folder.mkdir()
    camera = sorted((datasets_dir / "camera-photos" / "images").glob("*"))[0]
    shutil.copy2(camera, folder / "camera.jpg")  # EXIF DateTimeOriginal 2010-10-12
    coco = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:3]
    stamps = [datetime(2020, 1, 1).timestamp(), datetime(2023, 6, 1).timestamp(),
              datetime(2023, 7, 1).timestamp()]
    for src, stamp in zip(coco, stamps):
        shutil.copy2(src, folder / src.name)
        os.utime(folder / src.name, (stamp, stamp))
    lib = make_library([folder])
    lib.index_folders()
    ids = {Path(p).name: i for p, i in zip(
        [str(f.resolve()) for f in sorted(folder.iterdir())],
        lib.photo_ids(sorted(folder.iterdir())))}
    lib._tags.add("beach", [ids[coco[1].name], ids["camera.jpg"]])
    lib._tags.add("Dog", [ids[coco[2].name]])
    lib._tags.add("dog", [ids[coco[2].name]])  # the same tag by case: listed once
    lib._tags.remove("beach", [ids["camera.jpg"]])
    name = lib.store.name
    lib.close()

    client = chromadb.PersistentClient(str(photoclip_home.library_dir / "chroma"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    col = client.get_collection(name)

    def names(where: dict) -> set[str]:
        return {Path(m["path"]).name for m in col.get(where=where)["metadatas"]}

    assert names({"tags": {"$contains": "beach"}}) == {coco[1].name}
    assert names({"tags": {"$contains": "Dog"}}) == {coco[2].name}
    since_2023 = datetime(2023, 1, 1).timestamp()
    assert names({"date": {"$gte": since_2023}}) == {coco[1].name, coco[2].name}
    both = {"$and": [{"date": {"$gte": since_2023}}, {"tags": {"$contains": "beach"}}]}
    assert names(both) == {coco[1].name}
    cam = col.get(where={"taken": {"$lt": datetime(2011, 1, 1).timestamp()}})["metadatas"]
    assert [Path(m["path"]).name for m in cam] == ["camera.jpg"]
    assert cam[0]["taken_iso"].startswith("2010-") and cam[0]["date"] == cam[0]["taken"]
    assert "beach" not in cam[0].get("tags", [])  # removed: the store follows
    from photoclip.core.store_tags import store_tags

    lib = make_library([folder])
    want = store_tags(lib._catalog, lib.model_spec.key, None)  # the user's + automatic ones
    lib.close()
    everything = col.get()
    got = {int(i): m.get("tags", []) for i, m in zip(everything["ids"], everything["metadatas"])}
    assert got == {pid: sorted(tags) for pid, tags in want.items()}
    dated = col.get(where={"date_iso": {"$in": [datetime.fromtimestamp(stamps[0]).isoformat()]}})
    assert [Path(m["path"]).name for m in dated["metadatas"]] == [coco[0].name]
    assert all(len(m["hash"]) == 64 for m in col.get()["metadatas"])  # the full SHA-256


def test_local_count_agrees_with_chroma_without_importing_it(tmp_path: Path) -> None:
    """store_count.local_count (read from chroma.sqlite3) equals Chroma's own count."""
    from photoclip.core.store_count import local_count

    folder = tmp_path / "chroma"
    rng = np.random.default_rng(3)
    s = VectorStore("photos_test", DIM, path=folder)
    assert local_count(folder, "photos_test") == s.count() == 0
    s.upsert(list(range(1, 31)), _unit(rng, 30), [_meta(i) for i in range(1, 31)])
    s.upsert([5, 6], _unit(rng, 2), [_meta(5), _meta(6)])  # replaced, not added
    s.delete([7, 8, 9])
    assert local_count(folder, "photos_test") == s.count() == 27
    other = VectorStore("photos_other", DIM, path=folder)
    other.upsert([1], _unit(rng, 1), [_meta(1)])
    assert local_count(folder, "photos_test") == 27 and local_count(folder, "photos_other") == 1
    other.close()
    s.close()
    assert local_count(folder, "photos_test") == 27
    assert local_count(folder, "no_such_collection") is None  # Chroma is asked instead
    assert local_count(tmp_path / "nowhere", "photos_test") is None
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "chroma.sqlite3").write_bytes(b"not a database" * 100)
    assert local_count(tmp_path / "damaged", "photos_test") is None
