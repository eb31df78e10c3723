"""Image-encoder throughput and text-query latency per precision and torch thread count.

Runs the product's own path (``photoclip.core.models.Embedder``) on a randomly initialised
model of the real architecture (random weights run at the same speed as trained ones), so the
numbers include input conversion and L2 normalisation. Cosine is measured against fp32 on the same
random inputs (random weights: a check of the arithmetic, not of real-weight accuracy).

    python bench/embed.py                       # ViT-B-32, fp32/bf16/int8, threads 1 and 2
    python bench/embed.py --arch MobileCLIP2-S0 --threads 2 --batches 2
    python bench/embed.py --texts 384           # label prompts/s: full 77 tokens vs cut length
                                                # vs the ONNX text towers (fp32, int8)

``--texts N`` embeds N of the built-in label sets' distinct prompt texts (every k-th, so the
length mix is kept) in fp32 at full length (77 tokens, as open_clip pads) and cut to each chunk's
longest prompt (``photoclip.core.text_tower``), and prints prompts/s, CPU-ms per prompt, the
speed-up and the smallest cosine between the two.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from photoclip.core import models
from photoclip.core.models import (
    Embedder,
    ModelSpec,
    cpu_has_fast_bf16,
    supported_precisions,
)

QUERY = "a photo of a dog playing on the beach at sunset"


def bench_one(
    arch: str, precision: str, threads: int, batch: int, batches: int, pixels: np.ndarray,
    queries: int,
) -> tuple[float, float, np.ndarray]:
    emb = Embedder(_spec(arch), models_dir=Path("/nonexistent"), device="cpu", precision=precision,
                   torch_threads=threads)
    emb.load()
    emb.embed_images(pixels[:batch])  # warm-up: oneDNN builds its kernels on first use
    start = time.perf_counter()
    for _ in range(batches):
        vecs = emb.embed_images(pixels[:batch])
    images_per_s = batch * batches / (time.perf_counter() - start)
    emb.embed_texts([QUERY])
    times = []
    for _ in range(queries):
        t = time.perf_counter()
        emb.embed_texts([QUERY])
        times.append(time.perf_counter() - t)
    emb.close()
    return images_per_s, statistics.median(times) * 1000, vecs


def _spec(arch: str) -> ModelSpec:
    return ModelSpec(
        key="bench", arch=arch, pretrained=None, hf_hub_id=None, weights_filename="",
        description="benchmark", imagenet_top1=None, params_millions=None, download_mb=None,
        random_init=True,
    )


def bench_texts(arch: str, n: int, threads: int, onnx: list[str]) -> None:
    """Label prompts/s at full length and at the cut length (fp32), then through each ONNX text
    tower in ``onnx`` (its first call exports and judges it: timed is the second)."""
    from photoclip.core.labels import builtin_label_sets
    from photoclip.core.tagging import _groups

    sets = builtin_label_sets().values()
    every = [t for s in sets for g in _groups(s) for t in g]
    texts = list(dict.fromkeys(every))
    sample = texts[:: max(1, len(texts) // n)][:n]
    print(f"{arch} (random init), fp32, {threads} threads; built-in label sets: {len(every)} "
          f"prompts ({len(texts)} distinct); timing {len(sample)} of them; "
          f"load average {os.getloadavg()[0]:.2f}")
    results = {}
    for cut in (False, True):
        models.CUT_TEXT = cut
        emb = Embedder(_spec(arch), models_dir=Path("/nonexistent"), device="cpu",
                       precision="fp32", torch_threads=threads)
        emb.load()
        emb.embed_texts(sample[:16], lane="bulk")  # warm-up
        wall, cpu = time.perf_counter(), time.process_time()
        vecs = emb.embed_texts(sample, lane="bulk")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        emb.close()
        results[cut] = (len(sample) / wall, cpu / len(sample) * 1000, vecs)
        name = "cut length" if cut else "77 tokens"
        print(f"{name:<12}{results[cut][0]:8.1f} prompts/s  {results[cut][1]:6.1f} CPU-ms/prompt"
              f"  -> all {len(texts)} distinct prompts in {len(texts) / results[cut][0]:5.0f} s",
              flush=True)
    cos = float(np.min(np.sum(results[True][2] * results[False][2], axis=1)))
    print(f"speed-up {results[True][0] / results[False][0]:.2f}x (CPU "
          f"{results[False][1] / results[True][1]:.2f}x); min cosine cut vs full {cos:.7f}")
    models.CUT_TEXT = True
    for precision in onnx:
        with tempfile.TemporaryDirectory() as tmp:
            emb = Embedder(_spec(arch), models_dir=Path(tmp), device="cpu", precision=precision,
                           torch_threads=threads)
            t = time.perf_counter()
            emb.embed_texts(sample, lane="bulk")  # torch fp32, the export and the verdict
            first = time.perf_counter() - t
            verdict = emb._text.verdict if emb._text is not None else None
            wall, cpu = time.perf_counter(), time.process_time()
            vecs = emb.embed_texts(sample, lane="bulk")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            emb.close()
        cos = float(np.min(np.sum(vecs * results[True][2], axis=1)))
        used = verdict.get("precision") if verdict and verdict.use_onnx else "torch"
        print(f"{precision:<12}{len(sample) / wall:8.1f} prompts/s  "
              f"{cpu / len(sample) * 1000:6.1f} CPU-ms/prompt  -> all {len(texts)} in "
              f"{len(texts) * wall / len(sample):5.0f} s; {used} used; min cosine vs torch cut "
              f"{cos:.5f}; first call (export + verdict) {first:.1f} s; tried "
              f"{verdict.get('tried') if verdict else '-'}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="ViT-B-32")
    ap.add_argument("--precisions", default=",".join(supported_precisions("cpu")))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--batches", type=int, default=3, help="timed batches per configuration")
    ap.add_argument("--queries", type=int, default=10, help="timed text queries")
    ap.add_argument("--no-reparam", action="store_true",
                    help="do not fuse MobileCLIP's training-time branches")
    ap.add_argument("--texts", type=int, default=0,
                    help="instead: N label prompts at full and at cut length")
    ap.add_argument("--onnx-texts", default="onnx-fp32,onnx-int8",
                    help="with --texts: these ONNX text towers too ('' for none)")
    args = ap.parse_args()
    if args.no_reparam:
        models.REPARAMETERIZE = False
    logging.basicConfig(level=logging.ERROR)
    if args.texts:
        bench_texts(args.arch, args.texts, int(args.threads.split(",")[-1]),
                    [p for p in args.onnx_texts.split(",") if p])
        return

    precisions = args.precisions.split(",")
    threads = [int(t) for t in args.threads.split(",")]
    import torch

    spec_size = 256 if args.arch.startswith("MobileCLIP") else 224
    rng = np.random.default_rng(0)
    pixels = rng.normal(size=(args.batch, 3, spec_size, spec_size)).astype(np.float32)
    print(f"{args.arch} (random init), batch {args.batch}, {args.batches} timed batches; "
          f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, native bf16: {cpu_has_fast_bf16()}, "
          f"load average {os.getloadavg()[0]:.2f}, reparameterize: {models.REPARAMETERIZE}")
    print(f"{'precision':<10}{'threads':>8}{'images/s':>10}{'text ms':>9}{'cos vs fp32':>13}")
    reference: dict[int, np.ndarray] = {}
    for n in threads:
        for precision in precisions:
            ips, ms, vecs = bench_one(args.arch, precision, n, args.batch, args.batches, pixels,
                                      args.queries)
            if precision == "fp32":
                reference[n] = vecs
            cos = (f"{float(np.min(np.sum(vecs * reference[n], axis=1))):.5f}"
                   if n in reference else "-")
            print(f"{precision:<10}{n:>8}{ips:>10.1f}{ms:>9.1f}{cos:>13}", flush=True)


if __name__ == "__main__":
    main()
