"""One owner, many clients: `photoclip watch` owns a library and other `photoclip` commands are
answered by it (real processes, a real socket, the tiny model).

One owner process is shared by the tests of this module (started once: CI time is tight); the
last test kills it with SIGKILL.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client
from pathlib import Path

import pytest

from photoclip.config import AppPaths, Settings
from photoclip.core import owner
from tests.cli.helpers import as_json, photoclip
from tests.cli.test_cli_errors import run_into_closed_pipe
from tests.conftest import TINY_KEY

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX socket permissions")


@dataclass
class Owner:
    home: Path
    library_dir: Path
    folder: Path
    proc: subprocess.Popen
    before: dict[str, subprocess.CompletedProcess]  # the commands run in-process first


def _make_home(root: Path, install_tiny_model) -> AppPaths:
    home = root / "home"
    paths = AppPaths(data=home / "data", config=home / "config", cache=home / "cache").ensure()
    install_tiny_model(paths.config / "models")
    Settings(model=TINY_KEY, device="cpu", precision="fp32").save(paths.settings_file)
    return paths


def start_watch(home: Path) -> subprocess.Popen:
    """`photoclip watch --json` on ``home``, once its endpoint is up (it answers clients)."""
    env = {**os.environ, "PHOTOCLIP_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "photoclip", "watch", "--json", "--quiet-seconds", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    library_dir = home / "data" / "library"
    deadline = time.monotonic() + 300  # a bound on a hang, not an assertion on speed
    while owner.read_endpoint(library_dir) is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"watch did not start serving:\n{proc.communicate()[1]}")
        time.sleep(0.05)
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


# the commands compared: (name, args); photo paths are filled in by the fixture
def _commands(folder: Path) -> dict[str, list[str]]:
    photos = sorted(folder.glob("*.jpg"))
    return {
        "search": ["search", "a dog on the beach", "--limit", "5"],
        "search-json": ["search", "a red car", "--json", "--limit", "3"],
        "similar": ["similar", str(photos[0]), "--limit", "3"],
        "classify": ["classify", str(photos[1]), "--labels", "a cat, a dog, a car"],
        "tags": ["tags"],
        "bad-query-json": ["search", '"unclosed', "--json"],
        "unknown-photo": ["photo", "/no/such/photo.jpg"],
    }


@pytest.fixture(scope="module")
def watched(tmp_path_factory, install_tiny_model, datasets_dir: Path) -> Iterator[Owner]:
    root = tmp_path_factory.mktemp("owner")
    paths = _make_home(root, install_tiny_model)
    home = paths.data.parent
    folder = root / "Pictures"
    folder.mkdir()
    for src in sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:8]:
        shutil.copy2(src, folder / src.name)
    photoclip(home, "folders", "add", str(folder))
    photoclip(home, "index")
    photos = sorted(folder.glob("*.jpg"))
    # in-process (no owner yet): what the clients must repeat exactly
    before = {"tag": photoclip(home, "tag", "add", "holiday", str(photos[2]))}
    before |= {name: photoclip(home, *args, check=False)
               for name, args in _commands(folder).items()}
    before["status"] = photoclip(home, "status", "--json")
    proc = start_watch(home)
    yield Owner(home, paths.library_dir, folder, proc, before)
    stop(proc)


def test_clients_answer_as_in_process(watched: Owner) -> None:
    for name, args in _commands(watched.folder).items():
        got = photoclip(watched.home, *args, check=False)
        want = watched.before[name]
        assert (got.returncode, got.stdout, got.stderr) == (
            want.returncode, want.stdout, want.stderr), name
    codes = {name: watched.before[name].returncode
             for name in ("bad-query-json", "unknown-photo")}
    assert codes == {"bad-query-json": 2, "unknown-photo": 1}
    assert watched.proc.poll() is None  # the owner answered: in-process would say "in use"


def test_tag_and_status_through_the_owner(watched: Owner) -> None:
    photos = sorted(watched.folder.glob("*.jpg"))
    got = photoclip(watched.home, "tag", "add", "holiday", str(photos[3]))
    assert got.stdout == watched.before["tag"].stdout  # "add 'holiday': added to 1 photo"
    detail = as_json(photoclip(watched.home, "photo", str(photos[3]), "--json"))
    assert "holiday" in [t["tag"] for t in detail["tags"]]
    tags = photoclip(watched.home, "tags").stdout
    assert any(line.split()[:2] == ["holiday", "2"] for line in tags.splitlines())
    st = as_json(photoclip(watched.home, "status", "--json"))
    want = as_json(watched.before["status"])
    st.pop("store_bytes"), want.pop("store_bytes")  # the owner's store has been written to
    assert st == want


def test_index_and_watch_through_the_owner(watched: Owner, datasets_dir: Path) -> None:
    extra = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[8]
    shutil.copy2(extra, watched.folder / extra.name)
    report = as_json(photoclip(watched.home, "index", "--json"))  # the owner's service scans
    assert report["scanned"] == 9 and report["failed"] == 0
    st = as_json(photoclip(watched.home, "status", "--json"))
    assert (st["photos"], st["indexed"], st["pending"]) == (9, 9, 0)
    second = photoclip(watched.home, "watch", check=False)
    assert second.returncode == 1
    assert f"photoclip watch (pid {watched.proc.pid})" in second.stderr


def test_a_closed_stdout_ends_a_client_quietly(watched: Owner) -> None:
    for args in (["tags"], ["--json", "search", "a photo"], ["status"]):
        proc = run_into_closed_pipe(watched.home, *args)
        assert proc.returncode == 141, (args, proc.stderr)
        assert proc.stderr == "", args
    assert watched.proc.poll() is None


def test_endpoint_is_private_and_checks_the_key(watched: Owner) -> None:
    endpoint = owner.read_endpoint(watched.library_dir)
    assert endpoint is not None and endpoint.pid == watched.proc.pid
    mode = stat.S_IMODE
    assert mode(os.stat(endpoint.address).st_mode) == 0o600
    assert mode(os.stat(Path(endpoint.address).parent).st_mode) == 0o700
    for name in (owner.KEY_FILE, owner.ENDPOINT_FILE):
        assert mode(os.stat(watched.library_dir / name).st_mode) == 0o600
    with pytest.raises(AuthenticationError):
        Client(endpoint.address, endpoint.family, authkey=b"not the key").close()
    assert photoclip(watched.home, "tags").returncode == 0  # it goes on answering
    if os.geteuid() == 0:  # another user: only root can become one, in a forked child
        assert _connect_as(65534, endpoint.address) == "refused"


def _connect_as(uid: int, address: str) -> str:
    import socket

    pid = os.fork()
    if pid == 0:  # the child: a few system calls, then out
        code = 1
        try:
            os.setgid(uid)
            os.setuid(uid)
            with socket.socket(socket.AF_UNIX) as s:
                s.connect(address)
            code = 0
        except PermissionError:
            code = 3
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return {0: "connected", 3: "refused"}.get(os.waitstatus_to_exitcode(status), "error")


def test_kill_9_of_the_owner_blocks_nothing(watched: Owner) -> None:
    """Last of the module: it kills the shared owner."""
    watched.proc.kill()
    watched.proc.wait()
    assert owner.read_endpoint(watched.library_dir) is not None  # left behind by the kill
    st = photoclip(watched.home, "status", "--json")  # at once: in-process, no waiting
    assert as_json(st)["photos"] == 9
    assert owner.read_endpoint(watched.library_dir) is None  # and it cleaned up
    assert not (watched.library_dir / owner.KEY_FILE).exists()


def test_a_query_is_answered_while_a_backlog_indexes(
    tmp_path: Path, install_tiny_model, datasets_dir: Path
) -> None:
    paths = _make_home(tmp_path, install_tiny_model)
    home = paths.data.parent
    folder = tmp_path / "Pictures"
    folder.mkdir()
    coco = datasets_dir / "coco-mini"
    srcs = sorted((coco / "val2017").glob("*.jpg")) + sorted((coco / "train2017").glob("*.jpg"))
    for src in srcs[:200]:
        shutil.copy2(src, folder / src.name)
    photoclip(home, "folders", "add", str(folder))
    proc = start_watch(home)  # its start-up check indexes the 200 photos
    try:
        found = photoclip(home, "search", "a dog", "--json", "--limit", "3")
        st = as_json(photoclip(home, "status", "--json"))
        assert isinstance(as_json(found)["results"], list)
        assert st["indexed"] < 200  # answered (and asked again) before the backlog ended

        # `photoclip index` waits for the owner's scan; Ctrl-C stops the waiting, cleanly
        env = {**os.environ, "PHOTOCLIP_HOME": str(home)}
        client = subprocess.Popen([sys.executable, "-m", "photoclip", "index"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert client.stderr is not None
        assert client.stderr.readline() == "scanning folders ...\n"  # the owner answers
        proc.send_signal(signal.SIGSTOP)  # its scan waits for the backlog: hold it there
        try:
            client.send_signal(signal.SIGINT)
            _, err = client.communicate(timeout=120)
        finally:
            proc.send_signal(signal.SIGCONT)
        assert client.returncode == 130
        assert "photoclip: interrupted" in err and "Traceback" not in err
        assert proc.poll() is None  # the owner goes on
        assert photoclip(home, "tags").returncode == 0
    finally:
        stop(proc)
