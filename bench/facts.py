"""What reading photo facts costs (issue 18): the extra EXIF/XMP read per photo after an index
run (lens, GPS, rating; headers only), naming places offline, and the per-run staleness check.

    nice -n 10 python bench/facts.py [N]        (N photos from coco-mini, default 200)
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from photoclip.core import keywords, places  # noqa: E402
from photoclip.core.photo_facts import read_file_facts  # noqa: E402


def main(n: int = 200) -> None:
    src = sorted((REPO.parent / "shared" / "datasets" / "coco-mini").rglob("*.jpg"))[:n]
    with tempfile.TemporaryDirectory() as tmp:
        photos = []
        for p in src:
            shutil.copy2(p, Path(tmp) / p.name)
            photos.append(str(Path(tmp) / p.name))
        if shutil.which("exiftool"):  # half of them with GPS, lens and a rating
            subprocess.run(["exiftool", "-q", "-overwrite_original", "-GPSLatitude=48.85",
                            "-GPSLatitudeRef=N", "-GPSLongitude=2.29", "-GPSLongitudeRef=E",
                            "-LensModel=EF24-70mm f/2.8L", "-XMP-xmp:Rating=3",
                            *photos[::2]], check=True)
        t = time.perf_counter()
        for p in photos:
            read_file_facts(p)
        one = time.perf_counter() - t
        t = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            found = list(pool.map(read_file_facts, photos))
        four = time.perf_counter() - t
        t = time.perf_counter()
        for p in photos:
            keywords.sidecar_stamp(p)
        stamps = time.perf_counter() - t
    with_gps = sum(1 for f in found if f.gps)
    t = time.perf_counter()
    places.name_places([(48.85, 2.29)])
    load = time.perf_counter() - t
    points = [(random.uniform(-50, 65), random.uniform(-180, 180)) for _ in range(1000)]
    t = time.perf_counter()
    places.name_places(points)
    lookup = time.perf_counter() - t
    print(f"{len(photos)} photos ({with_gps} with GPS):")
    print(f"  facts read, 1 thread:  {one:.2f} s ({one / len(photos) * 1e3:.2f} ms/photo)")
    print(f"  facts read, 4 threads: {four:.2f} s ({four / len(photos) * 1e3:.2f} ms/photo)")
    print(f"  staleness check (sidecar stamps): {stamps / len(photos) * 1e6:.0f} us/photo")
    print(f"  gazetteer load (first lookup): {load * 1e3:.0f} ms")
    print(f"  place lookup: {lookup:.2f} s for 1000 points ({lookup:.2f} ms/point)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
