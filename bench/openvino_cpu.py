"""OpenVINO as a candidate runtime for the exported ONNX image tower, against ONNX Runtime.

Two steps, two Python environments (OpenVINO is not a photoclip dependency):

1. ``--prepare DIR`` (photoclip's environment): a ViT-B-32 with random weights (seeded; random
   weights cost the same as trained ones) embeds ``--photos`` shared coco photos in torch fp32
   (the reference), and its image tower is exported as photoclip exports it
   (:func:`photoclip.core.onnx_image.export`): fp32, and int8 statically quantised on the first
   8 photos (the first half of photoclip's calibration batch).
2. ``--measure DIR`` (a scratch venv with openvino, onnxruntime, numpy and, for int8, nncf):
   images/s at batch 16 on ``--threads`` threads (a warm-up run, then ``--runs`` timed runs:
   wall and CPU seconds) and accuracy against torch fp32 (min cosine; photos whose top-10
   neighbours changed beyond a 1e-3 tie) for ONNX Runtime fp32 / int8 (photoclip's session
   options) and OpenVINO fp32 (``INFERENCE_PRECISION_HINT`` f32: a CPU without bf16 computes
   so) / int8 (NNCF post-training quantisation of the OpenVINO model, same 8 photos) /
   OpenVINO's default precision on this CPU (bf16 where the CPU has it).

    python bench/openvino_cpu.py --prepare /tmp/ov-bench
    /tmp/ovvenv/bin/python bench/openvino_cpu.py --measure /tmp/ov-bench
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
TIE = 1e-3


def prepare(folder: Path, photos: int, arch: str) -> None:
    sys.path.insert(0, str(REPO))
    import torch

    from photoclip.core import images
    from photoclip.core.models import Embedder, ModelSpec
    from photoclip.core.onnx_image import export

    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    spec = ModelSpec(key="bench-ov", arch=arch, pretrained=None, hf_hub_id=None,
                     weights_filename="", description="bench", imagenet_top1=None,
                     params_millions=None, download_mb=None, random_init=True)
    emb = Embedder(spec, models_dir=folder / "models", device="cpu", precision="fp32")
    pp = emb.preprocess_spec
    files = sorted((REPO.parent / "shared" / "datasets" / "coco-mini").rglob("*.jpg"))[:photos]
    pixels = np.stack([images.preprocess(images.load_image(f, min_side=pp.min_side)[0], pp)
                       for f in files])
    reference = np.concatenate([emb.embed_images(pixels[i : i + 16])
                                for i in range(0, len(pixels), 16)])
    np.save(folder / "pixels.npy", pixels)
    np.save(folder / "reference.npy", reference)
    for precision in ("onnx-fp32", "onnx-int8"):
        t = time.perf_counter()
        export(emb._model, pp.image_size, folder / f"{precision}.onnx", precision,
               calibration=pixels[:8])
        print(f"exported {precision} in {time.perf_counter() - t:.1f} s "
              f"({(folder / f'{precision}.onnx').stat().st_size / 2**20:.0f} MB)")
    (folder / "info.json").write_text(json.dumps({"arch": arch, "photos": len(pixels)}))
    emb.close()


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def accuracy(reference: np.ndarray, vecs: np.ndarray) -> tuple[float, int]:
    """(min cosine, photos whose top-10 neighbours changed beyond a tie) against fp32."""
    cos = float(np.min(np.sum(reference * vecs, axis=1)))
    k = min(10, len(vecs) - 1)
    ref_s, new_s = reference @ reference.T, vecs @ vecs.T
    np.fill_diagonal(ref_s, -np.inf)
    np.fill_diagonal(new_s, -np.inf)
    ref_top = np.argsort(-ref_s, axis=1, kind="stable")[:, :k]
    new_top = np.argsort(-new_s, axis=1, kind="stable")[:, :k]
    changed = 0
    for i in range(len(vecs)):
        kth = ref_s[i, ref_top[i, -1]]
        gained = set(new_top[i].tolist()) - set(ref_top[i].tolist())
        if any(kth - ref_s[i, j] > TIE for j in gained):
            changed += 1
    return cos, changed


def timed(fn, pixels: np.ndarray, runs: int, batch: int) -> tuple[float, float, np.ndarray]:
    """(images/s wall, CPU-ms an image, vectors of every photo)."""
    fn(pixels[:batch])  # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(runs):
        fn(pixels[:batch])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    vecs = np.concatenate([fn(pixels[i : i + batch]) for i in range(0, len(pixels), batch)])
    return runs * batch / wall, cpu * 1000 / (runs * batch), _unit(vecs)


def measure(folder: Path, threads: int, runs: int, batch: int) -> None:
    import onnxruntime as ort
    import openvino as ov

    pixels = np.load(folder / "pixels.npy")
    reference = np.load(folder / "reference.npy")
    print(f"{json.loads((folder / 'info.json').read_text())}; {threads} threads, batch {batch}, "
          f"{runs} timed runs; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
          f"onnxruntime {ort.__version__}, openvino {ov.get_version()}", flush=True)
    rows = []

    def ort_run(path: Path):
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        return lambda x: sess.run(["features"], {"pixels": np.ascontiguousarray(x)})[0]

    for name in ("onnx-fp32", "onnx-int8"):
        rows.append((f"onnxruntime {name[5:]}", *timed(ort_run(folder / f"{name}.onnx"),
                                                       pixels, runs, batch)))
        print(_row(rows[-1], reference), flush=True)

    core = ov.Core()
    core.set_property("CPU", {"INFERENCE_NUM_THREADS": threads})
    model = core.read_model(str(folder / "onnx-fp32.onnx"))
    model.reshape({model.inputs[0]: ov.PartialShape([-1, 3, *pixels.shape[2:]])})

    def ov_run(m, config: dict):
        compiled = core.compile_model(m, "CPU", config)
        request = compiled.create_infer_request()
        return lambda x: np.array(request.infer({0: np.ascontiguousarray(x)})[0])

    f32 = {"INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY"}
    rows.append(("openvino fp32", *timed(ov_run(model, f32), pixels, runs, batch)))
    print(_row(rows[-1], reference), flush=True)
    default = core.get_property("CPU", "INFERENCE_PRECISION_HINT")
    rows.append((f"openvino default ({default})",
                 *timed(ov_run(model, {"PERFORMANCE_HINT": "LATENCY"}), pixels, runs, batch)))
    print(_row(rows[-1], reference), flush=True)
    try:
        import nncf
    except ImportError:
        print("openvino int8: nncf is not installed")
        return
    t = time.perf_counter()
    quantized = nncf.quantize(model, nncf.Dataset([pixels[i : i + 1] for i in range(8)]),
                              model_type=nncf.ModelType.TRANSFORMER, subset_size=8)
    print(f"  (NNCF quantisation on 8 photos: {time.perf_counter() - t:.1f} s)")
    rows.append(("openvino int8 (nncf)", *timed(ov_run(quantized, f32), pixels, runs, batch)))
    print(_row(rows[-1], reference), flush=True)


def _row(row: tuple, reference: np.ndarray) -> str:
    name, ips, cpu_ms, vecs = row
    cos, changed = accuracy(reference, vecs)
    return (f"{name:<28}{ips:7.1f} images/s {cpu_ms:7.1f} CPU-ms/image   min cosine vs torch "
            f"fp32 {cos:.5f}, {changed} of {len(vecs)} photos' top-10 changed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prepare")
    ap.add_argument("--measure")
    ap.add_argument("--photos", type=int, default=48)
    ap.add_argument("--arch", default="ViT-B-32")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--batch", type=int, default=16)
    args = ap.parse_args()
    if args.prepare:
        prepare(Path(args.prepare), args.photos, args.arch)
    if args.measure:
        measure(Path(args.measure), args.threads, args.runs, args.batch)


if __name__ == "__main__":
    main()
