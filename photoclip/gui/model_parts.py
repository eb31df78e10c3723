"""What the GUI says about a model made of two parts (its weights and a Hugging Face text tower,
e.g. the multilingual model), written once for the Settings model page, the first-run welcome
and a failed download: both parts come in one download; offline, a folder or archive holding
both (:mod:`photoclip.core.model_install`) goes where a weights file would."""

from __future__ import annotations

from pathlib import Path

from photoclip.core.model_catalogue import ModelSpec
from photoclip.core.model_needs import missing_requirements
from photoclip.gui.i18n import tr


def parts_note(spec: ModelSpec) -> str:
    """The lines to show under a model's description: what it lacks in this installation, and
    for a two-part model how its parts are installed ("" when there is nothing to say)."""
    lines = []
    missing = missing_requirements(spec)
    if missing:
        lines.append(tr("Not available in this installation: it needs {packages}, which are "
                        "not installed.").format(packages=", ".join(missing)))
    if spec.hf_text_model:
        lines.append(tr(
            "This model has two parts, its weights and its text tower ({tower}: its config and "
            "tokenizer); they are downloaded together. Offline, give a folder or a .zip/.tar.gz "
            "archive holding both instead of a weights file.").format(tower=spec.hf_text_model))
    return "\n".join(lines)


def offline_failure(spec: ModelSpec | None) -> str:
    """What to add to a failed download's sentence for a two-part model ("" for others)."""
    if spec is None or not spec.hf_text_model:
        return ""
    return tr("Offline, choose a folder or archive holding both the weights and the text tower "
              "({tower}) in Settings \u203a Model.").format(tower=spec.hf_text_model)


def missing_parts_message(spec: ModelSpec, size: str) -> str:
    """The banner's sentence when a two-part model is not installed (``size``: " (1470 MB)")."""
    return tr(
        "The model '{model}' is not installed yet (its weights and its text tower, {tower}), "
        "so photos cannot be indexed or searched. Download both{size}, or choose an archive "
        "holding both (a folder of both: Settings \u203a Model)."
    ).format(model=spec.key, tower=spec.hf_text_model, size=size)


def source_exists(text: str) -> bool:
    """Whether ``text`` names a weights file, or a folder or archive of the model's parts."""
    return bool(text) and Path(text).expanduser().exists()
