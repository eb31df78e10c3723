"""The ``open_clip`` model provider: open_clip's models, the catalogue's default family.

Builds with ``open_clip.create_model`` (a text-tower-only load first where the weights allow it,
:mod:`~photoclip.core.text_tower`), a Hugging Face text tower from its folder
(:mod:`~photoclip.core.model_needs`), MobileCLIP re-parameterisation and int8 quantisation of the
image tower.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from photoclip.core.model_catalogue import ModelSpec, ModelUnavailableError
from photoclip.core.model_config import (
    _preprocess_dict,
    _register,
    make_tokenizer,
    model_config,
    preprocess_spec_for,
    reparameterize,
)
from photoclip.core.model_needs import ensure_text_tower, from_text_tower, text_tower_message
from photoclip.core.model_provider import BuiltModel
from photoclip.core.precision import _int8_available
from photoclip.core.said import N_, Said
from photoclip.core.torch_compat import enable_timm, import_open_clip
from photoclip.core.types import PreprocessSpec

log = logging.getLogger(__name__)

_BAD_WEIGHTS = N_("Model '{model}' cannot use the weights in {file} ({error}). Check it is the "
                  "right file for this model, or fetch it again with `photoclip models download "
                  "{model}`.")
_NOT_BUILT = N_("Model '{model}' cannot be built ({error}).")


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


class OpenClipProvider:
    """open_clip models (catalogue entries and user model files with an open_clip config)."""

    name = "open_clip"

    def config(self, spec: ModelSpec, models_dir: Path | None = None) -> dict[str, Any]:
        return model_config(spec)

    def preprocess_spec(self, spec: ModelSpec, models_dir: Path | None = None) -> PreprocessSpec:
        return preprocess_spec_for(spec)

    def files(self, spec: ModelSpec) -> tuple[str, ...]:
        return ()  # a Hugging Face text tower comes from its own repo (weights.py)

    def build(
        self, spec: ModelSpec, weights: Path | None, *, models_dir: Path, device: str,
        precision: str, full: bool, allow_download: bool,
        progress: Callable[[int, int], None] | None = None,
    ) -> BuiltModel:
        from photoclip.core import models  # its switches (bench/embed.py turns them off)

        oc = import_open_clip()
        import torch

        path = weights
        _register(spec)
        cfg = model_config(spec)
        if cfg["vision_cfg"].get("timm_model_name"):
            enable_timm()
        kwargs: dict[str, Any] = {}
        text_dir = ensure_text_tower(spec, models_dir, allow_download, progress)
        if text_dir is not None:  # load the text tower's config/tokenizer from disk, not the hub
            kwargs["text_cfg"] = {
                **cfg["text_cfg"],
                "hf_model_name": str(text_dir),
                "hf_tokenizer_name": str(text_dir),
                "hf_model_pretrained": False,
            }
        tag_cfg = oc.get_pretrained_cfg(spec.arch, spec.pretrained) if spec.pretrained else {}
        create_kwargs: dict[str, Any] = {
            "force_quick_gelu": bool(tag_cfg.get("quick_gelu", False)),
            "force_preprocess_cfg": _preprocess_dict(spec),
            **kwargs,
        }
        dim = int(cfg["embed_dim"])
        if not full and path is not None and text_dir is None and precision != "int8":
            from photoclip.core.text_tower import load_text_only

            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    model = load_text_only(oc, spec.arch, path, device=device,
                                           precision=precision, **create_kwargs)
            except Exception:  # the whole model's load below reports any real problem
                log.debug("Text-tower-only load failed", exc_info=True)
                model = None
            if model is not None:
                log.info("Loaded the text tower of %s on %s in %s from %s",
                         spec.key, device, precision, path)
                return BuiltModel(model, make_tokenizer(oc, spec, cfg, None), dim, False, precision)
        log.info(
            "Loading model %s (%s) on %s in %s from %s",
            spec.key, spec.arch, device, precision, path or "random weights",
        )
        # random weights are seeded by the key, so a random model is the same in every run
        seeded = contextlib.nullcontext() if path else torch.random.fork_rng(devices=[])
        try:
            with warnings.catch_warnings(), seeded:
                warnings.simplefilter("ignore", UserWarning)
                if path is None:
                    torch.manual_seed(zlib.crc32(spec.key.encode()))
                model = oc.create_model(
                    spec.arch,
                    pretrained=str(path) if path else None,
                    precision="fp32" if precision == "int8" else precision,
                    device=device,
                    require_pretrained=path is not None,
                    **create_kwargs,
                )
            tokenizer = make_tokenizer(oc, spec, cfg, text_dir)
        except ModelUnavailableError:
            raise
        except Exception as exc:
            log.debug("Model load failed", exc_info=True)
            if spec.hf_text_model and from_text_tower(exc):  # not the weights' fault
                raise ModelUnavailableError(
                    text_tower_message(spec, models_dir, _short(exc))) from exc
            if path is not None:
                raise ModelUnavailableError(Said(_BAD_WEIGHTS, {
                    "model": spec.key, "file": path, "error": _short(exc)})) from exc
            raise ModelUnavailableError(Said(_NOT_BUILT, {
                "model": spec.key, "error": _short(exc)})) from exc
        if models.REPARAMETERIZE and str(cfg["vision_cfg"].get("timm_model_name", "")).startswith(
            ("fastvit", "mobileone", "repvit")
        ):
            model = reparameterize(model)
        if precision == "int8":
            model, precision = _quantize(model)
        return BuiltModel(model, tokenizer, dim, True, precision)


def _quantize(model: Any) -> tuple[Any, str]:
    """int8 dynamic quantisation of the image tower's Linear layers (CPU only).

    The text tower stays fp32: open_clip's text transformer reads its weights' dtype, which
    quantised layers do not have, and a query is one short sequence anyway."""
    import torch

    if not _int8_available():
        log.warning("int8 quantisation is not available in this torch; using fp32")
        return model, "fp32"
    with warnings.catch_warnings():  # torch.ao.quantization is deprecated but still works
        warnings.simplefilter("ignore")
        model.visual = torch.ao.quantization.quantize_dynamic(
            model.visual, {torch.nn.Linear}, dtype=torch.qint8
        )
    return model, "int8"


PROVIDER = OpenClipProvider()
