"""Offline installs of a model's parts (core/model_install.py): what a folder or archive must
hold, and that bad input is refused with the part named and nothing copied. Real files, real
archives; no model is built here (tests/cli/test_multilingual.py loads one)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from photoclip.core.model_catalogue import CATALOGUE, ModelUnavailableError
from photoclip.core.model_install import install_offline
from photoclip.core.model_needs import MULTILINGUAL_MODEL, requirements_message

SPEC = CATALOGUE[MULTILINGUAL_MODEL]


def _tower(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps({"model_type": "xlm-roberta"}))
    (folder / "tokenizer.json").write_text("{}")
    return folder


def test_a_zip_of_one_folder_is_unpacked_and_its_tower_installed(tmp_path: Path) -> None:
    src = tmp_path / "src"
    _tower(src / "text-tower")
    (src / "open_clip_model.safetensors").write_bytes(b"w")
    archive = tmp_path / "parts.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in src.rglob("*"):
            z.write(p, f"xlm/{p.relative_to(src)}")
    models = tmp_path / "models"
    weights = install_offline(SPEC, models, archive)
    assert weights == models / SPEC.key / "offline" / "xlm" / "open_clip_model.safetensors"
    assert (models / SPEC.key / "text-tower" / "tokenizer.json").is_file()


def test_an_archive_reaching_outside_its_folder_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../outside.txt", "x")
    with pytest.raises(ModelUnavailableError, match="outside its folder"):
        install_offline(SPEC, tmp_path / "models", archive)
    assert not (tmp_path / "outside.txt").exists()


def test_a_folder_is_refused_naming_the_missing_part(tmp_path: Path) -> None:
    models = tmp_path / "models"
    only_tower = _tower(tmp_path / "only-tower")
    with pytest.raises(ModelUnavailableError, match="has no weights file"):
        install_offline(SPEC, models, only_tower)
    two = tmp_path / "two"
    _tower(two)
    (two / "a.safetensors").write_bytes(b"1")
    (two / "b.safetensors").write_bytes(b"2")
    with pytest.raises(ModelUnavailableError, match="several weights files"):
        install_offline(SPEC, models, two)
    no_tokenizer = tmp_path / "no-tok"
    _tower(no_tokenizer)
    (no_tokenizer / "tokenizer.json").unlink()
    (no_tokenizer / "open_clip_model.safetensors").write_bytes(b"w")
    with pytest.raises(ModelUnavailableError, match="no tokenizer file") as err:
        install_offline(SPEC, models, no_tokenizer)
    assert "the weights file is not the problem" in err.value.message
    assert not (models / SPEC.key / "text-tower").exists()  # nothing copied
    with pytest.raises(FileNotFoundError):
        install_offline(SPEC, models, tmp_path / "nowhere")


def test_an_installers_bundle_is_not_told_to_run_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "pip install 'photoclip[multilingual]'" in requirements_message(SPEC, ["sentencepiece"])
    monkeypatch.setattr("sys.frozen", True, raising=False)  # what PyInstaller sets
    message = requirements_message(SPEC, ["sentencepiece"])
    assert "pip" not in message and "sentencepiece" in message


#: xlm-roberta-base's published config.json (the hub's FacebookAI/xlm-roberta-base)
XLM_ROBERTA_BASE = {
    "architectures": ["XLMRobertaForMaskedLM"], "attention_probs_dropout_prob": 0.1,
    "bos_token_id": 0, "eos_token_id": 2, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
    "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072,
    "layer_norm_eps": 1e-05, "max_position_embeddings": 514, "model_type": "xlm-roberta",
    "num_attention_heads": 12, "num_hidden_layers": 12, "output_past": True,
    "pad_token_id": 1, "type_vocab_size": 1, "vocab_size": 250002,
}


def test_the_catalogues_multilingual_model_builds_with_this_transformers(tmp_path: Path) -> None:
    """With the real text tower's config, the installed transformers and open_clip build the
    catalogue's xlm-roberta-vit-b-32 (on the meta device: no memory, no weights) with its
    published parameter count: the model photoclip offers can be built here."""
    import math

    pytest.importorskip("transformers")
    from photoclip.core.weights_check import model_shapes

    tower = tmp_path / "text-tower"
    tower.mkdir()
    (tower / "config.json").write_text(json.dumps(XLM_ROBERTA_BASE))
    shapes = model_shapes(SPEC, tower)
    assert shapes is not None
    params = sum(math.prod(s) for s in shapes.values()) / 1e6
    assert SPEC.params_millions is not None and abs(params - SPEC.params_millions) < 0.1
    assert shapes["text.transformer.embeddings.word_embeddings.weight"] == (250002, 768)
