from pathlib import Path

import numpy as np

from photoclip.core import index_cache


def _data(n: int = 5, dim: int = 8) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    ids = np.arange(10, 10 + n, dtype=np.int64)
    vecs = np.random.default_rng(0).standard_normal((n, dim)).astype(np.float32)
    return ids, vecs, {int(i): f"{int(i):032x}" for i in ids}


def test_round_trip_only_when_it_matches_the_catalog(tmp_path: Path) -> None:
    ids, vecs, hashes = _data()
    path = tmp_path / "snap.npz"
    index_cache.save(path, ids, vecs, hashes)
    got = index_cache.load(path, hashes, 8)
    assert got is not None and np.array_equal(got[0], ids) and np.array_equal(got[1], vecs)
    assert index_cache.load(path, {**hashes, 10: "f" * 32}, 8) is None  # re-embedded photo
    assert index_cache.load(path, {**hashes, 99: "0" * 32}, 8) is None  # one more photo
    assert index_cache.load(path, {k: v for k, v in hashes.items() if k != 10}, 8) is None
    assert index_cache.load(path, hashes, 16) is None  # another model's dimension
    assert index_cache.load(tmp_path / "missing.npz", hashes, 8) is None


def test_a_damaged_snapshot_is_ignored(tmp_path: Path) -> None:
    ids, vecs, hashes = _data()
    path = tmp_path / "snap.npz"
    index_cache.save(path, ids, vecs, hashes)
    data = path.read_bytes()
    for damaged in (data[: len(data) // 2], b"", b"not a zip at all" * 10):
        path.write_bytes(damaged)
        assert index_cache.load(path, hashes, 8) is None
