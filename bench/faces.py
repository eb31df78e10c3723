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
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins" / "faces")]

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

if __name__ == "__main__":
    main()
