"""The ``photoclip`` embedding function for chromadb (multimodal: Documents and Images)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Embeddable, EmbeddingFunction, Embeddings, Space, is_image
from chromadb.utils.embedding_functions import register_embedding_function

from photoclip.plugin_api import ImageTextEmbedder, check_embedder_options, open_embedder

_CONFIG_KEYS = (
    "model", "device", "precision", "batch_size", "models_dir", "user_models_dir", "weights_file"
)


@register_embedding_function
class PhotoclipEmbeddingFunction(EmbeddingFunction[Embeddable]):
    """Texts and images (HxWx3 arrays, as Chroma's ImageLoader gives: uint8, uint16, or float in
    [0, 1]; anything else is a ValueError) to photoclip's L2-normalised CLIP vectors, in
    batches, on the best device.

    ``model``: a key of photoclip's catalogue (``photoclip models``); ``""`` is the model the
    user's photoclip uses, with the weights file it was given (``models use KEY --weights
    FILE``). A bad ``device`` or ``precision`` is a ValueError here; the model loads on the
    first call.
    """

    def __init__(
        self,
        model: str = "",
        device: str = "auto",
        precision: str = "auto",
        batch_size: int = 32,
        models_dir: str | None = None,
        user_models_dir: str | None = None,
        weights_file: str | None = None,
    ) -> None:
        self._embedder: ImageTextEmbedder = open_embedder(
            model, device=device, precision=precision, batch_size=batch_size,
            models_dir=models_dir, user_models_dir=user_models_dir, weights_file=weights_file,
        )
        self._config: dict[str, Any] = {
            "model": self._embedder.model,  # the resolved key: a reopened collection matches
            "device": device,
            "precision": precision,
            "batch_size": int(batch_size),
            "models_dir": str(Path(models_dir)) if models_dir else None,
            "user_models_dir": str(Path(user_models_dir)) if user_models_dir else None,
            "weights_file": str(Path(weights_file)) if weights_file else None,
        }

    def __call__(self, input: Embeddable) -> Embeddings:
        items = list(input)
        out: list[np.ndarray | None] = [None] * len(items)
        image_at = [i for i, item in enumerate(items) if is_image(item)]
        text_at = [i for i, item in enumerate(items) if isinstance(item, str)]
        if len(image_at) + len(text_at) != len(items):
            raise ValueError("photoclip embeds texts and images (numpy arrays) only")
        if image_at:
            vecs = self._embedder.embed_images([np.asarray(items[i]) for i in image_at])
            for i, vec in zip(image_at, vecs):
                out[i] = vec
        if text_at:
            vecs = self._embedder.embed_texts([items[i] for i in text_at])
            for i, vec in zip(text_at, vecs):
                out[i] = vec
        return [np.asarray(v, dtype=np.float32) for v in out]

    @property
    def dim(self) -> int:
        return self._embedder.dim

    @staticmethod
    def name() -> str:
        return "photoclip"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> PhotoclipEmbeddingFunction:
        PhotoclipEmbeddingFunction.validate_config(config)
        return PhotoclipEmbeddingFunction(**{k: config.get(k) for k in _CONFIG_KEYS
                                             if config.get(k) is not None})

    def get_config(self) -> dict[str, Any]:
        return dict(self._config)

    def validate_config_update(
        self, old_config: dict[str, Any], new_config: dict[str, Any]
    ) -> None:
        if "model" in new_config and new_config["model"] != old_config.get("model"):
            raise ValueError("a collection's model cannot change: its vectors would not match")

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        unknown = set(config) - set(_CONFIG_KEYS)
        if unknown:
            raise ValueError(f"unknown photoclip embedding function settings: {sorted(unknown)}")
        if not isinstance(config.get("model", ""), str):
            raise ValueError("'model' must be a photoclip model key")
        check_embedder_options(config.get("device") or "auto", config.get("precision") or "auto")

    def close(self) -> None:
        """Free the model's memory."""
        self._embedder.close()
