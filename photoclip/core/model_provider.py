"""The model-provider seam: which code builds the image and text encoders of a model.

A catalogue entry or user model file names its provider (``ModelSpec.provider``, ``"open_clip"``
unless it says otherwise). Everything above the model (the indexer, the search, the fronts) talks
to :class:`~photoclip.core.models.Embedder` only; the embedder asks the spec's provider for the
model's facts (``config``, ``preprocess_spec``), the files a download fetches (``files``) and,
at load time, a built model (``build``). A plugin adds a family with the
``photoclip_model_providers`` hook (:func:`register_provider`).

Qt-free, and no torch at import: providers import their libraries inside their methods.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from photoclip.core.model_catalogue import ModelSpec, ModelUnavailableError
from photoclip.core.said import N_, Said
from photoclip.core.types import PreprocessSpec

__all__ = [
    "BUILTIN_PROVIDERS", "BuiltModel", "ModelProvider", "provider_for", "provider_names",
    "register_provider",
]


@dataclass
class BuiltModel:
    """What a provider's ``build`` returns.

    ``model`` has ``encode_image(pixels) -> features`` (pixels: (N, 3, H, W) as
    ``preprocess_spec`` says), ``encode_text(tokens) -> features`` and ``eval()``; features
    need not be normalised. ``tokenizer(texts) -> LongTensor (N, L)`` (0 pads). ``full``: the
    image tower is loaded too; ``precision``: what the model really runs in."""

    model: Any
    tokenizer: Callable[[Sequence[str]], Any]
    embed_dim: int
    full: bool
    precision: str


@runtime_checkable
class ModelProvider(Protocol):
    """A family of models (open_clip, Chinese-CLIP, a plugin's own)."""

    name: str

    def config(self, spec: ModelSpec, models_dir: Path | None = None) -> dict[str, Any]:
        """The model's config without weights; it has at least ``embed_dim``."""
        ...

    def preprocess_spec(self, spec: ModelSpec, models_dir: Path | None = None) -> PreprocessSpec:
        """How the model wants its pixels (photoclip's decode pipeline applies it)."""
        ...

    def files(self, spec: ModelSpec) -> tuple[str, ...]:
        """Files besides the weights that a download fetches from ``spec.hf_hub_id`` into
        ``<models>/<key>/`` and that must be there for the model to count as installed."""
        ...

    def build(
        self, spec: ModelSpec, weights: Path | None, *, models_dir: Path, device: str,
        precision: str, full: bool, allow_download: bool,
        progress: Callable[[int, int], None] | None = None,
    ) -> BuiltModel:
        """Build the model on ``device`` in ``precision`` from ``weights`` (None: random
        weights, seeded by the key). ``full=False`` allows loading only the text tower;
        ``progress(done, total)`` reports bytes of any part it still downloads. Raises
        ModelUnavailableError with a message for the user."""
        ...


# name -> a provider, or "module:attribute" of a built-in one (imported on first use)
_BUILTIN = {
    "open_clip": "photoclip.core.providers.open_clip:PROVIDER",
    "chinese_clip": "photoclip.core.providers.chinese_clip:PROVIDER",
}
BUILTIN_PROVIDERS = frozenset(_BUILTIN)
_providers: dict[str, ModelProvider | str] = dict(_BUILTIN)
_lock = threading.Lock()


def register_provider(provider: ModelProvider) -> None:
    """Add a provider (a plugin's, through the ``photoclip_model_providers`` hook)."""
    name = getattr(provider, "name", "")
    if not isinstance(name, str) or not name:
        raise ValueError("a model provider needs a non-empty 'name'")
    missing = [m for m in ("config", "preprocess_spec", "files", "build")
               if not callable(getattr(provider, m, None))]
    if missing:
        raise ValueError(f"model provider {name!r} lacks {', '.join(missing)}")
    if name in BUILTIN_PROVIDERS:
        raise ValueError(f"{name!r} is a built-in model provider")
    with _lock:
        _providers[name] = provider


def provider_names() -> list[str]:
    """The providers known now (built-in and registered)."""
    with _lock:
        return list(_providers)


_NO_PROVIDER = N_("Model '{model}' needs the model provider '{provider}', which is not installed "
                  "(known: {known}); install the plugin that provides it, or choose another "
                  "model.")


def provider_for(spec: ModelSpec) -> ModelProvider:
    """The provider of ``spec``; ModelUnavailableError if no provider has that name."""
    with _lock:
        found = _providers.get(spec.provider)
    if found is None:
        raise ModelUnavailableError(Said(_NO_PROVIDER, {
            "model": spec.key, "provider": spec.provider, "known": ", ".join(provider_names())}))
    if isinstance(found, str):
        module, _, attr = found.partition(":")
        found = getattr(importlib.import_module(module), attr)
        with _lock:
            _providers[spec.provider] = found
    return found
