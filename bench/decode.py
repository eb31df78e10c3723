"""Decode + preprocess cost per photo: the naive path against photoclip's.

naive:     Image.open(path).convert("RGB") at full size, then open_clip's own transform (torch)
photoclip: images.load_image (DCT-scaled JPEG, HEIC/RAW previews, shrink) + images.preprocess

Prints milliseconds per image (median of --repeat passes, one thread) on
../shared/datasets/camera-photos (6 MP), on 12 MP JPEGs made from them in a temp dir (upscaled,
quality 90) and on the HEIC samples, plus the mean |difference| of the two model inputs.

    python bench/decode.py [--datasets DIR] [--size 224] [--repeat 3] [--count 11]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PIL import Image  # noqa: E402

from photoclip.core import images  # noqa: E402
from photoclip.core.torch_compat import import_open_clip  # noqa: E402
from photoclip.core.types import PreprocessSpec  # noqa: E402

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)
HEIC_SAMPLES = ("pug.heic", "xiaomi.heic", "cat.hif", "alpha.heic", "200MP.heic")


def make_12mp(sources: list[Path], dst: Path) -> list[Path]:
    """Upscale each camera photo to ~12 MP and save it as a quality-90 JPEG with its EXIF."""
    out = []
    for src in sources:
        with Image.open(src) as im:
            exif = im.info.get("exif", b"")
            scale = (12e6 / (im.width * im.height)) ** 0.5
            big = im.resize((round(im.width * scale), round(im.height * scale)), Image.BICUBIC)
        target = dst / f"{src.stem}_12mp.jpg"
        big.save(target, quality=90, exif=exif)
        out.append(target)
    return out


def per_image_ms(paths: list[Path], fn: Callable[[Path], np.ndarray], repeat: int) -> float:
    """Median over passes of the mean milliseconds per image."""
    passes = []
    for _ in range(repeat):
        t = time.perf_counter()
        for p in paths:
            fn(p)
        passes.append((time.perf_counter() - t) * 1000 / len(paths))
    return statistics.median(passes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--datasets", default=os.environ.get(
        "PHOTOCLIP_DATASETS", str(REPO.parent / "shared" / "datasets")))
    ap.add_argument("--size", type=int, default=224, help="model input size (shortest/bicubic)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--count", type=int, default=11, help="camera photos to use")
    ap.add_argument("--full-200mp", action="store_true",
                    help="also decode 200MP.heic at full size on the naive path (~1 GB, slow)")
    args = ap.parse_args()

    open_clip = import_open_clip()
    import torch

    torch.set_num_threads(1)
    spec = PreprocessSpec((args.size, args.size), OPENAI_MEAN, OPENAI_STD)
    transform = open_clip.image_transform(
        args.size, is_train=False, mean=OPENAI_MEAN, std=OPENAI_STD
    )

    def naive(path: Path) -> np.ndarray:
        with Image.open(path) as im:
            return transform(im.convert("RGB")).numpy()

    def ours(path: Path) -> np.ndarray:
        image, _ = images.load_image(path, min_side=spec.min_side)
        return images.preprocess(image, spec)

    datasets = Path(args.datasets)
    camera = sorted((datasets / "camera-photos" / "images").glob("*.JPG"))[: args.count]
    heic_dir = datasets / "edge-cases" / "heif"
    heics = [heic_dir / n for n in HEIC_SAMPLES if (heic_dir / n).is_file()]
    if not camera:
        sys.exit(f"no camera photos under {datasets} (set --datasets or PHOTOCLIP_DATASETS)")

    print(f"model input {args.size}px, shortest/bicubic; ms per image, median of {args.repeat}, "
          f"1 thread; diff = mean |naive - photoclip| of the normalised input\n")
    print(f"{'set':34s} {'naive':>9s} {'photoclip':>10s} {'speed-up':>9s} {'diff':>7s}")
    with tempfile.TemporaryDirectory() as tmp:
        big = make_12mp(camera, Path(tmp))
        sets = [(f"camera-photos 6 MP JPEG (x{len(camera)})", camera),
                (f"12 MP JPEG q90 (x{len(big)})", big)]
        sets += [(f"HEIC {p.name}", [p]) for p in heics]
        for label, paths in sets:
            naive_paths = [p for p in paths if args.full_200mp or p.name != "200MP.heic"]
            fast = per_image_ms(paths, ours, args.repeat)
            if not naive_paths:
                print(f"{label:34s} {'(skip)':>9s} {fast:10.1f} {'':>9s} {'':>7s}")
                continue
            slow = per_image_ms(naive_paths, naive, args.repeat if len(paths) > 1 else 1)
            diff = statistics.mean(float(np.abs(naive(p) - ours(p)).mean()) for p in naive_paths)
            print(f"{label:34s} {slow:9.1f} {fast:10.1f} {slow / fast:8.1f}x {diff:7.4f}")
    print("\n200MP.heic naive path skipped unless --full-200mp; photoclip reads its 384x512 "
          "thumbnail.")


if __name__ == "__main__":
    main()
