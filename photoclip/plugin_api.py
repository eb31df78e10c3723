"""The photoclip plugin API: the only photoclip module a plugin imports.

Everything a plugin may use is in ``__all__``; the rest of photoclip can change between
releases, this module changes only with :data:`API_VERSION`. A plugin is a module (or package)
with a ``plugin.toml`` manifest beside it that implements some of the hooks in
:class:`photoclip.core.hookspecs.PhotoclipSpecs` with :data:`hookimpl`::

    from photoclip.plugin_api import Action, ActionResult, counted, hookimpl

    def count(context, photos, options):
        return ActionResult(counted(len(photos), "photo"))  # "1 photo", "2 photos"

    @hookimpl
    def photoclip_actions(register):
        register(Action("count", "Count photos", "Say how many photos are selected", count,
                        selection="optional"))

See docs/plugins.md for the guide, plugins/template/ for a starting point and
:mod:`photoclip.plugin_testing` for test helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from photoclip.core.analysis import Analyzer, AnalyzerError
from photoclip.core.duplicates import original_first
from photoclip.core.hookspecs import hookimpl
from photoclip.core.labels import Label, LabelSet, parse_label_set
from photoclip.core.model_catalogue import ModelSpec, ModelUnavailableError
from photoclip.core.model_provider import BuiltModel, ModelProvider
from photoclip.core.people import UNNAMED, People, PeopleError, PersonFace, PersonSummary
from photoclip.core.people_edits import (
    FaceAnswer,
    FaceName,
    FaceNotPerson,
    PersonHide,
    PersonMerge,
    PersonRename,
)
from photoclip.core.plugin_context import PluginContext
from photoclip.core.said import Count, Listed, Said
from photoclip.core.trash import free_name
from photoclip.core.types import (
    API_VERSION,
    Action,
    ActionResult,
    Exporter,
    Match,
    Option,
    Photo,
    PluginError,
    PreprocessSpec,
    Region,
    SearchFilter,
    SearchScorer,
    counted,
)

if TYPE_CHECKING:
    from PIL import Image

__all__ = [
    "API_VERSION",
    "UNNAMED",
    "Action",
    "ActionResult",
    "Analyzer",
    "AnalyzerError",
    "BuiltModel",
    "Count",
    "Exporter",
    "FaceAnswer",
    "FaceName",
    "FaceNotPerson",
    "ImageTextEmbedder",
    "Label",
    "LabelSet",
    "Listed",
    "Match",
    "ModelProvider",
    "ModelSpec",
    "ModelUnavailableError",
    "Option",
    "People",
    "PeopleError",
    "PersonFace",
    "PersonHide",
    "PersonMerge",
    "PersonRename",
    "PersonSummary",
    "Photo",
    "PluginContext",
    "PluginError",
    "PreprocessSpec",
    "Region",
    "Said",
    "SearchFilter",
    "SearchScorer",
    "as_uint8_pixels",
    "check_embedder_options",
    "counted",
    "free_name",
    "hookimpl",
    "model_keys",
    "open_embedder",
    "open_image",
    "original_first",
    "parse_label_set",
]

# ----- images and the model ------------------------------------------------------------------


def open_image(path: str | Path, min_side: int = 256) -> Image.Image:
    """Decode an image file upright in RGB, its shorter side at least ``min_side`` pixels (or
    the original's). Raises ValueError for files photoclip cannot decode."""
    from photoclip.core.images import ImageDecodeError, load_image

    try:
        image, _ = load_image(Path(path), min_side=min_side)
    except ImageDecodeError as exc:
        raise ValueError(f"cannot decode {path}: {exc.reason}") from exc
    return image.convert("RGB") if image.mode != "RGB" else image


def model_keys() -> list[str]:
    """The keys of photoclip's model catalogue (and the user's model files)."""
    from photoclip.config import app_paths
    from photoclip.core.model_catalogue import available_models

    return sorted(available_models(app_paths().config / "models"))


def as_uint8_pixels(arr: np.ndarray) -> np.ndarray:
    """An HxW, HxWx3 or HxWx4 pixel array as uint8, or a ValueError saying why it cannot be.

    uint8 as is; uint16 (16-bit PNG/TIFF) scaled by 255/65535; bool as 0/255; floats must lie in
    [0, 1] (the usual convention, e.g. ``skimage``/``torchvision``) and are scaled by 255. Floats
    outside [0, 1], NaNs and other integer types are refused: guessing their range would embed a
    silently wrong picture.
    """
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (1, 3, 4)):
        raise ValueError(f"an image array must be HxW, HxWx3 or HxWx4, not shape {arr.shape}")
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == np.bool_:
        return arr.astype(np.uint8) * 255
    if arr.dtype == np.uint16:
        return ((arr.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    if np.issubdtype(arr.dtype, np.floating):
        if arr.size and not np.isfinite(arr).all():
            raise ValueError("the image array has NaN or infinite values")
        lo, hi = (float(arr.min()), float(arr.max())) if arr.size else (0.0, 0.0)
        if lo < 0 or hi > 1:
            raise ValueError(
                f"a float image array must hold values in [0, 1], not [{lo:g}, {hi:g}] "
                "(for 0-255 values pass arr.astype(numpy.uint8))"
            )
        return np.rint(arr.astype(np.float64) * 255).astype(np.uint8)
    raise ValueError(
        f"unsupported image array dtype {arr.dtype}: use uint8, uint16 or float in [0, 1]"
    )


class ImageTextEmbedder:
    """photoclip's CLIP embedder for plugins: images and texts to L2-normalised vectors.

    The model loads on first use; calls are thread-safe and batched (``batch_size`` images at a
    time). Create one with :func:`open_embedder`.
    """

    def __init__(self, embedder: Any, batch_size: int) -> None:
        self._embedder = embedder
        self.batch_size = max(1, int(batch_size))

    @property
    def model(self) -> str:
        return str(self._embedder.spec.key)

    @property
    def dim(self) -> int:
        return int(self._embedder.dim)

    @property
    def device(self) -> str:
        return str(self._embedder.device)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """(N, dim) float32 vectors of ``texts``."""
        return self._embedder.embed_texts(list(texts))

    def embed_images(self, images: Sequence[Image.Image | np.ndarray]) -> np.ndarray:
        """(N, dim) float32 vectors of PIL images or HxWx3 (or HxW) arrays: uint8, uint16, or
        float in [0, 1] (see :func:`as_uint8_pixels`)."""
        from PIL import Image as PILImage

        from photoclip.core.images import preprocess

        spec = self._embedder.preprocess_spec
        out = []
        for lo in range(0, len(images), self.batch_size):
            batch = []
            for item in images[lo : lo + self.batch_size]:
                if isinstance(item, np.ndarray):
                    item = PILImage.fromarray(as_uint8_pixels(item))
                batch.append(preprocess(item, spec))
            out.append(self._embedder.embed_images(np.stack(batch)))
        if not out:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.concatenate(out)

    def close(self) -> None:
        """Free the model's memory (a later call loads it again)."""
        self._embedder.close()


def check_embedder_options(device: str = "auto", precision: str = "auto") -> None:
    """A ValueError naming the choices if ``device`` or ``precision`` is not one photoclip knows
    (``auto``, ``cpu``, ``cuda[:N]``, ``mps``; ``auto`` or a name in ``PRECISIONS``)."""
    from photoclip.core.models import PRECISIONS, resolve_device

    if precision != "auto" and precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}: use auto, {', '.join(PRECISIONS)}")
    resolve_device(device)


def open_embedder(
    model: str = "",
    *,
    device: str = "auto",
    precision: str = "auto",
    batch_size: int = 32,
    models_dir: str | Path | None = None,
    user_models_dir: str | Path | None = None,
    weights_file: str | Path | None = None,
    allow_download: bool = True,
) -> ImageTextEmbedder:
    """An embedder for a catalogue model (``""``: the user's current model, else the default).

    ``models_dir`` (downloaded weights) and ``user_models_dir`` (the user's model files) default
    to photoclip's own folders, so a plugin sees the same models as the app.
    """
    from photoclip.config import Settings, app_paths
    from photoclip.core.models import DEFAULT_MODEL_KEY, Embedder, get_model_spec

    paths = app_paths()
    user_dir = Path(user_models_dir) if user_models_dir else paths.config / "models"
    check_embedder_options(device, precision)  # now, not at the first embedding
    settings = Settings.load(paths.settings_file)
    spec = get_model_spec(model or settings.model or DEFAULT_MODEL_KEY, user_dir)
    if weights_file is None and settings.weights_file and spec.key == settings.model:
        weights_file = settings.weights_file  # `photoclip models use KEY --weights FILE`
    embedder = Embedder(
        spec,
        models_dir=Path(models_dir) if models_dir else paths.models_dir,
        device=device,
        precision=precision,
        weights_file=weights_file or None,
        allow_download=allow_download,
    )
    return ImageTextEmbedder(embedder, batch_size)
