"""Text in photos (the ocr plugin) on ../shared/datasets/ocr: recall, search, speed.

One library of coco-mini (239 photos, little text) and the OCR set (41 photos with text,
``gt.tsv``), on a tiny random CLIP (tests/assets/tiny-clip.json: CLIP ranks nothing useful, so
search figures show what the text adds), indexed first with the plugin off; then the ``text``
analyzer reads the whole library through the core's analysis stage, timed.

- speed: photos/s of the analyzer over the mixed library, the share skipped as text-free (the
  quick look saw no text, or nothing was read) and the time that share took;
- word recall: the transcriptions' words (``gt.tsv``: split on spaces and ``|``) found in the
  photo's recognised text, NFKC/case-normalised (full-width to ASCII), as words (a word may
  also be found inside a recognised word, e.g. a date inside "DATE:25/12/2018"; reported both);
- search by one remembered word: for each OCR photo, its longest transcription word (letters,
  at least 3 characters; Chinese: its first word) as the query; the share of photos in the
  top 5 of ``Library.search`` (CLIP + text scorer), and of ``text:WORD``;
- search time: median of a text query with the scorer (the plugin on) against the same query
  as a plain CLIP search (no plugin contribution), and of ``text:WORD``.

    nice -n 10 .venv/bin/python bench/ocr.py       # ~5-10 minutes on 2 shared cores
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "plugins" / "ocr")]

from photoclip_ocr import engine, tokens  # noqa: E402
from photoclip_ocr.store import TextStore  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets"
OUT = ROOT / "docs" / "bench" / "ocr.txt"


def tiny_model(home: Path) -> str:
    """A tiny random CLIP as a user model (as the tests make it); returns its key."""
    import torch
    from safetensors.torch import save_file

    from photoclip.core.model_catalogue import write_user_model
    from photoclip.core.torch_compat import import_open_clip

    config = json.loads((ROOT / "tests" / "assets" / "tiny-clip.json").read_text())
    oc = import_open_clip()
    cfg_file = home / "bench-tiny.json"
    cfg_file.write_text(json.dumps(config))
    oc.add_model_config(cfg_file)
    torch.manual_seed(0)
    model = oc.create_model(cfg_file.stem, pretrained=None)
    weights = home / "tiny.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    write_user_model(home / "config" / "models", "tiny-bench", config,
                     description="tiny random CLIP", weights=weights)
    return "tiny-bench"


def gt_words(text: str) -> list[str]:
    return [w for w in (tokens.normalise(p).strip(".,:;()[]") for p in
                        re.split(r"[\s|]+", text)) if w]


def remembered(text: str, lang: str) -> str:
    words = [w for w in re.split(r"[\s|]+", text) if w]
    if lang == "zh":
        return next((w for w in words if re.search(r"[\u4e00-\u9fff]", w)), words[0])
    letters = [w.strip(".,:;()[]&") for w in words if re.fullmatch(r"[A-Za-z][A-Za-z.]{2,}", w)]
    return max(letters, key=len) if letters else words[0]


def median_ms(fn, runs: int = 15) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main() -> None:
    from photoclip.config import Settings, app_paths
    from photoclip.core.library import Library

    out: list[str] = [
        f"ocr bench: rapidocr PP-OCRv6 small (det + rec) + PP-OCR cls, quick look at "
        f"{engine.SKIM_SIDE} px (> {engine.SKIM_THRESHOLD}), detection at {engine.DET_SIDE} px, "
        f"decoded at {engine.DECODE_SIDE} px; {os.cpu_count()} CPUs, load average at start "
        f"{os.getloadavg()[0]:.1f}"]

    def say(text: str) -> None:
        print(text, flush=True)
        out.append(text)

    rows = [line.split("\t") for line in (DATA / "ocr" / "gt.tsv").read_text(
        encoding="utf-8").splitlines()[1:] if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        photos = root / "Pictures"
        for split in ("train2017", "val2017"):
            shutil.copytree(DATA / "coco-mini" / split, photos / "coco" / split)
        for file, _, _ in rows:
            dest = photos / "ocr" / file
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(DATA / "ocr" / file, dest)
        os.environ["PHOTOCLIP_HOME"] = str(root / "home")
        paths = app_paths().ensure()
        key = tiny_model(root / "home")
        Settings(folders=[str(photos)], model=key, device="cpu", precision="fp32",
                 batch_size=16).save(paths.settings_file)
        lib = Library(paths)
        report = lib.index_folders()
        say(f"library: {report.embedded} photos indexed (tiny CLIP; the plugin off)")
        lib.close()

        s = Settings.load(paths.settings_file)
        s.enabled_plugins = ["ocr"]
        s.save(paths.settings_file)
        lib = Library(paths)
        engine.shared_reader()._load()  # model loading is not per photo
        skim_time = [0.0]
        skimmed = [0]
        reader = engine.shared_reader()
        real_skim = reader.may_have_text

        def timed_skim(bgr):
            t = time.perf_counter()
            seen = real_skim(bgr)
            if not seen:
                skim_time[0] += time.perf_counter() - t
                skimmed[0] += 1
            return seen

        reader.may_have_text = timed_skim  # type: ignore[method-assign]
        start, cpu0 = time.perf_counter(), time.process_time()
        done = lib.analysis.run().get("text", 0)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu0
        store = TextStore(paths.data / "plugin-data" / "ocr")
        read, with_text, n_lines = store.counts()
        ids = {str(Path(r.path).relative_to(photos)): r.id
               for r in lib.browse.records(lib.vectors.index().ids().tolist()).values()}
        coco_ids = [i for p, i in ids.items() if p.startswith("coco/")]
        coco_text = sum(bool(store.lines(i)) for i in coco_ids)
        each_ms = 1000 * skim_time[0] / max(1, skimmed[0])
        say(f"speed: {done} photos in {took:.0f} s = {done / took:.2f} photos/s (target >= 3 "
            f"on 2 cores); {read - with_text} of {read} ({(read - with_text) / read:.0%}) "
            f"text-free; {skimmed[0]} skipped by the quick look alone, in {skim_time[0]:.0f} s "
            f"({skim_time[0] / took:.0%} of the time, {each_ms:.0f} ms each); {n_lines} "
            f"lines; coco-mini photos with text: {coco_text} of "
            f"{len(coco_ids)}; load average now {os.getloadavg()[0]:.1f}")
        say(f"CPU time: {cpu:.0f} s ({cpu / took:.2f} of a core's time on average: the machine "
            f"is shared); {2 * done / cpu:.2f} photos/s on 2 cores of its own (photos per "
            f"CPU-second x 2)")

        found = total = loose = 0
        by_lang: dict[str, list[int]] = {}
        for file, text, lang in rows:
            lines = [s.line.text for s in store.lines(ids["ocr/" + file])]
            have = {w.strip(".,:;()[]") for ln in lines for w in tokens.normalise(ln).split()}
            joined = " ".join(tokens.normalise(ln) for ln in lines)
            squeezed = joined.replace(" ", "")
            for w in gt_words(text):
                hit = w in have or (bool(re.search(r"[\u4e00-\u9fff]", w)) and w in squeezed)
                found += hit
                loose += hit or w in squeezed
                total += 1
                by_lang.setdefault(lang, [0, 0])[0] += hit
                by_lang[lang][1] += 1
        per_lang = ", ".join(f"{k} {a / b:.3f} ({b} words)" for k, (a, b) in by_lang.items())
        say(f"word recall: {found / total:.3f} of {total} words (target >= 0.80); {per_lang}; "
            f"found inside a recognised word too: {loose / total:.3f}")

        top5 = only5 = 0
        misses = []
        for file, text, lang in rows:
            word = remembered(text, lang)
            pid = ids["ocr/" + file]
            hits = [h.photo_id for h in lib.search(word, limit=5)]
            top5 += pid in hits
            only5 += pid in [h.photo_id for h in lib.search(f'text:"{word}"', limit=5)]
            if pid not in hits:
                misses.append(f"{file}:{word}")
        say(f"search by one remembered word: {top5 / len(rows):.1%} of {len(rows)} photos in "
            f"the top 5 (target >= 90%); with text:WORD {only5 / len(rows):.1%}; missed "
            f"{misses[:8]}")

        from photoclip.core.searching import Searcher

        s = lib._search  # the same search without the plugins' contributions
        plain_searcher = Searcher(s._embedder, s._index, lib.browse, s._max_megapixels)
        with_text = median_ms(lambda: lib.search("theatre", limit=20))
        plain = median_ms(lambda: plain_searcher.search("theatre", limit=20))
        operator = median_ms(lambda: lib.search('text:"theatre"', limit=20))
        say(f"search time (median of 15, {len(ids)} photos, the query's vector cached): CLIP "
            f"+ text scorer {with_text:.1f} ms, the same CLIP search without plugins "
            f"{plain:.1f} ms, text:WORD alone {operator:.1f} ms")
        store.close()
        lib.close()
    OUT.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"written to {OUT}")


if __name__ == "__main__":
    main()
