"""A cold one-shot text query as a whole process: wall time and peak RSS, by text tower.

Random ViT-B-32 weights saved as a safetensors user model (the loading path of a downloaded
model; bench/cli.py makes them), one warm-up process per ONNX precision (torch loads the model:
the numpy tower is verified, and the ONNX text tower is exported and judged on 96 built-in label
prompts), then ``--runs`` cold processes per way, interleaved, each embedding one new query:

* ``numpy``: photoclip's default for a query (the verified numpy tower; no torch import);
* ``onnx-int8`` / ``onnx-fp32``: the numpy tower off: the cached ONNX text tower (no torch);
* ``torch``: precision fp32, the numpy tower off: torch imported, its text tower loaded.

Each figure is the whole process (interpreter start included): wall seconds and ``wait4``'s
peak RSS. No timed assertions: figures only.

    python bench/text_cold.py [--runs 5] [--arch ViT-B-32]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photoclip.core.model_catalogue import write_user_model  # noqa: E402

QUERIES = ["a dog on a beach", "two people riding bicycles", "a plate of food on a table",
           "a red car in the street", "a cat sleeping on a sofa", "a train at a station",
           "children playing football", "a bowl of fruit", "an airplane in the sky",
           "a man with an umbrella"]
KEY = "bench-text"

_PRELUDE = (
    "import json, sys, time\nt0 = time.perf_counter()\n"
    f"sys.path.insert(0, {str(REPO)!r})\n"
    "from photoclip.core import models\n"
    "from photoclip.core.model_catalogue import get_model_spec\n"
)


def run(code: str, env: dict[str, str]) -> tuple[float, float, dict]:
    """(wall s, peak RSS MB, the JSON the child printed last)."""
    with tempfile.TemporaryFile("w+") as err:
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                                stderr=err, text=True)
        out = proc.stdout.read()  # type: ignore[union-attr]
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        if os.waitstatus_to_exitcode(status):
            err.seek(0)
            raise RuntimeError(f"child failed:\n{err.read()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--arch", default="ViT-B-32")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="photoclip-text-cold-") as name:
        tmp = Path(name)
        made = json.loads(subprocess.run(
            [sys.executable, str(REPO / "bench" / "cli.py"), "--make-weights", str(tmp),
             "--arch", args.arch], check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1])
        cfg_dir, models_dir = tmp / "config", tmp / "models"
        write_user_model(cfg_dir, KEY, made["config"], description="bench", weights=made["path"])
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore"}
        spec = f"spec = get_model_spec({KEY!r}, Path({str(cfg_dir)!r}))\n"
        head = _PRELUDE + "from pathlib import Path\n" + spec
        print(f"{args.arch} (random weights, safetensors), {os.cpu_count()} CPUs, native bf16 "
              f"here: {made['bf16']}, load average {os.getloadavg()[0]:.2f}", flush=True)
        ways = ["numpy", "torch"]
        for precision in ("onnx-int8", "onnx-fp32"):
            warm = head + (
                "from photoclip.core.labels import builtin_label_sets\n"
                "from photoclip.core.tagging import _groups\n"
                "texts = list(dict.fromkeys(t for s in builtin_label_sets().values() "
                "for g in _groups(s) for t in g))\n"
                f"emb = models.Embedder(spec, models_dir=Path({str(models_dir)!r}), "
                f"device='cpu', precision={precision!r}, allow_download=False)\n"
                "emb.embed_texts(texts[::len(texts) // 96][:96], lane='bulk')\n"
                "v = emb._text.verdict if emb._text is not None else None\n"
                "print(json.dumps(dict(v) if v else None))\n")
            wall, rss, verdict = run(warm, env)
            print(f"warm-up {precision} (torch load, export, verdict): {wall:.1f} s, "
                  f"{rss:.0f} MB; verdict {verdict}", flush=True)
            if verdict and verdict.get("use"):
                ways.append(precision)
        results: dict[str, list[tuple[float, float, dict]]] = {w: [] for w in ways}
        for i in range(args.runs):
            for way in ways:
                precision = way if way.startswith("onnx") else "fp32"
                code = head + (
                    f"models.NUMPY_TEXT = {way == 'numpy'}\n"
                    f"emb = models.Embedder(spec, models_dir=Path({str(models_dir)!r}), "
                    f"device='cpu', precision={precision!r}, allow_download=False)\n"
                    f"v = emb.embed_texts([{QUERIES[i % len(QUERIES)]!r} + ' {way}'])\n"
                    "print(json.dumps({'in_process_s': time.perf_counter() - t0, "
                    "'torch': 'torch' in sys.modules, 'loads': emb.loads, "
                    "'onnx': bool(emb._text is not None and emb._text.active)}))\n")
                results[way].append(run(code, env))
        for way, runs in results.items():
            walls, rss = [r[0] for r in runs], [r[1] for r in runs]
            inner = [r[2]["in_process_s"] for r in runs]
            print(f"{way:<10} wall p50 {statistics.median(walls):5.2f} s max {max(walls):5.2f} s"
                  f"  (after interpreter start {statistics.median(inner):5.2f} s)  peak RSS "
                  f"{statistics.median(rss):5.0f} MB  torch imported: {runs[-1][2]['torch']}, "
                  f"ONNX: {runs[-1][2]['onnx']}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
