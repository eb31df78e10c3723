"""The embedder in a child process (the desktop app's): same vectors as in-process, errors keep
their type, a dead child is replaced, and the calling process never imports torch."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photoclip.core.embedder_process import EmbedderProcess, EmbedderProcessError
from photoclip.core.images import load_image, preprocess
from photoclip.core.library import Library
from photoclip.core.models import Embedder, ModelUnavailableError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def pixels(tiny_embedder: Embedder, datasets_dir: Path) -> np.ndarray:
    photos = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:3]
    spec = tiny_embedder.preprocess_spec
    return np.stack([preprocess(load_image(p, min_side=spec.min_side)[0], spec) for p in photos])


@pytest.fixture()
def remote(tiny_embedder: Embedder):
    emb = EmbedderProcess(
        tiny_embedder.spec, models_dir=tiny_embedder.models_dir, device="cpu", precision="fp32",
        allow_download=False,
    )
    yield emb
    emb.close()


def test_same_vectors_as_in_process(
    remote: EmbedderProcess, tiny_embedder: Embedder, pixels: np.ndarray
) -> None:
    assert remote.dim == tiny_embedder.dim
    assert remote.preprocess_spec == tiny_embedder.preprocess_spec
    assert (remote.device, remote.precision) == ("cpu", "fp32")
    here = tiny_embedder.embed_images(pixels)
    there = remote.embed_images(pixels)
    assert there.shape == here.shape and np.allclose(there, here, atol=1e-5)
    texts = ["a dog on the beach", "ein Hund"]
    assert np.allclose(remote.embed_texts(texts), tiny_embedder.embed_texts(texts), atol=1e-5)
    bigger = np.concatenate([pixels] * 5)  # a larger batch gets a larger shared buffer
    assert np.allclose(remote.embed_images(bigger)[:3], here, atol=1e-5)
    assert remote.images_embedded == 3 + 15 and remote.texts_embedded == 2
    if hasattr(os, "getpriority"):  # the model yields to the desktop and the window
        expected = min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)
        assert os.getpriority(os.PRIO_PROCESS, remote.pid) == expected


def test_errors_keep_their_type_and_message(tiny_embedder: Embedder, tmp_path: Path) -> None:
    emb = EmbedderProcess(
        tiny_embedder.spec, models_dir=tmp_path, weights_file=tmp_path / "missing.safetensors",
        device="cpu", precision="fp32", allow_download=False,
    )
    try:
        with pytest.raises(ModelUnavailableError, match="does not exist"):
            emb.embed_texts(["a dog"])
    finally:
        emb.close()


def test_a_killed_child_is_reported_then_replaced(
    remote: EmbedderProcess, pixels: np.ndarray
) -> None:
    first = remote.embed_images(pixels)
    pid = remote.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(EmbedderProcessError, match="stopped unexpectedly"):
        remote.embed_images(pixels)
    again = remote.embed_images(pixels)  # a new child
    assert remote.pid not in (None, pid)
    assert np.allclose(again, first, atol=1e-5)


def test_the_caller_never_imports_torch(tiny_embedder: Embedder, tmp_path: Path) -> None:
    script = tmp_path / "probe.py"
    script.write_text(
        "import sys, json\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from pathlib import Path\n"
        "from photoclip.core.embedder_process import EmbedderProcess\n"
        "from photoclip.core.models import get_model_spec\n"
        f"spec = get_model_spec({tiny_embedder.spec.key!r}, "
        f"Path({str(Path(tiny_embedder.models_dir).parent.parent / 'config' / 'models')!r}))\n"
        # no `if __name__ == "__main__"` guard: the child must not run this script again
        f"emb = EmbedderProcess(spec, models_dir=Path({str(tiny_embedder.models_dir)!r}), "
        "device='cpu', precision='fp32', allow_download=False)\n"
        "vec = emb.embed_texts(['a dog'])\n"
        "emb.close()\n"
        "print(json.dumps({'dim': int(vec.shape[1]), 'torch': 'torch' in sys.modules,\n"
        "                  'open_clip': 'open_clip' in sys.modules}))\n"
    )
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert facts == {"dim": tiny_embedder.dim, "torch": False, "open_clip": False}


def test_a_library_indexes_and_searches_with_the_model_in_a_child(
    photoclip_home, tiny_model_spec, datasets_dir: Path, tmp_path: Path
) -> None:
    from photoclip.config import Settings

    folder = tmp_path / "Pictures"
    folder.mkdir()
    for src in sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:6]:
        shutil.copy2(src, folder / src.name)
    Settings(folders=[str(folder)], model=tiny_model_spec.key, device="cpu", precision="fp32",
             batch_size=4).save(photoclip_home.settings_file)
    with Library(photoclip_home, model_process=True) as lib:
        report = lib.index_folders()
        assert report.embedded == 6 and isinstance(lib.embedder, EmbedderProcess)
        photo = sorted(folder.glob("*.jpg"))[2]
        hits = lib.similar(photo, limit=3)
        assert Path(hits[0].path) == photo and hits[0].score > 0.999
        assert [h.score for h in lib.search("a photo", limit=6)] == sorted(
            (h.score for h in lib.search("a photo", limit=6)), reverse=True)
        pid = lib.embedder.pid
    assert pid is not None
    with pytest.raises(ProcessLookupError):  # closing the library stopped the child
        for _ in range(50):
            os.kill(pid, 0)
            import time

            time.sleep(0.1)


def test_shape_is_remembered_so_opening_waits_for_no_child(
    remote: EmbedderProcess, tiny_embedder: Embedder
) -> None:
    assert remote.dim == tiny_embedder.dim  # the first start remembers dim and preprocessing
    again = EmbedderProcess(
        tiny_embedder.spec, models_dir=tiny_embedder.models_dir, device="cpu", precision="fp32",
        allow_download=False,
    )
    try:
        assert again.dim == tiny_embedder.dim
        assert again.preprocess_spec == tiny_embedder.preprocess_spec
        assert again.pid is None  # no child was started for these facts
    finally:
        again.close()


def _thread_niceness(pid: int) -> list[int]:
    """The niceness of every thread of process ``pid`` (Linux: /proc/PID/task/TID/stat)."""
    out = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        fields = stat.read_text().rsplit(")", 1)[1].split()
        out.append(int(fields[16]))  # field 19 of stat; fields[0] is field 3
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_child_is_app_niceness_plus_10_when_started_from_a_niced_thread(
    remote: EmbedderProcess,
) -> None:
    import threading

    base = os.getpriority(os.PRIO_PROCESS, os.getpid())
    if base + 10 > 19:
        pytest.skip(f"this test process already runs at nice {base}")
    seen: dict[str, int] = {}

    def indexer_thread() -> None:  # the indexer thread lowers its own priority, then starts it
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), base + 10)
        remote.embed_texts(["a dog"])
        seen["pid"] = remote.pid

    t = threading.Thread(target=indexer_thread)
    t.start()
    t.join(120)
    assert os.getpriority(os.PRIO_PROCESS, seen["pid"]) == base + 10  # not +20 (19)
    # the bulk lane's threads at +10; the interactive lane's goes back to the app's where this
    # user may lower a niceness (root), else it stays at +10: never below the app's
    assert base + 10 in _thread_niceness(seen["pid"])
    assert min(_thread_niceness(seen["pid"])) >= base
    assert os.getpriority(os.PRIO_PROCESS, os.getpid()) == base  # the app itself unchanged


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice is Linux's")
def test_a_query_runs_at_the_apps_priority_and_batches_below_it(
    remote: EmbedderProcess, pixels: np.ndarray
) -> None:
    """Started from the app's own priority (start_soon, as the app does from its interactive
    lane): the interactive lane (a query, and torch's threads it starts) keeps the app's
    niceness, the bulk lane (image batches) runs at +10."""
    import threading

    base = os.getpriority(os.PRIO_PROCESS, os.getpid())
    if base + 10 > 19:
        pytest.skip(f"this test process already runs at nice {base}")
    remote.start_soon()
    seen: dict[str, int] = {}

    def indexer_thread() -> None:  # lowered, as the indexing service's thread is
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), base + 10)
        remote.embed_images(pixels)  # waits for the start begun above, never starts its own
        seen["pid"] = remote.pid

    t = threading.Thread(target=indexer_thread)
    t.start()
    t.join(120)
    remote.embed_texts(["a dog on a beach"])
    assert remote.pid == seen["pid"]
    assert os.getpriority(os.PRIO_PROCESS, remote.pid) == base + 10  # its main thread: bulk
    assert set(_thread_niceness(remote.pid)) == {base, base + 10}


def test_a_text_query_overtakes_a_running_image_batch(
    photoclip_home, tiny_clip_config: dict
) -> None:
    import threading

    from photoclip.core.models import get_model_spec
    from tests.conftest import write_tiny_model_file

    heavy = {**tiny_clip_config, "vision_cfg": {
        "image_size": 224, "layers": 8, "width": 384, "head_width": 64, "patch_size": 16}}
    models = photoclip_home.config / "models"
    write_tiny_model_file(models, heavy, "random", key="heavy-vision")
    emb = EmbedderProcess(get_model_spec("heavy-vision", models),
                          models_dir=photoclip_home.models_dir, device="cpu", precision="fp32")
    try:
        emb.load()
        emb.embed_texts(["warm up"])
        pixels = np.random.default_rng(0).normal(size=(48, 3, 224, 224)).astype(np.float32)
        finished: list[str] = []

        def batch() -> None:
            emb.embed_images(pixels)
            finished.append("batch")

        worker = threading.Thread(target=batch)
        worker.start()
        while not emb._lane_locks["bulk"].locked():  # the batch is on its way
            pass
        for i in range(3):
            vec = emb.embed_texts([f"query {i}"])
            assert vec.shape == (1, 64)
            finished.append(f"query {i}")
        worker.join(300)
        assert finished == ["query 0", "query 1", "query 2", "batch"]
        one = emb.embed_images(pixels[:1])  # one image ("more like this") is interactive too
        np.testing.assert_allclose(one, emb.embed_images(pixels[:2])[:1], atol=1e-5)
    finally:
        emb.close()
