"""What a model needs beyond its weights file, said once for every front.

- Python packages (``ModelSpec.requires``, e.g. transformers and sentencepiece for the
  multilingual model): :func:`missing_requirements`, checked when a model is chosen (refused up
  front, nothing changed) and again when it loads.
- A Hugging Face text tower (``ModelSpec.hf_text_model``): its ``config.json`` and tokenizer
  files, downloaded with the weights into ``<models>/<key>/text-tower/`` or installed from a
  folder or archive for offline use (:mod:`photoclip.core.model_install`);
  :func:`text_tower_message` says so when they are the cause of a failure.
- The language of a query: an English-only model given Chinese, Japanese or Korean text returns
  meaningless matches; :func:`needs_multilingual` tells the fronts to say so.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from photoclip.core.model_catalogue import ModelSpec, ModelUnavailableError
from photoclip.core.said import N_, Said

#: The catalogue's model for queries in other languages than English.
MULTILINGUAL_MODEL = "xlm-roberta-vit-b-32"
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TEXT_TOWER_CODE = ("transformers", "tokenizers", "sentencepiece", "hf_model.py")


def missing_requirements(spec: ModelSpec) -> list[str]:
    """The packages ``spec`` needs that cannot be imported here."""
    return [m for m in spec.requires if importlib.util.find_spec(m) is None]


_NEEDS_BUNDLED = N_("Model '{model}' needs the Python package {names}, which this photoclip "
                    "installation does not include: install a photoclip package built with "
                    "multilingual support, or choose another model.")
_NEEDS_BUNDLED_MANY = N_("Model '{model}' needs the Python packages {names}, which this "
                         "photoclip installation does not include: install a photoclip package "
                         "built with multilingual support, or choose another model.")
_NEEDS = N_("Model '{model}' needs the Python package {names}, not installed here: install "
            "with `pip install {extra}` (pipx: `pipx inject photoclip {packages}`), then choose "
            "the model again.")
_NEEDS_MANY = N_("Model '{model}' needs the Python packages {names}, not installed here: install "
                 "with `pip install {extra}` (pipx: `pipx inject photoclip {packages}`), then "
                 "choose the model again.")


def requirements_message(spec: ModelSpec, missing: list[str]) -> Said:
    """What to do when ``missing`` packages keep ``spec`` from working."""
    names = ", ".join(missing)
    if getattr(sys, "frozen", False):  # an installer's bundle: no pip to run
        return Said(_NEEDS_BUNDLED_MANY if len(missing) > 1 else _NEEDS_BUNDLED,
                    {"model": spec.key, "names": names})
    extra = "'photoclip[multilingual]'" if spec.multilingual else " ".join(missing)
    return Said(_NEEDS_MANY if len(missing) > 1 else _NEEDS, {
        "model": spec.key, "names": names, "extra": extra, "packages": " ".join(missing)})


def needs_multilingual(spec: ModelSpec, text: str) -> bool:
    """Whether ``text`` is Chinese, Japanese or Korean and ``spec`` reads English only."""
    return not spec.multilingual and bool(_CJK.search(text))


def text_tower_folder(spec: ModelSpec, models_dir: Path) -> Path:
    """Where ``spec``'s text tower goes (downloaded, or copied by hand for offline use)."""
    from photoclip.core.weights import TEXT_TOWER_DIR, model_dir

    return model_dir(spec, models_dir) / TEXT_TOWER_DIR


def ensure_text_tower(
    spec: ModelSpec, models_dir: Path, allow_download: bool,
    progress: Callable[[int, int], None] | None = None,
) -> Path | None:
    """``spec``'s text-tower folder (None for a model without one), fetched now (reporting to
    ``progress``) when it is missing and downloads are allowed; else ModelUnavailableError
    saying how to install it."""
    from photoclip.core.weights import download_text_tower, text_tower_dir

    folder = text_tower_dir(spec, models_dir)
    if folder is not None or not spec.hf_text_model:
        return folder
    if not allow_download:
        raise ModelUnavailableError(text_tower_message(spec, models_dir))
    download_text_tower(spec, models_dir, progress)
    return text_tower_dir(spec, models_dir)


_TOWER = N_("Model '{model}' cannot load its text tower's config and tokenizer ({tower}); the "
            "weights file alone is not enough. Run `photoclip models download {model}` to fetch "
            "both, or offline copy the {tower} config.json and tokenizer files (tokenizer.json, "
            "sentencepiece.bpe.model, ...) into a folder and run `photoclip models use {model} "
            "--weights FILE --text-tower FOLDER` (they are kept in {folder}).")
_TOWER_BECAUSE = N_("Model '{model}' cannot load its text tower's config and tokenizer ({tower}) "
                    "({reason}); the weights file alone is not enough. Run `photoclip models "
                    "download {model}` to fetch both, or offline copy the {tower} config.json "
                    "and tokenizer files (tokenizer.json, sentencepiece.bpe.model, ...) into a "
                    "folder and run `photoclip models use {model} --weights FILE --text-tower "
                    "FOLDER` (they are kept in {folder}).")


def text_tower_message(spec: ModelSpec, models_dir: Path, reason: str = "") -> Said:
    """Why a model with a Hugging Face text tower cannot load it, and the ways out."""
    values = {"model": spec.key, "tower": spec.hf_text_model,
              "folder": text_tower_folder(spec, models_dir), "reason": reason}
    return Said(_TOWER_BECAUSE if reason else _TOWER, values)


def from_text_tower(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) was raised reading a text tower's config or
    tokenizer (transformers, tokenizers, sentencepiece, open_clip's hf_model)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        for frame in traceback.extract_tb(cur.__traceback__):
            if any(part in frame.filename for part in _TEXT_TOWER_CODE):
                return True
        cur = cur.__cause__ or cur.__context__
    return False
