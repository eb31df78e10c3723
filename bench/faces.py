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
import sys
import tempfile
import time
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

    with tempfile.TemporaryDirectory() as tmp:  # a camera-size photo: decode + detect + encode
        big = Path(tmp) / "camera.jpg"
        Image.open(DATA / groups[0]["file"]).resize((4000, 3000)).save(big, quality=90)
        m = FaceModels()
        start = time.perf_counter()
        for _ in range(5):
            faces = m.faces_in_file(big)
        per_photo = (time.perf_counter() - start) / 5
        say(f"camera-size photo (4000x3000 JPEG, {len(faces)} faces): {per_photo:.2f} s each "
            f"(1,000 photos: {per_photo * 1000 / 60:.1f} min in one process)")

    OUT.write_text("\n".join(lines) + "\n")
    print(f"saved {OUT}")


if __name__ == "__main__":
    main()
