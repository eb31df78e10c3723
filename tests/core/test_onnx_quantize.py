"""int8 quantisation of an exported tower in a child process (its memory goes back when it exits),
in two phases, the same model as ONNX Runtime's one-call quantisation; in-process where no child
can start (tiny model, real photos)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from photoclip.core import images, onnx_quantize
from photoclip.core.models import Embedder
from photoclip.core.onnx_image import export, open_session

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, tiny_embedder: Embedder,
             datasets_dir: Path) -> tuple[Path, np.ndarray]:
    """The tiny model's fp32 image tower as ONNX, and 4 preprocessed coco photos."""
    spec = tiny_embedder.preprocess_spec
    files = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:4]
    pixels = np.stack([images.preprocess(images.load_image(f, min_side=spec.min_side)[0], spec)
                       for f in files])
    tiny_embedder.load()
    target = tmp_path_factory.mktemp("quant") / "fp32.onnx"
    export(tiny_embedder._model, spec.image_size, target, "onnx-fp32")
    return target, pixels


def _one_call(source: Path, target: Path, pixels: np.ndarray) -> None:
    """ONNX Runtime's own quantize_static, calibrating and quantising in one call."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quantize_static,
    )

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.batches = iter([{"pixels": pixels[i : i + 1]} for i in range(len(pixels))])

        def get_next(self) -> dict | None:
            return next(self.batches, None)

    quantize_static(str(source), str(target), Reader(), quant_format=QuantFormat.QOperator,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    op_types_to_quantize=onnx_quantize.OP_TYPES)


def test_child_and_in_process_quantise_as_one_call(exported, tmp_path, monkeypatch, caplog):
    source, pixels = exported
    monkeypatch.setattr(onnx_quantize, "CHILD_MIN_BYTES", 0)  # the tiny model in a child too
    _one_call(source, tmp_path / "one-call.onnx", pixels)
    with caplog.at_level(logging.INFO, logger="photoclip.core.onnx_quantize"):
        onnx_quantize.quantize(source, tmp_path / "child.onnx", [{"pixels": pixels}])
        assert "failed" not in caplog.text  # the child did it
        monkeypatch.setattr(onnx_quantize.sys, "executable", str(tmp_path / "no-python"))
        onnx_quantize.quantize(source, tmp_path / "here.onnx", [{"pixels": pixels}])
        assert "quantising here" in caplog.text  # no child could start: this process did it
    want = onnx.load(str(tmp_path / "one-call.onnx")).graph
    for name in ("child.onnx", "here.onnx"):
        assert onnx.load(str(tmp_path / name)).graph == want, name
    out = open_session(tmp_path / "child.onnx", 1).run(["features"], {"pixels": pixels})[0]
    assert out.shape == (len(pixels), 64) and np.isfinite(out).all()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("photoclip-")]  # tidied


def test_quantise_without_inputs_is_an_error(exported, tmp_path):
    with pytest.raises(ValueError, match="calibration"):
        onnx_quantize.quantize(exported[0], tmp_path / "x.onnx", [])
