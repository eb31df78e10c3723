"""ExactIndex against a brute-force reference, with churn, filters and threads."""

from __future__ import annotations

import itertools
import threading

import numpy as np
import pytest

from photoclip.core.vector_index import ExactIndex

DIM = 32


def _unit(rng: np.random.Generator, n: int, dim: int = DIM) -> np.ndarray:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


class Reference:
    """The obvious dict-of-rows implementation the index must agree with."""

    def __init__(self) -> None:
        self.rows: dict[int, tuple[np.ndarray, str, float | None]] = {}

    def add(self, ids, vecs, folders, dates) -> None:
        for i, v, f, d in zip(ids, vecs, folders, dates):
            self.rows[int(i)] = (v, f, d)

    def remove(self, ids) -> None:
        for i in ids:
            self.rows.pop(int(i), None)

    def search(
        self,
        q,
        k,
        *,
        folder=None,
        after=None,
        before=None,
        min_score=None,
        allowed=None,
        exclude=(),
    ) -> list[tuple[int, float]]:
        q = q / np.linalg.norm(q)
        hits = []
        for i, (v, f, d) in self.rows.items():
            if folder is not None and not (f == folder or f.startswith(folder + "/")):
                continue
            if after is not None and (d is None or d < after):
                continue
            if before is not None and (d is None or d >= before):
                continue
            if allowed is not None and i not in allowed:
                continue
            if i in exclude:
                continue
            s = float(np.dot(v.astype(np.float64), q.astype(np.float64)))
            if min_score is not None and s < min_score:
                continue
            hits.append((i, s))
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:k]


FOLDERS = ["/a", "/a/b", "/a/b/c", "/a/bc", "/x", "/x/y"]


def _batch(rng: np.random.Generator, ids: list[int]):
    vecs = _unit(rng, len(ids))
    folders = [FOLDERS[int(rng.integers(len(FOLDERS)))] for _ in ids]
    dates = [None if rng.random() < 0.2 else float(rng.integers(0, 1000)) for _ in ids]
    return vecs, folders, dates


def _same(got: list[tuple[int, float]], want: list[tuple[int, float]]) -> None:
    assert [i for i, _ in got] == [i for i, _ in want]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], atol=1e-5)


@pytest.fixture()
def churned() -> tuple[ExactIndex, Reference, np.random.Generator]:
    """An index and the reference after rounds of adds, re-adds, removals and moves."""
    rng = np.random.default_rng(7)
    index, ref = ExactIndex(DIM), Reference()
    next_id = 1
    for _ in range(12):
        new = list(range(next_id, next_id + 150))
        next_id += 150
        known = list(ref.rows)
        again = (
            [int(i) for i in rng.choice(known, size=min(30, len(known)), replace=False)]
            if known
            else []
        )
        ids = new + again
        vecs, folders, dates = _batch(rng, ids)
        index.add(ids, vecs, folders, dates)
        ref.add(ids, vecs, folders, dates)
        gone = [int(i) for i in rng.choice(list(ref.rows), size=40, replace=False)] + [10**9]
        index.remove(gone)
        ref.remove(gone)
        moved = [int(i) for i in rng.choice(list(ref.rows), size=10, replace=False)]
        index.update_attrs(moved, folders=["/x/y"] * 10, dates=[500.0] * 10)
        for i in moved:
            v, _, _ = ref.rows[i]
            ref.rows[i] = (v, "/x/y", 500.0)
    assert len(index) == len(ref.rows)
    return index, ref, rng


def test_matches_brute_force_after_churn(churned) -> None:
    index, ref, rng = churned
    assert set(index.ids().tolist()) == set(ref.rows)
    for q in _unit(rng, 20):
        for k in (1, 10, 50):
            _same(index.search(q, k), ref.search(q, k))
    some = next(iter(ref.rows))
    np.testing.assert_array_equal(index.vector(some), ref.rows[some][0])
    assert index.vector(10**9) is None
    hits = index.search(ref.rows[some][0], 1)
    assert hits[0][0] == some and hits[0][1] == pytest.approx(1.0, abs=1e-5)


def test_folder_prefix_semantics(churned) -> None:
    index, ref, rng = churned
    q = _unit(rng, 1)[0]
    for folder in [*FOLDERS, "/nowhere"]:
        _same(index.search(q, 1000, folder=folder), ref.search(q, 1000, folder=folder))
    found = {ref.rows[i][1] for i, _ in index.search(q, 10**6, folder="/a/b")}
    assert found == {"/a/b", "/a/b/c"}  # not /a/bc
    assert index.search(q, 5, folder="/a/b/") == index.search(q, 5, folder="/a/b")


def test_windows_style_folders() -> None:
    index = ExactIndex(2)
    vecs = np.array([[1, 0], [1, 0], [1, 0]], dtype=np.float32)
    index.add([1, 2, 3], vecs, ["C:\\P\\a", "C:\\P\\a\\b", "C:\\P\\ab"], [None] * 3)
    assert sorted(i for i, _ in index.search(np.array([1, 0]), 10, folder="C:\\P\\a")) == [1, 2]


def test_date_filters(churned) -> None:
    index, ref, rng = churned
    q = _unit(rng, 1)[0]
    for after, before in [(100.0, None), (None, 300.0), (250.0, 750.0), (500.0, 501.0)]:
        got = index.search(q, 10**6, after=after, before=before)
        _same(got, ref.search(q, 10**6, after=after, before=before))
    # inclusive after, exclusive before, undated rows dropped
    got = {i for i, _ in index.search(q, 10**6, after=500.0, before=501.0)}
    assert got == {i for i, (_, _, d) in ref.rows.items() if d == 500.0}


def test_min_score_allowed_exclude_and_combined(churned) -> None:
    index, ref, rng = churned
    q = _unit(rng, 1)[0]
    _same(index.search(q, 100, min_score=0.2), ref.search(q, 100, min_score=0.2))
    assert all(s >= 0.2 for _, s in index.search(q, 100, min_score=0.2))
    ids = list(ref.rows)
    allowed = set(ids[::7])
    got = index.search(q, 50, allowed_ids=np.array(sorted(allowed)))
    _same(got, ref.search(q, 50, allowed=allowed))
    exclude = {i for i, _ in ref.search(q, 5)}
    _same(index.search(q, 20, exclude_ids=list(exclude)), ref.search(q, 20, exclude=exclude))
    kw = dict(folder="/a", after=100.0, before=900.0, min_score=-0.1)
    _same(
        index.search(q, 30, **kw, allowed_ids=np.array(ids[::2]), exclude_ids=ids[:50]),
        ref.search(q, 30, **kw, allowed=set(ids[::2]), exclude=set(ids[:50])),
    )
    assert index.search(q, 10, allowed_ids=np.array([], dtype=np.int64)) == []


def test_ties_broken_by_id_and_edge_cases() -> None:
    index = ExactIndex(3)
    v = np.array([[1, 0, 0]] * 5, dtype=np.float32)
    index.add([9, 3, 7, 1, 5], v, ["/f"] * 5, [None] * 5)
    assert [i for i, _ in index.search(np.array([1.0, 0, 0]), 3)] == [1, 3, 5]
    assert index.search(np.array([1.0, 0, 0]), 0) == []
    assert ExactIndex(3).search(np.array([1.0, 0, 0]), 5) == []
    with pytest.raises(ValueError):
        index.search(np.zeros(3), 1)
    with pytest.raises(ValueError):
        index.search(np.ones(4), 1)
    with pytest.raises(ValueError):
        index.add([1], np.ones((1, 4), dtype=np.float32), ["/f"], [None])
    # a repeated id in one call: the last copy wins
    index.add([2, 2], np.array([[0, 1, 0], [0, 0, 1]], dtype=np.float32), ["/f", "/g"], [1, 2])
    np.testing.assert_array_equal(index.vector(2), [0, 0, 1])
    assert index.search(np.array([0, 0, 1.0]), 1, folder="/g") == [(2, 1.0)]
    index.remove(index.ids().tolist())
    assert len(index) == 0 and index.search(np.array([1.0, 0, 0]), 3) == []


def test_growth_and_shrink_keep_rows() -> None:
    rng = np.random.default_rng(1)
    index, ref = ExactIndex(DIM), Reference()
    for start in range(0, 5000, 500):
        ids = list(range(start, start + 500))
        vecs, folders, dates = _batch(rng, ids)
        index.add(ids, vecs, folders, dates)
        ref.add(ids, vecs, folders, dates)
    gone = list(range(0, 4900))
    index.remove(gone)
    ref.remove(gone)
    q = _unit(rng, 1)[0]
    _same(index.search(q, 200), ref.search(q, 200))
    assert index.nbytes < 5000 * DIM * 4


def test_concurrent_add_and_search() -> None:
    rng = np.random.default_rng(3)
    index = ExactIndex(DIM)
    base = _unit(rng, 500)
    index.add(range(500), base, ["/a"] * 500, [None] * 500)
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:
        try:
            wrng = np.random.default_rng(4)
            for start in range(1000, 6000, 100):
                ids = list(range(start, start + 100))
                index.add(ids, _unit(wrng, 100), ["/b"] * 100, [1.0] * 100)
                index.remove(ids[:30])
        except BaseException as exc:
            errors.append(exc)
        finally:
            stop.set()

    def reader() -> None:
        try:
            while not stop.is_set():
                j = int(rng.integers(500))
                hits = index.search(base[j], 5, folder="/a")
                assert hits[0][0] == j  # the base rows are never touched
                assert all(a[1] >= b[1] for a, b in itertools.pairwise(hits))
        except BaseException as exc:
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert len(index) == 500 + 50 * 70
