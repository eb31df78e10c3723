"""The precision shown is the one image batches run in: the ONNX tower's once it is chosen, also
after a load of the text tower alone, in later processes and across the model process's pipe
(issue 19: the app and `photoclip status` said "fp32" under ``auto`` with the int8 tower in use).
Tiny model, real photos, real ONNX export."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from photoclip.config import AppPaths, Settings
from photoclip.core import images, onnx_image, precision
from photoclip.core.embedder_process import EmbedderProcess
from photoclip.core.library import Library
from photoclip.core.models import Embedder, ModelSpec
from photoclip.core.onnx_image import CALIBRATION_MIN
from tests.conftest import copy_coco

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


@pytest.fixture(scope="module")
def pixels(datasets_dir: Path, tiny_embedder: Embedder) -> np.ndarray:
    """CALIBRATION_MIN real coco photos, preprocessed for the tiny model."""
    spec = tiny_embedder.preprocess_spec
    files = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:CALIBRATION_MIN]
    return np.stack([images.preprocess(images.load_image(f, min_side=spec.min_side)[0], spec)
                     for f in files])


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory, install_tiny_model) -> ModelSpec:
    return install_tiny_model(tmp_path_factory.mktemp("shown-models"))


def _embedder(spec: ModelSpec, models_dir: Path) -> Embedder:
    return Embedder(spec, models_dir=models_dir, device="cpu", precision="onnx-int8",
                    allow_download=False, torch_threads=1)


def test_a_text_only_load_still_shows_the_onnx_tower(spec, tmp_path, pixels):
    emb = _embedder(spec, tmp_path)
    emb.embed_images(pixels)  # the verdict and the cached file
    assert emb.precision == "onnx-int8"
    emb.close()
    again = _embedder(spec, tmp_path)
    again.embed_texts(["a photo of a dog"] * 20)  # more than the numpy text tower takes
    assert again.text_only  # torch's text tower only: images still go to the ONNX tower
    assert again.precision == "onnx-int8"
    again.close()


def test_the_model_process_tells_the_precision_its_images_ran_in(spec, tmp_path, pixels):
    local = _embedder(spec, tmp_path)
    local.load()
    local._onnx.cache_file().mkdir(parents=True)  # a folder where the file goes: export fails
    local.close()
    remote = EmbedderProcess(spec, models_dir=tmp_path, device="cpu", precision="onnx-int8",
                             allow_download=False, torch_threads=1, low_priority=False)
    try:
        assert remote.precision == "onnx-int8"  # the setting, until the first batch decides
        remote.embed_images(pixels)
        assert remote.precision == "fp32"  # the tower failed: torch fp32 embeds the images
    finally:
        remote.close()


def test_status_under_auto_shows_the_onnx_tower_after_a_text_only_load(
    photoclip_home: AppPaths, tiny_model_spec: ModelSpec, datasets_dir: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    """``auto`` on a CPU without native bf16 (this one may have it: its answer is set) where
    the int8 tower is faster (the speed test's threshold lifted: the tiny model's timing is not
    what is tested). A search in a process with torch loads only torch's text tower."""
    monkeypatch.setattr(precision, "cpu_has_fast_bf16", lambda: False)
    monkeypatch.setattr(onnx_image, "FASTER", float("inf"))
    folder = copy_coco(datasets_dir, tmp_path / "photos", CALIBRATION_MIN)
    Settings(folders=[str(folder)], model=tiny_model_spec.key, device="cpu",
             precision="auto").save(photoclip_home.settings_file)
    with Library(photoclip_home) as lib:
        assert lib.index_folders().embedded == CALIBRATION_MIN
        assert lib.runtime() == ("cpu", "onnx-int8")
    with Library(photoclip_home) as lib:
        assert lib.search("a dog", limit=3)
        assert lib.status().precision == "onnx-int8"
    with Library(photoclip_home) as lib:  # a later command that loads no model
        assert lib.runtime() == ("cpu", "onnx-int8")
