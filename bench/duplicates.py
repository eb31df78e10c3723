"""Duplicate detection quality: pair precision/recall per method, group sizes, keepers.

The library (tests/plugins/duplicate_library.py): the 239 coco-mini photos as originals, 40 of
them copied two or three ways each (byte copies in ``dups/`` or named ``NAME (1).jpg`` with the
original's mtime, resized, re-encoded at quality 40, grey, mirrored, 85% centre crops), and the
near-duplicates set (UKBench photos and their flipped/resized/rotated/grey/re-encoded copies).
It is indexed with the tiny RANDOM-weight test model, so the "vectors" figures only show what
random vectors do (identical or nearly identical pixels); with real CLIP weights the same code
also catches crops and edits. Pairs are counted inside the groups a user reviews (every pair of
photos in a group); "keepers" counts groups of a COCO photo whose keeper is the original.

    nice -n 10 .venv/bin/python bench/duplicates.py           # ~1 minute on 2 cores
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins" / "duplicates")]

import torch  # noqa: E402
from photoclip_duplicates import Found, find_groups, finder, perceptual_hashes  # noqa: E402

from photoclip.config import AppPaths, Settings  # noqa: E402
from photoclip.core.library import Library  # noqa: E402
from photoclip.core.model_catalogue import write_user_model  # noqa: E402
from photoclip.core.torch_compat import import_open_clip  # noqa: E402
from photoclip.plugin_api import PluginContext  # noqa: E402
from tests.plugins.duplicate_library import build, true_pairs, truth_key  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets"


def tiny_model(home: Path) -> str:
    """The tests' tiny random model (tests/assets/tiny-clip.json), seeded, as a user model."""
    import json

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
    write_user_model(home / "config" / "models", "tiny-bench", cfg, description="tiny random",
                     weights=weights)
    return "tiny-bench"


def old_way(ctx: PluginContext, photos: list) -> Found:
    """What the plugin did before issue 14: pairs by any method at fixed thresholds, grouped
    by single linkage (union-find), best copy = most pixels."""
    pairs = set(finder.exact_pairs({p.id: p.content_hash for p in photos}))
    hashes, _ = perceptual_hashes(ctx, photos)  # blank photos: no hash (the old way hashed them)
    pairs |= set(finder.phash_pairs({i: h[:8] for i, h in hashes.items()}, 8))
    ids, vecs = ctx.vectors([p.id for p in photos])
    pairs |= set(finder.vector_pairs(ids, vecs, 0.95))
    size = {p.id: -(p.width or 0) * (p.height or 0) for p in photos}
    grouped = [sorted(g, key=lambda i: (size[i], i)) for g in finder.groups(pairs)]
    return Found(grouped, {}, {})


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        folder = home / "photos"
        copied = build(DATA, folder, originals=239, edited=40)
        paths = AppPaths(home / "data", home / "config", home / "cache")
        paths.ensure()
        settings = Settings(folders=[str(folder)], model=tiny_model(home), device="cpu",
                            precision="fp32", auto_tag=False)
        settings.save(paths.settings_file)
        with Library(paths) as lib:
            report = lib.index_folders()
            ctx = PluginContext(lib)
            photos = ctx.photos()
            by_id = {p.id: p.path for p in photos}
            want = true_pairs(by_id)
            biggest = max(Counter(truth_key(p) for p in by_id.values()).values())
            originals = {str(p.resolve()) for p in copied}
            print(f"{len(photos)} photos indexed ({report.failed} failed: corrupt/unsupported),"
                  f" {len(want)} true duplicate pairs, largest true group {biggest}\n")
            print(f"{'method':<40}{'precision':>10}{'recall':>8}{'TP':>5}{'FP':>5}{'FN':>5}"
                  f"{'groups':>8}{'largest':>8}{'keepers':>9}")
            runs = [
                ("exact (same bytes)", {"method": "exact"}),
                (f"phash <= {finder.MAX_DISTANCE} bits (default)", {"method": "phash"}),
                ("phash <= 8 bits (old default)", {"method": "phash", "max_distance": 8}),
                ("phash <= 12 bits", {"method": "phash", "max_distance": 12}),
                (f"phash <= {finder.MAX_DISTANCE}, orientation as is",
                 {"method": "phash", "invariant": False}),
                (f"vectors, auto (ratio {finder.VECTOR_RATIO:g}, default)", {"method": "vectors"}),
                ("vectors cos >= 0.95 (old default)", {"method": "vectors", "threshold": 0.95}),
                ("vectors cos >= 0.99", {"method": "vectors", "threshold": 0.99}),
                (f"all (default: ratio {finder.VECTOR_RATIO_CONFIRMED:g} + phash <= "
                 f"{finder.CONFIRM_BITS})", {"method": "all"}),
                ("all, old: union-find, cos .95, phash 8", None),
            ]
            for label, kwargs in runs:
                found = find_groups(ctx, photos, **kwargs) if kwargs else old_way(ctx, photos)
                p, r, tp, fp, fn = finder.pair_scores(finder.group_pairs(found.groups), want)
                coco = [g for g in found.groups if truth_key(by_id[g[0]]).startswith("coco:")]
                keepers = sum(by_id[g[0]] in originals for g in coco)
                largest = max((len(g) for g in found.groups), default=0)
                print(f"{label:<40}{p:>10.3f}{r:>8.3f}{tp:>5}{fp:>5}{fn:>5}"
                      f"{len(found.groups):>8}{largest:>8}{keepers:>5}/{len(coco):<3}")
                if "vector_rule" in found.thresholds:
                    print(f"{'':<6}auto cosine threshold {found.thresholds['vectors']:.4f}")
            print("\nratio sweep (vectors):")
            _, vecs = ctx.vectors([p.id for p in photos])
            for ratio in (0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3):
                t = finder.vector_threshold(vecs, ratio)
                for method in ("vectors", "all"):
                    found = find_groups(ctx, photos, method=method, threshold=t)
                    p, r, tp, fp, fn = finder.pair_scores(finder.group_pairs(found.groups),
                                                          want)
                    print(f"  ratio {ratio:<5g} cos >= {t:.4f}  {method:<8} precision {p:.3f} "
                          f"recall {r:.3f} (FP {fp}, FN {fn})")
            found = find_groups(ctx, photos, method="all")
            got = finder.group_pairs(found.groups)
            missed = sorted({Path(by_id[x]).name for pair in want - got for x in pair})
            print(f"\nall misses pairs involving: {', '.join(missed) or 'none'}")
            wrong = sorted({" ~ ".join(sorted(Path(by_id[x]).name for x in pair))
                            for pair in got - want})
            print(f"all false pairs: {'; '.join(wrong) or 'none'}")


if __name__ == "__main__":
    main()
