"""The text tower alone: cut-length encoding equals full length; text-tower-only loading.

Real open_clip models with random weights: the tiny test model and a ViT-B-32-shaped one.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from photoclip.core import models
from photoclip.core.models import Embedder, ModelSpec
from photoclip.core.text_tower import cut_text_encoder, token_lengths
from photoclip.core.torch_compat import import_open_clip

PROMPTS = [
    "dog",
    "a photo of a dog.",
    "a blurry photo of a red bicycle leaning on a brick wall in the rain.",
    "itap of a cat",
    " ".join(["a very long prompt"] * 30),  # longer than 77 tokens: truncated, not cut
    "a photo of a beach at sunset with people walking their dogs",
]


def _model(config: dict, name: str, tmp_path: Path, seed: int = 7):
    import torch

    oc = import_open_clip()
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(config))
    oc.add_model_config(path)
    torch.manual_seed(seed)
    return oc.create_model(name, pretrained=None).eval(), oc.get_tokenizer(name)


def _cosines(a, b) -> np.ndarray:
    import torch

    a = torch.nn.functional.normalize(a.float(), dim=-1)
    b = torch.nn.functional.normalize(b.float(), dim=-1)
    return (a * b).sum(-1).numpy()


def _seen_lengths(model) -> list[int]:
    """Sequence lengths the text transformer is run at (a forward pre-hook records them)."""
    tower = model if hasattr(model, "token_embedding") else model.text
    seen: list[int] = []
    tower.transformer.register_forward_pre_hook(lambda _m, args: seen.append(args[0].shape[1]))
    return seen


@pytest.mark.parametrize("shape", ["tiny", "vit-b-32"])
def test_cut_length_equals_full_length(shape: str, tiny_clip_config: dict, tmp_path) -> None:
    import torch

    oc = import_open_clip()
    config = tiny_clip_config if shape == "tiny" else oc.get_model_config("ViT-B-32")
    model, tokenizer = _model(config, f"cut-{shape}", tmp_path)
    encode = cut_text_encoder(model, tokenizer)
    assert encode is not None
    seen = _seen_lengths(model)
    short = tokenizer(PROMPTS[:4])  # mixed lengths, all short
    with torch.inference_mode():
        full = model.encode_text(short)
        cut = encode(short)
    longest = int(token_lengths(short).max())
    assert longest < 20 and seen[-1] == longest  # the transformer ran at the cut length
    assert _cosines(full, cut).min() > 0.99999
    with torch.inference_mode():  # a prompt of 77 tokens in the batch: full length
        tokens = tokenizer(PROMPTS)
        assert _cosines(model.encode_text(tokens), encode(tokens)).min() > 0.99999
    assert seen[-1] == 77


def test_custom_text_towers_cut_only_where_causal(tiny_clip_config: dict, tmp_path) -> None:
    import torch

    causal = {**tiny_clip_config, "custom_text": True}
    model, tokenizer = _model(causal, "cut-custom-causal", tmp_path)
    encode = cut_text_encoder(model, tokenizer)
    assert encode is not None
    tokens = tokenizer(PROMPTS[:4])
    with torch.inference_mode():
        assert _cosines(model.encode_text(tokens), encode(tokens)).min() > 0.99999

    bidirectional = {**causal, "text_cfg": {
        **tiny_clip_config["text_cfg"], "no_causal_mask": True, "pool_type": "last"}}
    model, tokenizer = _model(bidirectional, "cut-custom-bidir", tmp_path)
    assert cut_text_encoder(model, tokenizer) is None  # padding matters here: full length


def test_embedder_texts_same_with_and_without_cut(
    tiny_model_spec: ModelSpec, photoclip_home, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = PROMPTS * 60  # > TEXT_CHUNK: sorted into chunks of similar length
    kw = {"models_dir": photoclip_home.models_dir, "device": "cpu", "precision": "fp32"}
    cut = Embedder(tiny_model_spec, **kw)
    got = cut.embed_texts(texts)
    cut.close()
    monkeypatch.setattr(models, "CUT_TEXT", False)
    full = Embedder(tiny_model_spec, **kw)
    want = full.embed_texts(texts)
    full.close()
    assert got.shape == want.shape == (len(texts), 64)
    assert np.sum(got * want, axis=1).min() > 0.99999  # same order, same vectors


def test_text_query_loads_only_the_text_tower(
    tiny_model_spec: ModelSpec, photoclip_home, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "NUMPY_TEXT", False)  # torch's text tower (numpy: its own test)
    kw = {"models_dir": photoclip_home.models_dir, "device": "cpu", "precision": "fp32"}
    whole = Embedder(tiny_model_spec, **kw)
    whole.load()
    assert not whole.text_only and whole._model.visual is not None
    want_t = whole.embed_texts(PROMPTS)
    pixels = np.random.default_rng(0).normal(size=(2, 3, 224, 224)).astype(np.float32)
    want_i = whole.embed_images(pixels)
    whole.close()

    emb = Embedder(tiny_model_spec, **kw)
    got_t = emb.embed_texts(PROMPTS)
    assert emb.text_only and emb._model.visual is None and emb.loads == 1
    np.testing.assert_allclose(got_t, want_t, atol=1e-6)
    got_i = emb.embed_images(pixels)  # the first image call loads the whole model
    assert not emb.text_only and emb.loads == 2
    np.testing.assert_allclose(got_i, want_i, atol=1e-6)
    np.testing.assert_allclose(emb.embed_texts(PROMPTS), want_t, atol=1e-6)
    emb.close()


def test_text_only_load_does_not_warn_of_random_weights(
    tiny_model_spec: ModelSpec, photoclip_home, caplog: pytest.LogCaptureFixture
) -> None:
    """open_clip logs "No pretrained weights loaded ... initialized randomly" for the bare text
    tower that is then filled from the weights file: a false alarm on every CLI search."""
    import logging

    emb = Embedder(tiny_model_spec, models_dir=photoclip_home.models_dir, device="cpu",
                   precision="fp32")
    with caplog.at_level(logging.WARNING):
        emb.embed_texts(["a dog"])
    assert emb.text_only
    assert not [r for r in caplog.records if "initialized randomly" in r.getMessage()]
    emb.close()
