"""Peak memory of the one-time ONNX export, as on an index run's first batch of photos.

Each case runs in a fresh process: a ViT-B-32 embedder (random weights: the same sizes as
trained ones) at ``onnx-int8`` loads its torch model, then embeds one calibration batch of 16
photos (random pixels: memory does not depend on them): torch fp32's vectors, the export, int8
quantisation, the verdict; before it, ``--texts`` label prompts in the bulk lane (the text
tower's export and verdict, apart). Printed: the process's RSS once loaded, its peak (VmHWM)
during the text export and during the image export, its RSS after each, the quantising
child's peak (``RUSAGE_CHILDREN``), and the peak of the process and its children together
(sampled every 10 ms: what the machine must hold).

Cases: this tree (quantising in a child process), this tree quantising in-process
(``onnx_quantize.IN_CHILD = False``), and with ``--before DIR`` another checkout of photoclip
(e.g. ``git archive <commit> | tar -x -C DIR``: the code before).

    python bench/onnx_memory.py [--before DIR] [--texts 96]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r'''
import json, os, resource, sys, tempfile, threading, time
from pathlib import Path
import numpy as np
sys.path.insert(0, TREE)
from photoclip.core import models
from photoclip.core.models import Embedder, ModelSpec
try:
    from photoclip.core import onnx_quantize
    onnx_quantize.IN_CHILD = IN_CHILD
except ImportError:
    pass

def status(key, pid="self"):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0

def children():
    out = []
    for task in Path("/proc/self/task").iterdir():
        try:
            out += (task / "children").read_text().split()
        except OSError:
            pass
    return out

peak_sum = [0.0]
stop = threading.Event()
def sample():
    while not stop.is_set():
        total = status("VmRSS")
        for pid in children():
            try:
                total += status("VmRSS", pid)
            except OSError:
                pass
        peak_sum[0] = max(peak_sum[0], total)
        time.sleep(0.01)

def reset_peak():
    Path("/proc/self/clear_refs").write_text("5")

spec = ModelSpec(key="bench-mem", arch=ARCH, pretrained=None, hf_hub_id=None,
                 weights_filename="", description="bench", imagenet_top1=None,
                 params_millions=None, download_mb=None, random_init=True)
pixels = np.random.default_rng(0).normal(size=(16, 3, 224, 224)).astype(np.float32)
result = {}
with tempfile.TemporaryDirectory() as tmp:
    emb = Embedder(spec, models_dir=Path(tmp), device="cpu", precision="onnx-int8",
                   torch_threads=THREADS)
    emb.load()
    result["loaded_rss"] = status("VmRSS")
    threading.Thread(target=sample, daemon=True).start()
    if TEXTS:  # first, so that the text tower's export is measured apart from the image's
        from photoclip.core.labels import builtin_label_sets
        from photoclip.core.tagging import _groups
        texts = list(dict.fromkeys(t for s in builtin_label_sets().values()
                                   for g in _groups(s) for t in g))
        reset_peak()
        t = time.perf_counter()
        emb.embed_texts(texts[:: len(texts) // TEXTS][:TEXTS], lane="bulk")
        result["text_s"] = time.perf_counter() - t
        result["text_peak"] = status("VmHWM")
        result["text_sum_peak"] = peak_sum[0]
        text = getattr(emb, "_text", None)
        result["text_used"] = (text.verdict or {}).get("precision") if text is not None and \
            text.active else "torch"
        result["after_text_rss"] = status("VmRSS")
    reset_peak()
    peak_sum[0] = 0.0
    t = time.perf_counter()
    emb.embed_images(pixels)
    result["image_s"] = time.perf_counter() - t
    result["image_peak"] = status("VmHWM")
    result["image_sum_peak"] = peak_sum[0]
    result["image_used"] = emb._onnx.state if emb._onnx is not None else None
    result["after_image_rss"] = status("VmRSS")
    result["after_rss"] = status("VmRSS")
    stop.set()
    emb.close()
result["child_peak"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print("RESULT", json.dumps(result))
'''


STAGES = r'''
import sys, tempfile
sys.path.insert(0, TREE)
from pathlib import Path
import numpy as np

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024

def reset():
    Path("/proc/self/clear_refs").write_text("5")

def report(what, before):
    print(f"  {what:<58} peak {status('VmHWM'):5.0f} MB (+{status('VmHWM') - before:4.0f}), "
          f"then {status('VmRSS'):5.0f} MB", flush=True)

import torch
from photoclip.core.torch_compat import import_open_clip
from photoclip.core import onnx_image, onnx_quantize
torch.set_num_threads(THREADS)
oc = import_open_clip()
print(f"  torch and open_clip imported: {status('VmRSS'):5.0f} MB")
model = oc.create_model(ARCH, pretrained=None).eval()
print(f"  {ARCH} built (fp32):           {status('VmRSS'):5.0f} MB", flush=True)
pixels = np.random.default_rng(0).normal(size=(8, 3, 224, 224)).astype(np.float32)
with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    reset(); before = status("VmRSS")
    with onnx_image.exporting():
        torch.onnx.export(onnx_image._image_tower(model), (torch.zeros((2, 3, 224, 224)),),
                          str(tmp / "fp32.onnx"), dynamo=False, opset_version=onnx_image.OPSET,
                          input_names=["pixels"], output_names=["features"],
                          dynamic_axes={"pixels": {0: "n"}, "features": {0: "n"}})
    report("torch.onnx.export (TorchScript) of the image tower", before)
    onnx_quantize.trim_memory()
    print(f"  gc + malloc_trim:                 {status('VmRSS'):5.0f} MB")
    model.visual = None
    onnx_quantize.trim_memory()
    print(f"  torch's image tower freed:        {status('VmRSS'):5.0f} MB", flush=True)
    from onnxruntime.quantization import (CalibrationDataReader, QuantFormat, QuantType,
                                          quantize_static)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.batches = iter([{"pixels": pixels[i : i + 4]} for i in range(0, 8, 4)])

        def get_next(self):
            return next(self.batches, None)

    reset(); before = status("VmRSS")
    quantize_static(str(tmp / "fp32.onnx"), str(tmp / "old.onnx"), Reader(),
                    quant_format=QuantFormat.QOperator, activation_type=QuantType.QUInt8,
                    weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul", "Gemm", "Conv"])
    report("quantize_static in one call, batches of 4 (before)", before)
    onnx_quantize.trim_memory()
    reset(); before = status("VmRSS")
    onnx_quantize._quantize_here(tmp / "fp32.onnx", tmp / "new.onnx", [{"pixels": pixels}])
    report(f"two phases, batches of {onnx_quantize.CALIBRATION_BATCH}, in-process (now)", before)
    import onnx
    old, new = onnx.load(str(tmp / "old.onnx")), onnx.load(str(tmp / "new.onnx"))
    print(f"  same int8 model: {old.graph == new.graph}")
'''


def stages(args: argparse.Namespace) -> None:
    """Where the memory goes: each step's own peak, in one process."""
    code = f"TREE = {str(REPO)!r}\nARCH = {args.arch!r}\nTHREADS = {args.threads}\n" + STAGES
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore"}
    out = subprocess.run([sys.executable, "-c", code], env=env, text=True, capture_output=True)
    print(out.stdout + (out.stderr[-3000:] if out.returncode else ""), flush=True)


def case(name: str, tree: Path, in_child: bool, args: argparse.Namespace) -> None:
    code = (f"TREE = {str(tree)!r}\nIN_CHILD = {in_child}\nARCH = {args.arch!r}\n"
            f"THREADS = {args.threads}\nTEXTS = {args.texts}\n" + CHILD)
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONWARNINGS": "ignore"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    if out.returncode:
        print(f"{name}: failed\n{out.stderr[-3000:]}")
        return
    r = json.loads(next(ln for ln in out.stdout.splitlines() if ln.startswith("RESULT"))[7:])
    text = (f"text export peak {r['text_peak']:5.0f} MB (with children "
            f"{r['text_sum_peak']:5.0f} MB, {r['text_s']:4.1f} s, {r['text_used']}), after "
            f"{r['after_text_rss']:5.0f} MB; " if "text_peak" in r else "")
    print(f"{name:<30} loaded {r['loaded_rss']:5.0f} MB; {text}image export peak "
          f"{r['image_peak']:5.0f} MB (with children {r['image_sum_peak']:5.0f} MB, "
          f"{r['image_s']:4.1f} s, {r['image_used']}), after {r['after_image_rss']:5.0f} MB; "
          f"largest child {r['child_peak']:5.0f} MB", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="ViT-B-32")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--texts", type=int, default=96)
    ap.add_argument("--before", help="another checkout of photoclip to compare with")
    ap.add_argument("--only", default="", help="comma-separated: stages,before,child,in-process")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    print(f"{args.arch}, onnx-int8, {args.threads} threads, {os.cpu_count()} CPUs, load "
          f"average {os.getloadavg()[0]:.2f}", flush=True)
    if not only or "stages" in only:
        stages(args)
    if args.before and (not only or "before" in only):
        case("before", Path(args.before), True, args)
    if not only or "child" in only:
        case("now (quantising in a child)", REPO, True, args)
    if not only or "in-process" in only:
        case("now (quantising in-process)", REPO, False, args)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
