"""The torch-free text tower (numpy_text, clip_bpe): same tokens and same features as open_clip,
used only after a verified load, never for another weights file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photoclip.core import models, numpy_text
from photoclip.core.clip_bpe import shared
from photoclip.core.labels import builtin_label_sets
from photoclip.core.model_facts import ModelFacts
from photoclip.core.models import Embedder, ModelSpec
from photoclip.core.torch_compat import import_open_clip

ODD = ["", "  many   spaces\tand\nlines ", "&amp;lt;html&amp;gt; entities", "naïve café ÜBER",
       "emoji 🐶🏖️ and 中文 and עברית", "it's they're we'll I'd", "123 4567 3.14",
       "x " * 100, "a" * 300, "Mixed CASE Words"]


def test_tokenizer_equals_open_clips(tmp_path: Path) -> None:
    import_open_clip()
    from open_clip.tokenizer import _tokenizer

    texts = list(ODD)
    for label_set in builtin_label_sets().values():
        texts += [t.format(label.name) for label in label_set.labels
                  for t in label_set.templates][:200]
    bpe = shared()
    assert bpe is not None and bpe.vocab_size == _tokenizer.vocab_size
    assert np.array_equal(bpe(texts), _tokenizer(texts).numpy())


@pytest.mark.parametrize("quick_gelu", [False, True])
def test_numpy_tower_equals_encode_text(
    quick_gelu: bool, tiny_clip_config: dict, tiny_weights_file: Path, tmp_path: Path
) -> None:
    import torch

    oc = import_open_clip()
    cfg = tmp_path / "pc-numpy-tiny.json"
    cfg.write_text(json.dumps(tiny_clip_config))
    oc.add_model_config(cfg)
    model = oc.create_model("pc-numpy-tiny", pretrained=str(tiny_weights_file),
                            force_quick_gelu=quick_gelu).eval()
    tokenizer = oc.get_tokenizer("pc-numpy-tiny")
    record = numpy_text.verify(model, tokenizer, tiny_weights_file)
    assert record is not None and record["act"] == ("quick_gelu" if quick_gelu else "gelu")
    assert record["cosine"] > 0.9999
    tower = numpy_text.NumpyTextTower(tiny_weights_file, record)
    texts = ["a dog", "a photo of a red bicycle leaning on a wall", "x " * 100]
    with torch.inference_mode():
        want = torch.nn.functional.normalize(model.encode_text(tokenizer(texts)), dim=-1)
    got = tower.encode(shared()(texts))
    got /= np.linalg.norm(got, axis=1, keepdims=True)
    assert (got * want.numpy()).sum(axis=1).min() > 0.9999

    # a tower with a layer numpy_text does not compute (layer scale) is never verified
    model.transformer.resblocks[0].ls_1 = torch.nn.Linear(4, 4)
    assert numpy_text.verify(model, tokenizer, tiny_weights_file) is None


def test_embedder_uses_it_only_after_a_verified_load(
    tiny_model_spec: ModelSpec, photoclip_home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "NUMPY_TEXT_WITH_TORCH", True)  # this process imported torch
    kw = {"models_dir": photoclip_home.models_dir, "device": "cpu", "precision": "fp32"}
    texts = ["a dog on a beach", '"beach" + "sunset"', "two people riding bicycles"]
    fresh = Embedder(tiny_model_spec, **kw)
    want = fresh.embed_texts(texts)  # no record yet: torch loads (and verifies)
    assert fresh.loads == 1
    fresh.close()
    facts = ModelFacts(tiny_model_spec, photoclip_home.models_dir).numpy_text()
    assert facts is not None and facts["usable"]

    emb = Embedder(tiny_model_spec, **kw)
    got = emb.embed_texts(texts)
    assert emb.loads == 0 and not emb.loaded  # numpy: no model loaded
    assert (got * want).sum(axis=1).min() > 0.9999
    assert emb.embed_texts(["x"] * (models.NUMPY_TEXTS + 1)).shape == (17, 64)
    assert emb.loads == 1  # more texts than a query: torch
    emb.close()
    monkeypatch.setattr(models, "NUMPY_TEXT_WITH_TORCH", False)
    with_torch = Embedder(tiny_model_spec, **kw)
    with_torch.embed_texts(texts)  # torch is imported here: its text tower, as the rest
    assert with_torch.loads == 1
    with_torch.close()
    monkeypatch.setattr(models, "NUMPY_TEXT_WITH_TORCH", True)

    onnx = Embedder(tiny_model_spec, **{**kw, "precision": "onnx-int8"})
    onnx.embed_texts(["a dog"])  # its text tower is torch fp32: the verified numpy one serves
    assert onnx.loads == 0
    onnx.close()

    bf16 = Embedder(tiny_model_spec, **{**kw, "precision": "bf16"})
    bf16.embed_texts(["a dog"])  # verified for fp32 only: another precision loads torch
    assert bf16.loads == 1
    bf16.close()

    weights = Path(tiny_model_spec.local_weights)  # the weights file changes: torch again
    os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns + 10**9))
    try:
        again = Embedder(tiny_model_spec, **kw)
        again.embed_texts(["a dog"])
        assert again.loads == 1
        again.close()
    finally:
        os.utime(weights, ns=(weights.stat().st_atime_ns, weights.stat().st_mtime_ns - 10**9))


def test_a_cold_search_imports_no_torch(
    photoclip_home, tiny_model_spec: ModelSpec, datasets_dir: Path, tmp_path: Path
) -> None:
    """`photoclip search` after an index run (which verified the tower) imports neither torch
    nor chromadb, and finds what the in-process search with torch finds."""
    from photoclip.config import Settings
    from photoclip.core.library import Library
    from tests.conftest import copy_coco

    photos = copy_coco(datasets_dir, tmp_path / "photos", 6)
    Settings(folders=[str(photos)], model=tiny_model_spec.key, precision="fp32",
             batch_size=8).save(photoclip_home.settings_file)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        out = subprocess.run([sys.executable, "-X", "importtime", "-m", "photoclip", *args],
                             env=env, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr[-2000:]
        return out

    cli("index")
    got = json.loads(cli("--json", "search", "a dog on a beach", "-n", "6").stdout)
    lines = [line.split("|")[-1].strip() for line in cli("search", "a cat").stderr.splitlines()]
    assert "torch" not in lines and "chromadb" not in lines and "open_clip" not in lines
    with Library() as lib:
        want = lib.search("a dog on a beach", limit=6)
    assert [h["path"] for h in got["results"]] == [h.path for h in want]
    assert [round(h["score"], 4) for h in got["results"]] == [round(h.score, 4) for h in want]
