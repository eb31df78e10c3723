"""Thumbnail speed: ThumbnailCache cold and warm against a naive full decode + resize.

    python bench/thumbnails.py [--photos DIR ...] [--size 256] [--repeat 1]

Cold: a new, empty cache; every photo decoded (JPEG DCT scaling, EXIF orientation) and written.
Naive: Image.open + exif_transpose + full-size decode + thumbnail() + save, what a simple viewer
does. Warm: ``cached()`` on a full cache (one stat of the photo and one of the thumbnail).
Prints figures; single thread (the GUI runs a small pool of these).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photoclip.core.images import is_supported  # noqa: E402
from photoclip.core.thumbnails import ThumbnailCache  # noqa: E402

DATASETS = REPO.parent / "shared" / "datasets"


def naive(photo: Path, out: Path, size: int) -> None:
    with Image.open(photo) as im:
        im = ImageOps.exif_transpose(im).convert("RGB")
        im.thumbnail((size, size), Image.Resampling.BICUBIC)
        im.save(out, "JPEG", quality=85)


def run(label: str, photos: list[Path], size: int) -> None:
    mp = statistics.mean(
        (lambda im: im.size[0] * im.size[1] / 1e6)(Image.open(p)) for p in photos
    )
    with tempfile.TemporaryDirectory() as tmp:
        cache = ThumbnailCache(Path(tmp) / "c", size)
        t = time.perf_counter()
        for p in photos:
            cache.thumbnail(p)
        cold = time.perf_counter() - t
        t = time.perf_counter()
        for p in photos:
            assert cache.cached(p) is not None
        warm = time.perf_counter() - t
        t = time.perf_counter()
        for p in photos:
            cache.thumbnail(p)
        warm_thumb = time.perf_counter() - t
        t = time.perf_counter()
        for i, p in enumerate(photos):
            naive(p, Path(tmp) / f"n{i}.jpg", size)
        base = time.perf_counter() - t
    n = len(photos)
    print(f"{label}: {n} photos, mean {mp:.1f} MP, {size} px thumbnails")
    print(f"  naive full decode + resize : {n / base:8.1f} thumbnails/s ({base / n * 1e3:6.1f} ms)")
    print(f"  ThumbnailCache cold        : {n / cold:8.1f} thumbnails/s ({cold / n * 1e3:6.1f} ms)"
          f"  = {base / cold:.1f}x naive")
    print(f"  warm cached()              : {warm / n * 1e6:8.1f} us per photo")
    print(f"  warm thumbnail()           : {warm_thumb / n * 1e6:8.1f} us per photo")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--photos", type=Path, nargs="*")
    args = ap.parse_args()
    sets = (
        [(str(d), d) for d in args.photos] if args.photos
        else [("camera-photos (6 MP JPEG)", DATASETS / "camera-photos"),
              ("coco-mini (640 px JPEG)", DATASETS / "coco-mini")]
    )
    for label, folder in sets:
        photos = sorted(p for p in folder.rglob("*") if p.is_file() and is_supported(p))
        if photos:
            run(label, photos, args.size)


if __name__ == "__main__":
    main()
