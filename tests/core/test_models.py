"""Models: catalogue, device/precision choice, weights download (fake hub), the Embedder.

Everything runs the real open_clip and torch code on a tiny random model; the hub is a local
fake server (``fake_hub.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from photoclip.config import AppPaths
from photoclip.core import model_catalogue
from photoclip.core.models import (
    CATALOGUE,
    DEFAULT_MODEL_KEY,
    Embedder,
    ModelSpec,
    ModelUnavailableError,
    available_models,
    choose_precision,
    cpu_has_fast_bf16,
    download_weights,
    get_model_spec,
    model_config,
    resolve_device,
    supported_precisions,
    weights_path,
)
from photoclip.core.torch_compat import import_open_clip
from tests.conftest import REPO_ROOT, TINY_HUB_FILE, TINY_HUB_REPO
from tests.core.fake_hub import FakeHub

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)


def _rand_pixels(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 3, 224, 224)).astype(np.float32)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pythonpath() -> list[str]:
    return [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----- catalogue -----------------------------------------------------------------------------


def test_catalogue_matches_installed_open_clip() -> None:
    oc = import_open_clip()
    assert DEFAULT_MODEL_KEY in CATALOGUE
    assert any(s.multilingual for s in CATALOGUE.values())
    for spec in CATALOGUE.values():
        assert model_catalogue.KEY_PATTERN.match(spec.key)
        if spec.provider != "open_clip":  # tests/core/test_chinese_clip.py
            continue
        assert spec.arch in oc.list_models(), spec.arch
        assert spec.pretrained in oc.list_pretrained_tags_by_model(spec.arch), spec.key
        hub = oc.get_pretrained_cfg(spec.arch, spec.pretrained)["hf_hub"]
        repo, filename = os.path.split(hub)
        assert repo == spec.hf_hub_id and filename in ("", spec.weights_filename), spec.key
        text_cfg = oc.get_model_config(spec.arch)["text_cfg"]
        assert spec.hf_text_model == text_cfg.get("hf_model_name"), spec.key
        assert spec.imagenet_top1 and spec.params_millions and spec.download_mb
        assert spec.weights_candidates()[0] == "open_clip_model.safetensors"


def test_preprocess_and_dim_known_without_weights(tmp_path: Path) -> None:
    emb = Embedder(CATALOGUE["vit-b-32"], models_dir=tmp_path, allow_download=False)
    pp = emb.preprocess_spec
    assert (pp.image_size, pp.mean, pp.interpolation, pp.resize_mode) == (
        (224, 224), OPENAI_MEAN, "bicubic", "shortest"
    )
    assert emb.dim == 512 and emb.device in ("cpu", "cuda")
    mobile = Embedder(CATALOGUE["mobileclip2-s0"], models_dir=tmp_path, allow_download=False)
    assert mobile.preprocess_spec.image_size == (256, 256)
    assert mobile.preprocess_spec.interpolation == "bilinear"
    assert mobile.preprocess_spec.mean == (0.0, 0.0, 0.0)
    assert emb.loads == mobile.loads == 0 and not emb.loaded
    assert weights_path(CATALOGUE["vit-b-32"], tmp_path) is None


def test_user_model_files(tmp_path: Path, tiny_clip_config: dict, caplog) -> None:
    models = tmp_path / "models"
    models.mkdir()
    good = {"key": "mine", "description": "d", "open_clip_config": tiny_clip_config,
            "weights": "w/tiny.safetensors", "preprocess": {"interpolation": "bilinear"}}
    (models / "good.json").write_text(json.dumps(good))
    (models / "builtin.json").write_text(json.dumps(
        {"key": "finetuned-b32", "arch": "ViT-B-32", "pretrained": "laion2b_s34b_b79k",
         "weights": "/nowhere/ft.pt"}))
    (models / "broken.json").write_text("{not json")
    (models / "taken.json").write_text(json.dumps({**good, "key": "vit-b-32"}))
    (models / "badkey.json").write_text(json.dumps({**good, "key": "Bad Key"}))
    (models / "noweights.json").write_text(json.dumps({**good, "key": "x", "weights": ""}))
    with caplog.at_level(logging.WARNING):
        found = available_models(models)
    assert set(found) == set(CATALOGUE) | {"mine", "finetuned-b32"}
    assert len([r for r in caplog.records if "Skipping user model" in r.message]) == 4
    mine = found["mine"]
    assert mine.local_weights == str((models / "w" / "tiny.safetensors").resolve())
    assert mine.arch == "photoclip-user-mine" and mine.hf_hub_id is None
    assert model_config(mine)["embed_dim"] == 64
    emb = Embedder(mine, models_dir=tmp_path)
    assert emb.dim == 64 and emb.preprocess_spec.interpolation == "bilinear"
    ft = Embedder(found["finetuned-b32"], models_dir=tmp_path)
    assert ft.dim == 512 and ft.preprocess_spec.mean == OPENAI_MEAN
    with pytest.raises(ModelUnavailableError) as err:
        emb.load()  # its weights file does not exist
    assert "does not exist" in err.value.message
    with pytest.raises(ModelUnavailableError) as err:
        get_model_spec("nope", models)
    assert "Unknown model 'nope'" in err.value.message and "vit-b-32, " in err.value.message
    assert get_model_spec("  MINE ", models) == mine


def test_user_model_config_leaves_no_temp_folder(tmp_path: Path, tiny_clip_config: dict,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A user model's config reaches open_clip without a folder left in the temp folder (every
    process left one behind: thousands accumulated)."""
    from photoclip.core import model_config as mc

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    models = tmp_path / "models"
    models.mkdir()
    (models / "leak.json").write_text(json.dumps({
        "key": "no-leak", "description": "d", "open_clip_config": tiny_clip_config,
        "weights": "w/tiny.safetensors"}))
    spec = available_models(models)["no-leak"]
    mc._register(spec)
    oc = import_open_clip()
    assert oc.get_model_config(spec.arch)["embed_dim"] == tiny_clip_config["embed_dim"]
    assert list(temp.iterdir()) == []
    oc.add_model_config(tmp_path / "nothing-here")  # a later rescan keeps the config
    assert oc.get_model_config(spec.arch)["embed_dim"] == tiny_clip_config["embed_dim"]


# ----- device and precision ------------------------------------------------------------------


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


def test_resolve_device(caplog) -> None:
    assert resolve_device("auto") == resolve_device() == ("cuda" if _has_cuda() else "cpu")
    assert resolve_device("cpu") == "cpu"
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device("gpu")
    if _has_cuda():
        return
    # A machine without CUDA (or MPS) falls back to the CPU with a logged warning.
    with caplog.at_level(logging.WARNING):
        assert resolve_device("cuda") == "cpu"
        assert resolve_device("cuda:1") == "cpu"
        assert resolve_device("mps") == "cpu"
    assert sum("not available" in r.message for r in caplog.records) == 3


def test_choose_precision(caplog) -> None:
    auto = choose_precision("cpu")
    assert auto == ("bf16" if cpu_has_fast_bf16() else "fp32")
    assert choose_precision("cuda") == "fp16" and choose_precision("mps") == "fp32"
    assert choose_precision("cpu", "fp32") == "fp32"
    assert choose_precision("cpu", "int8") == "int8"
    with caplog.at_level(logging.WARNING):
        assert choose_precision("cpu", "fp16") == auto  # slow/unsupported on a CPU
    assert "not supported" in caplog.text
    with pytest.raises(ValueError, match="unknown precision"):
        choose_precision("cpu", "fp8")
    assert set(supported_precisions("cpu")) >= {"fp32", "bf16"}


# ----- the embedder --------------------------------------------------------------------------


def test_embeddings_normalised_deterministic_and_batch_invariant(tiny_embedder: Embedder) -> None:
    px = _rand_pixels(5)
    before = tiny_embedder.image_batches
    batch = tiny_embedder.embed_images(px)
    assert batch.shape == (5, 64) and batch.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    again = tiny_embedder.embed_images(np.concatenate([px[:1], px[:1]]))
    assert np.array_equal(again[0], again[1])  # same image twice -> identical vectors
    singles = np.concatenate([tiny_embedder.embed_images(px[i : i + 1]) for i in range(5)])
    assert (np.sum(batch * singles, axis=1) > 0.999).all()
    assert tiny_embedder.image_batches - before == 7
    assert tiny_embedder.embed_images(np.zeros((0, 3, 224, 224), np.float32)).shape == (0, 64)
    with pytest.raises(ValueError, match="expected pixels of shape"):
        tiny_embedder.embed_images(np.zeros((1, 3, 256, 256), np.float32))

    texts = tiny_embedder.embed_texts(["a dog on a beach", "ein Hund", "a dog on a beach"])
    assert texts.shape == (3, 64) and texts.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(texts, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(texts[0], texts[2]) and not np.allclose(texts[0], texts[1])
    assert tiny_embedder.embed_texts([]).shape == (0, 64)


def test_concurrent_first_use_loads_once(tiny_model_spec: ModelSpec, photoclip_home) -> None:
    emb = Embedder(tiny_model_spec, models_dir=photoclip_home.models_dir, device="cpu",
                   precision="fp32", allow_download=False)
    barrier = threading.Barrier(4)
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            results.append(emb.embed_texts(["a red bicycle", "a cat"]))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(results) == 4
    assert emb.loads == 1 and emb.texts_embedded == 8
    assert all(np.array_equal(results[0], r) for r in results)
    emb.close()
    assert not emb.loaded
    emb.embed_texts(["again"])  # a closed embedder loads again on demand
    assert emb.loads == 2

    def embed_while_closing() -> None:  # close() racing model calls never breaks a call
        try:
            for _ in range(15):
                emb.embed_texts(["race"])
        except BaseException as exc:
            errors.append(exc)

    racers = [threading.Thread(target=embed_while_closing) for _ in range(2)]
    for t in racers:
        t.start()
    for _ in range(5):
        time.sleep(0.05)
        emb.close()
    for t in racers:
        t.join()
    assert not errors and emb.texts_embedded == 8 + 1 + 30
    emb.close()


def test_random_init_model_warns(photoclip_home: AppPaths, install_tiny_model, caplog) -> None:
    spec = install_tiny_model(photoclip_home.config / "models", key="tiny-random",
                              weights="random")
    assert spec.random_init and weights_path(spec, photoclip_home.models_dir) is None
    emb = Embedder(spec, models_dir=photoclip_home.models_dir, device="cpu", precision="fp32")
    with caplog.at_level(logging.WARNING):
        first = emb.embed_texts(["x"])
    assert first.shape == (1, 64) and "RANDOM weights" in caplog.text
    emb.close()
    assert np.array_equal(emb.embed_texts(["x"]), first)  # seeded by the key: reproducible
    emb.close()


def test_wrong_or_missing_weights_and_missing_packages(
    photoclip_home: AppPaths, install_tiny_model, tmp_path: Path
) -> None:
    models = photoclip_home.config / "models"
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"this is not a weights file")
    spec = install_tiny_model(models, key="tiny-junk", weights=junk)
    with pytest.raises(ModelUnavailableError) as err:
        Embedder(spec, models_dir=photoclip_home.models_dir).embed_texts(["x"])
    assert "cannot use the weights" in err.value.message

    needy = install_tiny_model(models, key="tiny-needy", requires=["surely_not_a_package_x"])
    with pytest.raises(ModelUnavailableError) as err:
        Embedder(needy, models_dir=photoclip_home.models_dir).load()
    assert "pip install surely_not_a_package_x" in err.value.message

    hub_spec = install_tiny_model(models, key="tiny-offline",
                                  weights=f"hf-hub:{TINY_HUB_REPO}/{TINY_HUB_FILE}")
    with pytest.raises(ModelUnavailableError) as err:
        Embedder(hub_spec, models_dir=photoclip_home.models_dir, allow_download=False).load()
    assert "photoclip models download tiny-offline" in err.value.message
    missing = Embedder(hub_spec, models_dir=photoclip_home.models_dir,
                       weights_file=tmp_path / "gone.safetensors")
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        missing.load()


# ----- weights from the (fake) hub -----------------------------------------------------------


def test_download_then_load_from_models_dir(
    fake_hub: FakeHub, tiny_hub_spec: ModelSpec, tiny_weights_file: Path,
    photoclip_home: AppPaths, tiny_embedder: Embedder,
) -> None:
    models_dir = photoclip_home.models_dir
    assert weights_path(tiny_hub_spec, models_dir) is None
    calls: list[tuple[int, int]] = []
    path = download_weights(tiny_hub_spec, models_dir, lambda d, t: calls.append((d, t)))
    size = tiny_weights_file.stat().st_size
    assert path == models_dir / "tiny-hub" / TINY_HUB_FILE
    assert _sha(path) == _sha(tiny_weights_file)
    assert weights_path(tiny_hub_spec, models_dir) == path
    assert calls and calls[-1] == (size, size) and all(t == size for _, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert len(fake_hub.gets()) == 1

    assert download_weights(tiny_hub_spec, models_dir) == path  # installed: no network
    assert len(fake_hub.gets()) == 1
    emb = Embedder(tiny_hub_spec, models_dir=models_dir, device="cpu", precision="fp32",
                   allow_download=False)
    px = _rand_pixels(2, seed=3)
    assert emb.weights_used is None
    np.testing.assert_allclose(emb.embed_images(px), tiny_embedder.embed_images(px), atol=1e-6)
    assert emb.weights_used == path
    emb.close()


def test_embedder_downloads_on_first_use_with_progress(
    fake_hub: FakeHub, tiny_hub_spec: ModelSpec, photoclip_home: AppPaths
) -> None:
    seen: list[tuple[int, int]] = []
    emb = Embedder(tiny_hub_spec, models_dir=photoclip_home.models_dir, device="cpu",
                   precision="fp32", progress=lambda d, t: seen.append((d, t)))
    assert emb.embed_texts(["a lighthouse"]).shape == (1, 64)
    assert seen and seen[-1][0] == seen[-1][1] > 0
    emb.close()


def test_pickle_weights_are_the_fallback(
    fake_hub: FakeHub, tiny_hub_spec: ModelSpec, tiny_weights_file: Path,
    photoclip_home: AppPaths, tmp_path: Path,
) -> None:
    import torch
    from safetensors.torch import load_file

    pt = tmp_path / "open_clip_pytorch_model.bin"
    torch.save(load_file(str(tiny_weights_file)), pt)
    fake_hub.repos[TINY_HUB_REPO] = {pt.name: pt}
    path = download_weights(tiny_hub_spec, photoclip_home.models_dir)
    assert path.name == pt.name
    emb = Embedder(tiny_hub_spec, models_dir=photoclip_home.models_dir, allow_download=False)
    assert emb.embed_texts(["x"]).shape == (1, 64)
    emb.close()


def test_unreachable_hub_gives_a_clear_message(
    tiny_hub_spec: ModelSpec, photoclip_home: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    start = time.monotonic()
    with pytest.raises(ModelUnavailableError) as err:
        download_weights(tiny_hub_spec, photoclip_home.models_dir)
    assert time.monotonic() - start < 15  # one quick probe, not huggingface_hub's retry ladder
    msg = err.value.message
    assert msg.startswith("Model 'tiny-hub' is not downloaded and the Hugging Face hub cannot")
    assert "photoclip models use tiny-hub --weights /path/to/file" in msg
    assert f"/{TINY_HUB_REPO}/resolve/main/{TINY_HUB_FILE}" in msg
    assert "Traceback" not in msg and "\n" not in msg
    emb = Embedder(tiny_hub_spec, models_dir=photoclip_home.models_dir)
    with pytest.raises(ModelUnavailableError, match="cannot be reached"):
        emb.embed_texts(["x"])
    assert not list(photoclip_home.models_dir.rglob("*.safetensors"))


def test_explicit_weights_file_needs_no_network(
    fake_hub: FakeHub, tiny_hub_spec: ModelSpec, tiny_weights_file: Path,
    photoclip_home: AppPaths,
) -> None:
    emb = Embedder(tiny_hub_spec, models_dir=photoclip_home.models_dir, device="cpu",
                   weights_file=tiny_weights_file)
    assert emb.embed_texts(["offline"]).shape == (1, 64)
    assert fake_hub.requests == [] and emb.weights_used == tiny_weights_file
    emb.close()


def test_missing_repo_or_file_is_reported(
    fake_hub: FakeHub, tiny_hub_spec: ModelSpec, photoclip_home: AppPaths
) -> None:
    fake_hub.repos[TINY_HUB_REPO] = {"README.md": b"hi"}
    with pytest.raises(ModelUnavailableError, match="has none of"):
        download_weights(tiny_hub_spec, photoclip_home.models_dir)
    other = replace(tiny_hub_spec, hf_hub_id="photoclip-test/missing")
    with pytest.raises(ModelUnavailableError, match="is not on the hub"):
        download_weights(other, photoclip_home.models_dir)


class _NoSleep:
    """huggingface_hub's view of ``time`` with its retry pauses removed (keeps the test fast)."""

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)

    @staticmethod
    def sleep(_seconds: float) -> None:
        return None


def test_dropped_connection_leaves_nothing_then_retry_succeeds(
    fake_hub: FakeHub, tiny_hub_spec: ModelSpec, tiny_weights_file: Path,
    photoclip_home: AppPaths, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from huggingface_hub import file_download

    monkeypatch.setattr(file_download, "time", _NoSleep())
    size = tiny_weights_file.stat().st_size
    models_dir = photoclip_home.models_dir
    # Drop once past huggingface_hub's first 10 MiB chunk: it resumes with a Range request.
    assert size > 11 * 2**20
    fake_hub.drop_after, fake_hub.drop_times = size - 2**20, 1
    calls: list[tuple[int, int]] = []
    path = download_weights(tiny_hub_spec, models_dir, lambda d, t: calls.append((d, t)))
    assert _sha(path) == _sha(tiny_weights_file)
    assert any(r.range for r in fake_hub.gets()) and calls[-1] == (size, size)
    assert all(d <= t for d, t in calls)
    path.unlink()

    # Drop every time: the download fails, and nothing that looks installed is left behind.
    fake_hub.drop_after, fake_hub.drop_times = 0, 100
    with pytest.raises(ModelUnavailableError) as err:
        download_weights(tiny_hub_spec, models_dir)
    assert err.value.message.startswith("Downloading model 'tiny-hub' failed")
    assert weights_path(tiny_hub_spec, models_dir) is None and not path.exists()
    assert not list((models_dir / "tiny-hub").rglob("*.incomplete"))

    fake_hub.drop_times = 0
    assert _sha(download_weights(tiny_hub_spec, models_dir)) == _sha(tiny_weights_file)


def test_killed_download_leaves_no_complete_looking_file(
    fake_hub: FakeHub, tiny_hub_spec: ModelSpec, tiny_weights_file: Path,
    photoclip_home: AppPaths,
) -> None:
    models_dir = photoclip_home.models_dir
    fake_hub.chunk_delay = 0.01  # ~2 s for the whole file: time to kill it midway
    code = (
        "import sys; from pathlib import Path\n"
        "from photoclip.core.models import get_model_spec, download_weights\n"
        "spec = get_model_spec('tiny-hub', Path(sys.argv[1]))\n"
        "download_weights(spec, Path(sys.argv[2]))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), *_pythonpath()])}
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(photoclip_home.config / "models"), str(models_dir)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while fake_hub.bytes_sent < 1_000_000 and time.monotonic() < deadline:
            assert proc.poll() is None, "the download finished or died before it could be killed"
            time.sleep(0.02)
        assert fake_hub.bytes_sent >= 1_000_000
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert weights_path(tiny_hub_spec, models_dir) is None
    assert not (models_dir / "tiny-hub" / TINY_HUB_FILE).exists()
    partial = list((models_dir / "tiny-hub").rglob("*.incomplete"))
    assert partial and all(p.stat().st_size < tiny_weights_file.stat().st_size for p in partial)

    fake_hub.chunk_delay = 0.0
    path = download_weights(tiny_hub_spec, models_dir)
    assert _sha(path) == _sha(tiny_weights_file)


# ----- precision on real photos --------------------------------------------------------------


@pytest.fixture(scope="module")
def photo_pixels(datasets_dir: Path, tiny_embedder: Embedder) -> np.ndarray:
    """The camera photos and coco-mini, preprocessed with open_clip's own eval transform."""
    import torch
    from open_clip.transform import PreprocessCfg, image_transform_v2
    from PIL import Image

    pp = tiny_embedder.preprocess_spec
    transform = image_transform_v2(
        PreprocessCfg(size=pp.image_size, mean=pp.mean, std=pp.std,
                      interpolation=pp.interpolation, resize_mode=pp.resize_mode),
        is_train=False,
    )
    files = sorted((datasets_dir / "camera-photos" / "images").glob("*.JPG"))
    files += sorted((datasets_dir / "coco-mini").glob("*2017/*.jpg"))
    assert len(files) > 200
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensor ops: extra threads only contend (5x slower here)
    try:
        out = []
        for f in files:
            with Image.open(f) as im:
                im.draft("RGB", (pp.min_side, pp.min_side))
                out.append(transform(im.convert("RGB")).numpy())
    finally:
        torch.set_num_threads(threads)
    return np.stack(out)


def _top_k(vectors: np.ndarray, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    sims = vectors @ vectors.T
    np.fill_diagonal(sims, -np.inf)
    return sims, np.argsort(-sims, axis=1, kind="stable")[:, :k]


def test_precisions_keep_embeddings_and_neighbours(
    photo_pixels: np.ndarray, tiny_model_spec: ModelSpec, photoclip_home: AppPaths
) -> None:
    """Each CPU precision stays within cosine 0.99 of fp32, and every photo's top-10 neighbours
    are the same except where two candidates' fp32 similarities differ by less than that
    precision's own similarity error (a random model packs photos tightly: mean pairwise cosine
    is ~0.9, so exact near-ties are common and reorder under any rounding)."""
    embed, text = {}, {}
    queries = ["a castle on a hill", "two dogs playing in the snow", "a bowl of fruit", "ein Auto"]
    for precision in supported_precisions("cpu"):
        emb = Embedder(tiny_model_spec, models_dir=photoclip_home.models_dir, device="cpu",
                       precision=precision)
        embed[precision] = np.concatenate(
            [emb.embed_images(photo_pixels[i : i + 32]) for i in range(0, len(photo_pixels), 32)]
        )
        text[precision] = emb.embed_texts(queries)
        # an ONNX image tower is kept only if its calibration batch passes (else torch fp32)
        assert emb.precision == precision or (
            precision.startswith("onnx-") and emb.precision == "fp32"), precision
        emb.close()
        assert (np.sum(text[precision] * text["fp32"], axis=1) > 0.99).all(), precision
    ref_sims, ref_top = _top_k(embed["fp32"])
    passing = {"fp32"}
    report = {}
    for precision, vecs in embed.items():
        if precision == "fp32":
            continue
        cos = np.sum(vecs * embed["fp32"], axis=1)
        sims, top = _top_k(vecs)
        off = ~np.eye(len(vecs), dtype=bool)
        tolerance = 2 * float(np.abs(sims[off] - ref_sims[off]).max())
        unexplained = 0
        for i in range(len(vecs)):
            boundary = ref_sims[i, ref_top[i, -1]]
            changed = set(ref_top[i]) ^ set(top[i])
            unexplained += sum(abs(ref_sims[i, j] - boundary) > tolerance for j in changed)
        exact = float(np.mean([set(a) == set(b) for a, b in zip(ref_top, top)]))
        report[precision] = (float(cos.min()), exact, tolerance, unexplained)
        if cos.min() >= 0.99 and unexplained == 0:
            passing.add(precision)
    print("precision: (min cosine, share of identical top-10 sets, tolerance, unexplained)",
          report)
    assert passing == set(embed), report
    assert choose_precision("cpu") in passing


def test_models_module_imports_lazily() -> None:
    code = (
        "import sys, photoclip.core.models, photoclip.core.weights, "
        "photoclip.core.model_catalogue\n"
        "heavy = [m for m in ('torch', 'open_clip', 'huggingface_hub') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), *_pythonpath()])}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, timeout=60).stdout.strip()
    assert out == "", f"importing photoclip.core.models imported {out}"


def test_weights_file_of_another_architecture_is_refused(
    tiny_hub_spec: ModelSpec, tiny_weights_file: Path, photoclip_home: AppPaths, tmp_path: Path
) -> None:
    """`models use vit-b-32 --weights tiny.safetensors` was accepted (and failed only at the
    first search): the file's tensors are checked against the model (built on the meta
    device, no weights) first, and the error names the file and what it looks like."""
    import torch
    from safetensors.torch import load_file

    from photoclip.config import Settings
    from photoclip.core.library import Library
    from photoclip.core.weights_check import WeightsMismatchError, check_weights_file

    Settings(model=tiny_hub_spec.key, device="cpu", precision="fp32").save(
        photoclip_home.settings_file)
    as_pt = tmp_path / "tiny.pt"  # a plain torch checkpoint, as some downloads are
    torch.save({"state_dict": load_file(str(tiny_weights_file))}, as_pt)
    lib = Library(photoclip_home)
    try:
        for wrong in (tiny_weights_file, as_pt):
            with pytest.raises(WeightsMismatchError) as err:
                lib.use_model("vit-b-32", str(wrong))
            message = err.value.message
            assert str(wrong) in message and "does not fit model 'vit-b-32'" in message
            assert "embedding size 64" in message and "'tiny-hub'" in message, message
            assert lib.settings.model == tiny_hub_spec.key  # nothing was changed
        assert lib.use_model(tiny_hub_spec.key, str(as_pt)).key == tiny_hub_spec.key
        assert lib.settings.weights_file == str(as_pt)
    finally:
        lib.close()
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"not weights")
    with pytest.raises(WeightsMismatchError, match="cannot be read as model weights"):
        check_weights_file(tiny_hub_spec, junk)
