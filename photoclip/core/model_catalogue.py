"""Which CLIP models photoclip offers: the curated catalogue and the user's own model files.

Pure data and JSON parsing; nothing here imports torch or open_clip (``photoclip models list`` must
stay instant). Loading lives in :mod:`photoclip.core.models`, downloading in
:mod:`photoclip.core.weights`.

Numbers in the catalogue are published figures, not measurements made here:
``imagenet_top1`` is zero-shot ImageNet-1k top-1 from open_clip's ``docs/openclip_results.csv``
(MobileCLIP2 from Apple's model card), ``params_millions`` from open_clip's
``docs/model_profile.csv`` (MobileCLIP2 from its model card) and ``download_mb`` is approximate:
fp32 weights, i.e. about 4 bytes per parameter. ``retrieval`` holds published zero-shot
text-to-image recall@1 per benchmark, for models whose authors report retrieval rather than
ImageNet (Chinese-CLIP: the OFA-Sys Chinese-CLIP ``Results.md``, arXiv:2211.01335, table of
MUGE / Flickr30K-CN / COCO-CN retrieval).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from photoclip.core.said import N_, Said

log = logging.getLogger(__name__)

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SAFE_WEIGHTS_NAME = "open_clip_model.safetensors"  # open_clip prefers this in a hub repo ...
PICKLE_WEIGHTS_NAME = "open_clip_pytorch_model.bin"  # ... and falls back to this one
HF_SAFE_WEIGHTS_NAME = "model.safetensors"  # a transformers repo's weights ...
HF_PICKLE_WEIGHTS_NAME = "pytorch_model.bin"  # ... or its older pickle
RANDOM_WEIGHTS = "random"
HF_HUB_PREFIX = "hf-hub:"


class ModelUnavailableError(Exception):
    """A model cannot be used; ``message`` tells the user, in a sentence or two, what to do."""

    def __init__(self, message: str | Said) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if isinstance(message, Said):  # the fronts show it translated (core/said.py)
            self.said = message


class UnknownModelError(ModelUnavailableError, ValueError):
    """No model by that key: a usage error (exit status 2); the message names the keys."""


@dataclass(frozen=True)
class ModelSpec:
    """One usable model: what its provider calls it, where its weights come from, how good
    it is."""

    key: str  # catalogue key, used in settings and collection names; [a-z0-9-]
    arch: str  # the provider's model name, e.g. open_clip's "ViT-B-32"
    pretrained: str | None  # open_clip pretrained tag; None for user/test configs
    hf_hub_id: str | None  # Hugging Face repo with the weights
    weights_filename: str  # file in that repo (or the user's local file's name)
    description: str
    imagenet_top1: float | None  # published zero-shot ImageNet-1k top-1, percent
    params_millions: float | None
    download_mb: float | None
    multilingual: bool = False
    requires: tuple[str, ...] = ()  # extra importable packages the model needs
    random_init: bool = False  # tests/dev only: random weights, meaningless results
    config_file: str | None = None  # a user model file carrying its own open_clip config
    local_weights: str | None = None  # user models: the weights file named in the model file
    hf_text_model: str | None = None  # a Hugging Face text tower whose config/tokenizer we fetch
    provider: str = "open_clip"  # who builds it (photoclip.core.model_provider)
    retrieval: tuple[tuple[str, float], ...] = ()  # (benchmark, zero-shot text-to-image R@1 %)

    def weights_candidates(self) -> tuple[str, ...]:
        """File names to look for in the hub repo and in the models folder, preferred first."""
        names = [self.weights_filename]
        for safe, pickle in ((SAFE_WEIGHTS_NAME, PICKLE_WEIGHTS_NAME),
                             (HF_SAFE_WEIGHTS_NAME, HF_PICKLE_WEIGHTS_NAME)):
            if self.weights_filename == safe:
                names.append(pickle)
            elif self.weights_filename == pickle:
                names.insert(0, safe)
        return tuple(names)

    def download_url(self, endpoint: str = "https://huggingface.co") -> str | None:
        """Where a user can fetch the weights by hand."""
        if not self.hf_hub_id:
            return None
        return f"{endpoint.rstrip('/')}/{self.hf_hub_id}/resolve/main/{self.weights_filename}"


def _spec(**kw: Any) -> ModelSpec:
    kw.setdefault("weights_filename", SAFE_WEIGHTS_NAME)
    return ModelSpec(**kw)


# arch, pretrained and hf_hub_id are checked against the installed open_clip by the tests.
_ENTRIES = (
    _spec(
        key="vit-b-32",
        arch="ViT-B-32",
        pretrained="laion2b_s34b_b79k",
        hf_hub_id="laion/CLIP-ViT-B-32-laion2B-s34B-b79K",
        description="Fast, good all-round default (LAION-2B ViT-B/32)",
        imagenet_top1=66.6,
        params_millions=151.3,
        download_mb=605,
    ),
    _spec(
        key="mobileclip2-s0",
        arch="MobileCLIP2-S0",
        pretrained="dfndr2b",
        hf_hub_id="timm/MobileCLIP2-S0-OpenCLIP",
        description="Better than vit-b-32 with half the download, about 2x slower to index "
        "on a CPU (Apple MobileCLIP2-S0; Apple AMLR licence: check it suits your use)",
        imagenet_top1=71.5,
        params_millions=74.8,
        download_mb=300,
    ),
    _spec(
        key="vit-b-16",
        arch="ViT-B-16",
        pretrained="datacomp_xl_s13b_b90k",
        hf_hub_id="laion/CLIP-ViT-B-16-DataComp.XL-s13B-b90K",
        description="Higher quality, about 4x slower to index than vit-b-32 (DataComp-1B ViT-B/16)",
        imagenet_top1=73.5,
        params_millions=149.6,
        download_mb=599,
    ),
    _spec(
        key="vit-l-14",
        arch="ViT-L-14",
        pretrained="datacomp_xl_s13b_b90k",
        hf_hub_id="laion/CLIP-ViT-L-14-DataComp.XL-s13B-b90K",
        description="Best quality, about 18x slower to index than vit-b-32: "
        "for a GPU (DataComp-1B ViT-L/14)",
        imagenet_top1=79.2,
        params_millions=427.6,
        download_mb=1710,
    ),
    _spec(
        key="xlm-roberta-vit-b-32",
        arch="xlm-roberta-base-ViT-B-32",
        pretrained="laion5b_s13b_b90k",
        hf_hub_id="laion/CLIP-ViT-B-32-xlm-roberta-base-laion5B-s13B-b90k",
        description="Multilingual search, Chinese included (100 languages; LAION-5B "
        "XLM-RoBERTa + ViT-B/32)",
        imagenet_top1=62.4,
        params_millions=366.1,
        download_mb=1470,
        multilingual=True,
        requires=("transformers", "sentencepiece"),
        hf_text_model="xlm-roberta-base",
    ),
    _spec(
        key="cn-clip-vit-b-16",
        provider="chinese_clip",
        arch="ViT-B-16@RoBERTa-wwm-ext-base-chinese",  # Chinese-CLIP's own name for it
        pretrained=None,
        hf_hub_id="OFA-Sys/chinese-clip-vit-base-patch16",
        weights_filename=HF_PICKLE_WEIGHTS_NAME,
        description="Chinese-first search (OFA-Sys Chinese-CLIP ViT-B/16 with a Chinese "
        "RoBERTa text tower, trained on ~200M Chinese image-text pairs)",
        imagenet_top1=None,  # its authors report Chinese retrieval instead
        params_millions=188,
        download_mb=753,
        multilingual=True,  # reads Chinese (and some English), not 100 languages
        requires=("transformers",),
        retrieval=(("MUGE", 52.1), ("Flickr30K-CN", 62.7), ("COCO-CN", 62.2)),
    ),
)

CATALOGUE: dict[str, ModelSpec] = {s.key: s for s in _ENTRIES}
DEFAULT_MODEL_KEY = "vit-b-32"


def user_arch_name(key: str) -> str:
    """The open_clip model name a user model's own config is registered under."""
    return f"photoclip-user-{key}"


def write_user_model(
    models_dir: Path,
    key: str,
    open_clip_config: dict[str, Any],
    *,
    description: str,
    weights: str | Path = RANDOM_WEIGHTS,
    **extra: Any,
) -> Path:
    """Write the user model file ``<models_dir>/<key>.json`` that :func:`load_user_model`
    reads: a whole open_clip config and its weights (a file, ``hf-hub:...`` or ``"random"``)."""
    models_dir.mkdir(parents=True, exist_ok=True)
    path = models_dir / f"{key}.json"
    path.write_text(json.dumps({
        "key": key, "description": description, "open_clip_config": open_clip_config,
        "weights": str(weights), **extra,
    }, indent=2))
    return path


def load_user_model(path: Path) -> ModelSpec:
    """Read a user model file (``<config>/models/*.json``) into a spec; ValueError if invalid.

    The file holds ``key``, ``description``, and either ``open_clip_config`` (a whole open_clip
    model config) or ``arch`` (a built-in open_clip model name, optionally with ``pretrained``, a
    tag whose preprocessing applies); ``weights`` is a file path (relative paths are relative to
    the model file), ``"hf-hub:org/repo/file"`` (downloaded like catalogue weights) or
    ``"random"``; ``preprocess`` optionally overrides open_clip's PreprocessCfg
    fields (size, mean, std, interpolation, resize_mode, fill_color); ``requires`` lists extra
    importable packages and ``multilingual`` marks a multilingual text tower; ``provider``
    names the model family that builds it (default ``open_clip``; with another, ``arch`` is that
    provider's model name).
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    key = str(data.get("key", "")).strip()
    if not KEY_PATTERN.match(key):
        raise ValueError(f"{path}: 'key' must be lower-case letters, digits and '-', got {key!r}")
    provider = data.get("provider", "open_clip")
    if not isinstance(provider, str) or not provider:
        raise ValueError(f"{path}: 'provider' must be a model provider's name")
    cfg = data.get("open_clip_config") if provider == "open_clip" else None
    if cfg is not None:
        if not (isinstance(cfg, dict) and {"embed_dim", "vision_cfg", "text_cfg"} <= cfg.keys()):
            raise ValueError(f"{path}: 'open_clip_config' needs embed_dim, vision_cfg and text_cfg")
        arch, pretrained = user_arch_name(key), None
        hf_text = cfg["text_cfg"].get("hf_model_name")
    elif isinstance(data.get("arch"), str):
        arch, pretrained, hf_text = data["arch"], data.get("pretrained"), None
    else:
        raise ValueError(f"{path}: give either 'open_clip_config' or 'arch'")
    weights = data.get("weights")
    if not isinstance(weights, str) or not weights:
        raise ValueError(f"{path}: 'weights' must be a path, 'hf-hub:org/repo/file' or 'random'")
    random_init = weights == RANDOM_WEIGHTS
    local = hub_id = None
    filename = ""
    if weights.startswith(HF_HUB_PREFIX):
        hub_id, _, filename = weights[len(HF_HUB_PREFIX) :].rpartition("/")
        if hub_id.count("/") != 1 or not filename:
            raise ValueError(f"{path}: 'weights' must be hf-hub:org/repo/file, not {weights!r}")
    elif not random_init:
        wp = Path(weights).expanduser()
        local = str(wp if wp.is_absolute() else (path.parent / wp).resolve())
        filename = Path(local).name
    pre = data.get("preprocess")
    if pre is not None and not isinstance(pre, dict):
        raise ValueError(f"{path}: 'preprocess' must be an object")
    requires = data.get("requires", ())
    return ModelSpec(
        key=key,
        arch=arch,
        pretrained=pretrained,
        hf_hub_id=hub_id,
        weights_filename=filename,
        description=str(data.get("description", f"user model from {path.name}")),
        imagenet_top1=None,
        params_millions=None,
        download_mb=None,
        multilingual=bool(data.get("multilingual", False)),
        requires=tuple(str(r) for r in requires),
        random_init=random_init,
        config_file=str(path.resolve()),
        local_weights=local,
        hf_text_model=hf_text,
        provider=provider,
    )


_UNREADABLE = N_("Model '{model}': its model file {file} cannot be read ({error}).")
_UNKNOWN = N_("Unknown model '{key}'. Choose one of: {keys} (see `photoclip models list`).")


def read_user_model_file(spec: ModelSpec) -> dict[str, Any]:
    """The parsed JSON of a user model's file (empty for catalogue models)."""
    if not spec.config_file:
        return {}
    try:
        return json.loads(Path(spec.config_file).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(Said(_UNREADABLE, {
            "model": spec.key, "file": spec.config_file, "error": str(exc)})) from exc


def available_models(user_models_dir: Path | None) -> dict[str, ModelSpec]:
    """The catalogue plus valid user model files; broken files are logged and skipped."""
    models = dict(CATALOGUE)
    if user_models_dir is None or not Path(user_models_dir).is_dir():
        return models
    for path in sorted(Path(user_models_dir).glob("*.json")):
        try:
            spec = load_user_model(path)
        except ValueError as exc:
            log.warning("Skipping user model file: %s", exc)
            continue
        if spec.key in models:
            log.warning("Skipping user model %s: key '%s' is already taken", path, spec.key)
            continue
        models[spec.key] = spec
    return models


def get_model_spec(key: str, user_models_dir: Path | None = None) -> ModelSpec:
    """The model called ``key``; ModelUnavailableError naming the valid keys if there is none."""
    models = available_models(user_models_dir)
    spec = models.get(key.strip().lower())
    if spec is None:
        raise UnknownModelError(Said(_UNKNOWN, {"key": key, "keys": ", ".join(models)}))
    return spec
