"""`photoclip index` and `watch` stopped mid-run (kill -9, Ctrl-C) and run again: real processes,
real files, real store. (Apart from tests/cli/test_cli.py so that the two xdist workers share
the CLI tests' time.)"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.helpers import as_json, photoclip
from tests.conftest import copy_coco


def _embedded_count(home: Path) -> int:
    db = home / "data" / "library" / "catalog.sqlite3"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=1) as con:
            return con.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_kill_9_mid_run_then_resume(cli_home: Path, datasets_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "coco"  # 96 photos: killed after 40, 7 batches of 8 still to go
    copy_coco(datasets_dir, root / "val", 64)
    copy_coco(datasets_dir, root / "train", 32, split="train2017")
    total = len(list(root.rglob("*.jpg")))
    photoclip(cli_home, "folders", "add", str(root))
    settings = cli_home / "config" / "settings.toml"
    settings.write_text(settings.read_text().replace("batch_size = 32", "batch_size = 8"))
    env = {**os.environ, "PHOTOCLIP_HOME": str(cli_home)}
    proc = subprocess.Popen([sys.executable, "-m", "photoclip", "index", "-q"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _embedded_count(cli_home) < 40 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = _embedded_count(cli_home)
    assert 0 < done_before < total

    report = as_json(photoclip(cli_home, "index", "--json"))
    assert report["embedded"] <= total - done_before + 8  # at most the batch in flight is redone
    res = as_json(photoclip(cli_home, "search", "a photo", "--limit", "1000", "--json"))
    paths = [r["path"] for r in res["results"]]
    assert len(paths) == len(set(paths)) == total
    st = as_json(photoclip(cli_home, "status", "--json"))
    assert (st["indexed"], st["pending"]) == (total, 0)


def test_watch_kill_9_mid_backlog_then_restart(cli_home: Path, datasets_dir: Path,
                                               tmp_path: Path) -> None:
    root = tmp_path / "live"  # 64 photos: killed after 24, 5 batches of 8 still to go
    copy_coco(datasets_dir, root, 64)
    total = len(list(root.glob("*.jpg")))
    photoclip(cli_home, "folders", "add", str(root))
    settings = cli_home / "config" / "settings.toml"
    settings.write_text(settings.read_text().replace("batch_size = 32", "batch_size = 8"))
    env = {**os.environ, "PHOTOCLIP_HOME": str(cli_home), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "photoclip", "watch"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 120
    while _embedded_count(cli_home) < 24 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < _embedded_count(cli_home) < total

    proc = subprocess.Popen([sys.executable, "-m", "photoclip", "watch"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stdout:  # the start-up check finishes the backlog, then it watches
        lines.append(line)
        if line.startswith("watching"):
            break
    shutil.copy2(sorted((datasets_dir / "coco-mini" / "train2017").glob("*.jpg"))[0],
                 root / "added-live.jpg")
    for line in proc.stdout:
        lines.append(line)
        if "changes:" in line:
            break
    proc.send_signal(signal.SIGINT)  # Ctrl-C stops cleanly
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, lines
    assert "stopping" in out
    res = as_json(photoclip(cli_home, "search", "a photo", "--limit", "1000", "--json"))
    paths = [r["path"] for r in res["results"]]
    assert len(paths) == len(set(paths)) == total + 1


def test_json_index_interrupted_is_one_json_error(cli_home: Path, datasets_dir: Path,
                                                 tmp_path: Path) -> None:
    """Ctrl-C during `photoclip --json index` printed a plain "interrupted: ..." line on stdout:
    with --json it is one JSON error object (kind "interrupted", exit 130), like every error."""
    root = tmp_path / "many"
    shutil.copytree(datasets_dir / "coco-mini" / "val2017", root)
    photoclip(cli_home, "folders", "add", str(root))
    settings = cli_home / "config" / "settings.toml"
    settings.write_text(settings.read_text().replace("batch_size = 32", "batch_size = 4"))
    env = {**os.environ, "PHOTOCLIP_HOME": str(cli_home)}
    proc = subprocess.Popen([sys.executable, "-m", "photoclip", "--json", "index"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while _embedded_count(cli_home) < 4 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    import json

    error = json.loads(out)["error"]  # stdout is exactly one JSON document
    assert error["kind"] == "interrupted" and error["exit_code"] == 130
    assert "photoclip index" in error["message"] and "Traceback" not in err
