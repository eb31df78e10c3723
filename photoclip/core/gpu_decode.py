"""JPEG decode and preprocessing on the GPU (CUDA), so a GPU machine is not bound by CPU decode.

On an H100 the CPU decode pool tops out near 550 photos/s (threads stop scaling past 8) while
ViT-B-32 in fp16 does 9,450 images/s (docs/bench/gpu-h100.txt). Here whole batches of JPEG files
go to nvJPEG (``torchvision.io.decode_jpeg(..., device="cuda")``) from pinned host buffers, and
the EXIF rotation, the resize (bicubic or bilinear with antialiasing, as open_clip's PIL resize),
the centre crop and the normalisation run on the GPU, giving the model its fp16 batch directly.

:func:`route` decides per file, from its header alone, which files the GPU takes: baseline or
progressive JPEGs in YCbCr or greyscale with no colour profile other than sRGB, within the
megapixel limit. Everything else (CMYK, other profiles, PNG, HEIC, RAW, unreadable headers) and
every file nvJPEG fails on goes to the CPU path (:mod:`photoclip.core.images`), so the output is
the same set of photos either way. :class:`GpuPreprocessor` does no I/O and holds no state but
its settings: decode and resize run on ``device`` (tested on the CPU with a CPU decoder in
nvJPEG's place; on CUDA the decoder is nvJPEG).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from photoclip.core import image_formats as fmt
from photoclip.core import images
from photoclip.core.types import PreprocessSpec

log = logging.getLogger(__name__)

__all__ = ["GpuBatch", "GpuPreprocessor", "route"]

RESIZE_MODES = ("shortest", "squash")  # done on the GPU; "longest" (padding) stays on the CPU


@dataclass(frozen=True)
class Routed:
    """A file's route: ``gpu`` True for nvJPEG, with its EXIF orientation; else ``reason``."""

    gpu: bool
    orientation: int = 1
    reason: str = ""


def route(data: bytes, spec: PreprocessSpec, max_megapixels: float = 300) -> Routed:
    """Whether nvJPEG can decode ``data`` to exactly what the CPU path would give, from its
    header (no decode)."""
    if spec.resize_mode not in RESIZE_MODES:
        return Routed(False, reason=f"resize mode {spec.resize_mode}")
    if not data.startswith(b"\xff\xd8"):
        return Routed(False, reason="not a JPEG")
    try:
        with Image.open(io.BytesIO(data), formats=["JPEG", "MPO"]) as im:
            if im.mode not in ("RGB", "L"):
                return Routed(False, reason=f"{im.mode} JPEG")
            if im.width * im.height > max_megapixels * 1e6:
                return Routed(False, reason="over the megapixel limit")
            icc = im.info.get("icc_profile")
            if icc and fmt._icc_transform(bytes(icc), im.mode) is not None:
                return Routed(False, reason="colour profile other than sRGB")
            return Routed(True, orientation=fmt.orientation(fmt.read_exif(im)))
    except Exception as exc:  # the CPU path reports what is wrong with it
        return Routed(False, reason=fmt.short(exc))


@dataclass
class GpuBatch:
    """A batch's model input: ``pixels`` (N, 3, H, W) on the device, in the order of the input;
    ``failed`` maps an input index to its decode error (those rows are zeros: drop them)."""

    pixels: Any
    failed: dict[int, str]
    on_gpu: int  # how many photos nvJPEG decoded


class GpuPreprocessor:
    """Files' bytes -> normalised model input on ``device``, nvJPEG where :func:`route` allows,
    the CPU path for the rest.

    ``decode(list of uint8 tensors) -> list of (3, H, W) uint8 tensors on device`` defaults to
    nvJPEG (``torchvision.io.decode_jpeg(..., mode=RGB, device=device)``)."""

    def __init__(
        self, spec: PreprocessSpec, *, device: str = "cuda", dtype: str = "fp16",
        max_megapixels: float = 300,
        decode: Callable[[list[Any]], list[Any]] | None = None,
    ) -> None:
        import torch

        self.spec = spec
        self.device = torch.device(device)
        self.dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(dtype, torch.float32)
        self.max_megapixels = max_megapixels
        self._decode = decode or self._nvjpeg
        self.decoded = 0  # photos decoded by the GPU decoder so far
        shape = (1, 3, 1, 1)
        self._mean = torch.tensor(spec.mean, dtype=torch.float32, device=self.device).view(shape)
        self._std = torch.tensor(spec.std, dtype=torch.float32, device=self.device).view(shape)

    def _nvjpeg(self, buffers: list[Any]) -> list[Any]:
        from photoclip.core.torch_compat import import_torchvision

        tv = import_torchvision()
        from torchvision.io import ImageReadMode

        return list(tv.io.decode_jpeg(buffers, mode=ImageReadMode.RGB, device=self.device))

    def _host(self, data: bytes) -> Any:
        import torch

        t = torch.frombuffer(bytearray(data), dtype=torch.uint8)
        return t.pin_memory() if self.device.type == "cuda" else t

    def batch(self, datas: Sequence[bytes], names: Sequence[str] | None = None) -> GpuBatch:
        """Model input for ``datas`` (file contents), in order."""
        import torch

        names = list(names) if names is not None else [""] * len(datas)
        h, w = (int(v) for v in self.spec.image_size)
        out = torch.zeros((len(datas), 3, h, w), dtype=self.dtype, device=self.device)
        failed: dict[int, str] = {}
        routes = [route(d, self.spec, self.max_megapixels) for d in datas]
        gpu = [i for i, r in enumerate(routes) if r.gpu]
        decoded = self._decode_all([datas[i] for i in gpu])
        cpu = [i for i, r in enumerate(routes) if not r.gpu]
        done = 0
        for i, img in zip(gpu, decoded):
            if img is None:
                cpu.append(i)  # nvJPEG refused it: the CPU path decides
                continue
            out[i] = self.preprocess(img, routes[i].orientation)
            done += 1
        for i in sorted(cpu):
            try:
                im, _ = images.load_image(datas[i], min_side=self.spec.min_side,
                                          max_megapixels=self.max_megapixels, name=names[i])
                arr = images.preprocess(im, self.spec)
            except images.ImageDecodeError as exc:
                failed[i] = exc.reason
                continue
            out[i] = torch.from_numpy(arr).to(self.device, self.dtype, non_blocking=True)
        self.decoded += done
        return GpuBatch(out, failed, done)

    def combine(self, decoded: GpuBatch, rows: Sequence[int], arrays: Sequence[np.ndarray]
                ) -> Any:
        """One model batch on the device: ``decoded``'s ``rows``, then CPU-made ``arrays``."""
        import torch

        parts = [decoded.pixels[list(rows)]] if rows else []
        if arrays:
            parts.append(torch.from_numpy(np.stack(arrays)).to(self.device, self.dtype))
        return torch.cat(parts) if len(parts) > 1 else parts[0]

    def _decode_all(self, datas: list[bytes]) -> list[Any]:
        """Decoded images (None for each failure): the whole batch at once, one by one if that
        fails (one bad file must not send the batch to the CPU)."""
        if not datas:
            return []
        buffers = [self._host(d) for d in datas]
        try:
            return list(self._decode(buffers))
        except Exception as exc:
            log.debug("batched JPEG decode failed (%s); decoding one by one", fmt.short(exc))
        result = []
        for buf in buffers:
            try:
                result.append(self._decode([buf])[0])
            except Exception as exc:
                log.debug("GPU JPEG decode failed: %s", fmt.short(exc))
                result.append(None)
        return result

    def preprocess(self, img: Any, orientation: int = 1) -> Any:
        """One decoded (3, H, W) uint8 image on the device -> (3, h, w) model input: upright,
        resized as open_clip resizes, centre-cropped, normalised, in ``dtype``."""
        import torch.nn.functional as F

        x = _upright(img, orientation)
        th, tw = (int(v) for v in self.spec.image_size)
        hh, ww = int(x.shape[-2]), int(x.shape[-1])
        if self.spec.resize_mode == "squash":
            size = (th, tw)
        elif th == tw:  # torchvision Resize(int): shorter side to size, longer side truncated
            size = (int(th * hh / ww), th) if ww <= hh else (th, int(th * ww / hh))
        else:
            size = _keep_ratio(hh, ww, th, tw)
        mode = "bilinear" if self.spec.interpolation == "bilinear" else "bicubic"
        xf = x[None].float()
        if size != (hh, ww):
            xf = F.interpolate(xf, size=size, mode=mode, antialias=True, align_corners=False)
        # PIL rounds and clips to 8 bits after resizing: the same here, so the LUT's values match
        xf = xf.round_().clamp_(0, 255)
        top, left = round((size[0] - th) / 2.0), round((size[1] - tw) / 2.0)
        xf = xf[..., max(top, 0) : max(top, 0) + th, max(left, 0) : max(left, 0) + tw]
        xf = (xf / 255.0 - self._mean) / self._std
        return xf[0].to(self.dtype)


def _upright(img: Any, orientation: int) -> Any:
    """EXIF orientation 1..8 applied to a (C, H, W) tensor (as fmt.transpose does to an image)."""
    if orientation == 2:
        return img.flip(-1)
    if orientation == 3:
        return img.flip(-1).flip(-2)
    if orientation == 4:
        return img.flip(-2)
    if orientation == 5:
        return img.transpose(-1, -2)
    if orientation == 6:  # rotate 270 (clockwise 90)
        return img.transpose(-1, -2).flip(-1)
    if orientation == 7:
        return img.transpose(-1, -2).flip(-1).flip(-2)
    if orientation == 8:  # rotate 90 (counter-clockwise)
        return img.transpose(-1, -2).flip(-2)
    return img


def _keep_ratio(h: int, w: int, th: int, tw: int) -> tuple[int, int]:
    """open_clip's ResizeKeepRatio (shortest) size as (height, width)."""
    ratio = min(h / th, w / tw)
    return max(1, round(h / ratio)), max(1, round(w / ratio))


def cpu_decoder(buffers: list[Any]) -> list[Any]:
    """A CPU stand-in for nvJPEG with its interface (full-size decode to RGB, (3, H, W) uint8):
    for tests and machines without CUDA."""
    import torch

    out = []
    for buf in buffers:
        with Image.open(io.BytesIO(buf.numpy().tobytes())) as im:
            if im.format not in ("JPEG", "MPO"):
                raise RuntimeError("not a JPEG")
            arr = np.asarray(im.convert("RGB"))
        out.append(torch.from_numpy(arr.copy()).permute(2, 0, 1).contiguous())
    return out


GPU_DECODE = True  # CUDA: JPEGs decoded by nvJPEG (bench/gpu.py can turn it off)


def for_indexer(embedder: Any, max_megapixels: float = 300) -> tuple[Any, Any]:
    """(GpuPreprocessor, embed_device) for an in-process embedder on CUDA whose nvJPEG works,
    else (None, None): the indexer then decodes on the CPU. (The desktop app's model process
    gets CPU-decoded pixels: GPU tensors do not cross processes.)"""
    embed_device = getattr(embedder, "embed_device_pixels", None)
    if not GPU_DECODE or embed_device is None or not str(embedder.device).startswith("cuda"):
        return None, None
    try:
        pre = GpuPreprocessor(embedder.preprocess_spec, device=embedder.device,
                              dtype=embedder.precision, max_megapixels=max_megapixels)
        probe = io.BytesIO()
        Image.new("RGB", (16, 16), (200, 100, 50)).save(probe, "JPEG")
        pre._decode([pre._host(probe.getvalue())])
    except Exception as exc:
        log.info("GPU JPEG decode not available (%s); decoding on the CPU", fmt.short(exc))
        return None, None
    return pre, embed_device
