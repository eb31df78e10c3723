"""Cold one-shot CLI commands as a user runs them: wall time and peak RSS of the whole process.

Builds a library of ``--photos`` COCO photos (default 200) on ViT-B-32 with random weights saved
as a safetensors file (a user model with a weights file: the same loading path as a downloaded
model; random weights cost the same as trained ones), indexes it once, then runs each command as
a subprocess ``--runs`` times (no owner process running) and prints p50 / p95 wall time and peak
RSS (``wait4``'s ``ru_maxrss`` of that process; Linux counts a child's RSS at its start from its
parent's, so this script never imports torch itself: the weights are made in a subprocess):

* ``photoclip search "..."`` (a new query each run: no text cache helps);
* ``photoclip status`` and a no-change ``photoclip index``;
* ``rclip -n`` on the same photos, if ``--rclip`` names an rclip executable prepared with
  /work/shared/tools/rclip_peer_setup.py (``--rclip-datadir``), after rclip indexed them once.

Precision is fp32 (the issue's laptop-class CPU has no bf16). No timed assertions: figures only.

    python bench/cli.py [--photos 200] [--runs 5] [--rclip PATH --rclip-datadir DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photoclip.config import AppPaths, Settings  # noqa: E402
from photoclip.core.model_catalogue import write_user_model  # noqa: E402

QUERIES = ["a dog on a beach", "two people riding bicycles", "a plate of food on a table",
           "a red car in the street", "a cat sleeping on a sofa", "a train at a station",
           "children playing football", "a bowl of fruit", "an airplane in the sky",
           "a man with an umbrella"]


def make_weights(folder: Path, arch: str) -> None:
    """(In a subprocess) random weights of ``arch`` as safetensors; prints its config as JSON."""
    import torch
    from safetensors.torch import save_file

    from photoclip.core.models import cpu_has_fast_bf16
    from photoclip.core.torch_compat import import_open_clip

    oc = import_open_clip()
    torch.manual_seed(0)
    model = oc.create_model(arch, pretrained=None)
    path = folder / f"{arch}-random.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    print(json.dumps({"config": oc.get_model_config(arch), "path": str(path),
                      "bf16": cpu_has_fast_bf16()}))


def copy_photos(datasets: Path, dst: Path, n: int) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    photos = sorted((datasets / "coco-mini").rglob("*.jpg"))[:n]
    for p in photos:
        shutil.copy2(p, dst / p.name)
    if len(photos) < n:
        print(f"(only {len(photos)} photos available)")
    return dst


def timed(
    cmd: list[str], env: dict[str, str], cwd: Path | None = None
) -> tuple[float, float, int, str]:
    """(wall seconds, peak RSS MB, exit status, stdout) of one run of ``cmd``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = proc.stdout.read(), proc.stderr.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        print(f"  ! {' '.join(cmd[-3:])} exited {proc.returncode}: {err.strip()[-300:]}")
    return wall, usage.ru_maxrss / 1024, proc.returncode, out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(name: str, runs: list[tuple[float, float, int, str]]) -> None:
    walls = [r[0] for r in runs]
    rss = [r[1] for r in runs]
    print(f"{name:<34} wall p50 {statistics.median(walls):5.2f} s  p95 {pct(walls, 0.95):5.2f} s"
          f"   peak RSS p50 {statistics.median(rss):5.0f} MB  max {max(rss):5.0f} MB"
          f"   ({len(runs)} runs)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--arch", default="ViT-B-32")
    ap.add_argument("--datasets", default=os.environ.get(
        "PHOTOCLIP_DATASETS", str(REPO.parent / "shared" / "datasets")))
    ap.add_argument("--rclip", help="an rclip executable (see /work/shared/tools/README.md)")
    ap.add_argument("--rclip-datadir", help="its RCLIP_DATADIR from rclip_peer_setup.py")
    ap.add_argument("--keep", help="build the library here and keep it (default: a temp dir)")
    ap.add_argument("--make-weights", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make_weights:
        make_weights(Path(args.make_weights), args.arch)
        return

    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="photoclip-bench-"))
    try:
        home = tmp / "home"
        paths = AppPaths(home / "data", home / "config", home / "cache").ensure()
        tmp.mkdir(parents=True, exist_ok=True)
        made = json.loads(subprocess.run(
            [sys.executable, __file__, "--make-weights", str(tmp), "--arch", args.arch],
            check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
        cfg, weights = made["config"], Path(made["path"])
        key = "bench-" + args.arch.lower()
        write_user_model(paths.config / "models", key, cfg, description="bench",
                         weights=str(weights))
        photos = copy_photos(Path(args.datasets), tmp / "photos", args.photos)
        Settings(folders=[str(photos)], model=key, precision="fp32").save(paths.settings_file)
        # photoclip as installed: with its bytecode compiled (pip does it at install; a checkout
        # run with PYTHONDONTWRITEBYTECODE=1 would compile ~140 modules, 0.5 s, every run)
        env = {**os.environ, "PHOTOCLIP_HOME": str(home), "PYTHONPATH": str(REPO),
               "PYTHONWARNINGS": "ignore", "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        photoclip = [sys.executable, "-m", "photoclip"]
        print(f"{args.arch} (random weights, safetensors, fp32; native bf16 here: "
              f"{made['bf16']}), {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.2f}; library of {args.photos} photos")
        t = timed([*photoclip, "index"], env)
        print(f"first index (not a target here): {t[0]:.1f} s; this script's own peak RSS: "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")

        queries = itertools.cycle(QUERIES)
        renv = {**os.environ, "RCLIP_DATADIR": str(args.rclip_datadir or "")}
        if args.rclip:
            t = timed([args.rclip, "-f", "-t", "5", "index me"], renv, cwd=photos)
            print(f"rclip first run (indexes the folder it runs in): {t[0]:.1f} s")
        searches: list[tuple[float, float, int, str]] = []
        peers: list[tuple[float, float, int, str]] = []
        for _ in range(args.runs):  # interleaved: both see the same load on a shared machine
            searches.append(timed([*photoclip, "search", next(queries), "--limit", "5"], env))
            if args.rclip:
                peers.append(timed([args.rclip, "-n", "-f", "-t", "5", next(queries)], renv,
                                   cwd=photos))
        report('photoclip search "<new query>"', searches)
        if peers:
            report("rclip -n (same photos, interleaved)", peers)
        report("photoclip status", [timed([*photoclip, "status"], env) for _ in range(args.runs)])
        runs = [timed([*photoclip, "index"], env) for _ in range(args.runs)]
        report(f"photoclip index (no change, {args.photos})", runs)
        if "unchanged" not in runs[-1][3]:
            print("  ! the no-change index did not report unchanged photos")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
