"""The duplicates plugin on the near-duplicates set: exact copies, perceptual-hash matches
(flipped, resized, grey, re-encoded copies), never deleting, trash only after confirmation."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from photoclip_duplicates import finder
from PIL import Image, ImageOps

from photoclip.core.undo import journal
from photoclip.plugin_testing import load_plugin_folder, run_action
from tests.system_trash import system_trash_fixture  # noqa: F401  (the system_trash fixture)

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "duplicates"


def test_phash_variants_cover_flips_and_turns(datasets_dir: Path) -> None:
    im = Image.open(datasets_dir / "near-duplicates" / "base_images" / "ukbench00120.jpg")
    base = finder.phash_variants(finder.dct_block(im))
    w, h = im.size
    crop = im.crop((round(w * 0.075), round(h * 0.075), round(w * 0.925), round(h * 0.925)))
    found = finder.phash_pairs({1: finder.photo_hashes(im), 2: finder.photo_hashes(crop)}, 5)
    assert found[(1, 2)] == (0, "cropped")  # an 85% centre crop
    for changed in (ImageOps.mirror(im), ImageOps.flip(im), im.rotate(90, expand=True),
                    im.rotate(180), im.resize((200, 150)), im.convert("L")):
        other = finder.phash_variants(finder.dct_block(changed))
        best = min(finder.hamming(v, other[0]) for v in base)
        assert best <= 6, best
    unrelated = Image.open(datasets_dir / "near-duplicates" / "base_images" / "ukbench09012.jpg")
    far = finder.phash_variants(finder.dct_block(unrelated))[0]
    assert min(finder.hamming(v, far) for v in base) > 12


def test_groups_and_pairs() -> None:
    assert finder.groups([(1, 2), (2, 3), (7, 8)]) == [[1, 2, 3], [7, 8]]
    # stars around the preferred keeper: a chain of look-alikes is not one group
    chain = [(1, 2), (2, 3), (3, 4), (4, 5), (7, 8)]
    assert finder.star_groups([1, 2, 3, 4, 5, 7, 8], chain) == [[1, 2], [3, 4], [7, 8]]
    assert finder.star_groups([3, 1, 2, 4, 5, 8, 7], chain) == [[3, 2, 4], [8, 7]]
    vecs = np.eye(3, dtype=np.float32)[[0, 0, 1, 2]]
    assert set(finder.vector_pairs([10, 11, 12, 13], vecs, 0.99)) == {(10, 11)}
    assert finder.exact_pairs({1: "a", 2: "a", 3: "b", 4: None}) == {(1, 2)}
    full, old = "ab" * 32, "ab" * 16  # the same file hashed before and after issue 14
    assert finder.exact_pairs({1: full, 2: old, 3: "cd" * 32}) == {(1, 2)}
    assert finder.pair_scores([(1, 2), (3, 4)], [(2, 1)])[:2] == (0.5, 1.0)


def test_duplicates_action_on_a_library(make_library, near_duplicates: Path,
                                        system_trash: Path) -> None:
    lib = make_library([near_duplicates])
    lib.index_folders()
    host = load_plugin_folder(PLUGIN)
    assert host.infos()[-1].loaded, host.infos()[-1].error

    exact = run_action(host, lib, "duplicates", method="exact")
    groups = [sorted(Path(p).name for p in [g["keep"], *g["duplicates"]])
              for g in exact.data["groups"]]
    assert ["ukbench00120.jpg"] * 3 in groups  # three byte-identical copies in three folders
    for g in groups:
        assert len(set(g)) == 1 or all(n.startswith("ukbench09380") for n in g)

    found = run_action(host, lib, "duplicates", method="phash")
    names = {Path(p).name for g in found.data["groups"]
             for p in [g["keep"], *g["duplicates"]]}
    assert {"ukbench00120_hflip.jpg", "ukbench00120_resize.jpg", "ukbench00120_gray.jpg",
            "ukbench09380.webp", "ukbench09380.png"} <= names
    before = sorted(p.name for p in near_duplicates.rglob("*") if p.is_file())

    said_no = run_action(host, lib, "duplicates", trash=True, confirm=False)
    assert said_no.data["trashed"] == [] and "nothing moved" in said_no.message
    assert sorted(p.name for p in near_duplicates.rglob("*") if p.is_file()) == before

    questions: list[str] = []
    moved = run_action(host, lib, "duplicates", method="exact", trash=True,
                       confirm=lambda q: questions.append(q) or True)
    trashed = [Path(p) for p in moved.data["trashed"]]
    assert len(questions) == 1 and "system trash" in questions[0]
    assert trashed and all(p.exists() and p.parent == system_trash / "files" for p in trashed)
    assert len(list(near_duplicates.rglob("ukbench00120.jpg"))) == 1  # the kept copy
    assert len(lib.browse.records(lib.vectors.index().ids().tolist())) == len(
        lib.vectors.index())  # the catalog followed: no vector of a trashed photo is left
    undone = journal(lib.paths.library_dir).undo(lib)  # what `photoclip undo` does
    assert undone.kind == "trash" and list((system_trash / "files").iterdir()) == []
    assert len(list(near_duplicates.rglob("ukbench00120.jpg"))) == 3


def test_duplicates_command(photoclip_home, cli_env: dict, near_duplicates: Path) -> None:
    from photoclip.config import Settings

    settings = Settings.load(photoclip_home.settings_file)
    settings.folders = [str(near_duplicates.resolve())]
    settings.save(photoclip_home.settings_file)
    out = subprocess.run(
        [sys.executable, "-m", "photoclip", "duplicates", "--method", "phash", "--trash",
         "--json"], capture_output=True, text=True, env=cli_env, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)  # nothing indexed yet: no groups, and nothing moved
    assert data["data"]["groups"] == [] and data["data"]["trashed"] == []
    index = subprocess.run([sys.executable, "-m", "photoclip", "index"], env=cli_env,
                           capture_output=True, text=True, timeout=300)
    assert index.returncode == 0, index.stderr
    out = subprocess.run(
        [sys.executable, "-m", "photoclip", "duplicates", "--method", "phash", "--trash"],
        capture_output=True, text=True, env=cli_env, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "groups of duplicates among" in out.stdout and "keep" in out.stdout
    assert "use --yes" in out.stderr  # stdin is not a terminal: the answer is no
    assert "nothing moved" in out.stdout


def test_plugin_is_listed_before_import() -> None:
    from photoclip.plugin_testing import check_manifest

    info = check_manifest(PLUGIN)
    assert info.name == "duplicates" and info.enabled and info.api_version == 1
    assert os.path.exists(PLUGIN / "photoclip_duplicates" / "__init__.py")


def test_default_duplicates_on_a_library_with_known_copies(
    photoclip_home, cli_env: dict, datasets_dir: Path, tmp_path: Path
) -> None:
    """`photoclip duplicates` (method all, default thresholds) on COCO photos, copies of some of
    them and the near-duplicates set: no group bigger than a true group, no unrelated pair, the
    original kept, and each copy says how it matched its keeper."""
    from collections import Counter

    from photoclip.config import Settings
    from tests.plugins.duplicate_library import build, truth_key

    folder = tmp_path / "library"
    originals = {str(p.resolve()) for p in build(datasets_dir, folder, originals=40, edited=14)}
    settings = Settings.load(photoclip_home.settings_file)
    settings.folders = [str(folder.resolve())]
    settings.save(photoclip_home.settings_file)
    index = subprocess.run([sys.executable, "-m", "photoclip", "index"], env=cli_env,
                           capture_output=True, text=True, timeout=600)
    assert index.returncode == 0, index.stderr
    out = subprocess.run([sys.executable, "-m", "photoclip", "duplicates", "--json"],
                         capture_output=True, text=True, env=cli_env, timeout=600)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    groups = result["data"]["groups"]
    sizes = Counter(truth_key(p) for p in folder.rglob("*") if p.is_file())
    assert len(groups) >= 14
    for g in groups:
        members = [g["keep"], *g["duplicates"]]
        keys = {truth_key(p) for p in members}
        assert len(keys) == 1, members  # no unrelated pair in a group
        assert len(members) <= sizes[keys.pop()]
        for m in g["members"]:
            assert m["matched_by"] and set(m["matched_by"]) <= {"exact", "phash", "vectors"}
            assert m["similarity"] is not None and m["phash_bits"] is not None
    coco = [g for g in groups if truth_key(g["keep"]).startswith("coco:")]
    assert len(coco) == 14 and all(g["keep"] in originals for g in coco)  # dups/, (1) lose
    assert any("cropped" in (m["phash_how"] or "") for g in coco for m in g["members"])
    assert "vectors" in result["data"]["thresholds"]
    assert result["message"].startswith(f"{len(groups)} groups of duplicates among ")
    text = subprocess.run([sys.executable, "-m", "photoclip", "duplicates", "--trash"],
                          capture_output=True, text=True, env=cli_env, timeout=600)
    assert text.returncode == 0, text.stderr
    # the question shows the groups before asking, and nothing moves without a yes
    assert "keep " in text.stderr.split("Move ")[0] and "nothing moved" in text.stdout
    assert "copy " in text.stdout and "bits apart" in text.stdout


def test_blank_photos_are_duplicates_only_of_identical_files(
    make_library, coco_folder: Path
) -> None:
    """A black frame, a smaller black frame, a white scan with paper grain and solid colours are
    different files: no method groups them (their pHashes are rounding noise: white and blue
    used to lie 1 bit apart, two black frames 0), nor offers them to the trash; a
    byte-identical copy of one is still a duplicate, and the result says why blank photos were
    compared as files only."""
    import shutil

    rng = np.random.default_rng(0)
    Image.new("RGB", (640, 480), "black").save(coco_folder / "black.jpg", quality=95)
    shutil.copy2(coco_folder / "black.jpg", coco_folder / "black (1).jpg")  # an exact copy
    Image.new("RGB", (320, 240), "black").save(coco_folder / "black-small.png")
    Image.new("RGB", (800, 600), "white").save(coco_folder / "white.png")
    Image.new("RGB", (500, 300), (10, 10, 200)).save(coco_folder / "blue.png")
    Image.new("RGB", (300, 300), (200, 10, 10)).save(coco_folder / "red.png")
    grain = np.clip(245 + rng.normal(0, 4, (700, 500, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(grain).save(coco_folder / "scan.png")
    blank = {"black.jpg", "black (1).jpg", "black-small.png", "white.png", "blue.png",
             "red.png", "scan.png"}
    lib = make_library([coco_folder])
    lib.index_folders()
    host = load_plugin_folder(PLUGIN)
    questions: list[str] = []
    for method in ("all", "phash", "vectors"):
        questions.clear()
        found = run_action(host, lib, "duplicates", method=method, trash=True,
                           confirm=lambda q: questions.append(q) or False)
        groups = [sorted(Path(p).name for p in [g["keep"], *g["duplicates"]])
                  for g in found.data["groups"]]
        assert ["black (1).jpg", "black.jpg"] in groups or method != "all", (method, groups)
        for g in groups:
            assert g == ["black (1).jpg", "black.jpg"] or not blank & set(g), (method, groups)
        assert {Path(p).name for p in found.data["blank"]} == blank
        assert any("compared as files only" in line for line in found.details)
        offered = "\n".join(questions)
        assert not any(f"copy {coco_folder / n}" in offered
                       for n in blank - {"black (1).jpg"}), offered
