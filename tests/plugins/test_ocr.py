"""The ocr plugin with the real PP-OCR models (rapidocr) on a real library: one module-scoped
library of a few shared photos with text, a few COCO photos and rendered text (upright, at EXIF
orientation 6, and a sideways document), indexed by a child process that is killed with -9
mid-analysis and then resumed. Words from the transcriptions are found; the EXIF-rotated copy
reads the same; a Chinese two-character word matches; a query's word raises the photo holding
it above the photos without it; ``text:"..."``, ``photoclip text`` and the photo regions."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("rapidocr", reason='needs rapidocr (pip install "photoclip[ocr]")')

from photoclip_ocr import engine, tokens
from photoclip_ocr.store import FILE_NAME, TextStore

from photoclip.config import AppPaths, Settings, app_paths
from photoclip.core.browse import SearchFilters
from photoclip.core.library import Library
from photoclip.plugin_testing import run_action
from tests.conftest import copy_coco

REPO = Path(__file__).resolve().parents[2]
SHARED = ["rapidocr/ch_en_num.jpg", "icdar2015/img_1.jpg", "icdar2015/img_2.jpg",
          "sroie_receipts/019.jpg"]
RENDERED = ["PHOTOCLIP READS", "WIFI PASSWORD 4217"]

CHILD = """
from photoclip.core.library import Library
lib = Library()
lib.index_folders()
lib.close()
"""


def render(lines: list[str]):
    """Dark text on a light card, upright (the default font: no system font needed)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=44)
    image = Image.new("RGB", (760, 80 + 90 * len(lines)), (240, 238, 230))
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((40, 40 + 90 * n), line, fill=(20, 20, 30), font=font)
    return image


def write_rendered(folder: Path) -> None:
    from PIL import Image

    upright = render(RENDERED)
    upright.save(folder / "card-upright.jpg", quality=92)
    exif = Image.Exif()
    exif[0x0112] = 6  # the stored pixels are turned; a viewer turns them 90 degrees clockwise
    upright.transpose(Image.Transpose.ROTATE_90).save(
        folder / "card-exif6.jpg", quality=92, exif=exif.tobytes())
    # a photo of a document taken sideways, no EXIF: its lines run top to bottom
    render(["SIDEWAYS DOCUMENT"]).transpose(Image.Transpose.ROTATE_270).save(
        folder / "card-sideways.jpg", quality=92)


def text_rows(home: AppPaths) -> int:
    path = home.data / "plugin-data" / "ocr" / FILE_NAME
    if not path.exists():
        return 0
    store = TextStore(path.parent)
    try:
        return store.counts()[0]
    except Exception:  # the child holds a write lock for a moment
        return 0
    finally:
        store.close()


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, datasets_dir: Path,
            install_tiny_model) -> Iterator[tuple[Library, dict[str, int], dict]]:
    """The library, its photo ids by file name, and what the kill left."""
    root = tmp_path_factory.mktemp("ocr")
    photos = copy_coco(datasets_dir, root / "Pictures", 4)
    for rel in SHARED:
        shutil.copy2(datasets_dir / "ocr" / rel, photos / rel.replace("/", "-"))
    write_rendered(photos)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PHOTOCLIP_HOME", str(root / "home"))
        home = app_paths().ensure()
        spec = install_tiny_model(home.config / "models")
        Settings(folders=[str(photos)], model=spec.key, device="cpu", precision="fp32",
                 batch_size=8, enabled_plugins=["ocr"]).save(home.settings_file)
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        child = subprocess.Popen([sys.executable, "-c", CHILD], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 600  # a bound on a stuck child, not a timed assertion
            while text_rows(home) < 1 and child.poll() is None:  # the first batch is stored
                assert time.monotonic() < deadline, "the child never stored any text"
                time.sleep(0.05)
            assert child.poll() is None, child.communicate()[1][-2000:]
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        killed = {"read": text_rows(home)}
        lib = Library(home)
        killed["pending"] = len(lib.analysis.pending("text"))
        lib.index_folders()  # resumes: only the photos not yet read
        ids = {Path(r.path).name: r.id for r in
               lib.browse.records(lib.vectors.index().ids().tolist()).values()}
        yield lib, ids, killed
        lib.close()


def stored(lib: Library, photo_id: int) -> list[str]:
    store = TextStore(lib.paths.data / "plugin-data" / "ocr")
    try:
        return [s.line.text for s in store.lines(photo_id)]
    finally:
        store.close()


def words(lines: list[str]) -> set[str]:
    return {w for line in lines for w in tokens.normalise(line).replace(".", " ").split()}


def test_kill_9_mid_analysis_then_resume(library) -> None:
    lib, ids, killed = library
    n = len(ids)
    assert 1 <= killed["read"] < n and 0 < killed["pending"] < n  # killed mid-way
    status = {s.name: s for s in lib.analysis.status()}["text"]
    assert status.pending == 0 and status.done == n and status.failed == 0
    store = TextStore(lib.paths.data / "plugin-data" / "ocr")
    try:
        assert store.photo_ids() == set(ids.values())
        for pid in ids.values():  # a batch read twice holds its lines once
            lines = store.lines(pid)
            assert [s.n for s in lines] == list(range(len(lines)))
    finally:
        store.close()


def test_words_of_the_transcriptions_are_found(library) -> None:
    lib, ids, _ = library
    assert "正品促销" in stored(lib, ids["rapidocr-ch_en_num.jpg"])  # rapidocr's own assertion
    assert {"theatre", "carpark"} <= words(stored(lib, ids["icdar2015-img_1.jpg"]))
    assert "exit" in words(stored(lib, ids["icdar2015-img_2.jpg"]))
    assert {"shell", "86", "00"} <= words(stored(lib, ids["sroie_receipts-019.jpg"]))
    coco = [pid for name, pid in ids.items() if name.startswith("0000")]
    assert sum(bool(stored(lib, pid)) for pid in coco) <= 1  # COCO photos hold little text


def test_exif_orientation_and_sideways_text(library) -> None:
    lib, ids, _ = library
    upright = stored(lib, ids["card-upright.jpg"])
    assert upright == RENDERED
    assert stored(lib, ids["card-exif6.jpg"]) == upright
    assert stored(lib, ids["card-sideways.jpg"]) == ["SIDEWAYS DOCUMENT"]
    # boxes are in the upright photo's pixels: the EXIF copy's boxes match the upright one's
    boxes = [r.box for r in lib.plugins.photo_regions(
        lib.plugin_context().photo(ids["card-upright.jpg"]), lib.plugin_context())]
    turned = [r.box for r in lib.plugins.photo_regions(
        lib.plugin_context().photo(ids["card-exif6.jpg"]), lib.plugin_context())]
    assert len(boxes) == len(turned) == 2
    for a, b in zip(boxes, turned):
        assert all(abs(x - y) <= 12 for x, y in zip(a, b)), (a, b)
    assert boxes[0][2] > 4 * boxes[0][3]  # a wide line, not a tall one


def test_chinese_two_character_word_matches(library) -> None:
    lib, ids, _ = library
    photo = ids["rapidocr-ch_en_num.jpg"]
    only = lib.search("text:促销", limit=5)  # inside the run 正品促销
    assert [h.photo_id for h in only] == [photo] and only[0].reasons == ("text: 正品促销",)
    assert lib.search("促销", limit=3)[0].photo_id == photo
    assert lib.search("text:销正") == []  # not a pair of the text


def test_a_word_in_the_text_ranks_its_photo_above_the_others(library) -> None:
    lib, ids, _ = library
    for query, name in (("theatre", "icdar2015-img_1.jpg"), ("wifi password", "card-upright.jpg")):
        hits = lib.search(query, limit=len(ids))
        holding = {ids[name], ids["card-exif6.jpg"]} if "wifi" in query else {ids[name]}
        top = [h.photo_id for h in hits[: len(holding)]]
        assert set(top) == holding, (query, hits[:3])
        assert hits[0].reasons and hits[0].reasons[0].startswith("text: ")
        assert all(not h.reasons for h in hits[len(holding):])
    narrowed = lib.search("a sign", filters=SearchFilters(where=(("text", "exit"),)))
    assert [h.photo_id for h in narrowed] == [ids["icdar2015-img_2.jpg"]]


def test_the_text_command(library) -> None:
    lib, ids, _ = library
    photo = lib.plugin_context().photo(ids["card-upright.jpg"])
    result = run_action(lib.plugins, lib, "text", [photo])
    lines = result.data["photos"][0]["lines"]
    assert [ln["text"] for ln in lines] == RENDERED
    assert all(len(ln["box"]) == 4 and 0.5 <= ln["confidence"] <= 1 for ln in lines)
    assert any("WIFI PASSWORD 4217" in d for d in result.details)


def test_query_terms() -> None:
    assert tokens.index_terms("增值税发票 No.12") == ("增值 值税 税发 发票 no 12", "增 值 税 发 票")
    def fts(text: str) -> list[str]:
        return [t.fts() for t in tokens.query_terms(text)]

    assert fts("发票") == ['words : "发票"']
    assert fts("票") == ['chars : "票"']
    assert fts("a photo of the ＷｉＦｉ password") == ['words : "wifi"*', 'words : "password"*']
    assert fts("12.50 ab") == ['words : "12 50"', 'words : "ab"']
    assert tokens.one_edit_apart("fusionopolis", "furionopolis")
    assert tokens.one_edit_apart("genaxis", "genaxiss") and tokens.one_edit_apart("ab", "b")
    assert not tokens.one_edit_apart("genaxis", "genexus")
    assert engine.available()


def test_photo_command_prints_its_text(library, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse
    import json

    from photoclip.cli import tags

    lib, ids, _ = library
    path = lib.browse.record(ids["card-exif6.jpg"]).path
    assert tags.run_photo(lib, argparse.Namespace(photo=path, json=False)) == 0
    out = capsys.readouterr().out.splitlines()
    assert [ln.strip() for ln in out if ln.strip().startswith("text:")] == [
        f"text: {line}" for line in RENDERED]
    assert tags.run_photo(lib, argparse.Namespace(photo=path, json=True)) == 0
    regions = json.loads(capsys.readouterr().out)["regions"]
    assert [(r["kind"], r["label"], r["plugin"]) for r in regions] == [
        ("text", line, "ocr") for line in RENDERED]


def test_store_prefix_and_near_matches(tmp_path: Path) -> None:
    from photoclip_ocr.engine import Line
    from photoclip_ocr.store import NEAR_WEIGHT

    quad = ((0.0, 0.0), (10.0, 0.0), (10.0, 5.0), (0.0, 5.0))
    store = TextStore(tmp_path)
    store.replace_photos({1: [Line("furionopolis Reserver", 0.9, quad)],
                          2: [Line("Genexis Theatre", 0.9, quad)], 3: []})
    store.replace_photos({3: [Line("reserve", 0.9, quad)]})  # read again: replaced
    reader = TextStore(tmp_path, readonly=True)
    try:
        assert [(h.photo_id, h.coverage) for h in reader.search("fusionopolis")] == [
            (1, NEAR_WEIGHT)]
        assert [h.photo_id for h in reader.search("reserve")] == [3, 1]  # exact first
        (hit,) = reader.search("genaxis theatre")
        assert hit.photo_id == 2 and hit.coverage == pytest.approx((NEAR_WEIGHT + 1) / 2)
        assert reader.search("genoxus") == []  # two letters away
        assert store.counts() == (3, 3, 3)
    finally:
        reader.close()
        store.close()
