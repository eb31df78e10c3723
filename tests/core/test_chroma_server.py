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


@pytest.fixture()
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """``chroma run`` on a free port; yields its URL and stops it afterwards."""
    exe = Path(sys.executable).with_name("chroma")
    if not exe.exists():
        exe = Path(shutil.which("chroma") or "chroma")
    port = _free_port()
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [str(exe), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1",
         "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(f"chroma server did not start: "
                                f"{(tmp_path / 'chroma.log').read_text()[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


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
