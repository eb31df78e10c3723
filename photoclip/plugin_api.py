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

import logging
import re
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from photoclip.core.hookspecs import hookimpl
from photoclip.core.labels import Label, LabelSet, parse_label_set

if TYPE_CHECKING:
    from PIL import Image

    from photoclip.core.library import Library

__all__ = [
    "API_VERSION",
    "Action",
    "ActionResult",
    "Exporter",
    "ImageTextEmbedder",
    "Label",
    "LabelSet",
    "Option",
    "Photo",
    "PluginContext",
    "PluginError",
    "as_uint8_pixels",
    "check_embedder_options",
    "counted",
    "free_name",
    "hookimpl",
    "model_keys",
    "open_embedder",
    "open_image",
    "parse_label_set",
]

#: The version of this API. A plugin's manifest names the version it was written for; the host
#: loads it only if that equals this number.
API_VERSION = 1

log = logging.getLogger(__name__)
_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


class PluginError(Exception):
    """A plugin cannot do what was asked; the message is shown to the user as is."""


@dataclass(frozen=True)
class Photo:
    """A photo in the library, as plugins see it."""

    id: int
    path: str
    size: int  # bytes
    width: int | None = None
    height: int | None = None
    taken: float | None = None  # POSIX time from EXIF, if known
    camera: str | None = None
    content_hash: str | None = None  # identical files have identical hashes


@dataclass(frozen=True)
class Option:
    """A setting of an action: a CLI flag ``--NAME`` and a field in the GUI's action dialog."""

    name: str  # [a-z][a-z0-9-]*
    help: str
    type: type = str  # str | int | float | bool (bool: a switch, default False)
    default: Any = None
    choices: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class ActionResult:
    """What an action did: a one-line message, optional detail lines and JSON-able data."""

    message: str
    details: list[str] = field(default_factory=list)
    data: Any = None


ActionRun = Callable[["PluginContext", list[Photo], dict[str, Any]], ActionResult]


@dataclass(frozen=True)
class Action:
    """An action on selected photos (GUI context menu, CLI command ``photoclip NAME``).

    ``selection``: "required" (at least one photo), "optional" (none selected means the whole
    library) or "none" (the action ignores photos). ``run(context, photos, options)`` returns
    an :class:`ActionResult`; it may raise :class:`PluginError` with a message for the user.
    Actions never delete: to remove files use :meth:`PluginContext.move_to_trash`, which asks.
    """

    name: str
    title: str
    description: str
    run: ActionRun
    options: tuple[Option, ...] = ()
    selection: Literal["required", "optional", "none"] = "required"

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise ValueError(f"action name {self.name!r} must match {_NAME_RE.pattern}")
        if self.selection not in ("required", "optional", "none"):
            raise ValueError(f"action {self.name}: bad selection {self.selection!r}")


ExportFn = Callable[["PluginContext", list[Photo], Path], list[Path]]


@dataclass(frozen=True)
class Exporter:
    """A way to export photos into a folder: ``export(context, photos, dest)`` returns the paths
    it wrote. ``dest`` exists when it is called."""

    name: str
    description: str
    export: ExportFn

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise ValueError(f"exporter name {self.name!r} must match {_NAME_RE.pattern}")


class PluginContext:
    """What a plugin may read and change in the open library (given to actions and events).

    ``confirm(question) -> bool`` is supplied by the front end (a dialog in the GUI, a y/N
    prompt or ``--yes`` in the CLI); without one, every question is answered "no".
    """

    def __init__(
        self,
        library: Library,
        *,
        confirm: Callable[[str], bool] | None = None,
        exporters: dict[str, Exporter] | None = None,
    ) -> None:
        self._lib = library
        self._confirm = confirm
        self._exporters = dict(exporters or {})

    # ----- reading -----------------------------------------------------------------------------

    @property
    def model(self) -> str:
        """The key of the model the library's vectors come from (``photoclip models``)."""
        return str(self._lib.model_spec.key)

    def photos(self, ids: Iterable[int] | None = None) -> list[Photo]:
        """Photos by id (unknown ids are left out), or every indexed photo; in id order."""
        if ids is None:
            ids = self._lib.index.ids().tolist()
        records = self._lib.catalog.get_many(ids)
        return [photo_from_record(records[i]) for i in sorted(records)]

    def photo(self, target: int | str | Path) -> Photo | None:
        """One photo by id or path; None if it is not in the library."""
        if isinstance(target, int):
            rec = self._lib.catalog.get(target)
        else:
            rec = self._lib.catalog.get_by_path(str(Path(target).expanduser().resolve()))
        return photo_from_record(rec) if rec is not None else None

    def vectors(self, ids: Sequence[int] | None = None) -> tuple[list[int], np.ndarray]:
        """Stored L2-normalised vectors (float32, one row per photo) of ``ids`` that have one,
        or of every indexed photo."""
        index = self._lib.index
        if ids is None:
            all_ids, vecs = index.snapshot()
            return [int(i) for i in all_ids], np.asarray(vecs, dtype=np.float32)
        pairs = [(int(i), index.vector(int(i))) for i in ids]
        pairs = [(i, v) for i, v in pairs if v is not None]
        if not pairs:
            return [], np.zeros((0, index.dim), dtype=np.float32)
        return [i for i, _ in pairs], np.stack([v for _, v in pairs]).astype(np.float32)

    def search(self, query: str, limit: int = 20) -> list[Photo]:
        """The best matches of a text query (the same syntax as ``photoclip search``)."""
        hits = self._lib.search(query, limit=limit)
        return self._photos_in_order([h.photo_id for h in hits])

    def album(self, name: str) -> list[Photo]:
        """The photos in an album (smart albums are evaluated now)."""
        return self.photos(self._lib.album_members(name))

    def with_tag(self, tag: str) -> list[Photo]:
        """The photos carrying a tag (the user's, a keyword or an automatic one)."""
        return self.photos(self._lib.tags.photos_with(tag))

    def tags(self, photo_id: int) -> list[str]:
        """The user's own tags of a photo."""
        return self._lib.tags.user_tags(photo_id)

    def exporters(self) -> dict[str, Exporter]:
        """Every registered exporter, by name."""
        return dict(self._exporters)

    # ----- changing ----------------------------------------------------------------------------

    def add_tag(self, tag: str, photo_ids: Iterable[int]) -> int:
        """Give photos a tag of the user's (as `photoclip tag add`); returns how many changed."""
        ids = list(photo_ids)
        return self._lib.tags.add(tag, ids).changed if ids else 0

    def confirm(self, question: str) -> bool:
        """Ask the user a yes/no question; False when nobody can answer."""
        if self._confirm is None:
            return False
        try:
            return bool(self._confirm(question))
        except (EOFError, KeyboardInterrupt):
            return False

    def move_to_trash(
        self, paths: Sequence[str | Path], *, reason: str = "", review: str = ""
    ) -> list[Path]:
        """After the user confirms, move files into photoclip's trash folder (nothing is ever
        deleted); returns their new paths ([] if the user said no). ``review`` is shown with
        the question (what will move and why). The library forgets them at the next index run
        or at once when a watcher runs."""
        if not paths:
            return []
        folder = self._lib.paths.data / "trash" / time.strftime("%Y%m%d-%H%M%S")
        why = f" ({reason})" if reason else ""
        shown = f"{review.rstrip()}\n\n" if review else ""
        if not self.confirm(f"{shown}Move {counted(len(paths), 'file')}{why} to {folder}?"):
            return []
        moved: list[Path] = []
        for p in paths:
            src = Path(p)
            target = free_name(folder / src.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(src), target)
            moved.append(target)
            log.info("Moved %s to %s", src, target)
        return moved

    def data_dir(self, plugin: str) -> Path:
        """A folder where plugin ``plugin`` may keep files (caches, state); created if needed."""
        path = self._lib.paths.data / "plugin-data" / plugin
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _photos_in_order(self, ids: list[int]) -> list[Photo]:
        records = self._lib.catalog.get_many(ids)
        return [photo_from_record(records[i]) for i in ids if i in records]


def photo_from_record(rec: Any) -> Photo:
    """A Photo from a catalog record (for photoclip itself; plugins get Photos)."""
    return Photo(
        rec.id, rec.path, rec.size, rec.width, rec.height, rec.taken, rec.camera, rec.hash
    )


def free_name(target: Path) -> Path:
    """``target`` if nothing is there, else ``name (2).ext``, ``name (3).ext``, ..."""
    n = 2
    candidate = target
    while candidate.exists() or candidate.is_symlink():
        candidate = target.with_name(f"{target.stem} ({n}){target.suffix}")
        n += 1
    return candidate


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


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``"1 photo"``, ``"8 photos"``, ``"1,250 photos"``: a count with its noun in the right
    number (``plural`` for nouns that do not just take an "s": ``counted(2, "copy", "copies")``)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


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
