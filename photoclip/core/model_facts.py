"""A model's cheap facts remembered on disk, so commands that need no model never import torch.

``dim`` and ``preprocess_spec`` come from open_clip's model config, and the device and precision
from torch: reading either imports torch (seconds, hundreds of MB). They are remembered per model
(its catalogue entry and, for a user model, its file: :func:`fingerprint`) in
``<models_dir>/.facts/``, written whenever torch has been imported anyway, so ``photoclip status``,
``tags`` or a no-change ``index`` open the library without it. The device and precision are
remembered per (device, precision) setting and only *shown* from here: a model load always
resolves them afresh (and updates the file).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from photoclip.core.model_catalogue import ModelSpec, read_user_model_file
from photoclip.core.types import PreprocessSpec

__all__ = ["ModelFacts", "fingerprint"]

_write_lock = threading.Lock()


def fingerprint(spec: ModelSpec) -> str:
    """What decides a model's shape: its catalogue entry and, for a user model, its file."""
    data = [dataclasses.asdict(spec), read_user_model_file(spec)]
    text = json.dumps(data, sort_keys=True, default=str)
    return re.sub(r"[^a-z0-9-]", "_", spec.key)[:40] + "-" + hashlib.sha256(
        text.encode("utf-8")).hexdigest()[:16]


class ModelFacts:
    """The remembered facts of one model (a JSON file; every read goes to the file)."""

    def __init__(self, spec: ModelSpec, models_dir: Path) -> None:
        self.path = Path(models_dir) / ".facts" / f"{fingerprint(spec)}.json"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _update(self, **values: Any) -> None:
        with _write_lock, contextlib.suppress(OSError):
            data = self._read()
            if all(data.get(k) == v for k, v in values.items()):
                return
            data.update(values)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
            os.replace(tmp, self.path)

    def shape(self) -> tuple[int, PreprocessSpec] | None:
        """(dim, preprocess_spec), if remembered."""
        data = self._read()
        try:
            pp = data["preprocess_spec"]
            return int(data["dim"]), PreprocessSpec(**{
                k: tuple(v) if isinstance(v, list) else v for k, v in pp.items()
            })
        except (KeyError, TypeError, ValueError):
            return None

    def remember_shape(self, dim: int, preprocess_spec: PreprocessSpec) -> None:
        self._update(dim=int(dim), preprocess_spec=dataclasses.asdict(preprocess_spec))

    def numpy_text(self) -> dict[str, Any] | None:
        """The torch-free text tower's verification record (:mod:`~photoclip.core.numpy_text`),
        if one was made: ``usable`` False where it must not be used."""
        record = self._read().get("numpy_text")
        return record if isinstance(record, dict) else None

    def remember_numpy_text(self, record: dict[str, Any]) -> None:
        self._update(numpy_text=record)

    def runtime(self, device_pref: str, precision_pref: str) -> tuple[str, str] | None:
        """(device, precision) last resolved for these settings, if remembered."""
        entry = self._read().get("runtime", {}).get(f"{device_pref}|{precision_pref}")
        if isinstance(entry, list) and len(entry) == 2:
            return str(entry[0]), str(entry[1])
        return None

    def remember_runtime(
        self, device_pref: str, precision_pref: str, device: str, precision: str
    ) -> None:
        runtime = dict(self._read().get("runtime", {}))
        runtime[f"{device_pref}|{precision_pref}"] = [device, precision]
        self._update(runtime=runtime)

    def onnx_verdicts(self, tower: str = "image") -> dict[str, Any] | None:
        """The ONNX ``tower``'s ("image" or "text") remembered verdicts
        (:mod:`~photoclip.core.onnx_image`, :mod:`~photoclip.core.onnx_text`), by weights,
        precision and setting."""
        record = self._read().get(f"onnx_{tower}")
        return record if isinstance(record, dict) else None

    def remember_onnx_verdict(
        self, key: str, verdict: dict[str, Any], tower: str = "image"
    ) -> None:
        self._update(**{f"onnx_{tower}": {**(self.onnx_verdicts(tower) or {}), key: verdict}})
