"""The embedder's ONNX towers (:mod:`~photoclip.core.onnx_image`, :mod:`~photoclip.core.onnx_text`):
which to try (:func:`~photoclip.core.precision.onnx_plan`), and their torch-free paths, used
before (and without) any torch load where a remembered verdict and cached file allow it. A mixin
of :class:`~photoclip.core.models.Embedder` (its locks, facts and runtime)."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from photoclip.core.model_catalogue import ModelUnavailableError
from photoclip.core.precision import onnx_plan, torch_precision

__all__ = ["ONNX_WITHOUT_TORCH", "PROBES", "PROBE_MIN", "OnnxTowers"]

log = logging.getLogger("photoclip.core.models")

ONNX_WITHOUT_TORCH = True  # a remembered ONNX image tower runs before any torch load
PROBES = 64  # image vectors kept for the ONNX text tower's top-10 labels check
PROBE_MIN = 16  # ... and how many the text tower's verdict needs (the image tower's batch)


class OnnxTowers:
    """The ONNX parts of the embedder (a mixin: the attributes are the Embedder's)."""

    _onnx: Any
    _text: Any
    _probes: list[np.ndarray]
    _model: Any
    _tokenizer: Any
    _in_torch: Any

    def _onnx_tower(self, device: str, precision: str) -> Any:
        """The ONNX image tower to try for this load (:func:`~.precision.onnx_plan`), or None."""
        plan = onnx_plan(device, self._precision_pref, precision)
        if plan is None:
            self._onnx = None
        elif self._onnx is None or self._onnx.precision != plan[0]:
            from photoclip.core.onnx_image import OnnxImageTower

            self._onnx = OnnxImageTower(self.spec, self.models_dir, self._facts, plan[0],
                                        timed=plan[1], threads=self.torch_threads)
        return self._onnx

    def _text_tower(self, device: str, precision: str) -> Any:
        """The ONNX text tower to try (:func:`~.precision.onnx_plan`), or None."""
        plan = onnx_plan(device, self._precision_pref, precision, "text")
        if plan is None:
            self._text = None
        elif self._text is None or self._text.precision != plan[0]:
            from photoclip.core.onnx_text import OnnxTextTower

            self._text = OnnxTextTower(self.spec, self.models_dir, self._facts, plan[0],
                                       timed=plan[1], threads=self.torch_threads)
        return self._text

    def _torch_free_texts(self, texts: list[str], lane: str) -> np.ndarray | None:
        """Texts through the remembered ONNX text tower before any torch load (token ids from
        the numpy BPE, verified equal to open_clip's), or None (then torch)."""
        from photoclip.core.onnx_text import torch_free_tokens

        with self._load_lock:
            text = self._text
            if text is None or not text.active:
                text = self._text_tower(*self._runtime())
                if text is None or text.broken or self._model is not None:
                    return None
                try:
                    path = None if self.spec.random_init else self._resolve_weights()
                except ModelUnavailableError:
                    return None
                if not text.ready(path):
                    return None
                text.attach(None, None, path)
                if not text.active:
                    return None
        tokens = torch_free_tokens(texts)
        if tokens is None:
            return None
        with self._lane_locks[lane]:
            try:
                vecs = text.run(tokens)
            except Exception as exc:
                log.warning("The ONNX text tower failed (%s); loading torch's", exc)
                text.broken, text.state, text.session = True, "torch", None
                return None
        self.texts_embedded += len(texts)
        return vecs

    def _decide_text(self) -> None:
        """The text tower's verdict, made in the image lane (bulk, torch loaded) once it has
        seen :data:`PROBE_MIN` photos: on the built-in label prompts, with those photos'
        image vectors for the labels check. Nothing once decided."""
        text = self._text
        if text is None or not text.undecided or sum(len(p) for p in self._probes) < PROBE_MIN:
            return
        from photoclip.core.onnx_text import calibration_prompts

        texts = calibration_prompts()
        text.embed(self._tokenizer(texts).numpy(), texts, self._in_torch,
                   np.concatenate(self._probes))

    def _keep_probes(self, vecs: np.ndarray) -> None:
        have = sum(len(p) for p in self._probes)
        if have < PROBES:
            self._probes.append(np.asarray(vecs[: PROBES - have], dtype=np.float32))

    def prepare_images(self) -> None:
        """Open the image tower now where that needs no torch (a remembered ONNX file), e.g. on
        a thread while an index run decodes its first photos; nothing otherwise (a torch load
        waits for the first batch)."""
        self._torch_free_tower()

    def _torch_free_tower(self) -> Any:
        """The ONNX image tower where no torch model is loaded yet and its verdict and file are
        remembered: an index run with cached label prompts then never imports torch (seconds
        of start-up, hundreds of MB). None otherwise (the torch path decides)."""
        if not ONNX_WITHOUT_TORCH:
            return None
        onnx = self._onnx
        if onnx is not None and onnx.active and self._model is None:
            return onnx
        if self._model is not None or (onnx is not None and onnx.broken):
            return None
        with self._load_lock:
            if self._model is not None:
                return None
            if self._onnx is not None and self._onnx.active:
                return self._onnx
            device, precision = self._runtime()
            onnx = self._onnx_tower(device, precision)
            if onnx is None:
                return None
            try:
                path = None if self.spec.random_init else self._resolve_weights()
            except ModelUnavailableError:
                return None  # the torch load says what to do
            if not onnx.ready(path):
                return None
            onnx.attach(None, path, self.preprocess_spec.image_size)
            if not onnx.active:
                return None
            log.info("Image tower of %s: the cached ONNX file (%s), without torch",
                     self.spec.key, onnx.precision)
            self._onnx_precision()
            return onnx

    def _onnx_precision(self, ready: bool = False) -> None:
        """The precision shown (and remembered for commands that load no model): the ONNX
        tower's once it is used, or ``ready`` to be (its verdict and file remembered), torch's
        (fp32) once it lost; nothing changes while it is undecided."""
        onnx = self._onnx
        if onnx.active or ready:
            shown = onnx.precision
        elif onnx.state != "undecided":
            shown = torch_precision(onnx.precision)
        else:
            return
        if shown != self._precision:
            with self._meta_lock:
                self._precision = shown
            self._facts.remember_runtime(self._device_pref, self._precision_pref,
                                         self._device or "cpu", shown)

