"""open_clip model configs and preprocessing of catalogue and user models, without weights.
(Imports open_clip, inside the functions.)"""

from __future__ import annotations

import copy
import json
import tempfile
import threading
from pathlib import Path
from typing import Any

from photoclip.core.model_catalogue import ModelSpec, ModelUnavailableError, read_user_model_file
from photoclip.core.said import N_, Said
from photoclip.core.torch_compat import import_open_clip
from photoclip.core.types import PreprocessSpec

__all__ = ["model_config", "preprocess_spec_for"]

_registered: dict[str, str] = {}
_register_lock = threading.Lock()


def _user_open_clip_config(spec: ModelSpec) -> dict[str, Any] | None:
    cfg = read_user_model_file(spec).get("open_clip_config")
    return copy.deepcopy(cfg) if isinstance(cfg, dict) else None


def _register(spec: ModelSpec) -> None:
    """Make a user model's own config known to open_clip under ``spec.arch``.

    open_clip reads configs from files: the file lives only while open_clip reads it (a folder
    kept per process was left behind in the temp folder by every run)."""
    cfg = _user_open_clip_config(spec)
    if cfg is None:
        return
    text = json.dumps(cfg, sort_keys=True)
    with _register_lock:
        if _registered.get(spec.arch) == text:
            return
        oc = import_open_clip()
        with tempfile.TemporaryDirectory(prefix="photoclip-open-clip-config-") as folder:
            path = Path(folder) / f"{spec.arch}.json"
            path.write_text(text, encoding="utf-8")
            oc.add_model_config(path)  # read at once; later rescans skip the missing file
        _registered[spec.arch] = text


_NO_ARCH = N_("Model '{model}' needs the open_clip architecture '{arch}', which this "
              "open_clip_torch does not have; upgrade it with `pip install -U open_clip_torch`.")


def model_config(spec: ModelSpec) -> dict[str, Any]:
    """The open_clip model config of ``spec`` (no weights are read)."""
    cfg = _user_open_clip_config(spec)
    if cfg is not None:
        return cfg
    oc = import_open_clip()
    cfg = oc.get_model_config(spec.arch)
    if cfg is None:
        raise ModelUnavailableError(Said(_NO_ARCH, {"model": spec.key, "arch": spec.arch}))
    return cfg


def _preprocess_dict(spec: ModelSpec) -> dict[str, Any]:
    """open_clip's final PreprocessCfg for ``spec`` as a dict (as create_model would build it)."""
    oc = import_open_clip()
    from dataclasses import asdict

    from open_clip.transform import PreprocessCfg, merge_preprocess_dict

    cfg = model_config(spec)
    pp = asdict(PreprocessCfg())
    if spec.pretrained:
        pp = merge_preprocess_dict(pp, oc.get_pretrained_cfg(spec.arch, spec.pretrained))
    pp["size"] = cfg["vision_cfg"].get("image_size", pp["size"])
    user = read_user_model_file(spec).get("preprocess") or {}
    return merge_preprocess_dict(pp, user)


def preprocess_spec_for(spec: ModelSpec) -> PreprocessSpec:
    """How ``spec`` wants its pixels, without loading it."""
    pp = _preprocess_dict(spec)
    size = pp["size"]
    h, w = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    mean = tuple(float(v) for v in pp["mean"])
    std = tuple(float(v) for v in pp["std"])
    return PreprocessSpec(
        image_size=(int(h), int(w)),
        mean=mean,  # type: ignore[arg-type]
        std=std,  # type: ignore[arg-type]
        interpolation=str(pp.get("interpolation", "bicubic")),
        resize_mode=str(pp.get("resize_mode", "shortest")),
        fill_color=int(pp.get("fill_color", 0)),
    )


def make_tokenizer(oc: Any, spec: ModelSpec, cfg: dict[str, Any], text_dir: Path | None) -> Any:
    """The tokenizer of ``spec`` (its text tower's files in ``text_dir``, if it has them)."""
    if text_dir is not None:
        from open_clip.tokenizer import HFTokenizer

        text_cfg = cfg["text_cfg"]
        return HFTokenizer(
            str(text_dir),
            context_length=text_cfg.get("context_length", 77),
            **text_cfg.get("tokenizer_kwargs", {}),
        )
    text_cfg = cfg.get("text_cfg", {})
    if (
        "siglip" not in spec.arch.lower()
        and not text_cfg.get("hf_tokenizer_name")
        and not text_cfg.get("tokenizer_kwargs")
        and text_cfg.get("context_length", 77) == 77
    ):  # open_clip's own default tokenizer, built at its import (building one costs ~0.5 s)
        from open_clip import tokenizer as oc_tokenizer

        default = getattr(oc_tokenizer, "_tokenizer", None)
        if isinstance(default, oc_tokenizer.SimpleTokenizer) and default.context_length == 77:
            return default
    return oc.get_tokenizer(spec.arch)


def reparameterize(model: Any) -> Any:
    """Fuse the training-time branches of MobileCLIP-style (re-parameterisable) image towers."""
    try:
        from timm.utils import reparameterize_model
    except ImportError:
        return model
    return reparameterize_model(model, inplace=True)
