"""Static int8 quantisation of an exported ONNX tower, with the least memory it can take.

ONNX Runtime's ``quantize_static`` holds three copies of the fp32 model at once while it
calibrates (its own, the calibrator's, and the calibration session's initialisers: about 1 GB
for ViT-B-32's image tower), on top of the torch model of the process that exported it: the
first export of an index run peaked at 2.7 GB (``bench/onnx_memory.py``). Here:

* calibration and quantisation are two phases: the activation ranges are computed first (the
  calibrator's model and session, freed), written to a small JSON file, and ``quantize_static``
  then reads them from it (``calibration_cache_path``: no calibrator of its own), so at most two
  copies are alive at any time;
* calibration runs in batches of :data:`CALIBRATION_BATCH` (the session's buffers are per batch);
* both run in a short-lived child process that imports neither torch nor the caller's state,
  and gives all of its memory back when it exits (the caller waits for it), for a model of at
  least :data:`CHILD_MIN_BYTES` (a tiny one is quicker in-process). Where no child can be
  started (a frozen app, a failed start) the same two phases run in this process.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["CALIBRATION_BATCH", "IN_CHILD", "quantize", "trim_memory"]

log = logging.getLogger(__name__)

CALIBRATION_BATCH = 2  # inputs per calibration run
IN_CHILD = True  # quantise in a child process (bench/onnx_memory.py can turn it off)
CHILD_MIN_BYTES = 32 << 20  # ... a model at least this big (a tiny one is quicker in-process)
OP_TYPES = ["MatMul", "Gemm", "Conv"]
_CHILD_TIMEOUT_S = 1800.0


def trim_memory() -> None:
    """Collect garbage and hand freed heap memory back to the OS (glibc's ``malloc_trim``: the
    exporter's and quantiser's big buffers otherwise stay in the process's RSS)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def quantize(source: Path, target: Path, feeds: list[dict[str, np.ndarray]]) -> None:
    """Write ``target``: ``source`` (fp32 ONNX) with int8 weights and uint8 activations at the
    fixed ranges that ``feeds`` (the model's inputs, a list of name -> array) reach."""
    if not feeds:
        raise ValueError("int8 needs calibration inputs")
    big = Path(source).stat().st_size >= CHILD_MIN_BYTES
    if IN_CHILD and big and not getattr(sys, "frozen", False):
        try:
            _in_child(source, target, feeds)
            return
        except _ChildFailed as exc:
            log.info("Quantising in a child process failed (%s); quantising here", exc)
    _quantize_here(source, target, feeds)


class _ChildFailed(RuntimeError):
    pass


def _in_child(source: Path, target: Path, feeds: list[dict[str, np.ndarray]]) -> None:
    with tempfile.TemporaryDirectory(prefix="photoclip-quant-", dir=target.parent) as tmp:
        inputs = Path(tmp) / "feeds.npz"
        names = sorted(feeds[0])
        np.savez(inputs, **{f"{i}|{n}": feed[n] for i, feed in enumerate(feeds) for n in names})
        package = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [package, *filter(None, [os.environ.get("PYTHONPATH")])])}
        code = ("import sys; from photoclip.core.onnx_quantize import _child_main; "
                "sys.exit(_child_main(sys.argv[1:]))")
        try:
            proc = subprocess.run(
                [sys.executable, "-c", code, str(source), str(target), str(inputs)],
                env=env, capture_output=True, text=True, timeout=_CHILD_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise _ChildFailed(str(exc)) from exc
        if proc.returncode != 0 or not target.is_file():
            tail = (proc.stderr or "").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
            raise _ChildFailed(tail[0][:300])


def _child_main(argv: list[str]) -> int:
    source, target, inputs = (Path(a) for a in argv)
    with np.load(inputs) as data:
        grouped: dict[int, dict[str, np.ndarray]] = {}
        for key in data.files:
            index, name = key.split("|", 1)
            grouped.setdefault(int(index), {})[name] = data[key]
    _quantize_here(source, target, [grouped[i] for i in sorted(grouped)])
    return 0


def _batches(feeds: list[dict[str, np.ndarray]]) -> list[dict[str, np.ndarray]]:
    """``feeds`` re-cut into runs of at most :data:`CALIBRATION_BATCH` rows each."""
    out = []
    for feed in feeds:
        rows = len(next(iter(feed.values())))
        for i in range(0, rows, CALIBRATION_BATCH):
            out.append({k: np.ascontiguousarray(v[i : i + CALIBRATION_BATCH])
                        for k, v in feed.items()})
    return out


def _quantize_here(source: Path, target: Path, feeds: list[dict[str, np.ndarray]]) -> None:
    """The two phases (ranges, then quantisation from the ranges' file) in this process."""
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.calibrate import create_calibrator, save_tensors_data

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def __init__(self) -> None:
            self.batches = iter(_batches(feeds))

        def get_next(self) -> dict[str, np.ndarray] | None:
            return next(self.batches, None)

    with _quiet("onnxruntime.quantization", "root"), tempfile.TemporaryDirectory(
            prefix="photoclip-calib-", dir=target.parent) as tmp:
        ranges = Path(tmp) / "ranges.json"
        calibrator: Any = create_calibrator(
            Path(source), OP_TYPES, augmented_model_path=str(Path(tmp) / "augmented.onnx"),
            calibrate_method=CalibrationMethod.MinMax, use_external_data_format=True)
        calibrator.collect_data(Reader())
        save_tensors_data(calibrator.compute_data(), ranges)
        del calibrator
        trim_memory()
        quantize_static(str(source), str(target), None, quant_format=QuantFormat.QOperator,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        op_types_to_quantize=OP_TYPES, calibration_cache_path=ranges)
    trim_memory()


@contextlib.contextmanager
def _quiet(*names: str) -> Any:
    """onnxruntime's quantiser logs advice at WARNING on the root logger: keep it out of ours."""
    loggers = [logging.getLogger(n if n != "root" else None) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
