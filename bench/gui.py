"""Desktop app figures: launch to window shown, GUI-thread stalls while indexing, grid memory.

    python bench/gui.py [--photos 1000] [--rows 100000] [--out docs/bench/gui.txt]
    python bench/gui.py --only timeline --out docs/bench/timeline.txt

1. Launch: a fresh process (offscreen Qt) builds the real main window (photoclip.gui.app's
   create_window) and reports when its first paint happens; the naive baseline imports torch and
   open_clip first (load the model, then show a window). Median of 5 runs each.
2. Stalls: the real window + backend index N distinct photos (tiny random-weight model, CPU) while
   the grid scrolls every 16 ms; a 5 ms QTimer heartbeat records the longest gap between beats
   (target < 50 ms). Baseline: one indexing batch run on the GUI thread, the stall a naive app has.
3. Memory: RSS growth with 100,000 photos in the grid's model (ResultsModel + PhotoGrid, scrolled
   top to bottom) against a naive QStandardItemModel with one item per photo.
4. Viewer: a 24 MP JPEG's open time (p50/p95) and the GUI-thread gaps while zooming
   (bench/gui_viewer.py, which also runs alone).
5. Timeline: --rows synthetic photos (ResultItems a catalog would give: one every 50 minutes
   over ~9.5 years, unique paths; thumbnails are 64 real JPEGs from the datasets, handed out by
   a stand-in for the disk cache and decoded by the real ThumbnailLoader) in the real grid,
   grouped by day (~3,500 headings). The grid scrolls a page every 16 ms top to bottom, then
   jumps to every year, regroups by month and year, takes 4 new answers (100,000 new items
   made and sorted/grouped on a thread as the backend's lane does, photoclip.gui.result_order's
   arrange_answer; BENCH_ARRANGE_ON_GUI=1 sorts them on the GUI thread as before) and resizes
   the thumbnails, while a 5 ms heartbeat records the longest GUI-thread gap (target < 50 ms)
   and RSS growth (< 150 MB).
6. A new text query typed while a backlog indexes, Return -> results shown (bench/gui_query.py;
   `--only query` runs just that part).
Each part runs in its own process. Prints the figures and writes them to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from gui_query import query_section

REPO = Path(__file__).resolve().parents[1]
DATASETS = Path(os.environ.get("PHOTOCLIP_DATASETS", REPO.parent / "shared" / "datasets"))
TINY_KEY = "bench-tiny"
REFRESHES = 4  # timeline: new answers of "All photos" (as after indexing) while it scrolls


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# ----- children ------------------------------------------------------------------------------


def child_launch(t0: float, naive: bool) -> None:
    if naive:
        from photoclip.core.torch_compat import import_open_clip

        import_open_clip()  # torch + open_clip, as the model module loads them
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from photoclip.gui.app import create_window

    app = QApplication([])

    class FirstPaint(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                print(json.dumps({"shown_s": time.time() - t0,
                                  "torch_loaded": "torch" in sys.modules}), flush=True)
                os._exit(0)  # measured; skip the orderly shutdown
            return False

    window = create_window()
    spy = FirstPaint()
    window.installEventFilter(spy)
    window.show()
    app.exec()


def child_stall(home: Path, photos: int, seconds: float) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from photoclip.config import app_paths
    from photoclip.gui.app import create_window
    from photoclip.gui.backend import Backend

    app = QApplication([])
    window = create_window(Backend(app_paths(), service_options={"quiet": 0.2}))
    window.show()
    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]
    state = {"batches": 0, "start": time.perf_counter(), "done": None, "events": []}

    def beat() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    bar = window.grid.verticalScrollBar()

    def scroll() -> None:
        bar.setValue(bar.value() + 37 if bar.value() < bar.maximum() else 0)

    def on_event(event: object) -> None:
        kind = getattr(event, "kind", "")
        state["events"].append(kind)
        if kind == "batch":
            state["batches"] += 1
        progress = getattr(event, "progress", None)
        if "loaded_at" not in state and progress is not None and progress.embedded > 0:
            state["loaded_at"] = len(gaps)  # the model is loaded: torch imported, first batch in
        lib = window.backend.library
        if (
            kind in ("idle", "batch", "reconciled") and lib is not None
            and state["done"] is None
            and lib._catalog.counts(lib.model_spec.key).indexed >= photos
        ):
            state["done"] = time.perf_counter() - state["start"]
            QTimer.singleShot(500, finish)

    def finish() -> None:
        heart.stop()
        scroller.stop()
        lib = window.backend.library
        indexed = lib._catalog.counts(lib.model_spec.key).indexed if lib else 0
        naive_ms = naive_batch(lib) if lib else None
        steady = sorted(gaps[20:]) or [0]  # the first beats cover window creation
        loaded = int(state.get("loaded_at", len(gaps)))
        loading = sorted(gaps[20:loaded]) or [0]
        indexing = sorted(gaps[loaded:]) or [0]
        print(json.dumps({
            "indexed": indexed, "index_s": state["done"], "beats": len(gaps),
            "max_gap_ms": max(steady), "p99_gap_ms": steady[int(len(steady) * 0.99) - 1],
            "gaps_over_50ms": sum(g > 50 for g in steady), "naive_batch_ms": naive_ms,
            "loading_max_ms": max(loading), "loading_over_50ms": sum(g > 50 for g in loading),
            "indexing_max_ms": max(indexing), "indexing_over_50ms": sum(g > 50 for g in indexing),
            "indexing_p99_ms": indexing[int(len(indexing) * 0.99) - 1] if len(indexing) > 1
            else indexing[0], "indexing_beats": len(indexing),
        }), flush=True)
        os._exit(0)

    window.backend.service_event.connect(on_event)
    heart = QTimer()
    heart.setTimerType(heart.timerType().PreciseTimer)
    heart.timeout.connect(beat)
    heart.start(5)
    scroller = QTimer()
    scroller.timeout.connect(scroll)
    scroller.start(16)
    QTimer.singleShot(int(seconds * 1000), finish)
    app.exec()


def naive_batch(lib: object) -> float:
    """One indexing batch (decode + preprocess 32 photos, embed) timed as if on the GUI thread."""
    from photoclip.core import images

    emb = lib.embedder  # type: ignore[attr-defined]
    spec = emb.preprocess_spec
    paths = [r.path for r in lib._catalog.get_many(range(1, 33)).values()]  # type: ignore
    import numpy as np

    t = time.perf_counter()
    batch = np.stack([
        images.preprocess(images.load_image(p, min_side=spec.min_side)[0], spec) for p in paths
    ])
    emb.embed_images(batch)
    return (time.perf_counter() - t) * 1000


def child_memory(rows: int, naive: bool) -> None:
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QListView

    app = QApplication([])
    before = _rss_mb()
    t = time.perf_counter()
    if naive:
        model = QStandardItemModel()
        for i in range(rows):
            item = QStandardItem(f"IMG_{i:06d}.jpg")
            item.setData(f"/home/user/Pictures/2024/IMG_{i:06d}.jpg")
            item.setToolTip(f"/home/user/Pictures/2024/IMG_{i:06d}.jpg")
            model.appendRow(item)
        view = QListView()
        view.setViewMode(QListView.ViewMode.IconMode)
        view.setModel(model)
    else:
        from photoclip.gui.grid import PhotoGrid
        from photoclip.gui.queries import ResultItem
        from photoclip.gui.results_model import ResultsModel

        model = ResultsModel(None)
        model.set_items([
            ResultItem(i, f"/home/user/Pictures/2024/IMG_{i:06d}.jpg", 1.7e9 + i, 0.3)
            for i in range(rows)
        ])
        view = PhotoGrid()
        view.setModel(model)
    fill_s = time.perf_counter() - t
    view.resize(1200, 800)
    view.show()
    app.processEvents()
    bar = view.verticalScrollBar()
    t = time.perf_counter()
    for step in range(0, 101):
        bar.setValue(bar.maximum() * step // 100)
        app.processEvents()
    scroll_s = time.perf_counter() - t
    print(json.dumps({"rss_mb": _rss_mb() - before, "fill_s": fill_s,
                      "scroll_frame_ms": scroll_s / 101 * 1000}), flush=True)
    os._exit(0)


def child_timeline(rows: int) -> None:
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    from photoclip.gui.app import GUI_SWITCH_INTERVAL
    from photoclip.gui.grid import PhotoGrid
    from photoclip.gui.grid_bar import GridBar
    from photoclip.gui.queries import ResultItem
    from photoclip.gui.result_order import arrange_answer
    from photoclip.gui.results_model import ResultsModel
    from photoclip.gui.thumbnail_loader import ThumbnailLoader

    sys.setswitchinterval(GUI_SWITCH_INTERVAL)  # as the app does (photoclip.gui.app)
    app = QApplication([])
    sources = sorted((DATASETS / "coco-mini").rglob("*.jpg"))[:64]
    thumbs = Path(tempfile.mkdtemp(prefix="photoclip-bench-thumbs-"))
    from PIL import Image

    files = []
    for i, src in enumerate(sources):  # what the disk cache holds: 256 px JPEGs
        with Image.open(src) as im:
            im.thumbnail((256, 256))
            files.append(thumbs / f"{i}.jpg")
            im.convert("RGB").save(files[-1], quality=85)

    class Cache:  # the disk cache's one method the loader calls
        def thumbnail(self, path: str) -> Path:
            return files[hash(path) % len(files)]

    before = _rss_mb()
    loader = ThumbnailLoader()
    loader.cache = Cache()  # type: ignore[assignment]
    results = ResultsModel(loader)
    grid = PhotoGrid()
    grid.setModel(results)
    bar = GridBar(grid, results, loader, None)
    bar.set_grouping("day")
    grid.resize(1200, 800)
    grid.show()
    start = 1.75e9

    def answer(n: int) -> list:  # what the catalog gives the lane: one every 50 minutes
        return [ResultItem(i, f"/home/user/Pictures/{i // 1000:03d}/IMG_{i:06d}.jpg",
                           start - (i - n) * 3000.0) for i in range(rows)]

    t = time.perf_counter()
    results.set_items(answer(0))  # (the list is not kept: the model holds columns)
    fill_ms = (time.perf_counter() - t) * 1000
    headings = len(results.sections() or [])
    app.processEvents()
    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]
    scrollbar = grid.verticalScrollBar()
    steps = {"pages": 0, "phase": "scroll"}
    years = [y for y, _ in results.years()]

    refresh: dict = {"worker": None, "answer": None}
    on_gui = os.environ.get("BENCH_ARRANGE_ON_GUI") == "1"  # the figures before the lane did it

    def refresh_answer() -> None:  # the backend's lane: a new list of items, arranged there
        fresh = answer(steps.get("refreshes", 0) + 1)
        refresh["answer"] = fresh if on_gui else arrange_answer(
            fresh, results.sort_order, results.grouping)

    worst: dict[str, int] = {}
    worst_cpu_by: dict[str, float] = {}
    cpu = [time.thread_time()]  # the GUI thread's own CPU time: a gap it did not spend
    cpu_gaps: list[float] = []  # working was the machine's load, not the app
    worst_cpu: list = ["", 0.0]  # the phase of the gap with the most CPU time, and it
    import gc

    full_gc: list[float] = []  # Python's full collections (they walk every result item)
    gc_start = [0.0]

    def on_gc(phase: str, info: dict) -> None:
        if info.get("generation") == 2:
            if phase == "start":
                gc_start[0] = time.perf_counter()
            else:
                full_gc.append((time.perf_counter() - gc_start[0]) * 1000)

    gc.callbacks.append(on_gc)

    def beat() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now
        spent = time.thread_time()
        cpu_gaps.append((spent - cpu[0]) * 1000)
        cpu[0] = spent
        if len(gaps) > 5 and cpu_gaps[-1] > worst_cpu[1]:
            worst_cpu[:] = [steps["phase"], cpu_gaps[-1]]
        if len(gaps) > 5:
            worst_cpu_by[steps["phase"]] = max(worst_cpu_by.get(steps["phase"], 0.0),
                                               cpu_gaps[-1])
        if len(gaps) > 5:
            worst[steps["phase"]] = max(worst.get(steps["phase"], 0), gaps[-1])

    def step() -> None:
        if steps["phase"] == "scroll":
            if scrollbar.value() >= scrollbar.maximum():
                steps["phase"] = "jumps"
            scrollbar.setValue(scrollbar.value() + scrollbar.pageStep())
            steps["pages"] += 1
        elif steps["phase"] == "jumps":
            if years:
                bar.jump_to_year(years.pop())
            else:
                steps["phase"] = "regroup"
        elif steps["phase"] == "regroup":
            bar.set_grouping("month")
            bar.set_grouping("year")
            bar.set_grouping("day")
            steps["phase"] = "refresh"
        elif steps["phase"] == "refresh":  # answers of "All photos" again, as after indexing
            if refresh["worker"] is None:
                refresh["worker"] = threading.Thread(target=refresh_answer, daemon=True)
                refresh["worker"].start()
            elif refresh["answer"] is not None:
                answer, refresh["answer"], refresh["worker"] = refresh["answer"], None, None
                if isinstance(answer, list):  # the old way: sorted and grouped here
                    results.set_items(answer)
                else:
                    results.set_arranged(answer)
                steps["refreshes"] = steps.get("refreshes", 0) + 1
                if steps["refreshes"] == REFRESHES:
                    steps["phase"] = "zoom"
        elif steps["phase"] == "zoom":  # one Ctrl+minus a tick, three, then a Ctrl+plus
            steps["zooms"] = steps.get("zooms", 0) + 1
            bar.zoom(-1 if steps["zooms"] <= 3 else 1)
            if steps["zooms"] == 4:
                steps["phase"] = "done"
        else:
            heart.stop()
            mover.stop()
            steady = sorted(gaps[5:]) or [0]
            print(json.dumps({
                "rows": rows, "headings": headings, "fill_ms": fill_ms,
                "pages": steps["pages"], "beats": len(gaps), "max_gap_ms": max(steady),
                "p99_gap_ms": steady[int(len(steady) * 0.99) - 1],
                "gaps_over_50ms": sum(g > 50 for g in steady), "rss_mb": _rss_mb() - before,
                "worst_by_phase": worst, "max_cpu_gap_ms": max(cpu_gaps[5:] or [0]),
                "cpu_gaps_over_50ms": sum(g > 50 for g in cpu_gaps[5:]),
                "max_cpu_gap_phase": worst_cpu[0], "worst_cpu_by_phase": worst_cpu_by,
                "full_gc_ms": sorted(full_gc)[-3:], "full_gcs": len(full_gc),
                "refreshes": steps.get("refreshes", 0), "arranged_on_gui": on_gui,
            }), flush=True)
            loader.stop()
            os._exit(0)

    heart = QTimer()
    heart.setTimerType(heart.timerType().PreciseTimer)
    heart.timeout.connect(beat)
    heart.start(5)
    mover = QTimer()
    mover.timeout.connect(step)
    mover.start(16)
    app.exec()


# ----- the parent ----------------------------------------------------------------------------


def _run(args: list[str], env: dict[str, str], timeout: float = 600) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, env=env,
        timeout=timeout,
    )
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"child {args} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return json.loads(lines[-1])


def make_home(root: Path, photo_dir: Path | None) -> Path:
    """A PHOTOCLIP_HOME with the tiny random-weight model and (optionally) one folder."""
    from photoclip.config import AppPaths, Settings
    from photoclip.core.model_catalogue import write_user_model

    paths = AppPaths(root / "data", root / "config", root / "cache").ensure()
    cfg = json.loads((REPO / "tests" / "assets" / "tiny-clip.json").read_text())
    write_user_model(paths.config / "models", TINY_KEY, cfg,
                     description="tiny random CLIP (benchmarks only)")
    Settings(
        folders=[str(photo_dir)] if photo_dir else [], model=TINY_KEY, device="cpu",
        precision="fp32", auto_tag=False,
    ).save(paths.settings_file)
    return root


def make_photos(folder: Path, count: int) -> int:
    """``count`` distinct JPEGs from coco-mini and imagenette-mini (mirrored copies if needed)."""
    from PIL import Image, ImageOps

    sources = sorted((DATASETS / "coco-mini").rglob("*.jpg")) + sorted(
        (DATASETS / "imagenette-mini").rglob("*.JPEG")) + sorted(
        (DATASETS / "imagenette-mini").rglob("*.jpg"))
    if not sources:
        raise SystemExit(f"no photos under {DATASETS}")
    folder.mkdir(parents=True, exist_ok=True)
    made = 0
    for variant in range(1 + count // len(sources)):
        for src in sources:
            if made >= count:
                return made
            dst = folder / f"{variant}-{src.stem}.jpg"
            if variant == 0:
                dst.write_bytes(src.read_bytes())
            else:
                with Image.open(src) as im:
                    im = ImageOps.mirror(im.convert("RGB")) if variant % 2 else im.convert("RGB")
                    im.rotate(variant * 3).save(dst, quality=90)
            made += 1
    return made


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=1000)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--launch-runs", type=int, default=5)
    ap.add_argument("--stall-seconds", type=float, default=240)
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "bench" / "gui.txt")
    ap.add_argument("--query-photos", type=int, default=400)  # bench/gui_query.py
    ap.add_argument("--query-model", default="tiny", help="tiny, or an open_clip arch")
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--query-gap", type=int, default=400, help="ms between queries")
    ap.add_argument("--only", choices=["query", "timeline"], help="run just this section")
    args = ap.parse_args()
    lines = [f"# python bench/gui.py ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs, "
             "Qt offscreen, tiny random-weight model on the CPU)"]

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    with tempfile.TemporaryDirectory(prefix="photoclip-bench-gui-") as tmp:
        tmp_path = Path(tmp)
        base_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
                    "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        if args.only == "query":
            query_section(tmp_path, base_env, say, _run, make_home, make_photos,
                          photos=args.query_photos, queries=args.queries,
                          model=args.query_model, gap_ms=args.query_gap)
            print("\n".join(lines))
            return
        # 5. the timeline
        tl = _run(["_timeline", str(args.rows)], base_env)
        say(f"timeline of {tl['rows']:,} photos by day ({tl['headings']:,} date headings), "
            f"{tl['pages']} pages scrolled, every year jumped to, regrouped, "
            f"{tl['refreshes']} refreshes (a new answer, sorted and grouped "
            f"{'on the GUI thread' if tl['arranged_on_gui'] else 'on the lane'}), resized "
            "(5 ms heartbeat):")
        say(f"  longest GUI-thread gap {tl['max_gap_ms']} ms, p99 {tl['p99_gap_ms']} ms, "
            f"{tl['gaps_over_50ms']} gaps > 50 ms (target: none); RSS growth "
            f"{tl['rss_mb']:.1f} MB (target < 150 MB); sorted and grouped in "
            f"{tl['fill_ms']:.0f} ms")
        say(f"  the GUI thread's own CPU time in one gap: at most {tl['max_cpu_gap_ms']:.0f} ms "
            f"(while {tl['max_cpu_gap_phase']}), "
            f"{tl['cpu_gaps_over_50ms']} gaps > 50 ms of its own work (the rest of a longer gap "
            "is the machine's load)")
        say(f"  Python's full garbage collections meanwhile: {tl['full_gcs']}, the longest "
            + ", ".join(f"{ms:.0f}" for ms in tl["full_gc_ms"]) + " ms (the results are "
            "columns: no object per photo to walk)")
        say("  longest gap while " + ", ".join(
            f"{phase}: {ms} ms" for phase, ms in tl["worst_by_phase"].items()))
        say("  the GUI thread's own CPU time, most in one gap, while " + ", ".join(
            f"{phase}: {ms:.0f} ms" for phase, ms in tl["worst_cpu_by_phase"].items()))
        say(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs while it ran)")
        if args.only == "timeline":
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text("\n".join(lines) + "\n")
            print(f"written to {args.out}")
            return
        # 1. launch
        results = {}
        for naive in (False, True):
            runs = []
            for i in range(args.launch_runs):
                home = make_home(tmp_path / f"launch-{naive}-{i}", None)
                env = {**base_env, "PHOTOCLIP_HOME": str(home)}
                runs.append(_run(["_launch", repr(time.time()), str(int(naive))], env, 120))
            results[naive] = runs
        ours = statistics.median(r["shown_s"] for r in results[False])
        naive_s = statistics.median(r["shown_s"] for r in results[True])
        say("launch -> main window painted (median of "
            f"{args.launch_runs}, process start included):")
        say(f"  photoclip (window first, library opens behind it): {ours * 1000:7.0f} ms"
            f"   torch loaded at first paint: {results[False][0]['torch_loaded']}")
        say(f"  naive (import torch + open_clip, then the window):  {naive_s * 1000:7.0f} ms")
        # 3. memory (before the long stall run)
        m_ours = _run(["_memory", str(args.rows), "0"], base_env)
        m_naive = _run(["_memory", str(args.rows), "1"], base_env)
        say(f"memory with {args.rows:,} photos in the grid (RSS growth, scrolled end to end):")
        say(f"  ResultsModel + PhotoGrid:       {m_ours['rss_mb']:6.1f} MB, filled in "
            f"{m_ours['fill_s'] * 1000:5.0f} ms, {m_ours['scroll_frame_ms']:5.1f} ms per jump")
        say(f"  naive QStandardItemModel:       {m_naive['rss_mb']:6.1f} MB, filled in "
            f"{m_naive['fill_s'] * 1000:5.0f} ms, {m_naive['scroll_frame_ms']:5.1f} ms per jump")
        # 2. stalls while indexing
        photos = tmp_path / "photos"
        n = make_photos(photos, args.photos)
        home = make_home(tmp_path / "stall", photos)
        env = {**base_env, "PHOTOCLIP_HOME": str(home)}
        s = _run(["_stall", str(home), str(n), str(args.stall_seconds)], env,
                 args.stall_seconds + 120)
        say(f"GUI thread while indexing {n} photos and scrolling the grid every 16 ms "
            "(5 ms heartbeat):")
        index_s = f"{s['index_s']:.0f} s" if s["index_s"] else "not finished"
        say(f"  indexed {s['indexed']} in {index_s}; {s['beats']} beats; longest gap "
            f"{s['max_gap_ms']} ms, p99 {s['p99_gap_ms']} ms, {s['gaps_over_50ms']} gaps > 50 ms"
            f" (target < 50 ms)")
        say(f"    while the library and model load (the model in its own process): longest "
            f"{s['loading_max_ms']} ms, {s['loading_over_50ms']} gaps > 50 ms")
        say(f"    while indexing once the model is loaded: longest {s['indexing_max_ms']} ms, "
            f"p99 {s['indexing_p99_ms']} ms, {s['indexing_over_50ms']} gaps > 50 ms "
            f"({s['indexing_beats']} beats)")
        if s["naive_batch_ms"] is not None:
            say(f"  naive (a batch of 32 indexed on the GUI thread): a "
                f"{s['naive_batch_ms']:.0f} ms stall per batch")
        from gui_viewer import viewer_section  # 4. the viewer (bench/gui_viewer.py)

        viewer_section(say, base_env, tmp_path)
        # 6. a new text query while indexing (bench/gui_query.py)
        query_section(tmp_path, base_env, say, _run, make_home, make_photos,
                      photos=args.query_photos, queries=args.queries, model=args.query_model,
                      gap_ms=args.query_gap)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"written to {args.out}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        sys.path.insert(0, str(REPO))
        mode, rest = sys.argv[1], sys.argv[2:]
        if mode == "_launch":
            child_launch(float(rest[0]), rest[1] == "1")
        elif mode == "_stall":
            child_stall(Path(rest[0]), int(rest[1]), float(rest[2]))
        elif mode == "_memory":
            child_memory(int(rest[0]), rest[1] == "1")
        elif mode == "_timeline":
            child_timeline(int(rest[0]))
        elif mode == "_query":
            from gui_query import child_query

            child_query(int(rest[0]), int(rest[1]), int(rest[2]), float(rest[3]))
    else:
        sys.path.insert(0, str(REPO))
        main()
