"""Sidecar checks: what finding keywords edited in other tools costs each library scan.

    python bench/sidecars.py [--photos 100000] [--with-sidecars 0.3] [--edited 0.01]

Real files on disk (empty photos; sidecars are real XMP written by photoclip's writer), a real
catalog, and the real ``Library`` methods a scan runs: the folder walk (which notes the sidecars
it passes), then the check of every photo's stored sidecar stamp, then reading again the
keywords of the photos whose sidecars changed. Baseline: reading every photo's sidecars on every
scan (what a scan must do without stamps).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from photoclip.config import AppPaths, Settings
from photoclip.core import images, keywords, scanner
from photoclip.core.library import Library


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=100_000)
    ap.add_argument("--with-sidecars", type=float, default=0.3)
    ap.add_argument("--edited", type=float, default=0.01, help="share of sidecars edited")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "Pictures"
        every = max(1, round(1 / args.with_sidecars)) if args.with_sidecars else 0
        sidecar_xmp = b""
        t0 = time.perf_counter()
        photos: list[Path] = []
        for i in range(args.photos):
            folder = root / f"{i // 1000:03d}"
            if i % 1000 == 0:
                folder.mkdir(parents=True)
            photo = folder / f"IMG_{i:06d}.jpg"
            photo.write_bytes(b"")
            photos.append(photo)
            if every and i % every == 0:
                if not sidecar_xmp:
                    written = keywords.write_sidecar(photo, ["Oma", "Summer", "beach"])
                    sidecar_xmp = written.read_bytes()
                else:
                    Path(str(photo) + ".xmp").write_bytes(sidecar_xmp)
        with_sidecar = [p for p in photos if Path(str(p) + ".xmp").exists()]
        made = time.perf_counter() - t0
        print(f"{len(photos):,} photos in {len(photos) // 1000 or 1} folders, "
              f"{len(with_sidecar):,} with an XMP sidecar (made in {made:.0f} s)")

        home = Path(tmp) / "home"
        paths = AppPaths(home / "data", home / "config", home / "cache").ensure()
        lib = Library(paths, settings=Settings(folders=[str(root)]))
        folders = list(lib.settings.folders)

        def walk() -> set[str]:
            bases: set[str] = set()
            lib._catalog.apply_scan(
                scanner.scan(folders, accept=images.is_supported, sidecars=bases), folders
            )
            return bases

        walk()
        ids = [pid for pid, _, _ in lib._catalog.stats_by_path(folders).values()]
        lib._catalog.mark_indexed(lib.model_spec.key, [(pid, f"h{pid}", None) for pid in ids])
        lib.keyword_sync.changed_sidecars(folders, walk(), whole_library=True)  # records the stamps

        walks, checks = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            bases = walk()
            walks.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            changed = lib.keyword_sync.changed_sidecars(folders, bases, whole_library=True)
            checks.append(time.perf_counter() - t0)
        t_walk, t_check = min(walks), min(checks)
        assert changed == [], changed

        n_edit = int(len(with_sidecar) * args.edited)
        for p in with_sidecar[:n_edit]:
            keywords.write_sidecar(p, ["Oma", "Summer", "beach", "edited"])
        bases = walk()
        t0 = time.perf_counter()
        changed = lib.keyword_sync.changed_sidecars(folders, bases, whole_library=True)
        t_find = time.perf_counter() - t0
        t0 = time.perf_counter()
        reread = lib.keyword_sync.reread_sidecars(changed)
        t_reread = time.perf_counter() - t0
        assert reread == n_edit, (reread, n_edit)

        # a watcher batch: "save metadata to files" in Lightroom touches thousands of sidecars
        events = [str(p) + ".xmp" for p in with_sidecar[: len(with_sidecar) // 10]]
        t0 = time.perf_counter()
        owners = lib.keyword_sync.photos_of_sidecars(events)
        t_events = time.perf_counter() - t0
        assert len(owners) == len(events)
        sample = events[:200]
        t0 = time.perf_counter()
        for sidecar in sample:  # naive: one catalog query per sidecar
            folder_photos = lib._catalog.photos_in_folder(os.path.dirname(sidecar))
            _ = [pid for path, pid in folder_photos.items() if path + ".xmp" == sidecar]
        t_events_naive = (time.perf_counter() - t0) * len(events) / len(sample)

        t0 = time.perf_counter()
        for p in photos:
            keywords.sidecar_keywords(p)
        t_naive = time.perf_counter() - t0
        t0 = time.perf_counter()
        for p in photos:
            keywords.sidecar_stamp(p)
        t_stat_all = time.perf_counter() - t0
        lib.close()

    print(f"folder walk (every scan anyway; notes sidecars):  {t_walk * 1000:8.0f} ms")
    print(f"check of the stamps, nothing edited:              {t_check * 1000:8.0f} ms")
    print(f"  with {n_edit:,} sidecars edited: found in          {t_find * 1000:8.0f} ms, "
          f"keywords read again in {t_reread * 1000:.0f} ms")
    print(f"{len(events):,} sidecar events from the watcher -> their photos: "
          f"{t_events * 1000:.0f} ms (a query per sidecar: {t_events_naive:.1f} s)")
    print(f"stamps without the walk's list (stat every place):{t_stat_all * 1000:8.0f} ms")
    print(f"naive: read every photo's sidecars every scan:    {t_naive * 1000:8.0f} ms "
          f"({t_naive / max(t_check, 1e-9):.0f}x the check)")


if __name__ == "__main__":
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    main()
