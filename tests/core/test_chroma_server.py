"""A library whose vectors live in a real Chroma server (`chroma run`), not the embedded store."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from photoclip.config import Settings
from photoclip.core.vectors import server_address


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """A real ``chroma run`` on a fixed loopback port and data folder that can be stopped and
    started again (a server restart, an outage)."""

    def __init__(self, tmp_path: Path) -> None:
        exe = Path(sys.executable).with_name("chroma")
        self.exe = exe if exe.exists() else Path(shutil.which("chroma") or "chroma")
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data = tmp_path / "server-data"
        self.log_path = tmp_path / "chroma.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [str(self.exe), "run", "--path", str(self.data), "--host", "127.0.0.1",
                 "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma server did not start: "
                                f"{self.log_path.read_text()[-2000:]}")
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    """A started ``chroma run`` on a free port (stopped afterwards)."""
    srv = ChromaServer(tmp_path)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture()
def chroma_server(server: ChromaServer) -> str:
    """``chroma run`` on a free port; its URL."""
    return server.url


def test_server_address() -> None:
    assert server_address("http://10.0.0.5:8123") == {"host": "10.0.0.5", "port": 8123,
                                                      "ssl": False}
    assert server_address("https://chroma.example.org") == {
        "host": "chroma.example.org", "port": 443, "ssl": True}
    assert server_address("nas:9000")["port"] == 9000
    with pytest.raises(ValueError):
        server_address("ftp://x")


def test_library_on_a_chroma_server(
    chroma_server: str, make_library, photoclip_home, tiny_model_spec, tmp_path: Path,
    datasets_dir: Path,
) -> None:
    folder = tmp_path / "pics"
    folder.mkdir()
    photos = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:8]
    for p in photos:
        shutil.copy2(p, folder / p.name)
    Settings(folders=[str(folder.resolve())], model=tiny_model_spec.key, device="cpu",
             precision="fp32", batch_size=4, chroma_server=chroma_server).save(
        photoclip_home.settings_file)
    lib = make_library([folder])
    report = lib.index_folders()
    assert report.embedded == 8
    assert lib.store.path is None and lib.store.count() == 8  # in the server
    assert not (photoclip_home.library_dir / "chroma").exists()  # no embedded store
    hits = lib.search("a red bus", limit=3)
    assert len(hits) == 3
    again = lib.similar(folder / photos[3].name, limit=1)
    assert Path(again[0].path).name == photos[3].name
    name = lib.store.name
    lib._tags.add("red bus", lib.photo_ids([folder / photos[1].name]))

    # a plain chromadb client on the server filters by tag and date, and sees the full hash
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    address = server_address(chroma_server)
    plain = chromadb.HttpClient(host=address["host"], port=address["port"],
                                settings=ChromaSettings(anonymized_telemetry=False))
    col = plain.get_collection(name)
    tagged = col.get(where={"tags": {"$contains": "red bus"}})["metadatas"]
    assert [Path(m["path"]).name for m in tagged] == [photos[1].name]
    dated = col.get(where={"date": {"$gte": tagged[0]["date"]}})["metadatas"]
    assert photos[1].name in {Path(m["path"]).name for m in dated}
    assert len(tagged[0]["hash"]) == 64 and tagged[0]["date_iso"][:2] in ("19", "20")
    lib.close()

    # reopen without the snapshot: every vector comes back from the server
    for snap in photoclip_home.library_dir.glob("index-*.npz"):
        snap.unlink()
    lib = make_library([folder])
    assert len(lib.index) == 8 and lib.store.name == name
    assert [h.photo_id for h in lib.search("a red bus", limit=3)] == [h.photo_id for h in hits]
    # Chroma's own search over the server's HNSW index agrees with the exact index
    vec = lib.photo_vector(folder / photos[5].name)
    assert lib.store.query(vec, 1)[0][0] == lib.photo_ids([folder / photos[5].name])[0]
    lib.close()


def test_unreachable_server_is_a_clear_error(make_library, photoclip_home, tiny_model_spec,
                                             tmp_path: Path) -> None:
    from photoclip.core.vectors import VectorStoreError

    Settings(model=tiny_model_spec.key, device="cpu", precision="fp32",
             chroma_server=f"http://127.0.0.1:{_free_port()}").save(photoclip_home.settings_file)
    lib = make_library([])
    with pytest.raises(VectorStoreError, match="cannot open the vector store"):
        _ = lib.store
    lib.close()


def _server_library(make_library, photoclip_home, tiny_model_spec, tmp_path: Path,
                    datasets_dir: Path, url: str, n: int = 16):
    folder = tmp_path / "pics"
    folder.mkdir(exist_ok=True)
    for p in sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:n]:
        shutil.copy2(p, folder / p.name)
    Settings(folders=[str(folder.resolve())], model=tiny_model_spec.key, device="cpu",
             precision="fp32", batch_size=4, auto_tag=False, chroma_server=url).save(
        photoclip_home.settings_file)
    return make_library([folder])


def test_a_server_restart_mid_index_is_waited_for(
    server: ChromaServer, make_library, photoclip_home, tiny_model_spec, tmp_path: Path,
    datasets_dir: Path,
) -> None:
    """The server stops after the first batch and is back a few seconds later: the run
    retries, completes, and the catalog and the server agree."""
    import threading

    lib = _server_library(make_library, photoclip_home, tiny_model_spec, tmp_path,
                          datasets_dir, server.url)
    restarted: list[threading.Thread] = []

    def progress(p) -> None:
        if p.embedded >= 4 and not restarted:
            server.stop()  # mid-index: the next batch finds no server
            t = threading.Thread(target=lambda: (time.sleep(3), server.start()))
            t.start()
            restarted.append(t)

    report = lib.index_folders(progress=progress)
    restarted[0].join()
    assert report.embedded == 16
    assert lib.store.ids() == lib._catalog.embedded_ids(tiny_model_spec.key) == set(lib.index.ids())
    lib.close()


def test_a_server_gone_for_good_stops_cleanly(
    server: ChromaServer, make_library, photoclip_home, tiny_model_spec, tmp_path: Path,
    datasets_dir: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No server after the first batch: a clear error naming the URL and the setting, once
    the retry window is over; nothing recorded that the server does not have."""
    from photoclip.core.vectors import VectorStoreError

    monkeypatch.setenv("PHOTOCLIP_CHROMA_PATIENCE", "2")
    lib = _server_library(make_library, photoclip_home, tiny_model_spec, tmp_path,
                          datasets_dir, server.url)

    def progress(p) -> None:
        if p.embedded >= 4 and server.proc is not None:
            server.stop()

    with pytest.raises(VectorStoreError) as err:
        lib.index_folders(progress=progress)
    assert server.url in str(err.value) and "chroma_server" in str(err.value)
    embedded = lib._catalog.embedded_ids(tiny_model_spec.key)
    assert 4 <= len(embedded) < 16
    lib.close()
    server.start()
    lib = make_library([tmp_path / "pics"])
    assert lib.store.ids() == embedded  # the failed batch is in neither
    assert lib.index_folders().embedded == 16 - len(embedded)  # and is done at the next run
    assert lib.store.count() == 16
    lib.close()


def test_cli_with_the_server_down(
    server: ChromaServer, make_library, photoclip_home, tiny_model_spec, tmp_path: Path,
    datasets_dir: Path,
) -> None:
    """`index` and `watch` say in one line which server does not answer and exit non-zero;
    `status` names the server and whether it answers."""
    import os

    lib = _server_library(make_library, photoclip_home, tiny_model_spec, tmp_path,
                          datasets_dir, server.url, n=4)
    lib.close()
    env = {**os.environ, "PHOTOCLIP_HOME": str(photoclip_home.data.parent)}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "photoclip", *args], env=env,
                              capture_output=True, text=True, timeout=300)

    up = cli("status")
    assert f"Chroma server {server.url} (chroma_server): answers" in up.stdout, up.stderr
    server.stop()
    down = cli("status")
    assert down.returncode == 0 and "NOT ANSWERING" in down.stdout
    status = __import__("json").loads(cli("status", "--json").stdout)
    assert status["chroma_server"]["url"] == server.url and not status["chroma_server"]["answers"]
    for command in ("index", "watch"):
        out = cli(command)  # watch used to print a 118-line traceback and never exit
        assert out.returncode != 0
        lines = [ln for ln in out.stderr.splitlines() if ln.startswith("photoclip: ")]
        assert len(lines) == 1 and server.url in lines[0] and "chroma_server" in lines[0]
        assert "Traceback" not in out.stderr


def _json_values(text: str) -> list:
    """The JSON values printed one after another (``--json watch`` prints one per event)."""
    import json

    decoder, values, at = json.JSONDecoder(), [], 0
    while text[at:].strip():
        at += len(text[at:]) - len(text[at:].lstrip())
        value, at = decoder.raw_decode(text, at)
        values.append(value)
    return values


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_watch_stops_when_the_server_goes_away(
    server: ChromaServer, make_library, photoclip_home, tiny_model_spec, tmp_path: Path,
    datasets_dir: Path, as_json: bool,
) -> None:
    """`watch` running, then the server goes for good: after its retry window watch prints one
    line naming the server and exits 1 (it used to keep running, printing tracebacks); with
    --json that error is one JSON object on stdout like every other (it was a plain line on
    stderr, and --json watch never stopped)."""
    import os

    lib = _server_library(make_library, photoclip_home, tiny_model_spec, tmp_path,
                          datasets_dir, server.url, n=2)
    lib.close()
    env = {**os.environ, "PHOTOCLIP_HOME": str(photoclip_home.data.parent),
           "PHOTOCLIP_CHROMA_PATIENCE": "2",
           "PHOTOCLIP_POLL_SECONDS": "0.5"}  # (30 s by default: the new photo waited for it)
    import threading

    err_file = tmp_path / "watch.err"
    with err_file.open("w") as err_out:
        proc = subprocess.Popen([sys.executable, "-m", "photoclip", "watch", "--polling",
                                 "--quiet-seconds", "0.2", *(["--json"] if as_json else [])],
                                env=env, stdout=subprocess.PIPE, stderr=err_out, text=True)
    seen: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # the start-up check is done once it says what it watches
            seen.append(line)
            if line.startswith("watching ") or '"event": "reconciled"' in line:
                break
        server.stop()
        extra = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[5]
        shutil.copy2(extra, tmp_path / "pics" / "new.jpg")
        rest = threading.Thread(target=lambda: seen.append(proc.stdout.read()), daemon=True)
        rest.start()  # the same buffered reader as above: nothing read ahead is lost
        rest.join(240)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    out, err = "".join(seen), err_file.read_text()
    assert proc.returncode == 1, (out, err)
    assert "Traceback" not in err
    if as_json:
        values = _json_values(out)
        assert [v["event"] for v in values[:2]] == ["started", "reconciled"]
        error = values[-1]["error"]
        assert error["kind"] == "failed" and error["exit_code"] == 1
        assert server.url in error["message"] and "chroma_server" in error["message"]
        assert not [ln for ln in err.splitlines() if ln.startswith("photoclip: ")]
        return
    lines = [ln for ln in err.splitlines() if ln.startswith("photoclip: ")]
    assert len(lines) == 1 and server.url in lines[0] and "chroma_server" in lines[0]
