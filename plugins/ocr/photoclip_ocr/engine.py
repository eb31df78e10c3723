"""Reading the text in one photo with RapidOCR's PP-OCR models (ONNX, on onnxruntime).

The photo is decoded upright (EXIF orientation applied) at a moderate size. The detector first
looks at a small copy (long side :data:`SKIM_SIDE`): where it sees no text at all the photo is
done (the quick skip most photos take). Otherwise it runs on a reduced copy (long side
:data:`DET_SIDE`). Only the found boxes are cropped, from the decoded
image, turned upright (a tall box, a line of a sideways document, is turned a quarter; the
orientation classifier turns upside-down lines) and read by the recogniser. Boxes are returned
in the upright original's pixels.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from photoclip.plugin_api import open_image

log = logging.getLogger(__name__)

SKIM_SIDE = 480  # the quick look for any text at all, long side (pixels)
SKIM_THRESHOLD = 0.5  # a text probability above this anywhere in the quick look: read on
DET_SIDE = 960  # the detector's input, long side (pixels)
DECODE_SIDE = 1200  # decoded for recognition: the shorter side at least this (or the original)
MIN_SCORE = 0.5  # recognised lines below this confidence are dropped
MIN_HEIGHT = 6  # boxes thinner than this (pixels of the decoded image) are not read
REC_BATCH = 16  # lines per recogniser call
#: changes whenever the results would (models, sizes, rules): every photo is read again
ENGINE_VERSION = (f"rapidocr3-ppocrv6s-skim{SKIM_SIDE}@{SKIM_THRESHOLD}-det{DET_SIDE}"
                  f"-dec{DECODE_SIDE}-h{MIN_HEIGHT}-1")


class OcrUnavailable(RuntimeError):
    """rapidocr is not installed (``pip install "photoclip[ocr]"``)."""


def available() -> bool:
    """Whether rapidocr is installed (checked without importing it)."""
    return importlib.util.find_spec("rapidocr") is not None


@dataclass(frozen=True)
class Line:
    """One recognised line: its text, confidence in [0, 1] and quadrilateral (4 (x, y) points
    clockwise from the top left of the text, in the upright original photo's pixels)."""

    text: str
    confidence: float
    quad: tuple[tuple[float, float], ...]

    @property
    def box(self) -> tuple[float, float, float, float]:
        """The upright bounding rectangle (left, top, width, height)."""
        xs, ys = [p[0] for p in self.quad], [p[1] for p in self.quad]
        left, top = max(0.0, min(xs)), max(0.0, min(ys))
        return left, top, max(1.0, max(xs) - left), max(1.0, max(ys) - top)


class Reader:
    """The three models, loaded on first use and shared by the threads of one process."""

    def __init__(self, threads: int = 0) -> None:
        self._threads = threads
        self._lock = threading.Lock()
        self._models: tuple[Any, Any, Any] | None = None

    def _load(self) -> tuple[Any, Any, Any]:
        with self._lock:
            if self._models is None:
                if not available():
                    raise OcrUnavailable(
                        'text in photos needs rapidocr: pip install "photoclip[ocr]"')
                logging.getLogger("RapidOCR").setLevel(logging.WARNING)
                from rapidocr import RapidOCR

                n = self._threads or -1
                engine = RapidOCR(params={
                    "Global.log_level": "warning",
                    "Det.limit_type": "max", "Det.limit_side_len": DET_SIDE,
                    "Rec.rec_batch_num": REC_BATCH,
                    "EngineConfig.onnxruntime.intra_op_num_threads": n,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                })
                self._models = (engine._load_det_model(), engine._load_cls_model(),
                                engine._load_rec_model())
            return self._models

    def read_file(self, path: str | Path, size: tuple[int, int] | None = None) -> list[Line]:
        """The lines in an image file; ``size``: the upright original's (width, height) that
        boxes are given in (default: the decoded image's). ValueError for an undecodable file."""
        image = open_image(path, min_side=DECODE_SIDE)
        return self.read(np.asarray(image), size)

    def read(self, rgb: np.ndarray, size: tuple[int, int] | None = None) -> list[Line]:
        """The lines in an upright HxWx3 RGB uint8 image (see :meth:`read_file`)."""
        from rapidocr.ch_ppocr_rec import TextRecInput
        from rapidocr.utils.process_img import get_rotate_crop_image

        det, cls, rec = self._load()
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        if not self.may_have_text(bgr):
            return []
        found = det(bgr)
        boxes = [np.asarray(b, dtype=np.float32) for b in (found.boxes
                 if found.boxes is not None else [])]
        boxes = [b for b in boxes if _thickness(b) >= MIN_HEIGHT]
        if not boxes:
            return []  # text-free: no crop, no recognition
        crops = [get_rotate_crop_image(bgr, b.copy()) for b in boxes]
        upright = cls(crops).img_list or crops
        read = rec(TextRecInput(img=upright))
        h, w = rgb.shape[:2]
        sx, sy = (size[0] / w, size[1] / h) if size else (1.0, 1.0)
        lines = []
        for box, text, score in zip(boxes, read.txts or (), read.scores or ()):
            text = text.strip()
            if not text or float(score) < MIN_SCORE:
                continue
            quad = tuple((float(x) * sx, float(y) * sy) for x, y in np.asarray(box))
            lines.append(Line(text, round(float(score), 4), quad))
        return lines


    def may_have_text(self, bgr: np.ndarray) -> bool:
        """The quick look: whether the detector sees any text in a small copy."""
        from rapidocr.ch_ppocr_det.utils import DetPreProcess

        det = self._load()[0]
        small = DetPreProcess(SKIM_SIDE, "max", det.mean, det.std)(bgr)
        return small is not None and float(det.session(small).max()) > SKIM_THRESHOLD


def _thickness(quad: np.ndarray) -> float:
    """The shorter side of a detected box (the height of a line of text)."""
    return float(min(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[0] - quad[1])))


_shared = Reader()


def shared_reader() -> Reader:
    """The process's reader (the models load once)."""
    return _shared
