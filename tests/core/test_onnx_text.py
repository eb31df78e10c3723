"""The ONNX Runtime text tower: exported beside the image tower on the first big text call,
judged against torch fp32 on the built-in label prompts and real photos' image vectors, cached,
used without torch, and torch whenever anything about it fails (tiny model)."""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photoclip.core import images, onnx_text, precision
from photoclip.core.models import Embedder, ModelSpec
from photoclip.core.onnx_image import CALIBRATION_MIN as IMAGE_CALIBRATION
from photoclip.core.onnx_image import judge
from photoclip.core.precision import onnx_plan

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


@pytest.fixture(scope="module")
def prompts() -> list[str]:
    """96 of the built-in label sets' distinct prompt texts (every k-th: the length mix)."""
    from photoclip.core.labels import builtin_label_sets
    from photoclip.core.tagging import _groups

    texts = list(dict.fromkeys(
        t for s in builtin_label_sets().values() for g in _groups(s) for t in g))
    return texts[:: len(texts) // 96][:96]


@pytest.fixture(scope="module")
def pixels(datasets_dir: Path, tiny_embedder: Embedder) -> np.ndarray:
    spec = tiny_embedder.preprocess_spec
    files = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:IMAGE_CALIBRATION]
    return np.stack([images.preprocess(images.load_image(f, min_side=spec.min_side)[0], spec)
                     for f in files])


@pytest.fixture(scope="module")
def reference(prompts: list[str], tiny_embedder: Embedder) -> np.ndarray:
    return tiny_embedder.embed_texts(prompts)


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory, install_tiny_model) -> ModelSpec:
    return install_tiny_model(tmp_path_factory.mktemp("onnx-text-models"))


def _embedder(spec: ModelSpec, models_dir: Path, prec: str = "onnx-int8") -> Embedder:
    return Embedder(spec, models_dir=models_dir, device="cpu", precision=prec,
                    allow_download=False, torch_threads=1)


def test_text_tower_exported_judged_cached_and_used_without_torch(
        spec, tmp_path, prompts, pixels, reference, caplog):
    emb = _embedder(spec, tmp_path)
    np.testing.assert_allclose(emb.embed_texts(prompts), reference, atol=1e-5)  # torch
    assert emb._text.undecided  # the interactive lane never decides: a query does not wait
    with caplog.at_level(logging.INFO, logger="photoclip.core.onnx_text"):
        emb.embed_images(pixels)  # the image tower decides, and the text tower beside it
    text = emb._text
    verdict = text.verdict
    assert text.source == "export" and verdict["probes"] == len(pixels) and verdict["bpe"]
    assert verdict["photos"] == len(onnx_text.calibration_prompts())  # the texts judged
    assert verdict.use_onnx and text.state == "onnx", verdict  # explicit: accurate is enough
    assert verdict["tried"][0]["precision"] == "onnx-int8"
    assert "ONNX text tower" in caplog.text
    kept = sorted(p.name for p in (tmp_path / ".onnx").iterdir())
    assert [n for n in kept if "-text-" in n] == [text.cache_file().name]  # only the one used
    assert not [n for n in kept if n.endswith(".tmp")]
    again = emb.embed_texts(prompts)
    assert np.sum(again * reference, axis=1).min() >= 0.99
    # a prompt alone (cut to its own length) gives its vector in the batch (static int8, causal)
    for i in (0, int(np.argmax([len(p) for p in prompts]))):
        np.testing.assert_allclose(emb.embed_texts([prompts[i]])[0], again[i], atol=1e-4)
    assert text.state == "onnx"  # every length ran through the one file (a dynamic axis)
    emb.close()

    # a later process: the remembered verdict and file, numpy token ids, no torch at all
    np.save(tmp_path / "again.npy", again)
    code = (
        "import pickle, sys, numpy as np\n"
        "from photoclip.core.models import Embedder\n"
        f"spec = pickle.loads({pickle.dumps(spec)!r})\n"
        f"emb = Embedder(spec, models_dir={str(tmp_path)!r}, device='cpu',"
        " precision='onnx-int8', allow_download=False)\n"
        f"out = emb.embed_texts({prompts!r})\n"
        f"want = np.load({str(tmp_path / 'again.npy')!r})\n"
        "print(out.shape, emb.loads, 'torch' in sys.modules, float(np.abs(out - want).max()))\n"
    )
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(repo)}).stdout.split()
    assert out[:4] == [f"({len(prompts)},", "64)", "0", "False"], out
    assert float(out[4]) < 1e-5


def test_text_export_failure_stays_in_torch(spec, tmp_path, prompts, reference, caplog):
    emb = _embedder(spec, tmp_path, "onnx-fp32")
    emb.embed_texts(prompts[:20])  # loads torch's text tower
    emb._text.cache_file("onnx-fp32").mkdir(parents=True)  # a folder where the file must go
    with caplog.at_level(logging.WARNING):
        out = emb.embed_texts(prompts, lane="bulk")  # a big bulk call decides
        later = emb.embed_texts(prompts, lane="bulk")
    assert "text tower stays in torch" in caplog.text
    np.testing.assert_allclose(out, reference, atol=1e-5)
    np.testing.assert_allclose(later, reference, atol=1e-5)
    assert emb._text.state == "torch" and emb._text.broken
    emb.close()


def test_labels_check_with_photos():
    """Text verdicts compare each photo's top-10 labels: a label that overtakes another for
    one photo is a change even where every prompt stays within cosine 0.99."""
    rng = np.random.default_rng(1)
    labels = rng.normal(size=(30, 16)).astype(np.float32)
    labels /= np.linalg.norm(labels, axis=1, keepdims=True)
    photos = rng.normal(size=(6, 16)).astype(np.float32)
    photos /= np.linalg.norm(photos, axis=1, keepdims=True)
    same = judge(labels, labels, torch_s=1.0, onnx_s=0.1, timed=True, probes=photos)
    assert same.use_onnx and same["changed_neighbours"] == 0
    sims = photos[0] @ labels.T
    outside = int(np.argsort(-sims)[10])  # photo 0's 11th label, pulled a little towards it
    moved = labels.copy()
    moved[outside] += 0.12 * photos[0]
    moved[outside] /= np.linalg.norm(moved[outside])
    verdict = judge(labels, moved, torch_s=1.0, onnx_s=0.1, timed=True, probes=photos)
    assert verdict["min_cosine"] >= 0.99
    if photos[0] @ moved[outside] > np.sort(sims)[-10] + 1e-3:  # it did enter the top 10
        assert verdict["changed_neighbours"] >= 1 and not verdict.use_onnx


def test_text_plan_and_token_lengths(monkeypatch):
    assert onnx_plan("cpu", "auto", "fp32", "text") == ("onnx-int8", True)
    assert onnx_plan("cpu", "onnx-fp32", "fp32", "text") == ("onnx-fp32", False)  # image lost
    assert onnx_plan("cpu", "onnx-fp32", "fp32") is None  # ... the image tower's own plan
    assert onnx_plan("cpu", "fp32", "fp32", "text") is None
    assert onnx_plan("cuda", "auto", "fp16", "text") is None
    monkeypatch.setattr(precision, "ONNX_TEXT", False)
    assert onnx_plan("cpu", "auto", "fp32", "text") is None
    tokens = np.array([[5, 7, 9, 0, 0], [5, 0, 0, 0, 0], [0, 0, 0, 0, 0], [1, 2, 3, 4, 5]])
    assert onnx_text.token_lengths(tokens).tolist() == [3, 1, 0, 5]
