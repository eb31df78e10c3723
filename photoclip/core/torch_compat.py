"""Import torch, torchvision and open_clip robustly, and only as much of them as is used.

PyPI's torchvision wheels are CUDA builds. Paired with a CPU-only torch, ``import torchvision``
fails with "operator torchvision::nms does not exist" because its compiled ops cannot load.
open_clip needs torchvision only for its transforms, never for nms, so when (and only when) that
happens we define the two missing operator schemas and import again. Users who install matching
CPU or CUDA builds of torch and torchvision never reach this path.

Import cost (measured on a 2-core CPU, torch 2.13, open_clip 3.3: ``python -X importtime``):
``import open_clip`` took ~6.9 s on top of torch's ~3.9 s, almost all of it in two packages'
``__init__`` modules that photoclip does not need: ``timm`` (imported by open_clip's timm adapter;
its ``timm.models`` imports every architecture and with them ``torch._dynamo``) and
``torchvision``'s (its ``models``, ``datasets`` and ``ops`` packages, ``torch._dynamo`` again).
So :func:`import_open_clip` imports open_clip with timm hidden (open_clip then treats it as
absent; :func:`enable_timm` brings it back for a model with a timm image tower) and, where
torchvision is not imported yet, with light ``torchvision`` and ``torchvision.ops`` packages whose
submodules are the real files: open_clip's ``torchvision.transforms`` and
``torchvision.ops.misc`` load as usual, the rest of torchvision only when someone imports it.
open_clip then imports in ~1.2 s. Any failure on this path falls back to the ordinary imports.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import threading
from types import ModuleType

log = logging.getLogger(__name__)

_lock = threading.Lock()
_shim_library = None  # keeps the schema definitions alive


def import_torchvision() -> ModuleType:
    """Import torchvision, defining its missing ops first if its compiled parts do not match."""
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
            _define_nms_shim()
            return importlib.import_module("torchvision")


def _define_nms_shim() -> None:
    global _shim_library
    if _shim_library is None:
        import torch

        lib = torch.library.Library("torchvision", "DEF")
        lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        lib.define("qnms(Tensor qdets, Tensor scores, float iou_threshold) -> Tensor")
        _shim_library = lib


class _LightPackage(ModuleType):
    """A package whose submodules import as usual but whose own ``__init__`` runs only when one
    of its names is first asked for (``from torchvision.ops import StochasticDepth``)."""

    def __getattr__(self, name: str) -> object:
        if name.startswith("__") or self.__dict__.get("_photoclip_full", False):
            raise AttributeError(name)
        self.__dict__["_photoclip_full"] = True
        spec = self.__dict__["__spec__"]
        try:
            spec.loader.exec_module(self)
        except RuntimeError as exc:
            if "torchvision::nms does not exist" not in str(exc):
                raise
            _define_nms_shim()
            spec.loader.exec_module(self)
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None


def import_open_clip() -> ModuleType:
    """Import open_clip (and torchvision before it, robustly), lightly where possible."""
    with _lock:
        if "open_clip" in sys.modules:  # (checked under the lock: never a half-imported one)
            return sys.modules["open_clip"]
        light = _light_import_open_clip()
    if light is not None:
        return light
    import_torchvision()
    return importlib.import_module("open_clip")


def enable_timm() -> None:
    """Give open_clip the real timm (for models with a timm image tower: MobileCLIP, ...)."""
    oc = import_open_clip()
    adapter = sys.modules.get("open_clip.timm_model")
    if adapter is None or getattr(adapter, "timm", None) is not None:
        return
    with _lock:
        if sys.modules.get("timm", False) is None:
            del sys.modules["timm"]
        try:
            import timm
            from timm.layers import AttentionPool2d, Mlp, RotAttentionPool2d, to_2tuple
        except ImportError:  # not installed: open_clip says so when the model is built
            return
        adapter.timm = timm
        adapter.RotAttentionPool2d = RotAttentionPool2d
        adapter.AbsAttentionPool2d = AttentionPool2d
        adapter.Mlp, adapter.to_2tuple = Mlp, to_2tuple
    del oc


_STUBS = ("torchvision", "torchvision.ops")


def _light_import_open_clip() -> ModuleType | None:
    """open_clip imported without timm's and torchvision's package ``__init__``; None (nothing
    changed) if that fails."""
    if any(name.split(".")[0] in ("open_clip", "timm") for name in sys.modules):
        return None
    stubbed = "torchvision" not in sys.modules
    try:
        import torch  # noqa: F401  (first, on its own: a broken torch is the ordinary error)

        if stubbed:
            for name in _STUBS:
                spec = importlib.util.find_spec(name)
                if spec is None or not spec.submodule_search_locations or spec.loader is None:
                    raise ImportError(f"{name} is not an ordinary package")
                module = _LightPackage(name)
                module.__spec__, module.__loader__ = spec, spec.loader
                module.__path__ = list(spec.submodule_search_locations)
                module.__file__, module.__package__ = spec.origin, name
                sys.modules[name] = module
                if "." in name:
                    setattr(sys.modules[name.rsplit(".", 1)[0]], name.rsplit(".", 1)[1], module)
            version = importlib.import_module("torchvision.version")
            sys.modules["torchvision"].__version__ = getattr(version, "__version__", "")
        sys.modules["timm"] = None  # type: ignore[assignment]  (open_clip: "timm is absent")
        oc = importlib.import_module("open_clip")
        importlib.import_module("torchvision.transforms").Compose  # noqa: B018
        return oc
    except Exception as exc:
        log.debug("Light import of open_clip failed (%s); importing it the ordinary way", exc)
        for name in [m for m in sys.modules if m.split(".")[0] in ("open_clip", "torchvision")]:
            if stubbed or not name.startswith("torchvision"):
                del sys.modules[name]
        return None
    finally:
        if sys.modules.get("timm", False) is None:
            del sys.modules["timm"]
