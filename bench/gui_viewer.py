"""The viewer's figures (a section of bench/gui.py, also runnable alone):

    python bench/gui_viewer.py [--opens 20] [--out docs/bench/viewer.txt]

Camera-size JPEGs from ../shared/tools/make_bench_jpegs.py (its 24 MP ones, 6000 x 4000) are
opened one after another in the real photo view (offscreen Qt, 1600 x 1000, the viewer's decode
worker cleared before each open, no thumbnail given; its workers have imported the decoders,
as the app's have long before the first photo opens): the open time is from the request to the
photo painted sharp at fit (p50 / p95 over --opens); the full 24 MP level's time follows. Then,
right after an open (the full decode still running), the view zooms from fit to 400% and back
in 10% steps every 16 ms while a 5 ms heartbeat records the longest gap on the GUI thread.
Baseline: the naive viewer, one full decode on the GUI thread and a smooth scale to fit.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOOLS = Path(os.environ.get("PHOTOCLIP_TOOLS", REPO.parent / "shared" / "tools"))
DATASETS = Path(os.environ.get("PHOTOCLIP_DATASETS", REPO.parent / "shared" / "datasets"))
VIEW = (1600, 1000)


def make_jpegs(out: Path, count_24mp: int) -> list[Path]:
    """``count_24mp`` 24 MP JPEGs (the tool makes every fifth one 24 MP, the others 12 MP)."""
    n = 5 * (count_24mp - 1) + 1
    subprocess.run([sys.executable, str(TOOLS / "make_bench_jpegs.py"),
                    str(DATASETS / "camera-photos"), str(out), str(n)], check=True,
                   capture_output=True)
    return [out / f"bench_{i:04d}.jpg" for i in range(0, n, 5)]


def child_viewer(paths: list[str], opens: int) -> None:
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QPointF, QSize, Qt, QTimer
    from PySide6.QtGui import QImageReader, QPixmap
    from PySide6.QtWidgets import QApplication

    from photoclip.gui.photo_view import PhotoView
    from photoclip.gui.viewer_images import FULL, SCREEN

    app = QApplication([])
    view = PhotoView()
    view.side_panel.hide()
    view.resize(*VIEW)
    view.show()
    app.processEvents()
    canvas, images = view.preview, view.images
    images.warmed.wait(60)  # as in the app, where the view is made at start-up, long before

    def wait_for(level: str, path: str) -> None:
        while images.get(path, level) is None:
            app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    open_ms, full_ms = [], []
    for i in range(opens):
        path = paths[i % len(paths)]
        view.release()
        app.processEvents()
        t = time.perf_counter()
        view.open_path(path, None, [])
        wait_for(SCREEN, path)
        app.processEvents()  # the canvas takes the level
        canvas.repaint()  # and paints it
        open_ms.append((time.perf_counter() - t) * 1000)
        wait_for(FULL, path)
        full_ms.append((time.perf_counter() - t) * 1000)
    level = images.get(paths[0], SCREEN) or images.get(paths[-1], SCREEN)
    screen_size = level.image.size().toTuple() if level is not None else None

    # zooming right after an open, the full decode still running
    view.release()
    app.processEvents()
    path = paths[0]
    view.open_path(path, None, [])
    wait_for(SCREEN, path)
    app.processEvents()
    clock = QElapsedTimer()
    clock.start()
    gaps: list[int] = []
    last = [clock.elapsed()]
    steps = [1.1] * 30  # then panning until the full level is painted, then back to fit
    panned = [0]
    paints: list[float] = []
    levels_seen: set[str] = set()
    zooms: list[float] = []

    def beat() -> None:
        now = clock.elapsed()
        gaps.append(now - last[0])
        last[0] = now

    def zoom() -> None:
        if steps:
            canvas.zoom_by(steps.pop(0), QPointF(VIEW[0] * 0.6, VIEW[1] * 0.4))
        elif FULL not in levels_seen or panned[0] < 20:
            panned[0] += FULL in levels_seen
            canvas.pan_by(-7, -4)
        elif not canvas.fitted:
            canvas.zoom_by(1 / 1.1, QPointF(VIEW[0] * 0.6, VIEW[1] * 0.4))
            if canvas.scale <= canvas.fit_scale():
                canvas.fit()
        else:
            loop.quit()
            return
        t = time.perf_counter()
        canvas.repaint()
        paints.append((time.perf_counter() - t) * 1000)
        levels_seen.add(canvas.level_for_scale())
        zooms.append(canvas.scale / canvas.fit_scale())

    heart = QTimer()
    heart.setTimerType(Qt.TimerType.PreciseTimer)
    heart.timeout.connect(beat)
    # the machine's own noise first: the heartbeat alone for 1.5 s, nothing else running
    idle = QEventLoop()
    heart.start(5)
    QTimer.singleShot(1500, idle.quit)
    idle.exec()
    heart.stop()
    idle_gap = max(gaps[2:] or [0])
    gaps.clear()
    last[0] = clock.elapsed()
    zoomer = QTimer()
    zoomer.setTimerType(Qt.TimerType.PreciseTimer)
    zoomer.timeout.connect(zoom)
    loop = QEventLoop()
    heart.start(5)
    zoomer.start(16)
    loop.exec()
    heart.stop()
    zoomer.stop()
    peak_mb = images.memory_bytes() / 2**20

    naive = []
    for p in paths[:2]:
        t = time.perf_counter()
        QPixmap.fromImage(QImageReader(p).read()).scaled(
            QSize(*VIEW), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation)
        naive.append((time.perf_counter() - t) * 1000)
    print(json.dumps({
        "open_ms": open_ms, "full_ms": full_ms, "screen_size": screen_size,
        "max_gap_ms": max(gaps[2:] or [0]), "idle_gap_ms": idle_gap, "beats": len(gaps),
        "max_paint_ms": max(paints),
        "levels": sorted(levels_seen), "kept_mb": peak_mb, "naive_ms": naive,
        "steps": len(paints), "max_zoom": max(zooms) * canvas.fit_scale(),
    }), flush=True)
    os._exit(0)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]  # nearest rank


def viewer_section(say: Callable[[str], None], env: dict[str, str], tmp: Path,
                   opens: int = 20) -> None:
    """Make the JPEGs, run the child, say the figures."""
    paths = make_jpegs(tmp / "viewer-jpegs", 4)
    out = subprocess.run([sys.executable, __file__, "_viewer", str(opens),
                          *map(str, paths)], capture_output=True, text=True, env=env,
                         timeout=900)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"viewer child failed ({out.returncode}):\n{out.stderr[-3000:]}")
    r = json.loads(lines[-1])
    o, f = r["open_ms"], r["full_ms"]
    say(f"viewer, a 24 MP JPEG (6000 x 4000) in a {VIEW[0]} x {VIEW[1]} view, {len(o)} opens "
        f"of {len(paths)} files, decode cache cleared each time:")
    say(f"  open to sharp at fit ({r['screen_size'][0]} x {r['screen_size'][1]} by DCT "
        f"scaling): p50 {statistics.median(o):5.0f} ms, p95 {_pct(o, 0.95):5.0f} ms, "
        f"max {max(o):5.0f} ms (target p95 < 300 ms)")
    say(f"  full 24 MP level ready (background): p50 {statistics.median(f):5.0f} ms, "
        f"p95 {_pct(f, 0.95):5.0f} ms")
    say(f"  zoom fit -> {r['max_zoom'] * 100:.0f}% in 30 steps, pan until the full level is "
        f"painted, zoom back to fit ({r['steps']} steps 16 ms apart, the full decode running): "
        f"longest GUI-thread gap {r['max_gap_ms']} ms ({r['beats']} beats of 5 ms; the same "
        f"heartbeat with nothing to do: {r['idle_gap_ms']} ms), longest "
        f"paint {r['max_paint_ms']:.1f} ms, levels painted {'+'.join(r['levels'])}, "
        f"{r['kept_mb']:.0f} MB of decoded images kept")
    say(f"  naive (full decode + smooth scale on the GUI thread): "
        f"{statistics.median(r['naive_ms']):.0f} ms, all of it a GUI stall")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--opens", type=int, default=20)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    lines = [f"# python bench/gui_viewer.py ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} "
             "CPUs, Qt offscreen)"]

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryDirectory(prefix="photoclip-bench-viewer-") as tmp:
        viewer_section(say, env, Path(tmp), args.opens)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    if len(sys.argv) > 1 and sys.argv[1] == "_viewer":
        child_viewer(sys.argv[3:], int(sys.argv[2]))
    else:
        main()
