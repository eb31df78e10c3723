"""People (the faces plugin) on the faces dataset: clustering, naming, detection, speed.

The dataset (../shared/datasets/faces, README there): 300 LFW photos of 30 identities
(labels.csv) and 9 group photos with annotated face counts (groups.csv). The real dlib models
(face-recognition-models); the plugin's own code path: detect + encode each photo, store it
(a new face joins a person when confident), cluster the rest, name one photo per identity.

- clustering: pairwise precision / recall of the people against the identities, on each LFW
  photo's labelled face (the one nearest the centre: LFW crops are centred on the person);
  the other faces (people in the background) are clustered too but not scored;
- naming: the user names the person of one photo per identity (its first); the share of each
  identity's photos whose labelled face then carries that name;
- new photos: photos 1-5 of each identity clustered and named, then photos 6-10 analysed: the
  share that joins the right named person at once, and the share that joins a wrong one;
- detection: faces found vs annotated in the group photos, at several enlargements;
- speed: photos/s and faces/s of detect + encode (one process; the analyzer runs beside CLIP).

    nice -n 10 .venv/bin/python bench/faces.py           # ~2 minutes on 2 cores
    nice -n 10 .venv/bin/python bench/faces.py --wall [--photos 1000] [--keep DIR]

``--wall``: N camera-size photos through a real index run (People off, then on): when the
photos are searchable, when their faces are found, and a ``--person`` search's time against
the same search unfiltered (1,000 photos: saved to docs/bench/faces-wall.txt).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins" / "faces")]

import numpy as np  # noqa: E402
from photoclip_faces import clustering, people  # noqa: E402
from photoclip_faces.models import DETECT_SIDE, MAX_UPSCALE, Face, FaceModels  # noqa: E402
from photoclip_faces.store import FaceStore  # noqa: E402
from PIL import Image  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "faces"
OUT = ROOT / "docs" / "bench" / "faces.txt"


def main_face(faces: list[Face], size: tuple[int, int]) -> int | None:
    """Index of the face nearest the image centre."""
    if not faces:
        return None
    cx, cy = size[0] / 2, size[1] / 2
    return min(range(len(faces)), key=lambda k: abs(faces[k].left + faces[k].width / 2 - cx)
               + abs(faces[k].top + faces[k].height / 2 - cy))


def main() -> None:
    rows = list(csv.DictReader((DATA / "labels.csv").read_text().splitlines()))
    lines: list[str] = [f"faces bench: dlib HOG + 5-point + ResNet, detection at up to "
                        f"{DETECT_SIDE} px (x{MAX_UPSCALE:g} at most), cluster "
                        f"{clustering.CLUSTER_DISTANCE}, assign {clustering.ASSIGN_DISTANCE}"]

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    models = FaceModels()
    start, found, n_faces = time.perf_counter(), {}, 0
    for pid, row in enumerate(rows, 1):
        found[pid] = models.faces_in_file(DATA / row["file"])
        n_faces += len(found[pid])
    took = time.perf_counter() - start
    say(f"speed (LFW 250 px photos, 1 process): {len(rows) / took:.1f} photos/s, "
        f"{n_faces / took:.1f} faces/s ({n_faces} faces in {len(rows)} photos, {took:.0f} s)")
    missed = [r["file"] for pid, r in zip(found, rows) if not found[pid]]
    say(f"LFW photos with no face found: {len(missed)} {missed[:5]}")

    with tempfile.TemporaryDirectory() as tmp:
        store = FaceStore(Path(tmp))
        store.replace_photos(found)
        people.ensure_clustered(store)
        by_photo = {f.photo_id: [] for f in store.faces()}
        for f in store.faces():
            by_photo[f.photo_id].append(f)
        labelled = {}
        for pid in found:
            k = main_face(found[pid], (250, 250))
            if k is not None:
                labelled[pid] = by_photo[pid][k]  # stored in the same order
        ids = sorted(labelled)
        truth = [rows[pid - 1]["identity"] for pid in ids]
        labels = [labelled[pid].person_id for pid in ids]
        precision, recall = clustering.pairwise_scores(truth, labels)
        n_people = len(store.people())
        say(f"clustering: pairwise precision {precision:.3f} (target >= 0.98), recall "
            f"{recall:.3f} (target >= 0.90); {n_people} people for 30 identities "
            f"(background faces included)")
        first: dict[str, int] = {}
        for pid in ids:
            first.setdefault(rows[pid - 1]["identity"], pid)
        for identity, pid in first.items():
            person = store.face(labelled[pid].id).person_id
            if store.person(person).name is None:
                people.name(store, person, identity)
        named = 0
        for pid in ids:
            face = store.face(labelled[pid].id)
            p = store.person(face.person_id) if face.person_id else None
            named += bool(p and p.name == rows[pid - 1]["identity"])
        say(f"naming one photo per identity: {named / len(rows):.1%} of the 300 photos carry "
            f"their person's name (target >= 95%)")
        store.close()

    with tempfile.TemporaryDirectory() as tmp:  # new photos of named people
        store = FaceStore(Path(tmp))
        early = {pid: f for pid, f in found.items() if int(rows[pid - 1]["file"][-8:-4]) <= 5}
        store.replace_photos(early)
        people.ensure_clustered(store)
        for pid in early:
            k = main_face(found[pid], (250, 250))
            face = store.faces(photo_id=pid)[k] if k is not None else None
            if face and store.person(face.person_id).name is None:
                people.name(store, face.person_id, rows[pid - 1]["identity"])
        late = {pid: f for pid, f in found.items() if pid not in early}
        store.replace_photos(late)
        right = wrong = 0
        for pid in late:
            k = main_face(found[pid], (250, 250))
            face = store.faces(photo_id=pid)[k] if k is not None else None
            if face is None or face.person_id is None:
                continue
            name = store.person(face.person_id).name
            right += name == rows[pid - 1]["identity"]
            wrong += name is not None and name != rows[pid - 1]["identity"]
        say(f"new photos of named people (photos 6-10 after naming 1-5): {right / len(late):.1%}"
            f" join the right person at once, {wrong / len(late):.1%} a wrong one")
        store.close()

    groups = list(csv.DictReader((DATA / "groups.csv").read_text().splitlines()))
    annotated = sum(int(g["faces"]) for g in groups)
    for upscale in (1.0, 1.5, 2.0):
        m = FaceModels(max_upscale=upscale)
        start, total, raw, per = time.perf_counter(), 0, 0, []
        for g in groups:
            faces = m.faces_in_file(DATA / g["file"])
            total += min(len(faces), int(g["faces"]))
            raw += len(faces)
            per.append(f"{len(faces)}/{g['faces']}")
        took = time.perf_counter() - start
        say(f"detection, group photos (~500 px) enlarged x{upscale:g}: {total}/{annotated} "
            f"annotated faces found, {raw} detections ({' '.join(per)}), "
            f"{len(groups) / took:.1f} photos/s")

    camera(say, groups, annotated)

    OUT.write_text("\n".join(lines) + "\n")
    print(f"saved {OUT}")


def camera(say: Callable[[str], None], groups: list[dict], annotated: int) -> None:
    """Camera-size photos: detection of the group photos' faces at 4000 px, and the CPU time a
    photo takes (DCT-scaled decode + detect + encode) on three kinds of photo. The analyzer
    spreads photos over one worker process per core: on 2 cores, 1,000 photos take about
    1,000 x (CPU-s a photo) / 2. Wall times on a shared machine say little; CPU time does."""
    tool = ROOT.parent / "shared" / "tools" / "make_bench_jpegs.py"
    m = FaceModels()
    with tempfile.TemporaryDirectory() as tmp:
        found = total = 0
        for g in groups:  # the annotated group photos enlarged to a 4000 px camera photo
            big = Path(tmp) / Path(g["file"]).name
            with Image.open(DATA / g["file"]) as im:
                scale = 4000 / max(im.size)
                im.convert("RGB").resize((round(im.width * scale), round(im.height * scale)),
                                         Image.Resampling.BICUBIC).save(big, quality=90)
            with Image.open(big) as im:
                size = im.size
            n = len(m.faces_in_file(big, size))
            found += min(n, int(g["faces"]))
            total += n
        say(f"detection at camera size (the group photos enlarged to 4000 px, detected at "
            f"{DETECT_SIDE} px): {found}/{annotated} annotated faces found, {total} detections")
        sets = {
            "group photos (2-7 faces each)": DATA / "groups",
            "coco-mini (everyday scenes, some people)": DATA.parent / "coco-mini" / "val2017",
            "real camera photos (a castle, no people)": DATA.parent / "camera-photos" / "images",
        }
        for name, src in sets.items():
            out = Path(tmp) / f"set-{len(name)}"
            subprocess.run([sys.executable, str(tool), str(src), str(out), str(PER_SET)],
                           check=True, capture_output=True)
            files = sorted(out.glob("*.jpg"))
            sizes = []
            for f in files:
                with Image.open(f) as im:
                    sizes.append(im.size)
            cpu, n = time.process_time(), 0
            for f, size in zip(files, sizes):
                n += len(m.faces_in_file(f, size))
            per = (time.process_time() - cpu) / len(files)
            say(f"camera-size {name}, {len(files)} JPEGs of 12/24 MP: {per:.2f} CPU-s a photo "
                f"({n} faces); 1,000 such photos on 2 cores (2 workers): "
                f"{per * 1000 / 2 / 60:.1f} min (target < 5)")
    say(f"(machine load average while measuring: {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores)")


PER_SET = 10


def camera_photos(n: int, dest: Path) -> list[Path]:
    """``n`` camera-size JPEGs (the shared tool) from the faces dataset's photos in ``dest``,
    made by one tool process per core on its share of the sources (distinct bytes); the ones
    already there are used again when there are ``n``."""
    have = sorted(dest.rglob("*.jpg"))
    if len(have) == n:
        return have
    shutil.rmtree(dest, ignore_errors=True)
    import random

    from PIL import ImageOps

    tool = ROOT.parent / "shared" / "tools" / "make_bench_jpegs.py"
    sources = sorted(DATA.rglob("*.jpg"))
    random.Random(0).shuffle(sources)  # group photos and portraits mixed, in any share
    k = max(1, min(os.cpu_count() or 1, n))
    jobs = []
    for j in range(k):
        src = dest / f".sources-{j}"
        src.mkdir(parents=True)
        for i, f in enumerate(sources[j::k]):
            with Image.open(f) as im:  # the tool makes 4:3 photos: a square LFW crop is
                rgb = im.convert("RGB")  # padded to 4:3 first, not stretched (faces stay faces)
                fill = tuple(int(c) for c in np.asarray(rgb).reshape(-1, 3).mean(0))
                ImageOps.pad(rgb, (max(rgb.width, rgb.height * 4 // 3), rgb.height),
                             color=fill).save(src / f"{i:04d}-{f.name}", quality=95)
        count = n // k + (j < n % k)
        jobs.append(subprocess.Popen([sys.executable, str(tool), str(src), str(dest / f"part{j}"),
                                      str(count)], stdout=subprocess.DEVNULL))
    if any(job.wait() for job in jobs):
        raise SystemExit("making the camera-size photos failed")
    for j in range(k):
        shutil.rmtree(dest / f".sources-{j}")
    return sorted(dest.rglob("*.jpg"))


def cpu_seconds() -> float:
    """CPU seconds of this process and of its living children (the face workers) so far."""
    total = time.process_time()
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def wall(n_photos: int, arch: str, out: Path | None, keep: Path | None = None) -> None:
    """The wall-clock mode: ``n_photos`` camera-size JPEGs (the shared tool, from the faces
    dataset's photos: a face or more in each) through a real index run of a fresh library
    (``arch`` with random weights on the CPU, fp32), first with People off, then with it on:
    when every photo is searchable (the CLIP indexing is done) and when every photo's faces
    are found; then a ``--person`` search against the same search unfiltered."""
    import statistics

    from photoclip.config import AppPaths, Settings
    from photoclip.core.browse import SearchFilters
    from photoclip.core.library import Library
    from photoclip.core.model_catalogue import write_user_model
    from photoclip.core.torch_compat import import_open_clip

    def write_bench_model(config_dir: Path, arch: str) -> str:
        """A user model of ``arch`` with random weights; its key."""
        key = "bench-" + arch.lower().replace("/", "-")
        write_user_model(config_dir / "models", key, import_open_clip().get_model_config(arch),
                         description=f"{arch}, random weights (benchmark)")
        return key

    def open_library(home: Path, folder: Path, key: str, device: str, precision: str
                     ) -> Library:
        app = AppPaths(home / "data", home / "config", home / "cache").ensure()
        Settings(folders=[str(folder)], model=key, device=device,
                 precision=precision).save(app.settings_file)
        return Library(app)

    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        made = time.perf_counter()
        folder = keep or tmp / "photos"
        photos = camera_photos(n_photos, folder)
        say(f"faces wall clock: {len(photos)} camera-size JPEGs (12/24 MP) from the faces "
            f"dataset's photos, made in {time.perf_counter() - made:.0f} s; {arch} (random "
            f"weights), CPU fp32, {os.cpu_count()} cores")
        runs = {}
        for faces in (False, True):
            home = tmp / ("on" if faces else "off")
            (home / "config").mkdir(parents=True)
            key = write_bench_model(home / "config", arch)
            lib = open_library(home, folder, key, "cpu", "fp32")
            if faces:
                lib.settings.enabled_plugins = ["faces"]
                lib.save_settings()
                lib.reload_plugins()
            lib.warm_up()  # the model loaded, as in the app: the run times indexing itself
            marks: dict[str, float] = {}

            def progress(p, marks: dict[str, float] = marks) -> None:
                now = time.perf_counter()
                if p.phase == "indexing":
                    marks["searchable"] = now  # the last indexing progress: every batch stored
                elif p.current == "Finding faces":
                    if "faces from" not in marks:
                        marks["faces from"], marks["cpu from"] = now, cpu_seconds()
                    marks["faces"], marks["cpu"] = now, cpu_seconds()
            start = time.perf_counter()
            report = lib.index_folders(progress)
            end = time.perf_counter()
            cpu = marks.pop("cpu", 0.0) - marks.pop("cpu from", 0.0)
            runs[faces] = {k: v - start for k, v in marks.items()} | {"end": end - start}
            status = {a.name: a for a in lib.analysis.status()}
            what = (f"faces of {status['faces'].done} photos found, "
                    f"{status['faces'].failed} failed" if faces else "People off")
            say(f"People {'on ' if faces else 'off'}: {report.embedded} photos searchable after "
                f"{runs[faces]['searchable']:.0f} s; run done after {runs[faces]['end']:.0f} s "
                f"({what})")
            if faces:
                took = runs[True]["faces"] - runs[True]["faces from"]
                say(f"people analysis: {took:.0f} s for {len(photos)} photos "
                    f"({took / len(photos):.2f} s a photo; 1,000 photos: "
                    f"{took / len(photos) * 1000 / 60:.1f} min, target < 5)")
                say(f"  CPU: {cpu / len(photos):.2f} CPU-s a photo (this process and the face "
                    f"workers): 1,000 photos on {os.cpu_count()} idle cores "
                    f"{cpu / len(photos) * 1000 / (os.cpu_count() or 1) / 60:.1f} min")
                say(f"CLIP searchable with People on vs off: {runs[True]['searchable']:.0f} s "
                    f"vs {runs[False]['searchable']:.0f} s (faces start after every photo is "
                    f"searchable)")
                people = lib.people()
                everyone = people.people() if people is not None else []
                say(f"  {sum(p.faces for p in everyone)} faces, {len(everyone)} people")
                top = everyone[0] if everyone else None
                if top is not None:
                    people.name(top.id, "Bench Person")
                    filters = SearchFilters(where=(("person", "Bench Person"),))
                    lib.search("people", limit=50)  # warm
                    times = {}
                    for name, f in (("unfiltered", None), ("--person", filters)):
                        samples = []
                        for _ in range(7):
                            t = time.perf_counter()
                            hits = lib.search("people", limit=50, filters=f)
                            samples.append(time.perf_counter() - t)
                        times[name] = (statistics.median(samples), len(hits))
                    say(f"search 'people' (median of 7): unfiltered "
                        f"{times['unfiltered'][0] * 1e3:.1f} ms ({times['unfiltered'][1]} "
                        f"hits), --person "
                        f"{times['--person'][0] * 1e3:.1f} ms ({times['--person'][1]} hits, "
                        f"{top.photos} photos of that person)")
            lib.close()
    say(f"(machine load average while measuring: {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores)")
    if out is not None:
        out.write_text("\n".join(lines) + "\n")
        print(f"saved {out}")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--wall", action="store_true",
                    help="the wall-clock mode: a real index run with People on (and off)")
    ap.add_argument("--photos", type=int, default=1000, help="--wall: camera-size photos")
    ap.add_argument("--arch", default="ViT-B-32", help="--wall: the CLIP architecture")
    ap.add_argument("--keep", type=Path, help="--wall: make the photos here and use them "
                    "again next time (1,000 camera-size JPEGs: about 4 GB)")
    args = ap.parse_args()
    if args.wall:
        wall(args.photos, args.arch, OUT.with_name("faces-wall.txt") if args.photos >= 1000
             else None, args.keep)
    else:
        main()
