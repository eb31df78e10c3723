"""Indexing throughput on camera-size JPEGs: photoclip's fp32 torch baseline against its new
numerics (the int8 ONNX image tower), a naive pipeline and rclip 3.3, in one run, and whether
issue 19's targets are met.

Photos: ``--photos`` (default 200, the issue's figure) JPEGs of 12 and 24 MP (80% / 20%,
../shared/tools/make_bench_jpegs.py), made once in ``--jpegs`` (slow: reuse the folder). Model:
ViT-B-32 with random weights saved as a safetensors user model (the loading path of a downloaded
model; random weights cost the same as trained ones). Every precision in ``--precisions``
(default ``fp32,onnx-int8``; this bench's CPU may have bf16, so ``auto`` is not the no-bf16
laptop's choice: fp32 is its baseline) gets:

* **one-off costs**, reported apart and in no rate: `photoclip index` on ``--warm`` other photos
  in a fresh home: the label prompts (embedded by the first precision unless the prompt cache is
  warm; shared by all precisions), for onnx-int8 the export, calibration and verdict;
* **whole command** (warm label cache): `photoclip index` of the photos in a fresh library of
  that home (the verdict and the ONNX file remembered, as on a user's second run), wall seconds,
  photos/s, CPU-ms a photo and peak RSS, then **start-up**: `photoclip index` again after one new
  photo appeared (all of the fixed cost of a run: imports, store, model, one photo);
* **in-process**, with the model in its own process as in the desktop app: the indexing rate,
  peak RSS of the index process and of the model process, and the bound c/(d+m) for c cores
  (d = CPU-seconds to read, hash, decode and preprocess a photo, m = model CPU-seconds a photo
  at this precision, measured here) with the share of it reached.

Then, in the same run, the naive pipeline on the first ``--naive-photos`` (full-size decode,
open_clip's transform, fp32, one photo at a time, a store write each: its rate is a rate) and
rclip 3.3 as a whole command on the same photos (`rclip -f QUERY` in the photo folder: index then
one search) from ``--rclip`` with its random-weight models in ``--rclip-models``
(../shared/tools/rclip_peer_setup.py), in a fresh data dir. Last, each target: met or not.

    python bench/index.py [--photos 200] [--jpegs DIR] [--precisions fp32,onnx-int8]
        [--naive-photos 24] [--prompt-cache DIR] [--rclip /tmp/rclip-venv/bin/rclip]
        [--rclip-models /tmp/rclip-data] [--skip-naive]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
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

KEY = "bench-vit-b-32"


def camera_jpegs(src: Path, dst: Path, count: int) -> list[Path]:
    """``count`` camera-size JPEGs in ``dst`` (made by the shared tool unless already there)."""
    have = sorted(dst.glob("bench_*.jpg"))
    if len(have) < count:
        tool = REPO.parent / "shared" / "tools" / "make_bench_jpegs.py"
        subprocess.run([sys.executable, str(tool), str(src), str(dst), str(count)], check=True,
                       stdout=subprocess.DEVNULL)
        have = sorted(dst.glob("bench_*.jpg"))
    return have[:count]


def distinct_copies(paths: list[Path], dst: Path, tag: int) -> list[Path]:
    """Copies with a few bytes after the JPEG's end: other content hashes, the same pixels."""
    dst.mkdir(parents=True, exist_ok=True)
    out = []
    for i, p in enumerate(paths):
        target = dst / f"copy{tag}_{i:04d}.jpg"
        target.write_bytes(p.read_bytes() + b"\0" + f"{tag}-{i}".encode())
        out.append(target)
    return out


def make_weights(folder: Path, arch: str) -> tuple[dict, Path]:
    """Random ``arch`` weights as safetensors (in a subprocess: this one stays torch-free);
    kept in ``folder`` and reused."""
    kept = folder / "weights.json"
    if kept.is_file() and (folder / "weights.safetensors").is_file():
        return json.loads(kept.read_text()), folder / "weights.safetensors"
    code = (
        "import json, sys, torch; from safetensors.torch import save_file\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from photoclip.core.torch_compat import import_open_clip\n"
        "oc = import_open_clip(); torch.manual_seed(0)\n"
        f"m = oc.create_model({arch!r}, pretrained=None)\n"
        f"p = {str(folder / 'weights.safetensors')!r}\n"
        "save_file({k: v.contiguous() for k, v in m.state_dict().items()}, p)\n"
        f"print(json.dumps(oc.get_model_config({arch!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    kept.write_text(out.strip().splitlines()[-1])
    return json.loads(kept.read_text()), folder / "weights.safetensors"


def make_home(root: Path, cfg: dict, weights: Path, folders: list[Path], precision: str,
              cache: Path) -> AppPaths:
    """A PHOTOCLIP_HOME in ``root`` whose cache folder is ``cache`` (a link: the label prompts
    embedded by one precision's first run are the next ones' warm cache)."""
    root.mkdir(parents=True, exist_ok=True)
    link = root / "cache"
    if not link.is_symlink():
        link.symlink_to(cache.resolve(), target_is_directory=True)
    app = AppPaths(root / "data", root / "config", link).ensure()
    write_user_model(app.config / "models", KEY, cfg, description="ViT-B-32, random weights",
                     weights=str(weights))
    Settings(folders=[str(f) for f in folders], model=KEY, precision=precision).save(
        app.settings_file)
    return app


def command(argv: list[str], env: dict[str, str], cwd: Path | None = None
            ) -> tuple[float, float, str, float]:
    """Run a whole command: (wall seconds, peak RSS in MB of it and its children, output,
    CPU-seconds of it and its children: on a shared machine the figure that load leaves)."""
    # through /usr/bin/time: a child forked from this (big) process would report this
    # process's RSS as its own peak
    with tempfile.NamedTemporaryFile("r", suffix=".time") as stats:
        t = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", stats.name, *argv],
                              env=env, cwd=cwd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        wall = time.perf_counter() - t
        if proc.returncode:
            raise RuntimeError(f"{argv} failed ({proc.returncode}):\n{proc.stdout[-2000:]}")
        rss_kb, user, system = stats.read().split()[-3:]
    return wall, int(rss_kb) / 1024, proc.stdout, float(user) + float(system)


def photoclip_index(app: AppPaths, verbose: bool = False) -> tuple[float, float, str, float]:
    env = {**os.environ, "PHOTOCLIP_HOME": str(app.data.parent),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    argv = [sys.executable, "-c", "import sys; from photoclip.cli.main import main; "
            f"sys.exit(main({(['-v'] if verbose else []) + ['index']!r}))"]
    return command(argv, env)


def peak_mb(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU-seconds of process ``pid`` so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM back to the current RSS


def measure_parts(lib: Library, paths: list[Path], app: AppPaths, precision: str
                  ) -> tuple[float, float]:
    """CPU-seconds a photo: read+hash+decode+preprocess (d); the model in this process (m)."""
    from photoclip.core.models import Embedder

    spec = lib.embedder.preprocess_spec
    t = time.process_time()
    arrays = []
    for p in paths:
        data = p.read_bytes()
        content_hash(data)
        im, _ = images.load_image(data, min_side=spec.min_side)
        arrays.append(images.preprocess(im, spec))
    d = (time.process_time() - t) / len(paths)
    batch = np.stack((arrays * 4)[: lib.settings.batch_size])
    emb = Embedder(lib.model_spec, models_dir=app.models_dir, device="cpu", precision=precision,
                   weights_file=lib.settings.weights_file or None)
    emb.embed_images(batch)  # load, warm (and the verdict, remembered already)
    t = time.process_time()
    reps = 3
    for _ in range(reps):
        emb.embed_images(batch)
    m = (time.process_time() - t) / (reps * len(batch))
    emb.close()
    return d, m


def in_process(app: AppPaths, paths: list[Path], precision: str) -> dict:
    """:func:`measure_in_process` in a fresh process of its own (its peak RSS is its own)."""
    code = (f"import json, sys; sys.path.insert(0, {str(REPO / 'bench')!r}); import index\n"
            "from pathlib import Path\nfrom photoclip.config import AppPaths\n"
            f"app = AppPaths(Path({str(app.data)!r}), Path({str(app.config)!r}), "
            f"Path({str(app.cache)!r}))\n"
            f"paths = [Path(p) for p in {[str(p) for p in paths]!r}]\n"
            f"print('RESULT', json.dumps(index.measure_in_process(app, paths, {precision!r})))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get(
        "PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(next(ln for ln in out.splitlines() if ln.startswith("RESULT"))[7:])


def measure_in_process(app: AppPaths, paths: list[Path], precision: str) -> dict:
    """The desktop app's arrangement: this process indexes, the model runs in its own."""
    shutil.rmtree(app.library_dir, ignore_errors=True)
    reset_peak()
    lib = Library(app, model_process=True)
    lib.embedder.load()
    _ = lib.index  # open the store before the clock starts
    child = lib.embedder.pid
    cpu0 = time.process_time() + (cpu_seconds(child) if child else 0.0)
    t0 = time.perf_counter()
    report = lib.index_folders()
    rate = report.embedded / (time.perf_counter() - t0)
    cpu = time.process_time() + (cpu_seconds(child) if child else 0.0) - cpu0
    assert report.embedded == len(paths), report
    model_peak = peak_mb(child) if child else float("nan")
    index_peak = peak_mb()
    shown = lib.embedder.precision
    d, m = measure_parts(lib, paths[:8], app, precision)
    lib.close()
    return {"rate": rate, "index_peak": index_peak, "model_peak": model_peak, "d": d, "m": m,
            "precision": shown, "cpu": cpu / len(paths)}


def naive(paths: list[Path], arch: str, home: Path) -> float:
    """Full decode, open_clip transform, batch of one, fp32, one store write per photo."""
    import torch
    from PIL import Image, ImageOps

    from photoclip.core.torch_compat import import_open_clip
    from photoclip.core.vectors import VectorStore

    oc = import_open_clip()
    torch.set_num_threads(os.cpu_count() or 1)
    model, _, transform = oc.create_model_and_transforms(arch, pretrained=None)
    model.eval()
    store = VectorStore("naive", model.visual.output_dim, path=home / "naive-chroma")
    t0 = time.perf_counter()
    with torch.inference_mode():
        for i, p in enumerate(paths):
            with Image.open(p) as im:
                rgb = ImageOps.exif_transpose(im).convert("RGB")
            v = model.encode_image(transform(rgb)[None])
            v = torch.nn.functional.normalize(v, dim=-1).numpy()
            store.upsert([i], v, [{"path": str(p)}])
    elapsed = time.perf_counter() - t0
    store.close()
    return len(paths) / elapsed


def rclip(exe: Path, models: Path, folder: Path, tmp: Path) -> tuple[float, float]:
    """rclip 3.3 as a whole command in ``folder`` (index, then one query), fresh data dir."""
    data = tmp / "rclip-data"
    data.mkdir()
    for entry in models.iterdir():
        if entry.is_dir():
            (data / entry.name).symlink_to(entry.resolve())
    env = {**os.environ, "RCLIP_DATADIR": str(data)}
    wall, rss, _, cpu = command([str(exe), "-f", "-t", "1", "a castle"], env, cwd=folder)
    return wall, rss, cpu


TARGETS = {  # issue 19's, on a CPU without bf16
    "fp32": 2.0,  # >= 2x today's fp32 photoclip rate end to end (whole command)
    "bound": 0.85,  # >= 85% of c/(d+m) in-process, with the new m
    "rclip": 4.0,  # >= 4x rclip 3.3, whole commands, same photos, same run
    "naive": 5.0,  # >= 5x the naive pipeline
    "start": 3.0,  # the fixed start-up of an index run under 3 s (wall)
}


def logged_seconds(out: str, marker: str) -> float | None:
    """The seconds a ``photoclip -v`` log line with ``marker`` ends in ("... in 20.5 s")."""
    for line in out.splitlines():
        if marker in line:
            tail = line.rsplit(" in ", 1)[-1].split()
            with contextlib.suppress(ValueError, IndexError):
                return float(tail[0])
    return None


def one_precision(precision: str, args: argparse.Namespace, tmp: Path, cfg: dict,
                  weights: Path, cache: Path, photos: Path, paths: list[Path],
                  originals: list[Path]) -> dict:
    """First use (one-off costs), the whole command, its start-up and the in-process run."""
    cores = os.cpu_count() or 1
    root = tmp / f"home-{precision}"
    extra = tmp / "extra"
    extra.mkdir(exist_ok=True)
    app = make_home(root, cfg, weights, [tmp / "warm"], precision, cache)
    first, first_rss, out, first_cpu = photoclip_index(app, verbose=True)
    export = logged_seconds(out, "to ONNX (")
    prompts = logged_seconds(out, "auto-tags prepared")
    notes = [ln.split(": ", 1)[-1] for ln in out.splitlines()
             if "onnx_image" in ln and ("Exported" in ln or "photos:" in ln)]
    print(f"\n== {precision} ==\none-off costs, in the first use ({args.warm} other photos): "
          f"{first:6.1f} s ({first_cpu:5.1f} CPU-s), peak RSS {first_rss:5.0f} MB; label "
          f"prompts {f'{prompts:.1f} s' if prompts is not None else 'cached'}; ONNX export "
          f"{f'{export:.1f} s' if export is not None else 'none'}"
          + "".join(f"\n  {n}" for n in notes), flush=True)
    shutil.rmtree(app.library_dir)
    make_home(root, cfg, weights, [photos, extra], precision, cache)
    wall, rss, _, cpu = photoclip_index(app)
    (extra / "new.jpg").write_bytes(originals[0].read_bytes() + precision.encode())
    start, start_rss, _, start_cpu = photoclip_index(app)
    (extra / "new.jpg").unlink()
    inp = in_process(app, paths, precision)
    ideal = cores / (inp["d"] + inp["m"])
    res = {"whole": len(paths) / wall, "steady": inp["rate"], "cpu": cpu / len(paths),
           "start": start, "start_cpu": start_cpu, "share": inp["rate"] / ideal,
           "shown": inp["precision"]}
    print(f"whole command (warm label cache, {len(paths)} photos): {res['whole']:6.2f} "
          f"photos/s ({wall:5.1f} s; {res['cpu'] * 1000:4.0f} CPU-ms a photo), peak RSS "
          f"{rss:5.0f} MB\nstart-up (an index run with 1 new photo: imports, store, model, one "
          f"photo): {start:4.1f} s ({start_cpu:4.1f} CPU-s), {start_rss:5.0f} MB", flush=True)
    print(f"in-process ({inp['precision']}, model in its own process): "
          f"{inp['rate']:6.2f} photos/s ({inp['cpu'] * 1000:4.0f} CPU-ms a photo); "
          f"peak RSS index process {inp['index_peak']:5.0f} MB, model process "
          f"{inp['model_peak']:5.0f} MB")
    print(f"  d = {inp['d'] * 1000:5.1f} CPU-ms/photo, m = {inp['m'] * 1000:5.1f} "
          f"CPU-ms/photo: c/(d+m) = {ideal:5.2f} photos/s, reached "
          f"{res['share'] * 100:5.1f}% in-process, {res['whole'] / ideal * 100:5.1f}% as a "
          "whole command", flush=True)
    return res


def verdicts(results: dict, naive_rate: float | None, rclip_rate: float | None) -> None:
    """Whether issue 19's targets are met in this run."""
    names = list(results)
    new = results[names[-1]]

    def line(what: str, value: float | None, target: float, unit: str, below: bool = False
             ) -> None:
        if value is None:
            print(f"  {what}: not measured in this run")
            return
        met = value <= target if below else value >= target
        print(f"  {what}: {value:.2f}{unit} (target {'<' if below else '>='} {target:g}{unit})"
              f" -> {'met' if met else 'NOT met'}")

    print(f"\ntargets ({names[-1]}):")
    base = results.get("fp32")
    line("vs fp32 photoclip, whole command", new["whole"] / base["whole"]
         if base and names[-1] != "fp32" else None, TARGETS["fp32"], "x")
    line("share of c/(d+m) in-process", new["share"] * 100, TARGETS["bound"] * 100, "%")
    line("vs rclip 3.3, whole commands", new["whole"] / rclip_rate if rclip_rate else None,
         TARGETS["rclip"], "x")
    line("vs the naive pipeline", new["whole"] / naive_rate if naive_rate else None,
         TARGETS["naive"], "x")
    line("start-up of an index run", new["start"], TARGETS["start"], " s", below=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--arch", default="ViT-B-32")
    ap.add_argument("--photos", type=int, default=200, help="the issue's figure: 200")
    ap.add_argument("--warm", type=int, default=16, help="photos of the first-use run")
    ap.add_argument("--naive-photos", type=int, default=24,
                    help="photos of the naive pipeline (a subset: its rate is a rate)")
    ap.add_argument("--jpegs", help="folder for the camera-size JPEGs (kept; made if short)")
    ap.add_argument("--precisions", default="fp32,onnx-int8")
    ap.add_argument("--datasets", default=os.environ.get(
        "PHOTOCLIP_DATASETS", str(REPO.parent / "shared" / "datasets")))
    ap.add_argument("--rclip", default="/tmp/rclip-venv/bin/rclip")
    ap.add_argument("--rclip-models", default="/tmp/rclip-data")
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--prompt-cache", help="a cache folder kept between runs (label prompts)")
    args = ap.parse_args()
    from photoclip.core.precision import cpu_has_fast_bf16

    cores = os.cpu_count() or 1
    print(f"cores: {cores}; {args.arch} (random weights, safetensors); {args.photos} JPEGs of "
          f"12/24 MP; native bf16 here: {cpu_has_fast_bf16()}; load average "
          f"{os.getloadavg()[0]:.2f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        src = Path(args.datasets) / "camera-photos" / "images"
        jpegs = Path(args.jpegs) if args.jpegs else tmp / "jpegs"
        originals = camera_jpegs(src, jpegs, max(args.photos, args.warm))
        photos = tmp / "photos"
        paths = distinct_copies(originals[: args.photos], photos, 0)
        distinct_copies(originals[: args.warm], tmp / "warm", 1)
        # label prompts: embedded once, shared by the precisions (keyed by the model file, so
        # with --prompt-cache the weights live there too and later runs find them)
        cache = Path(args.prompt_cache) if args.prompt_cache else tmp / "cache"
        cache.mkdir(parents=True, exist_ok=True)
        cfg, weights = make_weights(cache if args.prompt_cache else tmp, args.arch)
        results = {p: one_precision(p, args, tmp, cfg, weights, cache, photos, paths, originals)
                   for p in args.precisions.split(",")}
        names = list(results)
        if len(names) > 1:
            base, new = results[names[0]], results[names[-1]]
            print(f"\n{names[-1]} vs {names[0]}: {new['whole'] / base['whole']:4.2f}x whole "
                  f"command, {new['steady'] / base['steady']:4.2f}x in-process, "
                  f"{base['cpu'] / new['cpu']:4.2f}x less CPU a photo (whole command)")
        best = results[names[-1]]["whole"]
        nrate = None
        if not args.skip_naive:
            nrate = naive(paths[: args.naive_photos], args.arch, tmp)
            print(f"naive pipeline ({min(args.naive_photos, len(paths))} photos): {nrate:6.2f} "
                  f"photos/s -> {names[-1]} whole command is {best / nrate:4.1f}x", flush=True)
        exe, models = Path(args.rclip), Path(args.rclip_models)
        r_rate = None
        if exe.is_file() and models.is_dir():
            r_wall, r_rss, r_cpu = rclip(exe, models, photos, tmp)
            r_rate = len(paths) / r_wall
            mine = results[names[-1]]["cpu"]
            print(f"rclip 3.3 (whole command, index + 1 query, same {len(paths)} photos): "
                  f"{r_rate:6.2f} photos/s ({r_wall:5.1f} s; {r_cpu / len(paths) * 1000:4.0f} "
                  f"CPU-ms a photo), peak RSS {r_rss:5.0f} MB -> {names[-1]} is "
                  f"{best / r_rate:4.1f}x ({r_cpu / len(paths) / mine:4.1f}x less CPU a photo)")
        else:
            print(f"rclip: not run ({exe} or {models} missing; see ../shared/tools/README.md)")
        verdicts(results, nrate, r_rate)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
