"""`photoclip search` as a whole command while `photoclip watch` owns the library.

Builds a library of N small distinct JPEGs (random pixels, 48x64; default 10,000) indexed with
the tiny random CLIP config from tests/assets: real vectors from the real pipeline, but from a
tiny model, so the model's own cost is not what is measured (ViT-B-32's text tower adds about
15-30 ms per new query on a laptop CPU). Then it starts `photoclip watch` and times
``photoclip search QUERY --limit 20`` as a user runs it (a new Python process each time, wall
clock from spawn to exit), each with a different query (no cache):

- idle: the owner has nothing to index;
- indexing: while the owner indexes a backlog of new photos copied in meanwhile (the figure
  says whether the backlog was still pending when the last search returned).

    nice -n 10 python bench/owner.py [--photos 10000] [--searches 30] [--backlog 2000]

Target (issue 13): p95 under 300 ms, idle and while indexing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photoclip.config import AppPaths, Settings  # noqa: E402
from photoclip.core import owner  # noqa: E402
from photoclip.core.model_catalogue import write_user_model  # noqa: E402


def make_files(folder: Path, n: int, start: int = 0) -> None:
    from PIL import Image

    rng = np.random.default_rng(start)
    for i in range(start, start + n):
        sub = folder / f"{i // 1000:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        pixels = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(sub / f"img_{i:05d}.jpg", quality=70)


def photoclip(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "photoclip", *args], env=env,
                          capture_output=True, text=True, check=True)


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system) of process ``pid``, or of this one's waited-for children."""
    if pid is None:
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_searches(env: dict, n: int, tag: str, owner_pid: int) -> tuple[list[float], str]:
    times = []
    client0, owner0 = cpu_seconds(), cpu_seconds(owner_pid)
    for i in range(n):
        t = time.perf_counter()
        proc = photoclip(env, "search", f"photo number {i} of {tag}", "--limit", "20")
        times.append(time.perf_counter() - t)
        assert len(proc.stdout.splitlines()) == 20, proc.stdout
    client = (cpu_seconds() - client0) / n * 1000
    served = (cpu_seconds(owner_pid) - owner0) / n * 1000
    return times, f"CPU per search: client process {client:.0f} ms, owner {served:.0f} ms"


def pct(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms (n={len(ms)})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=10_000)
    ap.add_argument("--searches", type=int, default=30)
    ap.add_argument("--backlog", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        photos = root / "Pictures"
        paths = AppPaths(root / "h" / "data", root / "h" / "config", root / "h" / "cache").ensure()
        cfg = json.loads((REPO / "tests" / "assets" / "tiny-clip.json").read_text())
        write_user_model(paths.config / "models", "tiny", cfg, description="tiny")
        make_files(photos, args.photos)
        Settings(folders=[str(photos)], model="tiny", device="cpu", precision="fp32").save(
            paths.settings_file)
        env = {**os.environ, "PHOTOCLIP_HOME": str(root / "h"),
               "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        t = time.perf_counter()
        photoclip(env, "index", "--quiet")
        print(f"library: {args.photos} photos indexed in {time.perf_counter() - t:.0f} s "
              "(tiny model; not the figure of interest)")

        t, load = time.perf_counter(), os.getloadavg()[0]
        photoclip(env, "search", "no owner", "-n", "20")
        print(f"no owner: one-shot `photoclip search` {time.perf_counter() - t:.2f} s "
              f"(load average {load:.1f} on {os.cpu_count()} cores)")

        watch = subprocess.Popen(
            [sys.executable, "-m", "photoclip", "watch", "--quiet-seconds", "0.2"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while owner.read_endpoint(paths.library_dir) is None:
                if watch.poll() is not None:
                    raise SystemExit("photoclip watch exited")
                time.sleep(0.05)
            photoclip(env, "search", "warm up", "-n", "20")  # the owner loads its index once
            while json.loads(photoclip(env, "status", "--json").stdout)["pending"]:
                time.sleep(0.5)
            idle, cpu = timed_searches(env, args.searches, "idle", watch.pid)
            print(f"owner idle:     {pct(idle)}; {cpu}")

            make_files(photos, args.backlog, start=args.photos)  # the owner starts on them
            while json.loads(photoclip(env, "status", "--json").stdout)["pending"] == 0:
                time.sleep(0.05)
            during, _ = timed_searches(env, args.searches, "busy", watch.pid)
            left = json.loads(photoclip(env, "status", "--json").stdout)["pending"]
            print(f"owner indexing: {pct(during)}; load average {os.getloadavg()[0]:.1f}; "
                  f"backlog still pending at the end: {left} of {args.backlog} photos")
        finally:
            watch.send_signal(signal.SIGINT)
            try:
                watch.wait(60)
            except subprocess.TimeoutExpired:
                watch.kill()
        shutil.rmtree(photos, ignore_errors=True)


if __name__ == "__main__":
    main()
