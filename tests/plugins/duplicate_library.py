"""A photo library with known duplicates, for the duplicates plugin's tests and its benchmark
(bench/duplicates.py): COCO photos as originals, copies of some of them made the ways copies
come about (a byte copy in a ``dups/`` folder or named ``NAME (1).jpg``, kept with the
original's modification time as ``cp -p`` does; resized, re-encoded, grey, mirrored and 85%
centre-cropped edits), plus the near-duplicates set (UKBench photos and their transformed
copies). :func:`truth_key` says which original each file is a copy of."""

from __future__ import annotations

import re
import shutil
from itertools import combinations
from pathlib import Path

from PIL import Image, ImageOps

#: The edits made of the originals, in turn: file-name suffix -> how.
EDITS = ("dup", "(1)", "small", "q40", "grey", "mirror", "crop85")
#: Not named after its photo but pixel-identical to ukbench00120: a copy with an alpha channel.
ALIASES = {"alpha_channel_image.png": "ukbench00120"}
_EDIT_RE = re.compile(r"^(.*?)(-(small|q40|grey|mirror|crop85)| \(1\))$")


def _edit(src: Path, kind: str, folder: Path) -> Path:
    im = Image.open(src).convert("RGB")
    w, h = im.size
    if kind == "dup":
        target = folder / "dups" / src.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
        return target
    if kind == "(1)":
        target = src.with_name(f"{src.stem} (1){src.suffix}")
        shutil.copy2(src, target)
        return target
    target = folder / "edits" / f"{src.stem}-{kind}.jpg"
    target.parent.mkdir(parents=True, exist_ok=True)
    if kind == "small":
        im.resize((w // 2, h // 2), Image.Resampling.LANCZOS).save(target, quality=90)
    elif kind == "q40":
        im.save(target, quality=40)
    elif kind == "grey":
        im.convert("L").save(target, quality=90)
    elif kind == "mirror":
        ImageOps.mirror(im).save(target, quality=90)
    else:
        f = 0.85
        im.crop((round(w * (1 - f) / 2), round(h * (1 - f) / 2),
                 round(w * (1 + f) / 2), round(h * (1 + f) / 2))).save(target, quality=90)
    return target


def build(datasets: Path, folder: Path, originals: int, edited: int,
          near_duplicates: bool = True) -> list[Path]:
    """Make the library in ``folder``: the first ``originals`` COCO photos in ``folder/coco``,
    copies of the first ``edited`` of them (two or three edits each, in turn), and the
    near-duplicates set in ``folder/near-duplicates``. Returns the originals that were copied."""
    coco = sorted((datasets / "coco-mini").rglob("*.jpg"))[:originals]
    (folder / "coco").mkdir(parents=True, exist_ok=True)
    copied = []
    for n, src in enumerate(coco):
        target = folder / "coco" / src.name
        shutil.copy2(src, target)
        if n < edited:
            copied.append(target)
            for k in range(2 + n % 2):
                _edit(target, EDITS[(n * 3 + k) % len(EDITS)], folder)
    if near_duplicates:
        shutil.copytree(datasets / "near-duplicates", folder / "near-duplicates",
                        ignore=shutil.ignore_patterns("*.pkl", "*.txt"))
    return copied


def truth_key(path: str | Path) -> str:
    """The original a file is a copy of (its own path if it is no known copy)."""
    p = Path(path)
    if p.name in ALIASES:
        return ALIASES[p.name]
    if m := re.match(r"ukbench\d+", p.name):
        return m.group(0)
    if "coco" in p.parts or "dups" in p.parts or "edits" in p.parts:
        m = _EDIT_RE.match(p.stem)
        return "coco:" + (m.group(1) if m else p.stem)
    return str(p)


def true_pairs(photos: dict[int, str]) -> set[tuple[int, int]]:
    """Pairs (a < b) of photo ids that are copies of one original."""
    key = {pid: truth_key(p) for pid, p in photos.items()}
    return {(a, b) for a, b in combinations(sorted(photos), 2) if key[a] == key[b]}
