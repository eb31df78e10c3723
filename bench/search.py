"""Search latency and recall: photoclip's exact in-memory index against Chroma's HNSW.

Synthetic 512-d photo vectors in two flavours:

* ``clustered``: like real CLIP image embeddings -- a shared mean direction, 200 gaussian
  clusters and noise with a power-law spectrum (mean cosine ~0.68 within a cluster, ~0.33
  between clusters); queries are fresh samples from the same distribution.
* ``random``: uniform on the sphere (the worst case for a graph index).

Each photo gets one of 1000 leaf folders (``/photos/TT/LLL``, 20 top folders of 50 leaves) and a
date in 2015-2025 (10% undated). For every size it prints:

* ExactIndex: p50/p95 of a top-50 search with no filter, a leaf folder (~0.1% of photos), a top
  folder (~5%), a one-year date range (~9%), and top folder + year; recall@50 against a float64
  brute-force reference (1.0 by construction; verified).
* Chroma through ``VectorStore`` (PersistentClient in a temp dir), photoclip's HNSW settings
  against Chroma's defaults: insert time, p50/p95 of ``query`` with no filter and with a
  ``where`` on the leaf folder and on the year, recall@50 against exact search, disk size; and a
  sweep of ef_search on the tuned collection (clustered data).
* Library open cost: loading every vector from Chroma into an ExactIndex, and its memory.

Latencies exclude the text encoder (a cached or 15-33 ms extra per new query).

    python bench/search.py [--sizes 10000,100000] [--quick] [--queries 200]
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photoclip.core import index_cache  # noqa: E402
from photoclip.core.vector_index import ExactIndex  # noqa: E402
from photoclip.core.vectors import HNSW_CONFIG, VectorStore  # noqa: E402

DIM = 512
K = 50
TOPS, LEAVES = 20, 50
YEAR = 365.25 * 86400
T0 = 1_420_070_400.0  # 2015-01-01
CHROMA_DEFAULT = {"space": "cosine", "max_neighbors": 16, "ef_construction": 100, "ef_search": 100}


# ----- data ----------------------------------------------------------------------------------


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


class Data:
    """Vectors, folders, dates and queries for one flavour and size."""

    def __init__(self, kind: str, n: int, queries: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.kind, self.n = kind, n
        if kind == "clustered":
            mean = _unit(rng.standard_normal(DIM))
            centres = _unit(rng.standard_normal((200, DIM)))
            rot = np.linalg.qr(rng.standard_normal((DIM, DIM)))[0].astype(np.float32)
            spectrum = np.arange(1, DIM + 1, dtype=np.float32) ** -0.5
            spectrum /= np.linalg.norm(spectrum)

            def sample(m: int) -> np.ndarray:
                c = rng.integers(len(centres), size=m)
                noise = (rng.standard_normal((m, DIM)).astype(np.float32) * spectrum) @ rot.T
                return _unit(0.6 * mean + 0.6 * centres[c] + 0.6 * noise)
        else:

            def sample(m: int) -> np.ndarray:
                return _unit(rng.standard_normal((m, DIM)).astype(np.float32))

        self.vectors = np.concatenate([sample(min(20_000, n - lo)) for lo in range(0, n, 20_000)])
        self.queries = sample(queries)
        self.ids = np.arange(1, n + 1, dtype=np.int64)
        self.top = rng.integers(TOPS, size=n)
        self.leaf = rng.integers(LEAVES, size=n)
        self.folders = [f"/photos/{t:02d}/{f:03d}" for t, f in zip(self.top, self.leaf)]
        dates = T0 + rng.random(n) * 10 * YEAR
        dates[rng.random(n) < 0.1] = np.nan
        self.dates = dates
        self.date_list = [None if np.isnan(d) else float(d) for d in dates]
        self._scores: np.ndarray | None = None

    def metadatas(self, lo: int, hi: int) -> list[dict]:
        out = []
        for i in range(lo, hi):
            m = {
                "path": f"{self.folders[i]}/IMG_{i:06d}.jpg",
                "folder": self.folders[i],
                "size": 3_000_000 + i,
                "mtime": 1_700_000_000 + i,
                "hash": f"{i:032x}",
                "width": 4000,
                "height": 3000,
            }
            if not np.isnan(self.dates[i]):
                m["taken"] = int(self.dates[i])
            out.append(m)
        return out

    def mask(self, folder: str | None, after: float | None, before: float | None) -> np.ndarray:
        """The reference filter, computed independently of ExactIndex."""
        keep = np.ones(self.n, dtype=bool)
        if folder is not None:
            parts = folder.strip("/").split("/")
            keep &= self.top == int(parts[1])
            if len(parts) > 2:
                keep &= self.leaf == int(parts[2])
        with np.errstate(invalid="ignore"):
            if after is not None:
                keep &= self.dates >= after
            if before is not None:
                keep &= self.dates < before
        return keep

    def exact(self, j: int, keep: np.ndarray, k: int = K) -> np.ndarray:
        """The reference top-k ids of query ``j`` among ``keep`` (float64, ties by id)."""
        if self._scores is None:  # every query against every vector, once
            self._scores = np.concatenate(
                [
                    self.queries.astype(np.float64) @ self.vectors[lo : lo + 20_000].T
                    for lo in range(0, self.n, 20_000)
                ],
                axis=1,
            )
        scores, ids = self._scores[j][keep], self.ids[keep]
        if len(scores) > k:
            top = np.argpartition(-scores, k)[: k + 1]
            scores, ids = scores[top], ids[top]
        return ids[np.lexsort((ids, -scores))[:k]]


# ----- helpers -------------------------------------------------------------------------------


def _pct(times: list[float]) -> str:
    ms = np.array(times) * 1000
    return f"p50 {np.percentile(ms, 50):6.2f} ms  p95 {np.percentile(ms, 95):6.2f} ms"


def _recall(got: list[int], want: np.ndarray) -> float:
    if len(want) == 0:
        return 1.0
    return len(set(got) & set(want.tolist())) / len(want)


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _scenarios(year: int = 2020) -> list[tuple[str, dict]]:
    a = T0 + (year - 2015) * YEAR
    return [
        ("no filter", {}),
        ("leaf folder (~0.1%)", {"folder": "/photos/07/023"}),
        ("top folder (~5%)", {"folder": "/photos/07"}),
        ("one year (~9%)", {"after": a, "before": a + YEAR}),
        ("top folder + year", {"folder": "/photos/07", "after": a, "before": a + YEAR}),
    ]


# ----- exact index ---------------------------------------------------------------------------


def bench_exact(data: Data) -> None:
    index = ExactIndex(DIM)
    t, _ = _timed(
        lambda: [
            index.add(
                data.ids[lo : lo + 5000],
                data.vectors[lo : lo + 5000],
                data.folders[lo : lo + 5000],
                data.date_list[lo : lo + 5000],
            )
            for lo in range(0, data.n, 5000)
        ]
    )
    print(f"  ExactIndex build from arrays: {t:.2f} s, {index.nbytes / 2**20:.0f} MiB")
    for name, kw in _scenarios():
        keep = data.mask(kw.get("folder"), kw.get("after"), kw.get("before"))
        index.search(data.queries[0], K, **kw)  # warm
        times, recalls = [], []
        for j, q in enumerate(data.queries):
            dt, hits = _timed(lambda q=q, kw=kw: index.search(q, K, **kw))
            times.append(dt)
            recalls.append(_recall([i for i, _ in hits], data.exact(j, keep)))
        print(
            f"  exact  {name:30s} {_pct(times)}  recall@50 {np.mean(recalls):.4f}"
            f"  ({keep.sum()} candidates)"
        )
    # the same with one core kept busy (as while the indexer runs)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.2)
        for name, kw in _scenarios()[:4:3]:
            times = [_timed(lambda q=q, kw=kw: index.search(q, K, **kw))[0] for q in data.queries]
            print(f"  exact  {name + ', core busy':30s} {_pct(times)}")
    finally:
        busy.terminate()
        busy.wait()


# ----- chroma --------------------------------------------------------------------------------


def _fill(store: VectorStore, data: Data) -> float:
    t = time.perf_counter()
    step = 5000
    for lo in range(0, data.n, step):
        hi = min(data.n, lo + step)
        store.upsert(data.ids[lo:hi], data.vectors[lo:hi], data.metadatas(lo, hi))
    return time.perf_counter() - t


def _chroma_queries(store: VectorStore, data: Data, nq: int, label: str) -> float:
    a = T0 + 5 * YEAR
    cases = [
        ("no filter", None, {}),
        ("where leaf folder", {"folder": "/photos/07/023"}, {"folder": "/photos/07/023"}),
        (
            "where year",
            {"$and": [{"taken": {"$gte": int(a)}}, {"taken": {"$lt": int(a + YEAR)}}]},
            {"after": int(a), "before": int(a + YEAR)},
        ),
    ]
    first = 0.0
    for name, where, kw in cases:
        keep = data.mask(kw.get("folder"), kw.get("after"), kw.get("before"))
        times, recalls = [], []
        for j, q in enumerate(data.queries[: nq + 1]):
            dt, hits = _timed(lambda q=q, where=where: store.query(q, K, where=where))
            if j == 0:  # the first query loads the index: report it apart
                first = first or dt
                continue
            times.append(dt)
            recalls.append(_recall([i for i, _ in hits], data.exact(j, keep)))
        print(f"  chroma {label:8s} {name:18s} {_pct(times)}  recall@50 {np.mean(recalls):.4f}")
    return first


def _sweep_ef(path: Path, cfg: dict, data: Data, nq: int, efs: list[int]) -> None:
    """Recall and latency of unfiltered queries for other ef_search values."""
    everything = data.mask(None, None, None)
    for ef in efs:
        conf = {**cfg, "ef_search": ef}
        VectorStore("photos_bench", DIM, path=path, hnsw=conf).close()  # sets it ...
        with VectorStore("photos_bench", DIM, path=path, hnsw=conf) as s:  # ... in effect now
            s.query(data.queries[0], K)
            times, recalls = [], []
            for j in range(1, nq + 1):
                dt, hits = _timed(lambda j=j, s=s: s.query(data.queries[j], K))
                times.append(dt)
                recalls.append(_recall([i for i, _ in hits], data.exact(j, everything)))
        print(
            f"  chroma ef_search={ef:<5d}         {_pct(times)}  recall@50 {np.mean(recalls):.4f}"
        )
    if efs:  # leave the collection with photoclip's setting
        VectorStore("photos_bench", DIM, path=path, hnsw=cfg).close()


def bench_chroma(
    data: Data, root: Path, nq: int, configs: list[tuple[str, dict]], sweep: list[int]
) -> Path | None:
    """Insert + query for each config; returns the folder of the tuned store (for open cost)."""
    tuned_path = None
    for label, cfg in configs:
        path = root / f"{data.kind}-{data.n}-{label}"
        store = VectorStore("photos_bench", DIM, path=path, hnsw=cfg)
        t = _fill(store, data)
        print(
            f"  chroma {label:8s} insert {data.n} in {t:6.1f} s ({data.n / t:,.0f}/s), "
            f"{store.size_bytes() / 2**20:.0f} MiB on disk  config {cfg}"
        )
        store.close()
        store = VectorStore("photos_bench", DIM, path=path, hnsw=cfg)
        first = _chroma_queries(store, data, nq, label)
        print(f"  chroma {label:8s} first query after open (loads HNSW): {first * 1000:.0f} ms")
        store.close()
        if label == "tuned":
            tuned_path = path
            _sweep_ef(path, cfg, data, nq, sweep)
    return tuned_path


def bench_open(path: Path, data: Data) -> None:
    gc.collect()
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    store = VectorStore("photos_bench", DIM, path=path)
    t1 = time.perf_counter()
    index = ExactIndex(DIM)
    index.reserve(store.count())
    for ids, vecs, metas in store.iter_all():
        index.add(
            ids,
            vecs,
            [m.get("folder", "") for m in metas],
            [m.get("taken") for m in metas],
        )
    t2 = time.perf_counter()
    store.close()
    ok = len(index) == data.n
    hits = index.search(data.queries[0], K)
    ok = ok and _recall([i for i, _ in hits], data.exact(0, data.mask(None, None, None))) == 1.0
    print(
        f"  open: VectorStore {1000 * (t1 - t0):.0f} ms + load {len(index)} vectors into "
        f"ExactIndex {t2 - t1:.2f} s; index {index.nbytes / 2**20:.0f} MiB "
        f"(RSS +{_rss_mb() - rss0:.0f} MiB); correct: {ok}"
    )
    # the library's snapshot (photoclip.core.index_cache) replaces that load after a clean close
    ids, vecs = index.snapshot()
    hashes = {int(i): f"{int(i):032x}" for i in ids}
    snap = path / "snapshot.npz"
    t3 = time.perf_counter()
    index_cache.save(snap, ids, vecs, hashes)
    t4 = time.perf_counter()
    loaded = index_cache.load(snap, hashes, DIM)
    again = ExactIndex(DIM)
    again.reserve(len(ids))
    again.add(loaded[0].tolist(), loaded[1], ["f"] * len(ids), [None] * len(ids))
    t5 = time.perf_counter()
    print(
        f"  snapshot: save {t4 - t3:.2f} s, load + validate + fill the index {t5 - t4:.2f} s "
        f"(vs {t2 - t1:.2f} s from Chroma)"
    )


# ----- main ----------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--quick", action="store_true", help="fewer queries, fewer Chroma runs")
    ap.add_argument("--queries", type=int, default=None)
    ap.add_argument("--no-chroma", action="store_true")
    ap.add_argument(
        "--random-chroma-max",
        type=int,
        default=20_000,
        help="largest size at which Chroma is also built on random vectors",
    )
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    nq = args.queries or (50 if args.quick else 200)
    nq_chroma = min(nq, 30 if args.quick else 100)
    root = Path(tempfile.mkdtemp(prefix="photoclip-bench-"))
    print(f"dim {DIM}, top-{K}, {nq} queries (Chroma {nq_chroma}); photoclip HNSW {HNSW_CONFIG}")
    print(f"{os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.2f}")
    started = time.perf_counter()
    try:
        for n in sizes:
            for kind in ("clustered", "random"):
                data = Data(kind, n, nq + 1)
                print(f"\n== {n:,} photos, {kind} ==")
                bench_exact(data)
                if args.no_chroma:
                    continue
                if kind == "random" and n > args.random_chroma_max:
                    print(
                        f"  chroma: skipped (HNSW builds on random vectors take 2-10 min at "
                        f"100k here; --random-chroma-max {n} to run them)"
                    )
                    continue
                configs = [("default", CHROMA_DEFAULT), ("tuned", dict(HNSW_CONFIG))]
                sweep = [] if args.quick else [100, 200, 800, 1600]
                tuned = bench_chroma(data, root, nq_chroma, configs, sweep)
                if kind == "clustered" and tuned is not None:
                    bench_open(tuned, data)
                for p in root.iterdir():
                    shutil.rmtree(p, ignore_errors=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(
        f"\ntotal {time.perf_counter() - started:.0f} s, "
        f"load average at end {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
