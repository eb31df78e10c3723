"""The face models: dlib's HOG detector, the 5-point landmark model and the ResNet encoder.

Only files whose licence suits an open-source app are loaded (README.md): never the 68-point
landmark model that ``face-recognition-models`` also ships. dlib is imported lazily, so the
plugin lists and explains itself where dlib is not installed.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from photoclip.plugin_api import open_image

#: Files of ``face-recognition-models`` that are used (the 68-point model is not: see README).
LANDMARKS_FILE = "shape_predictor_5_face_landmarks.dat"
ENCODER_FILE = "dlib_face_recognition_resnet_model_v1.dat"
#: The longer side of the image faces are detected on. HOG finds faces of about 80 px and up
#: at this size, so a photo's faces from about 80 * (long side / DETECT_SIDE) px are found
#: (docs/bench/faces.txt measures it).
DETECT_SIDE = 1280
#: Small photos are enlarged at most this much before detection (LFW's 250 px crops, phones'
#: thumbnails): a 40 px face becomes an 80 px one.
MAX_UPSCALE = 2.0
#: HOG detections scoring below this are dropped (dlib's own default is 0).
MIN_CONFIDENCE = 0.0
#: Changes whenever the stored faces would differ (models, sizes, rules).
MODEL_VERSION = f"hog-5pt-resnet1-{DETECT_SIDE}-x{MAX_UPSCALE:g}"


class FaceModelsMissing(RuntimeError):
    """dlib or the model files are not installed (the message says what to install)."""


@dataclass(frozen=True)
class Face:
    """A face in a photo: its box in the original, upright photo's pixels, the detector's
    score and the 128-d encoding (distances under about 0.6 mean the same person)."""

    left: float
    top: float
    width: float
    height: float
    confidence: float
    vector: np.ndarray


def models_dir() -> Path:
    """The folder of ``face-recognition-models`` (found without importing it: its
    ``__init__`` needs ``pkg_resources``, which new setuptools no longer has)."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FaceModelsMissing(
            "the face models are not installed: pip install face-recognition-models"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "models"
    for name in (LANDMARKS_FILE, ENCODER_FILE):
        if not (folder / name).is_file():
            raise FaceModelsMissing(
                f"{folder / name} is missing: reinstall face-recognition-models"
            )
    return folder


def _dlib() -> Any:
    try:
        import dlib
    except ImportError as exc:
        raise FaceModelsMissing("dlib is not installed: pip install dlib-bin") from exc
    return dlib


class FaceModels:
    """The three models, loaded once; :meth:`faces` is thread-safe (one image at a time)."""

    def __init__(self, detect_side: int = DETECT_SIDE, max_upscale: float = MAX_UPSCALE) -> None:
        dlib = _dlib()
        folder = models_dir()
        self.detect_side = int(detect_side)
        self.max_upscale = float(max_upscale)
        self._dlib = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._landmarks = dlib.shape_predictor(str(folder / LANDMARKS_FILE))
        self._encoder = dlib.face_recognition_model_v1(str(folder / ENCODER_FILE))
        self._lock = threading.Lock()

    def working_image(self, image: Image.Image) -> tuple[Image.Image, float]:
        """``image`` scaled for detection, and the factor from its pixels to ``image``'s."""
        long_side = max(image.size)
        scale = min(self.detect_side / long_side, self.max_upscale)
        if abs(scale - 1) < 0.01:
            return image, 1.0
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        return image.resize(size, Image.Resampling.BILINEAR), 1 / scale

    def faces(self, image: Image.Image, original_size: tuple[int, int] | None = None) -> list[Face]:
        """The faces in an upright RGB image; boxes in ``original_size`` pixels (default: the
        image's own), encodings from the 5-point-aligned face chips."""
        work, back = self.working_image(image.convert("RGB"))
        if original_size:
            back *= original_size[0] / image.width
        pixels = np.ascontiguousarray(np.asarray(work))
        out = []
        with self._lock:
            boxes, scores, _ = self._detector.run(pixels, 0, MIN_CONFIDENCE)
            if not len(boxes):
                return []
            shapes = self._dlib.full_object_detections()
            for box in boxes:
                shape = self._landmarks(pixels, box)
                shapes.append(shape)
            # one batched call: about 1.6x faster per face than one call per face
            vectors = self._encoder.compute_face_descriptor(pixels, shapes)
        for box, score, vector in zip(boxes, scores, vectors):
            left, top = max(0, box.left()), max(0, box.top())
            right = min(work.width, box.right() + 1)
            bottom = min(work.height, box.bottom() + 1)
            out.append(Face(left * back, top * back, (right - left) * back,
                            (bottom - top) * back, float(score),
                            np.asarray(vector, dtype=np.float32)))
        return out

    def faces_in_file(self, path: str | Path, original_size: tuple[int, int] | None = None
                      ) -> list[Face]:
        """The faces of a photo file (decoded upright, reduced to about the detection size)."""
        image = open_image(path, min_side=self.detect_side)
        return self.faces(image, original_size)


_shared: FaceModels | None = None
_shared_lock = threading.Lock()


def shared_models() -> FaceModels:
    """The process's models (loading them takes a second and about 100 MB)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FaceModels()
        return _shared
