"""The face models: dlib's HOG detector, the 5-point landmark model and the ResNet encoder.

Only files whose licence suits an open-source app are loaded (README.md): never the 68-point
landmark model that ``face-recognition-models`` also ships. dlib is imported lazily, so the
plugin lists and explains itself where dlib is not installed.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections.abc import Sequence
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
#: at this size, so a photo's faces from about 8% of its longer side are found: the group
#: photos' 40 px faces (500 px photos, enlarged x2), and a 4000 x 3000 photo's faces from
#: 320 px. A 4000 px photo decodes straight at this size (JPEG DCT scaling 1/4, no resize);
#: docs/bench/faces.txt measures it.
DETECT_SIDE = 1000
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
    name: str | None = None  # the user's name for it, from the photo's MWG regions


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

    def faces(self, image: Image.Image, original_size: tuple[int, int] | None = None,
              named: Sequence[tuple[str, Box]] = ()) -> list[Face]:
        """The faces in an upright RGB image; boxes in ``original_size`` pixels (default: the
        image's own), encodings from the 5-point-aligned face chips. ``named``: (name, box in
        those pixels) the user gave faces (MWG regions): a detected face at such a box gets
        the name; a named box no detection found is encoded where it is (confidence 0)."""
        work, back = self.working_image(image.convert("RGB"))
        if original_size:
            back *= original_size[0] / image.width
        pixels = np.ascontiguousarray(np.asarray(work))
        dlib = self._dlib
        with self._lock:
            boxes, scores, _ = self._detector.run(pixels, 0, MIN_CONFIDENCE)
            found = [(box, float(score), None) for box, score in zip(boxes, scores)]
            for name, (left, top, w, h) in named:
                k = _best_overlap((left / back, top / back, w / back, h / back),
                                  [_ltwh(b) for b, _, _ in found])
                if k is not None and found[k][2] is None:
                    found[k] = (found[k][0], found[k][1], name)
                else:
                    rect = dlib.rectangle(round(left / back), round(top / back),
                                          round((left + w) / back) - 1,
                                          round((top + h) / back) - 1)
                    found.append((rect, 0.0, name))
            if not found:
                return []
            shapes = dlib.full_object_detections()
            for box, _, _ in found:
                shapes.append(self._landmarks(pixels, box))
            # one batched call: about 1.6x faster per face than one call per face
            vectors = self._encoder.compute_face_descriptor(pixels, shapes)
        out = []
        for (box, score, name), vector in zip(found, vectors):
            left, top = max(0, box.left()), max(0, box.top())
            right = min(work.width, box.right() + 1)
            bottom = min(work.height, box.bottom() + 1)
            if right <= left or bottom <= top:
                continue
            out.append(Face(left * back, top * back, (right - left) * back,
                            (bottom - top) * back, score,
                            np.asarray(vector, dtype=np.float32), name))
        return out

    def faces_in_file(self, path: str | Path, original_size: tuple[int, int] | None = None,
                      named: Sequence[tuple[str, Box]] = ()) -> list[Face]:
        """The faces of a photo file (decoded upright, reduced to about the detection size)."""
        image = open_image(path, min_side=self.decode_side(original_size))
        return self.faces(image, original_size, named)

    def decode_side(self, original_size: tuple[int, int] | None) -> int:
        """The shorter side to decode at so that the longer one is about the detection size
        (the decoder's DCT scaling does the rest: a 4000 x 3000 JPEG decodes at 1000 x 750)."""
        if not original_size or min(original_size) <= 0:
            return self.detect_side
        return max(1, math.ceil(self.detect_side * min(original_size) / max(original_size)))


Box = tuple[float, float, float, float]  # left, top, width, height


def _ltwh(rect: Any) -> Box:
    return (rect.left(), rect.top(), rect.right() + 1 - rect.left(),
            rect.bottom() + 1 - rect.top())


def _best_overlap(box: Box, boxes: Sequence[Box], least: float = 0.3) -> int | None:
    """The index of the box overlapping ``box`` most (intersection over union > ``least``)."""
    best, found = least, None
    for k, other in enumerate(boxes):
        left, top = max(box[0], other[0]), max(box[1], other[1])
        right = min(box[0] + box[2], other[0] + other[2])
        bottom = min(box[1] + box[3], other[1] + other[3])
        inter = max(0.0, right - left) * max(0.0, bottom - top)
        union = box[2] * box[3] + other[2] * other[3] - inter
        if union > 0 and inter / union > best:
            best, found = inter / union, k
    return found


_shared: FaceModels | None = None
_shared_lock = threading.Lock()


def shared_models() -> FaceModels:
    """The process's models (loading them takes a second and about 100 MB)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = FaceModels()
        return _shared
