"""Does a weights file fit a model? Checked when the user names one (``models use X --weights``).

The model is built on torch's ``meta`` device (no memory, no weights: names and shapes only)
and compared with the file's tensor names and shapes, read without loading the tensors
(safetensors' header; a torch checkpoint memory-mapped). A file whose names are not the model's
or whose shapes differ is refused, with what it looks like instead (its widths and layer counts,
and a model of those it matches). A file that cannot be read this way (an OpenAI TorchScript
archive) or a model that cannot be built offline is not refused here: loading it reports any
problem.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from photoclip.core.model_catalogue import ModelSpec, ModelUnavailableError
from photoclip.core.model_config import _register, model_config
from photoclip.core.said import ALTERNATIVES, N_, Listed, Said, Spoken
from photoclip.core.torch_compat import import_open_clip

log = logging.getLogger(__name__)

#: Tensors open_clip resizes on loading (another image size or context length is fine).
RESIZABLE = re.compile(r"(^|\.)positional_embedding$")
#: At least this share of the model's tensors must be in the file by name.
MIN_SHARED = 0.5


class WeightsMismatchError(ModelUnavailableError):
    """The weights file is for another model; the message names the file and what it is."""


Shapes = dict[str, tuple[int, ...]]


def file_shapes(path: Path) -> Shapes | None:
    """Tensor name -> shape of a weights file (None where it cannot be read without loading
    it whole, e.g. a TorchScript archive); a ``state_dict`` wrapper and ``module.`` prefixes
    are unwrapped as open_clip's loader does."""
    if path.suffix == ".safetensors":
        from safetensors import safe_open

        with safe_open(str(path), framework="pt", device="cpu") as f:
            shapes = {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}  # noqa: SIM118
    else:
        import torch

        try:
            data = torch.load(str(path), map_location="cpu", mmap=True, weights_only=True)
        except Exception as exc:  # (not a plain checkpoint: loading will tell)
            log.info("Cannot read the tensor shapes of %s: %s", path, exc)
            return None
        if isinstance(data, dict) and isinstance(data.get("state_dict"), dict):
            data = data["state_dict"]
        if not isinstance(data, dict):
            return None
        shapes = {k: tuple(v.shape) for k, v in data.items() if hasattr(v, "shape")}
    if shapes and all(k.startswith("module.") for k in shapes):
        shapes = {k[len("module."):]: v for k, v in shapes.items()}
    return shapes


def model_shapes(spec: ModelSpec, text_dir: Path | None = None) -> Shapes | None:
    """Tensor name -> shape of ``spec``'s model, built on the meta device (None if it cannot
    be built here: a Hugging Face text tower whose config is not in ``text_dir``)."""
    kwargs: dict[str, Any] = {}
    if spec.hf_text_model:
        if text_dir is None:
            return None
        kwargs = {"pretrained_hf": False, "text_cfg": {
            **model_config(spec)["text_cfg"], "hf_model_name": str(text_dir),
            "hf_tokenizer_name": str(text_dir), "hf_model_pretrained": False}}
    try:
        oc = import_open_clip()
        import torch

        from photoclip.core.text_tower import _quiet_random_init_warning

        _register(spec)
        with warnings.catch_warnings(), _quiet_random_init_warning(), torch.device("meta"):
            warnings.simplefilter("ignore")
            model = oc.create_model(spec.arch, pretrained=None, device="meta", **kwargs)
        return {k: tuple(v.shape) for k, v in model.state_dict().items()}
    except Exception as exc:  # (loading the model reports real problems)
        log.info("Cannot build model %s on the meta device to check weights: %s", spec.key, exc)
        return None


def _layers(shapes: Shapes, prefix: str) -> int:
    pattern = re.compile(re.escape(prefix) + r"(\d+)\.")
    return len({m.group(1) for k in shapes if (m := pattern.match(k))})


def describe(shapes: Shapes) -> dict[str, int]:
    """The facts of a CLIP state dict that tell architectures apart (those it has)."""
    facts: dict[str, int] = {}
    if "text_projection" in shapes and len(shapes["text_projection"]) == 2:
        facts["embedding size"] = shapes["text_projection"][1]
    conv = shapes.get("visual.conv1.weight")
    if conv is not None and len(conv) == 4:
        facts["image width"], facts["patch size"] = conv[0], conv[2]
    if layers := _layers(shapes, "visual.transformer.resblocks."):
        facts["image layers"] = layers
    if "token_embedding.weight" in shapes:
        facts["text width"] = shapes["token_embedding.weight"][1]
    if layers := _layers(shapes, "transformer.resblocks."):
        facts["text layers"] = layers
    return facts


def _config_facts(cfg: dict[str, Any]) -> dict[str, int]:
    vision, text = cfg.get("vision_cfg", {}), cfg.get("text_cfg", {})
    facts = {"embedding size": cfg.get("embed_dim"), "image width": vision.get("width"),
             "patch size": vision.get("patch_size"), "image layers": vision.get("layers"),
             "text width": text.get("width"), "text layers": text.get("layers")}
    return {k: v for k, v in facts.items() if isinstance(v, int)}


_FACT = N_("{fact} {value}")
for _fact in ("embedding size", "image width", "patch size", "image layers", "text width",
              "text layers"):
    N_(_fact)  # the facts :func:`describe` names (words of the catalogue)
_NO_TENSORS = N_("no CLIP tensors photoclip knows")
_SEEMS = N_("{facts}: the weights of {models}, it seems")
_UNREADABLE = N_("The weights file {file} cannot be read as model weights ({error}); choose the "
                 "weights file of model '{model}'.")
_OTHER_SHAPES = N_("{n} of its tensors have other shapes (e.g. {name} is {found} in the file, "
                   "{wanted} in the model)")
_FEW_NAMES = N_("only {shared} of the model's {total} tensors are in it by name")
_MISMATCH = N_("The weights file {file} does not fit model '{model}' ({arch}): {why}. It looks "
               "like {looks}. Choose the weights file of model '{model}', or the model those "
               "weights are for; nothing was changed.")


def _looks_like(facts: dict[str, int], models: Mapping[str, ModelSpec]) -> Spoken:
    said: Spoken = Listed(tuple(Said(_FACT, {"fact": k, "value": v}, words=("fact",))
                                for k, v in facts.items())) if facts else Said(_NO_TENSORS)
    matches = []
    for key, spec in models.items():
        try:
            theirs = _config_facts(model_config(spec))
        except Exception:  # (an architecture this open_clip lacks)
            continue
        if facts and all(theirs.get(k) == v for k, v in facts.items()):
            matches.append(key)
    if matches:
        return Said(_SEEMS, {"facts": said, "models": Listed(
            tuple(repr(m) for m in matches), ALTERNATIVES)})
    return said


def check_weights_file(
    spec: ModelSpec, path: Path, models: Mapping[str, ModelSpec] | None = None,
    text_dir: Path | None = None,
) -> None:
    """Raise :class:`WeightsMismatchError` if ``path`` is not a weights file for ``spec``
    (``models``: the models to name as what it looks like instead; ``text_dir``: the
    installed text tower of a model that has one, needed to build it)."""
    try:
        found = file_shapes(path)
    except Exception as exc:  # (a damaged or foreign file)
        raise WeightsMismatchError(Said(_UNREADABLE, {
            "file": path, "error": str(exc), "model": spec.key})) from exc
    if found is None:
        return
    wanted = model_shapes(spec, text_dir)
    if wanted is None:
        return
    shared = [k for k in wanted if k in found]
    differ = [k for k in shared if found[k] != wanted[k] and not RESIZABLE.search(k)]
    if len(shared) >= MIN_SHARED * len(wanted) and not differ:
        return
    if differ:
        k = differ[0]
        why = Said(_OTHER_SHAPES, {"n": len(differ), "name": k, "found": list(found[k]),
                                   "wanted": list(wanted[k])})
    else:
        why = Said(_FEW_NAMES, {"shared": len(shared), "total": len(wanted)})
    raise WeightsMismatchError(Said(_MISMATCH, {
        "file": path, "model": spec.key, "arch": spec.arch, "why": why,
        "looks": _looks_like(describe(found), models or {})}))
