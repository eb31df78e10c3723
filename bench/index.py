"""Indexing throughput: photoclip's indexer against a naive pipeline, in the same run.

The naive pipeline is what a first attempt does: full-size decode, open_clip's own transform, one
photo at a time through the fp32 model, one store write per photo. Both use the same architecture
(ViT-B-32 by default, randomly initialised: the cost is the same as with real weights).

Two figures for photoclip, measured separately:

* **first run** of a fresh library: the model load, the label prototypes (every built-in set's
  prompts embedded, cold prompt cache; the count and time are printed) and the indexing, and
  the rate over all of it;
* **steady state**: indexing alone, in another fresh library with the model loaded and the
  prompt cache warm (what every later run, and every run after the first, costs). The naive
  pipeline has no prototypes, so "photoclip is Nx" compares steady-state rates.

Prints both on ../shared/datasets/camera-photos (6 MP) and on camera-size JPEGs (80% 12 MP, 20%
24 MP, from /work/shared/tools/make_bench_jpegs.py when present, else 12 MP upscales), where the
time goes, the ideal rate c/(d+m) for c cores (d = CPU-seconds to decode and preprocess one
photo, m = CPU-seconds of model work per photo, both measured here) and photoclip's share of it,
and peak RSS. ``--precision`` defaults to fp32 (the issue's laptop-class CPU has no bf16).

    python bench/index.py [--arch ViT-B-32] [--photos 48] [--device auto] [--precision fp32]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photoclip.config import AppPaths, Settings  # noqa: E402
from photoclip.core import images  # noqa: E402
from photoclip.core.indexer import content_hash  # noqa: E402
from photoclip.core.library import Library  # noqa: E402
from photoclip.core.model_catalogue import write_user_model  # noqa: E402
from photoclip.core.torch_compat import import_open_clip  # noqa: E402


def make_photos(src: Path, dst: Path, count: int, megapixels: float | None) -> list[Path]:
    """Copies of the camera photos (upscaled to ``megapixels`` if given), ``count`` in all."""
    from PIL import Image

    dst.mkdir(parents=True, exist_ok=True)
    sources = sorted(src.glob("*.JPG")) + sorted(src.glob("*.jpg"))
    out = []
    for i in range(count):
        s = sources[i % len(sources)]
        target = dst / f"photo_{i:04d}.jpg"
        with Image.open(s) as im:
            exif = im.info.get("exif", b"")
            if megapixels:
                scale = (megapixels * 1e6 / (im.width * im.height)) ** 0.5
                im = im.resize((int(im.width * scale), int(im.height * scale)), Image.BICUBIC)
            # vary one pixel so every file has distinct content (no dedup shortcut)
            im = im.copy()
            im.putpixel((0, 0), (i % 256, (i // 256) % 256, 7))
            im.save(target, quality=90, exif=exif)
        out.append(target)
    return out


def camera_jpegs(src: Path, dst: Path, count: int) -> list[Path]:
    """Camera-size JPEGs from the shared tool (12/24 MP), else 12 MP upscales of the photos."""
    tool = REPO.parent / "shared" / "tools" / "make_bench_jpegs.py"
    if not tool.is_file():
        return make_photos(src, dst, count, 12.0)
    subprocess.run([sys.executable, str(tool), str(src), str(dst), str(count)], check=True,
                   stdout=subprocess.DEVNULL)
    return sorted(dst.glob("*.jpg"))


def write_bench_model(config_dir: Path, arch: str) -> str:
    oc = import_open_clip()
    cfg = oc.get_model_config(arch)
    key = "bench-" + arch.lower().replace("/", "-")
    write_user_model(config_dir / "models", key, cfg,
                     description=f"{arch}, random weights (benchmark)")
    return key


def naive(paths: list[Path], arch: str, home: Path) -> float:
    """Full decode, open_clip transform, batch of one, fp32, one store write per photo."""
    import torch

    from photoclip.core.vectors import VectorStore

    oc = import_open_clip()
    torch.set_num_threads(os.cpu_count() or 1)
    model, _, transform = oc.create_model_and_transforms(arch, pretrained=None)
    model.eval()
    store = VectorStore("naive", model.visual.output_dim, path=home / "naive-chroma")
    t0 = time.perf_counter()
    with torch.inference_mode():
        for i, p in enumerate(paths):
            from PIL import Image, ImageOps

            with Image.open(p) as im:
                rgb = ImageOps.exif_transpose(im).convert("RGB")
            x = transform(rgb)[None]
            v = model.encode_image(x)
            v = torch.nn.functional.normalize(v, dim=-1).numpy()
            store.upsert([i], v, [{"path": str(p)}])
    elapsed = time.perf_counter() - t0
    store.close()
    return len(paths) / elapsed


def measure_parts(lib: Library, paths: list[Path]) -> tuple[float, float]:
    """CPU-seconds per photo: read+hash+decode+preprocess (d), model at the chosen numerics (m)."""
    spec = lib.embedder.preprocess_spec
    t = time.process_time()
    arrays = []
    for p in paths:
        data = p.read_bytes()
        content_hash(data)
        im, _ = images.load_image(data, min_side=spec.min_side)
        arrays.append(images.preprocess(im, spec))
    d = (time.process_time() - t) / len(paths)
    batch = np.stack(arrays[: lib.settings.batch_size])
    lib.embedder.embed_images(batch)  # warm
    t = time.process_time()
    reps = 3
    for _ in range(reps):
        lib.embedder.embed_images(batch)
    m = (time.process_time() - t) / (reps * len(batch))
    return d, m


def open_library(home: Path, folder: Path, key: str, device: str, precision: str,
                 cache: Path | None = None) -> Library:
    app = AppPaths(home / "data", home / "config", cache or home / "cache").ensure()
    Settings(folders=[str(folder)], model=key, device=device, precision=precision).save(
        app.settings_file)
    return Library(app)


def first_run(paths: list[Path], home: Path, key: str, device: str, precision: str) -> dict:
    """A fresh library, cold prompt cache: model load, prototypes and indexing, each timed."""
    lib = open_library(home, paths[0].parent, key, device, precision)
    t0 = time.perf_counter()
    lib.embedder.load()
    t1 = time.perf_counter()
    prompts = lib.auto_tags.prototypes.prepare(lib.auto_tags.enabled_label_sets())
    t2 = time.perf_counter()
    _ = lib.index  # open the store
    report = lib.index_folders()
    t3 = time.perf_counter()
    assert report.embedded == len(paths), report
    lib.close()
    return {"load": t1 - t0, "prompts": prompts, "prototypes": t2 - t1, "index": t3 - t2,
            "total": t3 - t0}


def steady_rate(
    paths: list[Path], home: Path, key: str, device: str, precision: str, cache: Path
) -> tuple[float, Library]:
    """Indexing alone: a fresh library, the model loaded and the prompt cache warm."""
    lib = open_library(home, paths[0].parent, key, device, precision, cache)
    lib.embedder.load()
    tags = lib.auto_tags
    assert tags.prototypes.missing(tags.enabled_label_sets()) == [], "prompt cache not warm"
    _ = lib.index  # open the store before the clock starts
    t0 = time.perf_counter()
    report = lib.index_folders()
    elapsed = time.perf_counter() - t0
    assert report.embedded == len(paths), report
    return len(paths) / elapsed, lib


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="ViT-B-32")
    ap.add_argument("--photos", type=int, default=48)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--precision", default="fp32")
    ap.add_argument("--datasets", default=os.environ.get(
        "PHOTOCLIP_DATASETS", str(REPO.parent / "shared" / "datasets")))
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--only", choices=("camera", "jpeg"), help="one photo set only")
    args = ap.parse_args()
    src = Path(args.datasets) / "camera-photos" / "images"
    cores = os.cpu_count() or 1
    from photoclip.core.models import cpu_has_fast_bf16

    print(f"cores: {cores}; arch: {args.arch} (random weights); photos per set: {args.photos}; "
          f"precision {args.precision} (this CPU has native bf16: {cpu_has_fast_bf16()}); "
          f"load average {os.getloadavg()[0]:.2f}")
    sets = [("camera 6 MP", "camera"), ("12/24 MP JPEG", "jpeg")]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        for label, kind in sets:
            if args.only and kind != args.only:
                continue
            folder = tmp_path / kind
            paths = (make_photos(src, folder, args.photos, None) if kind == "camera"
                     else camera_jpegs(src, folder, args.photos))
            home = tmp_path / f"home_{kind}"
            key = write_bench_model(home / "config", args.arch)
            first = first_run(paths, home, key, args.device, args.precision)
            steady_home = tmp_path / f"steady_{kind}"
            shutil.copytree(home / "config", steady_home / "config")
            rate, lib = steady_rate(paths, steady_home, key, args.device, args.precision,
                                    home / "cache")
            emb = lib.embedder
            d, m = measure_parts(lib, paths[:16])
            ideal = cores / (d + m)
            print(f"\n== {label} ({len(paths)} photos) ==")
            print(f"first run:    {len(paths) / first['total']:6.1f} photos/s over "
                  f"{first['total']:5.1f} s = model load {first['load']:4.1f} s + label "
                  f"prototypes {first['prototypes']:5.1f} s ({first['prompts']} prompts) + "
                  f"indexing {first['index']:5.1f} s")
            print(f"steady state: {rate:6.1f} photos/s  (device {emb.device}, {emb.precision}, "
                  f"batch {lib.settings.batch_size}; model loaded, prompt cache warm)")
            print(f"  read+hash+decode+preprocess d = {d * 1000:6.1f} CPU-ms/photo; model m = "
                  f"{m * 1000:6.1f} CPU-ms/photo; ideal c/(d+m) = {ideal:6.1f} photos/s; "
                  f"photoclip reaches {rate / ideal * 100:5.1f}% of it")
            lib.close()
            if not args.skip_naive:
                nrate = naive(paths, args.arch, home)
                print(f"naive:        {nrate:6.1f} photos/s  -> photoclip (steady state) is "
                      f"{rate / nrate:4.1f}x")
            shutil.rmtree(home, ignore_errors=True)
            shutil.rmtree(steady_home, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
