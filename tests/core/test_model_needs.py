"""What a model needs beyond its weights: packages refused up front, the text tower named as
the cause, the language of a query. Real user model files, the real Library and Embedder."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from photoclip.config import AppPaths, Settings
from photoclip.core.library import Library
from photoclip.core.model_catalogue import (
    CATALOGUE,
    ModelUnavailableError,
    available_models,
    write_user_model,
)
from photoclip.core.model_needs import (
    MULTILINGUAL_MODEL,
    from_text_tower,
    missing_requirements,
    needs_multilingual,
)
from photoclip.core.models import Embedder

NO_SUCH_PACKAGE = "photoclip_test_no_such_package"


def test_cjk_queries_with_an_english_only_model_are_noticed() -> None:
    english, multilingual = CATALOGUE["vit-b-32"], CATALOGUE[MULTILINGUAL_MODEL]
    for query in ("一辆自行车", "海边的狗", "犬と猫", "바다", "dog 在海边"):
        assert needs_multilingual(english, query), query
        assert not needs_multilingual(multilingual, query)
    for query in ("a dog on a beach", "café au lait", "Straße", "2*\"dog\" - cat"):
        assert not needs_multilingual(english, query), query


def test_a_model_missing_packages_is_refused_up_front(
    photoclip_home: AppPaths, tiny_model_spec, tiny_clip_config: dict
) -> None:
    write_user_model(photoclip_home.config / "models", "needs-more", tiny_clip_config,
                     description="d", requires=[NO_SUCH_PACKAGE, "json"])
    Settings(model=tiny_model_spec.key).save(photoclip_home.settings_file)
    with Library(photoclip_home) as lib:
        with pytest.raises(ModelUnavailableError) as err:
            lib.use_model("needs-more")
        assert NO_SUCH_PACKAGE in err.value.message and "json" not in err.value.message
        assert f"pipx inject photoclip {NO_SUCH_PACKAGE}" in err.value.message
        assert lib.settings.model == tiny_model_spec.key  # nothing changed
    assert Settings.load(photoclip_home.settings_file).model == tiny_model_spec.key


@pytest.mark.skipif(importlib.util.find_spec("transformers") is not None
                    and importlib.util.find_spec("sentencepiece") is not None,
                    reason="the multilingual packages are installed here")
def test_the_multilingual_model_names_the_missing_packages(photoclip_home: AppPaths) -> None:
    spec = CATALOGUE[MULTILINGUAL_MODEL]
    missing = missing_requirements(spec)
    with Library(photoclip_home) as lib, pytest.raises(ModelUnavailableError) as err:
        lib.use_model(MULTILINGUAL_MODEL)
    assert all(m in err.value.message for m in missing)
    assert "photoclip[multilingual]" in err.value.message


def test_a_missing_text_tower_is_named_not_the_weights(
    tmp_path: Path, tiny_clip_config: dict, tiny_weights_file: Path
) -> None:
    """Offline with a weights file, the text tower's config and tokenizer are what is missing:
    the error says so and where to put them (before any hub is asked)."""
    cfg = {**tiny_clip_config, "text_cfg": {"hf_model_name": "xlm-roberta-base",
                                             "hf_tokenizer_name": "xlm-roberta-base",
                                             "hf_proj_type": "linear",
                                             "hf_pooler_type": "mean_pooler"}}
    write_user_model(tmp_path / "user", "tower", cfg, description="d", weights=tiny_weights_file)
    spec = available_models(tmp_path / "user")["tower"]
    assert spec.hf_text_model == "xlm-roberta-base"
    emb = Embedder(spec, models_dir=tmp_path / "models", device="cpu", precision="fp32",
                   weights_file=tiny_weights_file, allow_download=False)
    with pytest.raises(ModelUnavailableError) as err:
        emb.load()
    message = err.value.message
    assert "text tower's config and tokenizer (xlm-roberta-base)" in message
    assert str(tmp_path / "models" / "tower" / "text-tower") in message
    assert "cannot use the weights" not in message and str(tiny_weights_file) not in message


def test_errors_from_the_text_tower_code_are_told_apart(tmp_path: Path) -> None:
    """An error raised inside transformers (here a stand-in module in a folder of that name,
    as a wheel installs it) is the text tower's; one from reading a weights file is not."""
    package = tmp_path / "site-packages" / "transformers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "def load():\n    raise OSError('Unrecognized model in xlm-roberta-base')\n")
    spec = importlib.util.spec_from_file_location("photoclip_test_tower", package / "__init__.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with pytest.raises(OSError) as raised:
        module.load()
    assert from_text_tower(raised.value)
    with pytest.raises(RuntimeError) as wrapped:
        try:
            module.load()
        except OSError as exc:
            raise RuntimeError("cannot build the model") from exc
    assert from_text_tower(wrapped.value)  # found through the cause
    with pytest.raises(OSError) as plain:
        (tmp_path / "missing.safetensors").read_bytes()
    assert not from_text_tower(plain.value)
