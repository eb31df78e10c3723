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
