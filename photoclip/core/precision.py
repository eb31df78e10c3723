"""Device and precision choice for CLIP models (see :mod:`photoclip.core.models` for the
measurements behind ``auto``). Only these functions import torch, inside them.

``onnx-int8`` / ``onnx-fp32`` (CPU only) run the image tower through ONNX Runtime
(:mod:`~photoclip.core.onnx_image`), and the text tower too where it can be exported
(:mod:`~photoclip.core.onnx_text`); the rest of the model in torch fp32. Under ``auto`` on a
CPU without native bf16 (where torch would run fp32) the int8 ONNX tower is tried on the first
batch and kept if it is accurate enough and faster (:func:`onnx_plan`: the one rule)."""

from __future__ import annotations

import importlib.util
import logging
import re
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

PRECISIONS = ("fp32", "bf16", "fp16", "int8", "onnx-int8", "onnx-fp32")
ONNX_PRECISIONS = ("onnx-int8", "onnx-fp32")
ONNX_AUTO = True  # auto tries the int8 ONNX image tower where torch would run fp32 on the CPU
ONNX_TEXT = True  # ... and the text tower by the same plan (bench/embed.py --texts measures it)
_DEVICE_RE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


def resolve_device(preference: str = "auto") -> str:
    """``auto``: cuda, then mps, then cpu. An explicit device that is not there falls back to the
    CPU with a logged warning (settings may come from another machine); a malformed one is a
    ValueError."""
    pref = (preference or "auto").strip().lower()
    if not _DEVICE_RE.match(pref):
        raise ValueError(f"unknown device {preference!r}: use auto, cpu, cuda, cuda:N or mps")
    if pref == "cpu":
        return "cpu"
    import torch

    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available())
    if pref == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if pref.startswith("cuda"):
        if not cuda:
            log.warning("Device %r requested but CUDA is not available; using the CPU", pref)
            return "cpu"
        index = int(pref.split(":")[1]) if ":" in pref else 0
        if index >= torch.cuda.device_count():
            log.warning(
                "Device %r requested but there are %d CUDA devices; using cuda:0",
                pref, torch.cuda.device_count(),
            )
            return "cuda"
        return pref
    if not mps:
        log.warning("Device 'mps' requested but Apple MPS is not available; using the CPU")
        return "cpu"
    return "mps"


@lru_cache(maxsize=1)
def cpu_has_fast_bf16() -> bool:
    """True if the CPU computes bf16 natively (AVX512-BF16 or AMX), where bf16 beats fp32."""
    import torch

    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except AttributeError:  # older torch: read the flags ourselves (Linux)
        try:
            flags = Path("/proc/cpuinfo").read_text(errors="replace")
        except OSError:
            return False
        return bool(re.search(r"\b(avx512_bf16|amx_bf16)\b", flags))


def _int8_available() -> bool:
    import torch

    quant = getattr(torch, "ao", None) and getattr(torch.ao, "quantization", None)
    engines = [e for e in torch.backends.quantized.supported_engines if e != "none"]
    return bool(quant is not None and hasattr(quant, "quantize_dynamic") and engines)


def onnx_available(precision: str) -> bool:
    """Whether ONNX Runtime (and, for int8, the ``onnx`` package) is installed."""
    need = ["onnxruntime"] + (["onnx"] if precision == "onnx-int8" else [])
    return all(importlib.util.find_spec(name) is not None for name in need)


def torch_precision(precision: str) -> str:
    """The precision torch loads the model in for ``precision`` (ONNX exports from fp32)."""
    return "fp32" if precision in ONNX_PRECISIONS else precision


def onnx_plan(
    device: str, preference: str, chosen: str, tower: str = "image"
) -> tuple[str, bool] | None:
    """The ONNX ``tower`` ("image" or "text") to try, as (precision, timed), or None: the
    explicit ``onnx-*`` precision (``timed`` False: kept if accurate), or under ``auto`` on a
    CPU where torch runs fp32, ``onnx-int8`` (``timed``: kept only if also faster, measured
    once). The text tower follows the same plan (where :data:`ONNX_TEXT`); its int8 file that
    is not accurate enough is followed by its fp32 one (:mod:`~photoclip.core.onnx_text`)."""
    if device != "cpu" or (tower == "text" and not ONNX_TEXT):
        return None
    pref = (preference or "auto").strip().lower()
    if pref in ONNX_PRECISIONS:
        # the text tower keeps the setting where the image tower lost (shown as fp32)
        asked = chosen == pref or (tower == "text" and torch_precision(chosen) == "fp32")
        return (pref, False) if asked and onnx_available(pref) else None
    # under auto, "onnx-int8" is what an earlier run found (remembered): the same timed plan
    auto = pref == "auto" and chosen in ("fp32", "onnx-int8")
    if auto and ONNX_AUTO and onnx_available("onnx-int8"):
        return "onnx-int8", True
    return None


def supported_precisions(device: str) -> tuple[str, ...]:
    """The precisions that run on ``device`` (fast or not)."""
    if device == "cpu":
        base = ("fp32", "bf16", "int8") if _int8_available() else ("fp32", "bf16")
        return base + tuple(p for p in ONNX_PRECISIONS if onnx_available(p))
    if device.startswith("cuda"):
        import torch

        return ("fp16", "bf16", "fp32") if torch.cuda.is_bf16_supported() else ("fp16", "fp32")
    return ("fp32", "fp16")  # mps


def choose_precision(device: str, preference: str = "auto") -> str:
    """The precision to run a model in on ``device``; see the module docstring for ``auto``.

    An explicit precision the device cannot run falls back to auto's choice with a warning;
    an unknown name is a ValueError.
    """
    pref = (preference or "auto").strip().lower()
    if pref != "auto" and pref not in PRECISIONS:
        raise ValueError(f"unknown precision {preference!r}: use auto, {', '.join(PRECISIONS)}")
    if device.startswith("cuda"):
        auto = "fp16"
    elif device == "mps":
        auto = "fp32"
    else:
        auto = "bf16" if cpu_has_fast_bf16() else "fp32"
    if pref == "auto":
        return auto
    if pref not in supported_precisions(device) or (device == "cpu" and pref == "fp16"):
        log.warning("Precision %s is not supported on %s; using %s", pref, device, auto)
        return auto
    if device == "cpu" and pref == "bf16" and not cpu_has_fast_bf16():
        log.warning("This CPU has no native bf16: bf16 will be slower than fp32")
    return pref

