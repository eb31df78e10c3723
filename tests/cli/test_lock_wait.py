"""Starting up around a short-lived holder of the library (issue 13), with real processes:

- `photoclip watch` started while another command has the library open waits for it (saying so
  once) and then owns the library, instead of failing "in use";
- a command run while an owner is starting (the lock taken, no endpoint yet) waits for the
  endpoint and is answered by the owner, instead of failing "in use";
- `recover` and `plugins`, which need the library to themselves, refuse at once and clearly
  while an owner runs (and change nothing).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from photoclip.config import AppPaths, Settings
from tests.cli.helpers import photoclip
from tests.cli.test_owner import stop
from tests.conftest import TINY_KEY

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes and signals")

REPO = Path(__file__).resolve().parents[2]
WAITING = "waiting for another photoclip process"

# holds the library as `photoclip search` would (the real lock), until a line on stdin
_HOLD = """
import sys
from photoclip.core.library import Library
lib = Library(owner="photoclip search")
print("locked", flush=True)
sys.stdin.readline()
lib.close()
"""

# an owner that is starting: the lock is taken, the endpoint comes on a line on stdin
_STARTING_OWNER = """
import sys
from photoclip.cli.serve import start_owner
from photoclip.core.library import Library
lib = Library(owner="photoclip watch")
print("locked", flush=True)
sys.stdin.readline()
server = start_owner(lib, lambda: None, "photoclip watch")
print("serving", flush=True)
sys.stdin.readline()
server.stop()
lib.close()
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory, install_tiny_model) -> Path:
    root = tmp_path_factory.mktemp("lock-wait") / "home"
    paths = AppPaths(data=root / "data", config=root / "config", cache=root / "cache").ensure()
    install_tiny_model(paths.config / "models")
    folder = root.parent / "Pictures"
    folder.mkdir()
    Settings(folders=[str(folder)], model=TINY_KEY, device="cpu",
             precision="fp32").save(paths.settings_file)
    return root


def _env(home: Path) -> dict[str, str]:
    # a long wait, so that a loaded machine never decides these tests: they release the
    # holder once the waiting process has said it waits (ordering, not time)
    return {**os.environ, "PHOTOCLIP_HOME": str(home), "PYTHONPATH": str(REPO),
            "PHOTOCLIP_LOCK_WAIT": "300", "LANGUAGE": "en"}


def _holder(code: str, home: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, env=_env(home))
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def _tell(proc: subprocess.Popen) -> None:
    assert proc.stdin is not None
    proc.stdin.write("\n")
    proc.stdin.flush()


def _wait_for_line(proc: subprocess.Popen, text: str) -> list[str]:
    """The process's stderr lines up to the first with ``text`` (AssertionError at its end)."""
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} never said; it exited {proc.wait()}:\n{''.join(lines)}")


# first: the other tests keep one watch running (the module's `waited`)
def test_a_command_waits_for_an_owner_that_is_starting(home: Path) -> None:
    starting = _holder(_STARTING_OWNER, home)
    client = subprocess.Popen([sys.executable, "-m", "photoclip", "status"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=_env(home))
    try:
        said = _wait_for_line(client, WAITING)
        assert f"photoclip watch, pid {starting.pid}" in said[-1]
        _tell(starting)  # now it publishes its endpoint
        assert starting.stdout is not None and starting.stdout.readline().strip() == "serving"
        out, err = client.communicate(timeout=300)
        assert client.returncode == 0, err  # answered by the owner, not "in use"
        assert "Photos:" in out or "photos" in out.lower()
    finally:
        if client.poll() is None:
            client.kill()
        if starting.poll() is None:
            _tell(starting)
            try:
                starting.wait(60)
            except subprocess.TimeoutExpired:
                starting.kill()


@pytest.fixture(scope="module")
def waited(home: Path) -> Iterator[tuple[subprocess.Popen, list[str], int]]:
    """`photoclip watch` started while a command has the library open: (the watch, what it
    said on stderr until it served, the holder's pid); one watch for this module's tests."""
    holder = _holder(_HOLD, home)
    watch = subprocess.Popen(
        [sys.executable, "-m", "photoclip", "watch", "--quiet-seconds", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(home))
    try:
        said = _wait_for_line(watch, WAITING)
        running = watch.poll() is None  # waiting, not failed
        _tell(holder)
        assert holder.wait(60) == 0
        assert watch.stderr is not None
        endpoint = home / "data" / "library" / "owner.json"
        while not endpoint.exists() and watch.poll() is None:  # until it serves (or exits)
            said.append(watch.stderr.readline())
        assert running and watch.poll() is None, "".join(said)
        yield watch, said, holder.pid
    finally:
        if holder.poll() is None:
            holder.kill()
        stop(watch)


def test_watch_waits_for_a_command_that_has_the_library_open(
    home: Path, waited: tuple[subprocess.Popen, list[str], int]
) -> None:
    watch, said, holder_pid = waited
    waiting = [line for line in said if WAITING in line]
    assert len(waiting) == 1 and f"photoclip search, pid {holder_pid}" in waiting[0]  # once
    status = photoclip(home, "status", "--json")  # answered by watch, which owns the library
    assert json.loads(status.stdout)["photos"] == 0
    assert watch.poll() is None


@pytest.mark.parametrize("argv", [["recover", "--force", "--yes"],
                                  ["plugins", "disable", "auto-tags"]])
def test_recover_and_plugins_refuse_at_once_while_an_owner_runs(
    home: Path, waited: tuple[subprocess.Popen, list[str], int], argv: list[str]
) -> None:
    watch = waited[0]
    settings = home / "config" / "settings.toml"
    catalog = home / "data" / "library" / "catalog.sqlite3"
    before = settings.read_bytes(), catalog.stat().st_ino
    got = photoclip(home, "--json", *argv, check=False)
    assert got.returncode == 1, got.stderr
    error = json.loads(got.stdout)["error"]
    assert error["type"] == "LibraryInUse"
    assert f"pid {watch.pid}" in error["message"] and argv[0] in error["message"]
    assert (settings.read_bytes(), catalog.stat().st_ino) == before  # nothing changed
    assert photoclip(home, "status", "--json").returncode == 0  # the owner goes on answering
