"""GPU checks and figures: device choice, fp16 accuracy against fp32, encoder and pipeline speed.

Run on a machine with CUDA (or MPS). Uses randomly initialised models of the real architectures
(random weights run at the same speed as trained ones) and real photos:

    python bench/gpu.py --datasets ../shared/datasets [--archs ViT-B-32,ViT-L-14]

``--e2e-only``: just the end-to-end rate on 12 MP JPEGs, GPU-side decode
(:mod:`photoclip.core.gpu_decode`: nvJPEG, resize and normalise on the GPU) against the CPU
decode pool feeding the same fp16 model (issue 19's target: >= 2,000 photos/s on one H100/H200):

    python bench/gpu.py --datasets ../shared/datasets --e2e-only [--e2e-photos 1024]

Prints: the device and precision photoclip picks; for each architecture, images/s of the image
encoder per precision and batch size, text-query latency, and the fp16-vs-fp32 agreement on real
photos (minimum cosine, top-10 neighbour overlap); then decode+preprocess throughput of the CPU
decode pool and the end-to-end indexer rate (decode pool -> GPU batches) without the vector store.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from photoclip.core import images
from photoclip.core.catalog import Catalog
from photoclip.core.indexer import Indexer, VectorSink
from photoclip.core.model_catalogue import write_user_model
from photoclip.core.models import (
    Embedder,
    choose_precision,
    get_model_spec,
    resolve_device,
)
from photoclip.core.scanner import scan
from photoclip.core.torch_compat import import_open_clip
from photoclip.core.vector_index import ExactIndex


class MemoryStore:
    """Stands in for Chroma where chromadb is not installed (its cost is measured on the CPU)."""

    def __init__(self) -> None:
        self.vectors: dict[int, np.ndarray] = {}

    def upsert(self, ids, vectors, metadatas) -> None:
        for i, v in zip(ids, vectors):
            self.vectors[i] = v

    def update_metadata(self, ids, metadatas) -> None:
        pass

    def delete(self, ids) -> None:
        for i in ids:
            self.vectors.pop(i, None)

    def get_vectors(self, ids):
        return {i: self.vectors[i] for i in ids if i in self.vectors}


def user_model(models_dir: Path, arch: str) -> str:
    oc = import_open_clip()
    key = "gpu-" + arch.lower()
    write_user_model(models_dir, key, oc.get_model_config(arch), description=arch)
    return key


def photos_pixels(paths: list[Path], spec) -> np.ndarray:
    out = []
    for p in paths:
        im, _ = images.load_image(p, min_side=spec.min_side)
        out.append(images.preprocess(im, spec))
    return np.stack(out)


def _twelve_mp(job: tuple[str, str, int]) -> str:
    """One distinct 12 MP JPEG (4000x3000, quality 90) from a camera photo."""
    from PIL import Image

    src, dst, i = job
    with Image.open(src) as im:
        im = im.convert("RGB").resize((4000, 3000), Image.BICUBIC)
    im.putpixel((0, 0), (i % 256, i // 256 % 256, 7))
    im.save(dst, quality=90)
    return dst


def end_to_end(data: Path, tmp: Path, count: int, batch: int) -> None:
    """Photos/s from files on disk to vectors on 12 MP JPEGs: GPU decode (nvJPEG, resize and
    normalise on the GPU, fp16) against the CPU decode pool feeding the same model."""
    from concurrent.futures import ProcessPoolExecutor

    from photoclip.core.gpu_decode import GpuPreprocessor

    cores = os.cpu_count() or 1
    sources = sorted((data / "camera-photos" / "images").glob("*.JPG"))
    folder = tmp / "12mp"
    folder.mkdir(exist_ok=True)
    jobs = [(str(sources[i % len(sources)]), str(folder / f"p{i:04d}.jpg"), i)
            for i in range(count)]
    with ProcessPoolExecutor(cores) as pool:
        files = [Path(p) for p in pool.map(_twelve_mp, jobs)]
    models_dir = tmp / "config" / "models"
    spec = get_model_spec(user_model(models_dir, "ViT-B-32"), models_dir)
    emb = Embedder(spec, models_dir=tmp / "w", device="auto")
    pp = emb.preprocess_spec
    pre = GpuPreprocessor(pp, device=emb.device, dtype=emb.precision)
    datas = [f.read_bytes() for f in files[:batch]]
    emb.embed_device_pixels(pre.batch(datas).pixels)  # warm-up: nvJPEG, cuDNN, the model
    with ThreadPoolExecutor(8) as readers:  # file reads overlap the GPU work
        t = time.perf_counter()
        done = on_gpu = 0
        chunks = [files[i : i + batch] for i in range(0, len(files), batch)]
        pending = readers.submit(lambda c: [p.read_bytes() for p in c], chunks[0])
        for k in range(len(chunks)):
            datas = pending.result()
            if k + 1 < len(chunks):
                pending = readers.submit(lambda c: [p.read_bytes() for p in c], chunks[k + 1])
            out = pre.batch(datas)
            vecs = emb.embed_device_pixels(out.pixels)
            done += len(vecs) - len(out.failed)
            on_gpu += out.on_gpu
        gpu_rate = done / (time.perf_counter() - t)
    print(f"end to end, GPU decode ({count} JPEGs of 12 MP, batch {batch}, {emb.device} "
          f"{emb.precision}, {on_gpu} decoded by nvJPEG): {gpu_rate:7.1f} photos/s", flush=True)
    t = time.perf_counter()
    with ThreadPoolExecutor(cores) as pool:
        for i in range(0, len(files), batch):
            arrays = list(pool.map(lambda p: images.preprocess(
                images.load_image(p, min_side=pp.min_side)[0], pp), files[i : i + batch]))
            emb.embed_images(np.stack(arrays))
    print(f"end to end, CPU decode pool ({cores} threads, same model): "
          f"{len(files) / (time.perf_counter() - t):7.1f} photos/s", flush=True)
    emb.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", required=True)
    ap.add_argument("--archs", default="ViT-B-32,ViT-B-16,ViT-L-14")
    ap.add_argument("--photos", type=int, default=96)
    ap.add_argument("--e2e-only", action="store_true",
                    help="only the end-to-end figure on 12 MP JPEGs (GPU decode vs CPU decode)")
    ap.add_argument("--e2e-photos", type=int, default=1024)
    ap.add_argument("--e2e-batch", type=int, default=128)
    args = ap.parse_args()
    import torch

    if args.e2e_only:
        end_to_end(Path(args.datasets), Path(tempfile.mkdtemp()), args.e2e_photos,
                   args.e2e_batch)
        return

    device = resolve_device("auto")
    print(f"auto device: {device}; auto precision: {choose_precision(device)}; "
          f"torch {torch.__version__}; {torch.cuda.get_device_name(0) if device == 'cuda' else ''}")
    data = Path(args.datasets)
    coco = sorted(data.rglob("*.jpg"))[: args.photos]
    tmp = Path(tempfile.mkdtemp())
    models_dir = tmp / "config" / "models"
    for arch in args.archs.split(","):
        key = user_model(models_dir, arch)
        spec = get_model_spec(key, models_dir)
        torch.manual_seed(0)
        results = {}
        for precision in ("fp32", "fp16", "bf16"):
            torch.manual_seed(0)
            emb = Embedder(spec, models_dir=tmp / "w", device=device, precision=precision)
            pixels = photos_pixels(coco, emb.preprocess_spec)
            vecs = emb.embed_images(pixels)  # warm-up and the accuracy sample
            results[precision] = vecs
            line = f"{arch:10} {precision}:"
            for batch in (32, 128):
                x = np.concatenate([pixels] * (batch // len(pixels) + 1))[:batch]
                emb.embed_images(x)
                torch.cuda.synchronize() if device == "cuda" else None
                t = time.perf_counter()
                reps = 5
                for _ in range(reps):
                    emb.embed_images(x)
                dt = time.perf_counter() - t
                line += f"  batch {batch}: {reps * batch / dt:7.0f} img/s"
            t = time.perf_counter()
            for i in range(20):
                emb.embed_texts([f"a photo of a dog number {i}"])
            line += f"  text query {((time.perf_counter() - t) / 20) * 1000:5.1f} ms"
            print(line, flush=True)
            emb.close()
        ref = results["fp32"]
        ref_nn = np.argsort(-(ref @ ref.T), axis=1)[:, 1:11]
        for precision in ("fp16", "bf16"):
            v = results[precision]
            cos = np.sum(ref * v, axis=1)
            nn = np.argsort(-(v @ v.T), axis=1)[:, 1:11]
            overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ref_nn, nn)])
            same = np.mean([list(a) == list(b) for a, b in zip(ref_nn, nn)])
            print(f"{arch:10} {precision} vs fp32 on {len(v)} real photos: min cosine "
                  f"{cos.min():.5f}, top-10 overlap {overlap:.3f}, identical top-10 lists "
                  f"{same:.2f}")

    # the decode pool alone, then the whole indexer feeding the GPU
    cores = os.cpu_count() or 1
    big = sorted(data.rglob("*.JPG"))
    spec = get_model_spec(user_model(models_dir, "ViT-B-32"), models_dir)
    emb = Embedder(spec, models_dir=tmp / "w", device=device)
    pp = emb.preprocess_spec
    for label, files in (("coco ~640px", coco), ("camera 6 MP", big * 8)):
        for workers in (cores // 2, cores):
            t = time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(lambda p: images.preprocess(
                    images.load_image(p, min_side=pp.min_side)[0], pp), files))
            print(f"decode+preprocess {label}: {len(files) / (time.perf_counter() - t):6.0f} "
                  f"photos/s with {workers} threads", flush=True)
    folder = tmp / "lib"
    folder.mkdir()
    for i, p in enumerate(coco * 8):
        (folder / f"{i:04d}_{p.name}").write_bytes(p.read_bytes() + i.to_bytes(4, "little"))
    catalog = Catalog(tmp / "cat.sqlite3")
    catalog.apply_scan(scan([str(folder)], accept=images.is_supported), [str(folder)])
    work = catalog.pending(spec.key)
    emb.embed_images(photos_pixels(coco[:32], pp))
    for processes in (False, True):
        catalog.forget_embeddings(spec.key, [r.id for r in work])
        sink = VectorSink(MemoryStore(), ExactIndex(emb.dim))
        indexer = Indexer(catalog, sink, emb.embed_images, pp, spec.key, batch_size=64,
                          decode_workers=cores, decode_processes=processes)
        t = time.perf_counter()
        report = indexer.run(work, stop=threading.Event())
        kind = "processes" if processes else "threads"
        print(f"indexer end to end ({len(work)} coco photos, {cores} decode {kind}, "
              f"{emb.device} {emb.precision}): "
              f"{report.embedded / (time.perf_counter() - t):.0f} photos/s (store excluded)",
              flush=True)


if __name__ == "__main__":
    main()
