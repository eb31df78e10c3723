"""Duplicate detection quality on ../shared/datasets/near-duplicates: pair precision/recall.

Ground truth: files whose names start with the same ``ukbenchNNNNN`` are copies of one photo
(flipped, resized, rotated, grey, re-encoded as BMP/PNG/WebP, or byte-identical copies in other
folders); every other file is unique, except alpha_channel_image.png (see ALIASES). The
duplicates plugin runs on a real library indexed with
the tiny RANDOM-weight test model, so the "vectors" figures only show what random vectors can
do (identical or nearly identical pixels); with real CLIP weights the same code catches crops and
edits. Pairs are counted after grouping (what a user reviews), transitively.

    .venv/bin/python bench/duplicates.py
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import tempfile
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins" / "duplicates")]

import torch  # noqa: E402
from photoclip_duplicates import find_groups, finder  # noqa: E402

from photoclip.config import AppPaths, Settings  # noqa: E402
from photoclip.core.library import Library  # noqa: E402
from photoclip.core.torch_compat import import_open_clip  # noqa: E402
from photoclip.plugin_api import PluginContext  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "near-duplicates"


def tiny_model(home: Path) -> str:
    """The tests' tiny random model (tests/assets/tiny-clip.json), seeded, as a user model."""
    from safetensors.torch import save_file

    cfg = json.loads((ROOT / "tests" / "assets" / "tiny-clip.json").read_text())
    oc = import_open_clip()
    cfg_file = home / "bench-tiny.json"
    cfg_file.write_text(json.dumps(cfg))
    oc.add_model_config(cfg_file)
    torch.manual_seed(1234)
    model = oc.create_model(cfg_file.stem, pretrained=None)
    weights = home / "tiny.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    models = home / "config" / "models"
    models.mkdir(parents=True)
    (models / "tiny-bench.json").write_text(json.dumps({
        "key": "tiny-bench", "description": "tiny random", "open_clip_config": cfg,
        "weights": str(weights)}))
    return "tiny-bench"


#: Not named after its photo but pixel-identical to ukbench00120 (mean |difference| 0.13/255
#: at 64x48): a copy with an alpha channel added.
ALIASES = {"alpha_channel_image.png": "ukbench00120"}


def truth(photos: dict[int, str]) -> set[tuple[int, int]]:
    key = {pid: ALIASES.get(Path(p).name)
           or (m.group(0) if (m := re.match(r"ukbench\d+", Path(p).name)) else p)
           for pid, p in photos.items()}
    return {(a, b) for a, b in combinations(sorted(photos), 2) if key[a] == key[b]}


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        folder = home / "photos"
        shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("*.pkl", "*.txt"))
        paths = AppPaths(home / "data", home / "config", home / "cache")
        settings = Settings(folders=[str(folder)], model=tiny_model(home), device="cpu",
                            precision="fp32", auto_tag=False)
        paths.ensure()
        settings.save(paths.settings_file)
        with Library(paths) as lib:
            report = lib.index_folders()
            ctx = PluginContext(lib)
            photos = ctx.photos()
            by_id = {p.id: p.path for p in photos}
            want = truth(by_id)
            print(f"{len(photos)} photos indexed ({report.failed} failed: corrupt/unsupported), "
                  f"{len(want)} true duplicate pairs\n")
            print(f"{'method':<34}{'precision':>10}{'recall':>8}{'TP':>5}{'FP':>5}{'FN':>5}")
            runs = [
                ("exact (same bytes)", {"method": "exact"}),
                ("phash <= 8 bits, flip/turn-proof", {"method": "phash"}),
                ("phash <= 8 bits, orientation as is", {"method": "phash", "invariant": False}),
                ("phash <= 12 bits, flip/turn-proof", {"method": "phash", "max_distance": 12}),
                ("vectors cos >= 0.95 (random model)", {"method": "vectors"}),
                ("vectors cos >= 0.99 (random model)", {"method": "vectors", "threshold": 0.99}),
                ("all (exact + phash + vectors .95)", {"method": "all"}),
                ("exact + phash", None),
            ]
            for label, kwargs in runs:
                if kwargs is None:
                    a, _ = find_groups(ctx, photos, method="exact")
                    b, _ = find_groups(ctx, photos, method="phash")
                    grouped = finder.groups(finder.group_pairs(a) | finder.group_pairs(b))
                else:
                    grouped, _ = find_groups(ctx, photos, **kwargs)
                p, r, tp, fp, fn = finder.pair_scores(finder.group_pairs(grouped), want)
                print(f"{label:<34}{p:>10.3f}{r:>8.3f}{tp:>5}{fp:>5}{fn:>5}")
            grouped, _ = find_groups(ctx, photos, method="phash")
            found = finder.group_pairs(grouped)
            missed = sorted({Path(by_id[x]).name for pair in want - found for x in pair})
            print(f"\nphash misses pairs involving: {', '.join(missed) or 'none'}")
            wrong = sorted({" ~ ".join(sorted(Path(by_id[x]).name for x in pair))
                            for pair in found - want})
            print(f"phash false pairs: {'; '.join(wrong) or 'none'}")


if __name__ == "__main__":
    main()
