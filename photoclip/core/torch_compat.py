"""Import torch and torchvision robustly.

PyPI's torchvision wheels are CUDA builds. Paired with a CPU-only torch, ``import torchvision``
fails with "operator torchvision::nms does not exist" because its compiled ops cannot load.
open_clip needs torchvision only for its transforms, never for nms, so when (and only when) that
happens we define the two missing operator schemas and import again. Users who install matching
CPU or CUDA builds of torch and torchvision never reach this path.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from types import ModuleType

log = logging.getLogger(__name__)

_lock = threading.Lock()
_shim_library = None  # keeps the schema definitions alive


def import_torchvision() -> ModuleType:
    """Import torchvision, defining its missing ops first if its compiled parts do not match."""
    global _shim_library
    with _lock:
        if "torchvision" in sys.modules and hasattr(sys.modules["torchvision"], "transforms"):
            return sys.modules["torchvision"]
        try:
            return importlib.import_module("torchvision")
        except RuntimeError as exc:
            if "torchvision::nms does not exist" not in str(exc):
                raise
            import torch

            log.info(
                "torchvision's compiled ops do not match this torch build (%s); "
                "defining stand-in schemas for torchvision::nms/qnms (photoclip does not use them)",
                torch.__version__,
            )
            stale = [m for m in sys.modules if m.split(".")[0] == "torchvision"]
            for name in stale:
                del sys.modules[name]
            if _shim_library is None:
                lib = torch.library.Library("torchvision", "DEF")
                lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
                lib.define("qnms(Tensor qdets, Tensor scores, float iou_threshold) -> Tensor")
                _shim_library = lib
            return importlib.import_module("torchvision")


def import_open_clip() -> ModuleType:
    """Import open_clip (and torchvision before it, robustly)."""
    import_torchvision()
    return importlib.import_module("open_clip")
