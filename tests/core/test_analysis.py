"""The analysis stage with real plugins on a real library: an analyzer added to an existing
library catches up, survives kill -9 mid-way (a real subprocess), sees content hashes and runs
only on searchable photos; a failing analyzer is isolated; versions and turning off."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from photoclip.config import AppPaths
from photoclip.core import plugin_host
from photoclip.core.analysis import AnalysisStage
from tests.conftest import copy_coco

N_PHOTOS = 12

# the analyzer writes one line per photo it analysed ("id hash searchable") into LOG, then
# sleeps a little so that a kill lands mid-way through the catch-up
ANALYZER = """
import os, time
from pathlib import Path
from photoclip.plugin_api import Analyzer, hookimpl

HERE = Path(__file__).parent
LOG = HERE / "analysed.log"

def version():
    return (HERE / "version.txt").read_text().strip() if (HERE / "version.txt").exists() else "1"

def analyze(context, photos, vectors):
    ids, _ = context.vectors([p.id for p in photos])
    with open(LOG, "a") as f:
        for p in photos:
            f.write(f"{p.id} {p.content_hash} {int(p.id in ids)}\\n")
    if os.environ.get("SLOW_ANALYZER"):
        time.sleep(float(os.environ["SLOW_ANALYZER"]))
    if (HERE / "fail.txt").exists():
        raise RuntimeError("the analyzer exploded")
    return {p.id: "too dark to tell" for p in photos if p.path.endswith("000000000139.jpg")}

@hookimpl
def photoclip_analyzers(register):
    register(Analyzer("counting", "Counting photos", version=version, analyze=analyze,
                      batch_size=2))
"""


def add_analyzer_plugin(home: AppPaths) -> Path:
    """The plugin in the user's plugin folder; its module is named after the test's home, so
    a module imported by an earlier test in this process is never reused."""
    folder = plugin_host.user_plugins_dir(home) / "counting"
    folder.mkdir(parents=True)
    module = f"pc_test_counting_{abs(hash(str(home.config))):x}"
    (folder / "plugin.toml").write_text(
        f'name = "counting"\ndescription = "counts"\napi_version = 1\nmodule = "{module}"\n'
    )
    (folder / f"{module}.py").write_text(textwrap.dedent(ANALYZER))
    return folder


def log_lines(folder: Path) -> list[tuple[int, str, int]]:
    path = folder / "analysed.log"
    if not path.exists():
        return []
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    return [(int(a), b, int(c)) for a, b, c in rows]


CHILD = """
import sys
from photoclip.core.library import Library
lib = Library()
lib.index_folders()
lib.close()
print("finished")
"""


@pytest.fixture()
def indexed(make_library, datasets_dir: Path, tmp_path: Path):
    """An existing library of N_PHOTOS indexed photos, closed, made before the plugin existed."""
    photos = copy_coco(datasets_dir, tmp_path / "Pictures", N_PHOTOS)
    lib = make_library([photos])
    assert lib.index_folders().embedded == N_PHOTOS
    lib.close()
    return photos


def test_plugin_analyzer_catches_up_survives_kill_9_and_sees_hashes(
    make_library, indexed: Path, photoclip_home: AppPaths
) -> None:
    folder = add_analyzer_plugin(photoclip_home)
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "SLOW_ANALYZER": "2", "PYTHONPATH": str(repo)}
    child = subprocess.Popen([sys.executable, "-c", CHILD], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 300  # a bound on a stuck child, not a timed assertion
        while len(log_lines(folder)) < 4 and child.poll() is None:
            assert time.monotonic() < deadline, "the child never analysed a photo"
            time.sleep(0.05)
        assert child.poll() is None, child.communicate()
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    before = log_lines(folder)
    assert 4 <= len(before) < N_PHOTOS

    lib = make_library([])  # reopen after the crash: the catch-up goes on
    stage = lib.analysis
    assert 0 < len(stage.pending("counting")) < N_PHOTOS
    report = lib.index_folders()
    assert report.embedded == 0  # nothing is embedded again
    rows = log_lines(folder)
    ids = [pid for pid, _, _ in rows]
    indexed_ids = set(lib.vectors.index().ids().tolist())
    assert set(ids) == indexed_ids  # every photo analysed
    # no duplicates: at most the batch in flight at the kill (2 photos) is analysed twice
    assert len(ids) - len(set(ids)) <= 2
    hashes = {pid: r.hash for pid, r in lib.browse.records(indexed_ids).items()}
    assert all(h == hashes[pid] and h not in (None, "None") for pid, h, _ in rows)
    assert all(searchable for _, _, searchable in rows)  # searchable before analysed
    status = {s.name: s for s in stage.status()}["counting"]
    assert status.pending == 0 and status.done + status.failed == N_PHOTOS
    failures = stage.failures("counting")
    assert [why for _, why in failures] == ["too dark to tell"]
    assert lib.tags_current()  # the built-in auto-tags analyzer is unaffected


def test_failing_analyzer_is_isolated_and_versions_and_off(
    make_library, indexed: Path, photoclip_home: AppPaths
) -> None:
    folder = add_analyzer_plugin(photoclip_home)
    (folder / "fail.txt").write_text("1")
    lib = make_library([])
    seen = []
    lib.index_folders(seen.append)
    # its own progress phase, through the callback `photoclip index`, `watch` and the GUI use
    mine = [p for p in seen if p.phase == "analyzing" and p.current == "Counting photos"]
    assert mine and mine[-1].done == mine[-1].total == N_PHOTOS
    stage: AnalysisStage = lib.analysis
    assert len(stage.failures("counting")) == N_PHOTOS  # reported, skipped, marked failed
    assert all("exploded" in why for _, why in stage.failures("counting"))
    assert any("exploded" in e for e in lib.actions.host().errors("counting"))
    assert lib.search("a photo", limit=3)  # photos stay searchable
    assert lib.tags_current()
    # failed photos are not tried again every run, but on --retry-failed
    n = len(log_lines(folder))
    lib.index_folders()
    assert len(log_lines(folder)) == n
    (folder / "fail.txt").unlink()
    lib.index_folders(retry_failed=True)
    assert len(log_lines(folder)) == n + N_PHOTOS
    assert len(stage.failures("counting")) == 1
    # a new version runs again on every photo
    (folder / "version.txt").write_text("2")
    assert len(stage.pending("counting")) == N_PHOTOS
    lib.index_folders()
    assert len(log_lines(folder)) == n + 2 * N_PHOTOS
    # turned off: nothing runs, even when its version changes
    stage.set_enabled("counting", False)
    (folder / "version.txt").write_text("3")
    lib.index_folders()
    assert len(log_lines(folder)) == n + 2 * N_PHOTOS
    assert not {s.name: s for s in stage.status()}["counting"].enabled
    stage.set_enabled("counting", True)
    lib.index_folders()
    assert len(log_lines(folder)) == n + 3 * N_PHOTOS


def test_a_changed_photo_is_analysed_again(
    make_library, indexed: Path, photoclip_home: AppPaths
) -> None:
    folder = add_analyzer_plugin(photoclip_home)
    lib = make_library([])
    lib.index_folders()
    assert len(log_lines(folder)) == N_PHOTOS
    photo = sorted(indexed.glob("*.jpg"))[1]
    other = sorted(indexed.glob("*.jpg"))[2]
    photo.write_bytes(other.read_bytes())  # new content: embedded (reused) and analysed again
    lib.index_folders()
    rows = log_lines(folder)
    assert len(rows) == N_PHOTOS + 1
    (pid,) = lib.photo_ids([photo])
    assert rows[-1][0] == pid and rows[-1][1] == lib.browse.record(pid).hash


def test_analyzers_command_lists_and_turns_off(
    make_library, indexed: Path, photoclip_home: AppPaths, capsys, restore_logging
) -> None:
    import json

    from photoclip.cli.main import main

    folder = add_analyzer_plugin(photoclip_home)
    assert main(["analyzers", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)["analyzers"]}
    assert rows["counting"]["pending"] == N_PHOTOS and rows["counting"]["enabled"]
    assert rows["auto-tags"]["done"] == N_PHOTOS and rows["auto-tags"]["pending"] == 0
    assert main(["analyzers", "off", "counting"]) == 0
    lib = make_library([])
    lib.index_folders()
    assert log_lines(folder) == []  # off: it never ran
    lib.close()
    assert main(["analyzers"]) == 0
    assert "counting        off" in capsys.readouterr().out


def test_a_library_tagged_before_analyzers_is_not_tagged_again(
    make_library, indexed: Path
) -> None:
    lib = make_library([])
    state = lib.auto_tags.state()
    with lib._catalog.transaction() as db:  # as the previous release left it
        db.execute("DELETE FROM analysis")
    lib._catalog.set_meta("tagging_state", state)
    lib.close()
    lib = make_library([])
    assert lib.analysis.pending("auto-tags") == [] and lib.tags_current()
    assert lib._catalog.get_meta("tagging_state") is None
    with lib._catalog.transaction() as db:  # tagged with other settings: all are tagged again
        db.execute("DELETE FROM analysis")
    lib._catalog.set_meta("tagging_state", "an older state")
    lib.close()
    lib = make_library([])
    assert len(lib.analysis.pending("auto-tags")) == N_PHOTOS
