"""Live-library figures: start-up reconciliation, idle cost of watching, copy-to-searchable.

Uses a library of N small distinct JPEGs (default 10,000) and the tiny random CLIP config from
tests/assets (the model is not what is measured here). Prints:
- start-up reconciliation time for N unchanged files (stat only; no file contents are read),
  against a naive baseline that re-reads and re-hashes every file;
- CPU use and RSS while the service watches N files and nothing happens;
- time from a copy finishing to the photo being searchable (median of several copies).

    python bench/watch.py [--files 10000] [--quiet 1.0]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photoclip.config import AppPaths, Settings  # noqa: E402
from photoclip.core.library import Library  # noqa: E402
from photoclip.core.model_catalogue import write_user_model  # noqa: E402
from photoclip.core.service import LibraryService  # noqa: E402


def make_files(folder: Path, n: int) -> None:
    from PIL import Image

    rng = np.random.default_rng(0)
    for i in range(n):
        sub = folder / f"{i // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        pixels = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(sub / f"img_{i:05d}.jpg", quality=70)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--quiet", type=float, default=1.0)
    ap.add_argument("--datasets", default=os.environ.get(
        "PHOTOCLIP_DATASETS", str(REPO.parent / "shared" / "datasets")))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        photos = root / "Pictures"
        t = time.perf_counter()
        make_files(photos, args.files)
        print(f"made {args.files} files in {time.perf_counter() - t:.1f} s")
        paths = AppPaths(root / "h" / "data", root / "h" / "config", root / "h" / "cache").ensure()
        cfg = json.loads((REPO / "tests" / "assets" / "tiny-clip.json").read_text())
        write_user_model(paths.config / "models", "tiny", cfg, description="tiny")
        Settings(folders=[str(photos)], model="tiny", device="cpu").save(paths.settings_file)

        lib = Library(paths)
        t = time.perf_counter()
        report = lib.index_folders()
        print(f"initial index: {report.embedded} photos in {time.perf_counter() - t:.1f} s "
              f"(tiny model; not the figure of interest)")
        lib.close()

        lib = Library(paths)
        _ = lib.index  # library open: vectors into memory
        calls = lib.embedder.images_embedded
        t = time.perf_counter()
        report = lib.index_folders()
        reconcile = time.perf_counter() - t
        assert report.unchanged == args.files and lib.embedder.images_embedded == calls
        t = time.perf_counter()
        for p in photos.rglob("*.jpg"):
            hashlib.blake2b(p.read_bytes(), digest_size=16).hexdigest()
        naive = time.perf_counter() - t
        print(f"start-up reconciliation of {args.files} unchanged files: {reconcile:.2f} s "
              f"(stat only) vs {naive:.2f} s to re-read and hash them (naive; warm page cache)")

        service = LibraryService(lib, quiet=args.quiet, reconcile_on_start=False)
        service.start()
        time.sleep(2)
        r0 = resource.getrusage(resource.RUSAGE_SELF)
        w0 = time.perf_counter()
        time.sleep(10)
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        wall = time.perf_counter() - w0
        cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        print(f"idle while watching {args.files} files in {len(list(photos.iterdir()))} folders: "
              f"{cpu / wall * 100:.2f}% of one core, RSS {rss_mb():.0f} MB")

        sources = sorted((Path(args.datasets) / "coco-mini" / "train2017").glob("*.jpg"))[:8]
        latencies = []
        for i, src in enumerate(sources):  # the first one warms the owner's image tower up
            dst = photos / f"new_{i}.jpg"
            shutil.copy2(src, dst)
            t = time.perf_counter()
            while lib._catalog.get_by_path(str(dst)) is None or lib.index.vector(
                lib._catalog.get_by_path(str(dst)).id
            ) is None:
                time.sleep(0.01)
            latencies.append(time.perf_counter() - t)
        warm_up = latencies.pop(0)
        print(f"copy finished -> searchable, first copy (loads the image tower): {warm_up:.2f} s")
        median = statistics.median(latencies)
        print(f"copy finished -> searchable on a warm owner: median {median:.2f} s, "
              f"max {max(latencies):.2f} s over {len(latencies)} copies "
              f"(read 0.2 s after its writer closes it; where the platform reports no close "
              f"events, after holding still for two quiet periods of {args.quiet} s)")
        service.stop()
        lib.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
