"""Zero-shot tagging quality: precision and recall per label on the shared photo sets.

    python bench/tagging.py [--model KEY] [--strictness normal] [--random ViT-B-32]

imagenette-mini (labels.csv: one ImageNet class per photo) and coco-mini (object_tags.tsv: COCO
categories per photo) are mapped onto the built-in label sets below; every photo is embedded once
with the model, then ``photoclip.core.tagging.suggest`` tags the stored vectors. Without the
model's weights it prints why and exits 0. ``--random ARCH`` runs a randomly initialised model of
that open_clip architecture: it checks the pipeline, its numbers are meaningless.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from photoclip.config import app_paths
from photoclip.core.images import load_image, preprocess
from photoclip.core.labels import builtin_label_sets
from photoclip.core.models import (
    DEFAULT_MODEL_KEY,
    Embedder,
    ModelSpec,
    ModelUnavailableError,
    get_model_spec,
)
from photoclip.core.tagging import STRICTNESS, TextPrototypes, suggest

DATASETS = Path(os.environ.get(
    "PHOTOCLIP_DATASETS", Path(__file__).resolve().parents[2] / "shared" / "datasets"
))

# dataset class -> (label set, label)
IMAGENETTE = {
    "tench": ("animals", "fish"),
    "English Springer Spaniel": ("animals", "dog"),
    "cassette player": ("objects", "cassette player"),
    "chainsaw": ("objects", "tools"),
    "church": ("scenes", "church"),
    "French horn": ("objects", "musical instrument"),
    "garbage truck": ("vehicles", "truck"),
    "gas pump": ("scenes", "gas station"),
    "golf ball": ("sports", "golf"),
    "parachute": ("sports", "parachuting"),
}
COCO = {
    **{k: ("animals", k) for k in ("dog", "cat", "bird", "horse", "cow", "sheep", "elephant",
                                   "bear", "zebra", "giraffe")},
    **{k: ("vehicles", k) for k in ("car", "bicycle", "motorcycle", "bus", "train", "truck",
                                    "boat", "airplane")},
    **{k: ("food", k) for k in ("pizza", "cake", "sandwich", "hot dog", "donut", "banana",
                                "apple", "orange", "broccoli", "carrot")},
    **{k: ("objects", k) for k in ("chair", "couch", "bed", "dining table", "laptop", "cell phone",
                                   "keyboard", "book", "clock", "vase", "potted plant", "bottle",
                                   "cup", "wine glass", "bowl", "backpack", "handbag", "suitcase",
                                   "umbrella", "teddy bear", "sink", "toilet", "traffic light",
                                   "stop sign", "fire hydrant", "bench")},
    "tv": ("objects", "tv"), "knife": ("objects", "cutlery"), "fork": ("objects", "cutlery"),
    "spoon": ("objects", "cutlery"), "refrigerator": ("objects", "kitchen appliance"),
    "oven": ("objects", "kitchen appliance"), "microwave": ("objects", "kitchen appliance"),
    "toaster": ("objects", "kitchen appliance"), "person": ("people", "person"),
    "skis": ("sports", "skiing"), "snowboard": ("sports", "snowboarding"),
    "surfboard": ("sports", "surfing"), "skateboard": ("sports", "skateboarding"),
    "tennis racket": ("sports", "tennis"), "baseball bat": ("sports", "baseball"),
    "baseball glove": ("sports", "baseball"), "sports ball": ("sports", "ball games"),
    "frisbee": ("sports", "frisbee"), "kite": ("sports", "kite flying"),
}


def read_imagenette() -> list[tuple[Path, set[tuple[str, str]]]]:
    root = DATASETS / "imagenette-mini"
    with open(root / "labels.csv", newline="") as f:
        return [(root / r["file"], {IMAGENETTE[r["clip_classname"].strip()]})
                for r in csv.DictReader(f)]


def read_coco() -> list[tuple[Path, set[tuple[str, str]]]]:
    root = DATASETS / "coco-mini"
    rows = []
    for line in (root / "object_tags.tsv").read_text().splitlines()[1:]:
        if not line.strip():
            continue
        name, _, cats = line.partition("\t")
        truth = {COCO[c.strip()] for c in cats.split("|") if c.strip() in COCO}
        rows.append((root / name.strip(), truth))
    return rows


def embed(emb: Embedder, paths: list[Path], batch: int = 32) -> np.ndarray:
    spec = emb.preprocess_spec
    out = []
    for i in range(0, len(paths), batch):
        pixels = [preprocess(load_image(p, min_side=spec.min_side)[0], spec)
                  for p in paths[i : i + batch]]
        out.append(emb.embed_images(np.stack(pixels)))
    return np.concatenate(out)


def evaluate(name: str, rows, vecs, protos, strictness) -> None:
    sets = builtin_label_sets()
    used = sorted({s for _, truth in rows for s, _ in truth})
    predicted: list[set[tuple[str, str]]] = [set() for _ in rows]
    for set_name in used:
        for i, tags in enumerate(suggest(vecs, sets[set_name], protos, strictness)):
            predicted[i] |= {(set_name, t.label) for t in tags}
    labels = sorted({lab for _, truth in rows for lab in truth})
    print(f"\n{name}: {len(rows)} photos, strictness {strictness}")
    print(f"  {'set/label':32} {'true':>5} {'tagged':>6} {'prec':>6} {'recall':>6}")
    stats = defaultdict(float)
    for lab in labels:
        truth = np.array([lab in t for _, t in rows])
        pred = np.array([lab in p for p in predicted])
        tp = int((truth & pred).sum())
        prec = tp / pred.sum() if pred.sum() else float("nan")
        rec = tp / truth.sum()
        stats["tp"] += tp
        stats["pred"] += pred.sum()
        stats["true"] += truth.sum()
        print(f"  {'/'.join(lab):32} {truth.sum():5d} {pred.sum():6d} {prec:6.2f} {rec:6.2f}")
    micro_p = stats["tp"] / stats["pred"] if stats["pred"] else float("nan")
    print(f"  micro-average: precision {micro_p:.2f}, recall {stats['tp'] / stats['true']:.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=DEFAULT_MODEL_KEY, help="model key (catalogue or user)")
    ap.add_argument("--random", metavar="ARCH", help="a random-weights open_clip architecture")
    ap.add_argument("--strictness", default="normal", choices=list(STRICTNESS))
    ap.add_argument("--device", default="auto")
    args = ap.parse_args()
    paths = app_paths()
    if args.random:
        spec = ModelSpec(
            key="bench-random", arch=args.random, pretrained=None, hf_hub_id=None,
            weights_filename="", description="random", imagenet_top1=None,
            params_millions=None, download_mb=None, random_init=True,
        )
    else:
        try:
            spec = get_model_spec(args.model, paths.config / "models")
        except ModelUnavailableError as exc:
            print(exc)
            return 0
    emb = Embedder(spec, models_dir=paths.models_dir, device=args.device, allow_download=False)
    try:
        emb.load()
    except ModelUnavailableError as exc:
        print(exc)
        return 0
    print(f"model {spec.key} ({spec.arch}{', RANDOM weights' if spec.random_init else ''}) "
          f"on {emb.device}, {emb.precision}")
    with tempfile.TemporaryDirectory() as cache:
        protos = TextPrototypes(emb.embed_texts, spec.key, Path(cache))
        for name, rows in (("imagenette-mini", read_imagenette()), ("coco-mini", read_coco())):
            start = time.perf_counter()
            vecs = embed(emb, [p for p, _ in rows])
            t_embed = time.perf_counter() - start
            start = time.perf_counter()
            evaluate(name, rows, vecs, protos, args.strictness)
            print(f"  (embedding {t_embed:.1f} s, tagging {time.perf_counter() - start:.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
