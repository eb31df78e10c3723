"""CLIP models: the catalogue, device and precision choice, and a lazy, thread-safe embedder.

This module and its helpers are the only photoclip modules that import torch or open_clip, and
they do so inside functions, so importing them is cheap. The catalogue
(:mod:`~photoclip.core.model_catalogue`), weight files (:mod:`~photoclip.core.weights`), configs
(:mod:`~photoclip.core.model_config`), device and precision (:mod:`~photoclip.core.precision`),
remembered facts (:mod:`~photoclip.core.model_facts`) and the text tower's shortcuts
(:mod:`~photoclip.core.text_tower`) live beside it; the public names are re-exported here. The
code that builds a model belongs to its provider (:mod:`~photoclip.core.model_provider`:
open_clip's in :mod:`~photoclip.core.providers.open_clip`).

Precision, measured with ViT-B-32 (``bench/embed.py``): on a CPU with native bf16 instructions
(AVX512-BF16 or AMX) bf16 weights run about twice as fast as fp32 and stay within cosine 0.999 of
it, so ``auto`` picks bf16 there; without them bf16 is emulated and slower than fp32, so ``auto``
picks fp32. The CPU flags decide (no start-up benchmark: flags are exact and cost nothing).
int8 dynamic quantisation is as fast as bf16 but is only ever chosen explicitly: its error depends
on the real weights' activation outliers, which cannot be checked without real weights. CUDA gets
fp16 (how CLIP was trained); MPS gets fp32. Autocast is never used on the CPU.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from photoclip.core.embedder_onnx import OnnxTowers
from photoclip.core.model_catalogue import (
    CATALOGUE,
    DEFAULT_MODEL_KEY,
    ModelSpec,
    ModelUnavailableError,
    available_models,
    get_model_spec,
)
from photoclip.core.model_config import model_config, preprocess_spec_for
from photoclip.core.model_facts import ModelFacts
from photoclip.core.model_provider import provider_for
from photoclip.core.onnx_image import TorchTowerNeeded
from photoclip.core.precision import (
    PRECISIONS,
    choose_precision,
    cpu_has_fast_bf16,
    resolve_device,
    supported_precisions,
    torch_precision,
)
from photoclip.core.said import N_, Said
from photoclip.core.types import PreprocessSpec
from photoclip.core.weights import (
    download_weights,
    installed_weights,
    weights_path,
)

__all__ = [
    "CATALOGUE",
    "DEFAULT_MODEL_KEY",
    "PRECISIONS",
    "Embedder",
    "ModelSpec",
    "ModelUnavailableError",
    "available_models",
    "choose_precision",
    "cpu_has_fast_bf16",
    "download_weights",
    "get_model_spec",
    "model_config",
    "preprocess_spec_for",
    "resolve_device",
    "supported_precisions",
    "weights_path",
]

log = logging.getLogger(__name__)

_NO_FILE = N_("The weights file {file} for model '{model}' does not exist. Run `photoclip models "
              "use {model} --weights /path/to/file` with the right file, or without --weights "
              "to download it.")
_NOT_DOWNLOADED = N_("Model '{model}' is not downloaded. Run `photoclip models download "
                     "{model}`, or download {url} and run `photoclip models use {model} "
                     "--weights /path/to/file`.")
_ITS_WEIGHTS = N_("its weights")

TEXT_CHUNK = 256  # texts per model call
INTERACTIVE_TEXTS = 256  # at most this many texts in one call: a query (interactive lane)
CUT_TEXT = True  # encode texts only up to their longest prompt (bench/embed.py can turn off)
TEXT_ONLY_FIRST = True  # a first call for texts loads only the text tower where possible
NUMPY_TEXT = True  # a few texts before any load: the verified torch-free tower (numpy_text)
NUMPY_TEXTS = 16  # at most this many texts in such a call (more: torch, multi-threaded)
# ... and only in a process that has not imported torch: there, torch's text tower loads in a
# fraction of a second and gives the very vectors the rest of the process computes
NUMPY_TEXT_WITH_TORCH = False
LANES = ("interactive", "bulk")
REPARAMETERIZE = True  # fuse MobileCLIP's training branches at load (bench/embed.py can turn off)


# ----- the embedder --------------------------------------------------------------------------


class Embedder(OnnxTowers):
    """Lazy, thread-safe CLIP embedder: the model loads on first use, exactly once, even with
    concurrent callers. Device, precision, ``dim`` and ``preprocess_spec`` are known without
    loading (remembered on disk, so without importing torch once the model has run here).

    In a process without torch, before this embedder has loaded a model, a call for a few texts
    (a query) runs the text tower in numpy without importing torch where an earlier load
    verified that it gives the same features (:mod:`~photoclip.core.numpy_text`).

    Two lanes: *interactive* calls (a query's texts, one image) and *bulk* calls (image batches,
    big text batches such as label prototypes) each run one at a time, but the two lanes run side
    by side, so a query never waits for an image batch. A first call for texts loads only the
    text tower where the weights allow it (:func:`~photoclip.core.text_tower.load_text_only`);
    the first image call then loads the whole model."""

    def __init__(
        self,
        spec: ModelSpec,
        *,
        models_dir: Path,
        device: str = "auto",
        precision: str = "auto",
        weights_file: str | Path | None = None,
        allow_download: bool = True,
        progress: Callable[[int, int], None] | None = None,
        torch_threads: int = 0,
    ) -> None:
        self.spec = spec
        self.models_dir = Path(models_dir)
        self.weights_file = Path(weights_file).expanduser() if weights_file else None
        self.allow_download = allow_download
        self.progress = progress
        self.torch_threads = int(torch_threads)
        self._device_pref = device
        self._precision_pref = precision
        self._meta_lock = threading.Lock()  # cheap facts; never held during a load
        self._load_lock = threading.Lock()
        self._lane_locks = {lane: threading.Lock() for lane in LANES}
        self._facts = ModelFacts(spec, self.models_dir)
        self._full = False  # the image tower is loaded too
        self._encode_text: Any = None
        self._device: str | None = None
        self._precision: str | None = None
        self._preprocess: PreprocessSpec | None = None
        self._dim: int | None = None
        self._model: Any = None
        self._tokenizer: Any = None
        self._input_dtype: Any = None
        self._onnx: Any = None  # the ONNX image tower, where onnx_plan says to try one
        self._text: Any = None  # the ONNX text tower, by the same plan
        self._probes: list[np.ndarray] = []  # image vectors: the text tower's labels check
        self.weights_used: Path | None = None
        self.loads = 0
        self.image_batches = 0
        self.images_embedded = 0
        self.texts_embedded = 0

    # ----- facts known before loading --------------------------------------------------------

    def _shape(self) -> None:
        """``dim`` and ``preprocess_spec``: remembered, else from the config (imports torch)."""
        if self._dim is not None and self._preprocess is not None:
            return
        cached = self._facts.shape()
        if cached is None:
            provider = provider_for(self.spec)
            cached = (int(provider.config(self.spec, self.models_dir)["embed_dim"]),
                      provider.preprocess_spec(self.spec, self.models_dir))
            self._facts.remember_shape(*cached)
        self._dim, self._preprocess = cached

    @property
    def preprocess_spec(self) -> PreprocessSpec:
        with self._meta_lock:
            self._shape()
            assert self._preprocess is not None
            return self._preprocess

    @property
    def dim(self) -> int:
        with self._meta_lock:
            self._shape()
            assert self._dim is not None
            return self._dim

    def _runtime(self, fresh: bool = False) -> tuple[str, str]:
        """(device, precision); before a load they may come from the facts file."""
        with self._meta_lock:
            if fresh or self._device is None or self._precision is None:
                cached = None if fresh else self._facts.runtime(
                    self._device_pref, self._precision_pref)
                if cached is None:
                    device = resolve_device(self._device_pref)
                    cached = device, choose_precision(device, self._precision_pref)
                    self._facts.remember_runtime(
                        self._device_pref, self._precision_pref, *cached)
                self._device, self._precision = cached
            return self._device, self._precision

    @property
    def device(self) -> str:
        return self._runtime()[0]

    @property
    def precision(self) -> str:
        return self._runtime()[1]

    @property
    def loaded(self) -> bool:
        return self._model is not None

    # ----- loading ---------------------------------------------------------------------------

    def load(self) -> None:
        """Load the whole model now (downloading its weights first if allowed and needed)."""
        self._ensure(full=True)

    @property
    def text_only(self) -> bool:
        """True while only the text tower is loaded."""
        return self._model is not None and not self._full

    def _ensure(self, full: bool) -> None:
        if self._model is not None and (self._full or not full):
            return
        with self._load_lock:
            if self._model is None or (full and not self._full):
                self._load(full or not TEXT_ONLY_FIRST)

    def _check_requirements(self) -> None:
        from photoclip.core.model_needs import missing_requirements, requirements_message

        missing = missing_requirements(self.spec)
        if missing:
            raise ModelUnavailableError(requirements_message(self.spec, missing))

    def _resolve_weights(self) -> Path | None:
        spec = self.spec
        if spec.random_init:
            log.warning(
                "Model '%s' has RANDOM weights: its search results are meaningless "
                "(for tests and development only)", spec.key,
            )
            return None
        if self.weights_file is not None:
            if not self.weights_file.is_file():
                raise ModelUnavailableError(Said(_NO_FILE, {
                    "file": self.weights_file, "model": spec.key}))
            return self.weights_file
        installed = installed_weights(spec, self.models_dir)
        if installed is not None:
            return installed
        if not self.allow_download:
            url = spec.download_url() or Said(_ITS_WEIGHTS)
            raise ModelUnavailableError(Said(_NOT_DOWNLOADED, {"model": spec.key, "url": url}))
        return download_weights(spec, self.models_dir, self.progress)

    def _load(self, full: bool) -> None:
        """Build the model with its provider (:mod:`~photoclip.core.model_provider`)."""
        spec = self.spec
        self._check_requirements()
        path = self._resolve_weights()
        provider = provider_for(spec)
        import torch

        device, precision = self._runtime(fresh=True)
        if self.torch_threads > 0:
            torch.set_num_threads(self.torch_threads)
        onnx = self._onnx_tower(device, precision)
        self._text_tower(device, precision)
        if full and onnx is not None and onnx.ready(path):
            # a remembered ONNX image tower: torch needs only the text tower (less memory)
            built = provider.build(spec, path, models_dir=self.models_dir, device=device,
                                   precision=torch_precision(precision), full=False,
                                   allow_download=self.allow_download, progress=self.progress)
            if not built.full:
                self._precision = built.precision
                self._finish_load(built.model, built.tokenizer, built.embed_dim, path,
                                  full=False)
                onnx.attach(built.model, path, self.preprocess_spec.image_size)
                if onnx.active:
                    self._full = True
                    self._onnx_precision()
                    return
        built = provider.build(spec, path, models_dir=self.models_dir, device=device,
                               precision=torch_precision(precision), full=full,
                               allow_download=self.allow_download, progress=self.progress)
        self._precision = built.precision
        self._finish_load(built.model, built.tokenizer, built.embed_dim, path, full=built.full)
        if onnx is not None and built.full:
            onnx.attach(built.model, path, self.preprocess_spec.image_size)
            self._onnx_precision()
        elif onnx is not None and (onnx.active or onnx.ready(path)):
            # only the text tower: image batches still go to the ONNX tower (in use, or
            # remembered and cached): that is the precision this model runs images in
            self._onnx_precision(ready=True)

    def _finish_load(
        self, model: Any, tokenizer: Any, embed_dim: int, path: Path | None, full: bool
    ) -> None:
        import torch

        model.eval()
        self._input_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(
            self._precision or "fp32", torch.float32
        )
        encode = None
        if CUT_TEXT:
            from photoclip.core.text_tower import cut_text_encoder

            encode = cut_text_encoder(model, tokenizer)
        self._encode_text = encode or model.encode_text
        self._tokenizer = tokenizer
        if self._text is not None:
            self._text.attach(model, tokenizer, path)
        self.weights_used = path
        self._model = model
        self._full = full
        self.loads += 1
        with contextlib.suppress(Exception):  # remembered for commands that need no model
            self._facts.remember_shape(int(embed_dim), self.preprocess_spec)
        if NUMPY_TEXT and path is not None and torch_precision(self._precision or "") in (
                "fp32", "int8"):
            from photoclip.core.numpy_text import remember_verified

            remember_verified(self._facts, model, tokenizer, path)

    # ----- embedding -------------------------------------------------------------------------

    def embed_images(self, pixels: np.ndarray, *, lane: str | None = None) -> np.ndarray:
        """(N, 3, H, W) preprocessed float32 pixels -> (N, D) float32 L2-normalised vectors.

        ``lane``: "interactive" or "bulk"; by default one image is interactive, a batch bulk."""
        arr = np.asarray(pixels, dtype=np.float32)
        h, w = self.preprocess_spec.image_size
        if arr.ndim != 4 or arr.shape[1:] != (3, h, w):
            raise ValueError(f"expected pixels of shape (N, 3, {h}, {w}), got {arr.shape}")
        if len(arr) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        lane = lane or ("interactive" if len(arr) <= 1 else "bulk")
        tower = self._torch_free_tower()
        if tower is not None:  # the remembered ONNX tower, before (and without) any torch load
            with self._lane_locks[lane]:
                try:
                    out = tower.run(arr)
                    self._keep_probes(out)
                    self.image_batches += 1
                    self.images_embedded += len(arr)
                    return out
                except Exception as exc:
                    log.warning("The ONNX image tower failed (%s); loading torch's", exc)
                    tower.broken, tower.state, tower.session = True, "torch", None
        import torch

        def run(model: Any, _tokenizer: Any) -> np.ndarray:
            def in_torch(pixels: np.ndarray) -> np.ndarray:
                x = torch.from_numpy(np.ascontiguousarray(pixels)).to(self.device,
                                                                       self._input_dtype)
                return _normalised(model.encode_image(x))

            onnx = self._onnx
            out = in_torch(arr) if onnx is None else onnx.embed(arr, in_torch)
            self._keep_probes(out)
            self._decide_text()  # beside the image tower, the text tower's verdict
            if onnx is not None and onnx.state != "undecided":
                self._onnx_precision()
            self.image_batches += 1
            self.images_embedded += len(arr)
            return out

        try:
            return self._call(run, lane, full=True)
        except TorchTowerNeeded:  # the ONNX tower failed after torch's was freed: load it again
            with self._load_lock:
                self._full = False
            return self._call(run, lane, full=True)

    def embed_device_pixels(self, pixels: Any) -> np.ndarray:
        """Like :meth:`embed_images` for a torch tensor already on this embedder's device (the
        GPU decode path, :mod:`~photoclip.core.gpu_decode`); bulk lane, torch's image tower."""

        def run(model: Any, _tokenizer: Any) -> np.ndarray:
            return _normalised(model.encode_image(pixels.to(self.device, self._input_dtype)))

        return self._call(run, "bulk", full=True)

    def embed_texts(self, texts: Sequence[str], *, lane: str | None = None) -> np.ndarray:
        """Texts -> (N, D) float32 L2-normalised vectors.

        ``lane``: "interactive" or "bulk"; by default up to ``INTERACTIVE_TEXTS`` texts are
        interactive. Texts are encoded in chunks of similar length, each only up to its longest
        prompt where the model allows it (:mod:`~photoclip.core.text_tower`)."""
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        lane = lane or ("interactive" if len(texts) <= INTERACTIVE_TEXTS else "bulk")
        if self.loads == 0 and (NUMPY_TEXT_WITH_TORCH or "torch" not in sys.modules):
            if NUMPY_TEXT and len(texts) <= NUMPY_TEXTS:
                vecs = self._numpy_texts(texts)  # a one-shot query: no torch import at all
                if vecs is not None:
                    self.texts_embedded += len(texts)
                    return vecs
            vecs = self._torch_free_texts(texts, lane)  # more texts: the ONNX text tower
            if vecs is not None:
                return vecs

        def tokenize(_model: Any, tokenizer: Any) -> Any:
            return tokenizer(texts)

        tokens = self._call(tokenize, lane, full=False)
        order = np.arange(len(texts))
        if len(texts) > TEXT_CHUNK and CUT_TEXT:  # chunks of similar length: shorter cuts
            from photoclip.core.text_tower import token_lengths

            order = np.argsort(token_lengths(tokens).numpy(), kind="stable")
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), TEXT_CHUNK):
            rows = order[start : start + TEXT_CHUNK]

            def run(model: Any, _tokenizer: Any, rows: np.ndarray = rows) -> np.ndarray:
                chunk = tokens[rows.tolist()]
                text = self._text
                if text is not None and text.state != "torch":  # ONNX, or its verdict now
                    vecs = text.embed(chunk.numpy(), [texts[i] for i in rows], self._in_torch,
                                      np.concatenate(self._probes) if self._probes else None,
                                      decide=lane == "bulk")
                else:
                    vecs = _normalised(self._encode_text(chunk.to(self.device)))
                self.texts_embedded += len(rows)
                return vecs

            out[rows] = self._call(run, lane, full=False)
        return out

    def _in_torch(self, tokens: np.ndarray) -> np.ndarray:
        """Token ids (N, 77) -> unit vectors through torch's text tower (under ``_call``)."""
        import torch

        return _normalised(self._encode_text(torch.from_numpy(tokens).to(self.device)))

    def _numpy_texts(self, texts: list[str]) -> np.ndarray | None:
        """Texts through the verified torch-free text tower, or None (then torch)."""
        if self.spec.random_init or self._runtime()[0] != "cpu":
            return None
        from photoclip.core.numpy_text import encode_verified

        path = self.weights_file if self.weights_file is not None else installed_weights(
            self.spec, self.models_dir)
        if path is None or not path.is_file():
            return None
        vecs = encode_verified(self._facts, path, torch_precision(self._runtime()[1]), texts)
        if vecs is not None:
            self.weights_used = path
        return vecs

    def _call(self, fn: Callable[[Any, Any], Any], lane: str, full: bool) -> Any:
        """Run ``fn(model, tokenizer)`` in ``lane`` (one call at a time per lane), loading the
        model (``full``: with its image tower) first if needed."""
        import torch

        if lane not in LANES:
            raise ValueError(f"unknown lane {lane!r}: use {' or '.join(LANES)}")
        while True:
            self._ensure(full)
            with self._lane_locks[lane], torch.inference_mode():
                model = self._model
                if model is not None and (self._full or not full):  # else close() won a race
                    return fn(model, self._tokenizer)

    def close(self) -> None:
        """Free the model's memory; a later call loads it again."""
        with self._load_lock, self._lane_locks["interactive"], self._lane_locks["bulk"]:
            if self._model is None:
                return
            self._model = self._tokenizer = self._encode_text = None
            self._full = False
            for tower in (self._onnx, self._text):
                if tower is not None:
                    tower.detach()
            gc.collect()
            if self._device and self._device.startswith("cuda"):
                import torch

                with contextlib.suppress(Exception):
                    torch.cuda.empty_cache()


def _normalised(features: Any) -> np.ndarray:
    import torch

    vec = torch.nn.functional.normalize(features.float(), dim=-1)
    return vec.cpu().numpy().astype(np.float32, copy=False)
