"""The ONNX Runtime image tower: exported from the loaded weights on the first batch, cached,
checked against torch fp32, and torch whenever anything about it fails (tiny model, real photos)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from photoclip.core import images
from photoclip.core.models import Embedder, ModelSpec
from photoclip.core.onnx_image import CALIBRATION_MIN, TIE, judge
from photoclip.core.precision import choose_precision, onnx_plan, torch_precision

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
def reference(pixels: np.ndarray, tiny_embedder: Embedder) -> np.ndarray:
    return tiny_embedder.embed_images(pixels)


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory, install_tiny_model) -> ModelSpec:
    return install_tiny_model(tmp_path_factory.mktemp("onnx-models"))


def _embedder(spec: ModelSpec, models_dir: Path, precision: str = "onnx-int8") -> Embedder:
    return Embedder(spec, models_dir=models_dir, device="cpu", precision=precision,
                    allow_download=False, torch_threads=1)


def test_export_then_cache_hit(spec, tmp_path, pixels, reference, caplog):
    emb = _embedder(spec, tmp_path)
    assert emb.embed_images(pixels[:2]).shape == (2, 64)  # too few to calibrate: torch
    assert emb._onnx.state == "undecided"
    first = emb.embed_images(pixels)  # the calibration batch: torch's vectors, then the verdict
    np.testing.assert_allclose(first, reference, atol=1e-5)
    tower = emb._onnx
    assert tower.source == "export" and tower.state == "onnx" and emb.precision == "onnx-int8"
    cached = tower.cache_file()
    assert cached.is_file() and cached.parent == tmp_path / ".onnx"
    assert not [p for p in cached.parent.iterdir() if p.suffix == ".tmp"]
    stamp = cached.stat().st_mtime_ns
    onnx_vecs = emb.embed_images(pixels)
    assert emb._model.visual is None  # torch's image tower is freed once ONNX is used
    assert emb._onnx.verdict["min_cosine"] >= 0.99
    assert np.min(np.sum(onnx_vecs * reference, axis=1)) >= 0.99
    emb.close()

    again = _embedder(spec, tmp_path)  # a later run: the remembered verdict, the cached file
    with caplog.at_level(logging.INFO, logger="photoclip.core.onnx_image"):
        one = again.embed_images(pixels[:1])  # used at once, even for one photo
    assert again._onnx.source == "cache" and again._onnx.state == "onnx"
    assert again._model is None and again.loads == 0  # no torch model at all
    assert again.embed_texts(["a"] * 20).shape == (20, 64)  # a text batch loads torch's tower
    assert again._model.visual is None  # ... only its text tower
    np.testing.assert_allclose(again.embed_images(pixels[:1]), one, atol=1e-6)
    assert "Exported" not in caplog.text
    assert cached.stat().st_mtime_ns == stamp
    np.testing.assert_allclose(one, onnx_vecs[:1], atol=1e-5)
    assert again.precision == "onnx-int8"
    again.close()


def test_damaged_cache_file_is_exported_again(spec, tmp_path, pixels, caplog):
    emb = _embedder(spec, tmp_path, "onnx-fp32")
    emb.embed_images(pixels)
    cached = emb._onnx.cache_file()
    emb.close()
    cached.write_bytes(b"not an onnx file")
    again = _embedder(spec, tmp_path, "onnx-fp32")
    with caplog.at_level(logging.WARNING):
        again.embed_images(pixels)
    assert "cannot be opened" in caplog.text
    assert again._onnx.state == "onnx" and again._onnx.source == "export"
    assert cached.stat().st_size > 1000
    again.close()


def test_export_failure_falls_back_to_torch(spec, tmp_path, pixels, reference, caplog):
    emb = _embedder(spec, tmp_path)
    emb.load()
    emb._onnx.cache_file().mkdir(parents=True)  # a folder where the file must go: export fails
    with caplog.at_level(logging.WARNING):
        out = emb.embed_images(pixels)
        later = emb.embed_images(pixels)
    assert "stays in torch" in caplog.text
    np.testing.assert_allclose(out, reference, atol=1e-5)
    np.testing.assert_allclose(later, reference, atol=1e-5)
    assert emb._onnx.state == "torch" and emb.precision == "fp32"
    emb.close()


def test_judge_accuracy_and_speed():
    rng = np.random.default_rng(0)
    ref = rng.normal(size=(20, 16)).astype(np.float32)
    ref /= np.linalg.norm(ref, axis=1, keepdims=True)
    assert judge(ref, ref, torch_s=1.0, onnx_s=0.5, timed=True).use_onnx
    assert not judge(ref, ref, torch_s=1.0, onnx_s=0.95, timed=True).use_onnx  # not faster
    assert judge(ref, ref, torch_s=1.0, onnx_s=2.0, timed=False).use_onnx  # explicit: no timing
    far = ref + rng.normal(scale=0.3, size=ref.shape).astype(np.float32)
    far /= np.linalg.norm(far, axis=1, keepdims=True)
    verdict = judge(ref, far, torch_s=1.0, onnx_s=0.1, timed=False)
    assert not verdict.use_onnx and verdict["min_cosine"] < 0.99


def _star(eleventh: float) -> np.ndarray:
    """Photo 0 = e0; photo i = a_i e0 + sqrt(1 - a_i^2) e_i with a_i = 1 - i/100 (so photo 0's
    10th neighbour is photo 10 at 0.90), except photo 11 at ``eleventh``."""
    a = 1 - np.arange(20) / 100
    a[11] = eleventh
    vecs = np.sqrt(1 - a[:, None] ** 2) * np.eye(20) + a[:, None] * np.eye(20)[0]
    vecs[0] = np.eye(20)[0]
    return vecs.astype(np.float32)


@pytest.mark.parametrize(("eleventh", "changed"), [(0.89, 1), (0.90 - TIE / 2, 0)])
def test_judge_neighbours(eleventh, changed):
    """Photo 0 moved a little towards photo 11 (cosine 0.995): photo 11 enters its top 10 and
    photo 10 leaves. A change when fp32 had them 0.01 apart; a tie when within TIE."""
    ref = _star(eleventh)
    moved = ref.copy()
    moved[0] = ref[0] + 0.1 * np.eye(20, dtype=np.float32)[11]
    moved[0] /= np.linalg.norm(moved[0])
    verdict = judge(ref, moved, torch_s=1.0, onnx_s=0.1, timed=True)
    assert verdict["min_cosine"] >= 0.99
    assert verdict["changed_neighbours"] == changed
    assert verdict.use_onnx == (changed == 0)


def test_precision_rule():
    assert choose_precision("cpu", "onnx-int8") == "onnx-int8"
    assert torch_precision("onnx-int8") == "fp32" and torch_precision("bf16") == "bf16"
    assert onnx_plan("cpu", "onnx-fp32", "onnx-fp32") == ("onnx-fp32", False)
    assert onnx_plan("cpu", "auto", "fp32") == ("onnx-int8", True)  # no bf16: try, timed
    assert onnx_plan("cpu", "auto", "bf16") is None  # native bf16: torch bf16
    assert onnx_plan("cpu", "fp32", "fp32") is None  # fp32 asked for: torch fp32
    assert onnx_plan("cuda", "auto", "fp16") is None
    with pytest.raises(ValueError, match="onnx-int8"):
        choose_precision("cpu", "onnx-int4")


def test_an_index_run_with_the_cached_tower_imports_no_torch(spec, tmp_path, pixels):
    """With the verdict and the file remembered, image batches never import torch."""
    import os
    import pickle
    import subprocess
    import sys

    emb = _embedder(spec, tmp_path)
    emb.embed_images(pixels)  # the verdict and the file
    emb.close()
    np.save(tmp_path / "pixels.npy", pixels)
    code = (
        "import pickle, sys, numpy as np\n"
        "from photoclip.core.models import Embedder\n"
        f"spec = pickle.loads({pickle.dumps(spec)!r})\n"
        f"emb = Embedder(spec, models_dir={str(tmp_path)!r}, device='cpu',"
        " precision='onnx-int8', allow_download=False)\n"
        f"out = emb.embed_images(np.load({str(tmp_path / 'pixels.npy')!r}))\n"
        "print(out.shape, emb.precision, 'torch' in sys.modules)\n"
    )
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(repo)}).stdout
    assert out.strip() == f"({len(pixels)}, 64) onnx-int8 False"
