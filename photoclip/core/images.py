"""Decode photos for indexing and turn them into model input, without torch.

:func:`load_image` returns a small, upright, 8-bit sRGB copy of a photo (JPEGs decoded at reduced
size with DCT scaling, HEIC and RAW files through their embedded previews when those are large
enough) plus facts about the original. :func:`preprocess` then mirrors open_clip's inference
transform with Pillow and numpy. Both are safe to call from many threads at once.

Truncated files are failures, even when a decoder could still produce most of the pixels: an
index built from half a photo would be silently wrong, and the file can be re-indexed once it is
complete (``index --retry-failed``).
"""

from __future__ import annotations

import functools
import importlib
import io
import logging
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from photoclip.core import decode_log
from photoclip.core import image_formats as fmt
from photoclip.core import reasons as R
from photoclip.core.exif_facts import exif_gps, exif_lens
from photoclip.core.image_formats import ImageDecodeError
from photoclip.core.types import ImageInfo, PreprocessSpec

log = logging.getLogger(__name__)

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "ImageDecodeError",
    "is_supported",
    "load_image",
    "preprocess",
    "read_image_info",
]

# Pillow refuses to even *open* an image over 2 x MAX_IMAGE_PIXELS (179 MP by default), before a
# JPEG can be told to decode at 1/8 scale. load_image() checks the size it will actually decode
# against its own max_megapixels, so the global limit is raised here, once, to a backstop above
# what a JPEG or PNG can hold (65535 x 65535, 65536 x 65536); it still guards code that calls
# Image.open directly.
_PIL_PIXEL_BACKSTOP = 1 << 32
if Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS < _PIL_PIXEL_BACKSTOP:
    Image.MAX_IMAGE_PIXELS = _PIL_PIXEL_BACKSTOP
# Pillow's plugins for the formats read here, loaded now rather than raced to in decode threads
# (Image.open never loads more for them: see _PILLOW_FORMATS); not Image.init(), which imports
# all ~40 (PDF, DDS, XBM, ...): a third of the modules a command such as `photoclip index` with
# nothing new would import
for _plugin in ("Bmp", "Gif", "Jpeg", "Mpo", "Png", "Tiff", "WebP", "Jpeg2K", "Avif"):
    try:
        importlib.import_module(f"PIL.{_plugin}ImagePlugin")
    except ImportError:  # an older Pillow (AVIF came in 11.3): that format is not available
        log.debug("Pillow has no %s plugin", _plugin)
decode_log.install()  # libtiff's and Pillow's warnings go to the log, not to the terminal
_PILLOW_FORMATS = [f for f in fmt.PILLOW_FORMATS if f in Image.OPEN]

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset(
    [".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".tif", ".tiff", ".gif", ".bmp"]
    + ([".jp2", ".j2k", ".jpf", ".jpx"] if fmt.JPEG2000_AVAILABLE else [])
    + ([".heic", ".heif", ".hif"] if fmt.HEIF_AVAILABLE else [])
    + ([".avif"] if fmt.AVIF_AVAILABLE else [])
    + (sorted(fmt.RAW_EXTENSIONS) if fmt.RAW_AVAILABLE else [])
)

_BYTES = (bytes, bytearray, memoryview)

# load_image() leaves (its size, the original's upright size, the content box or None) in the
# returned image's info so preprocess() can size its resize from the original, as open_clip does
# on the full image, and map exactly the decoded content: 1/8 of a 3003-row JPEG is 375.375 rows,
# decoded as 376. Ignored once the image's size changes.
_HINT = "photoclip.source"

# Refused even within max_megapixels: >= 64 MP at > 10,000 pixels per byte of file. Photos are
# nowhere near (the 280 MP test JPEG has 256 px/byte); a GIF can declare a 141 MP canvas in
# 43 bytes, which would cost seconds and a gigabyte to convert.
_BOMB_PIXELS, _BOMB_RATIO = 64e6, 10_000


def is_supported(path: str | Path) -> bool:
    """Whether ``path`` has an image extension we decode (macOS "._" sidecar files excluded)."""
    name = Path(path).name
    return not name.startswith("._") and Path(name).suffix.lower() in SUPPORTED_EXTENSIONS


def load_image(
    source: str | Path | bytes,
    *,
    min_side: int,
    max_megapixels: float = 300,
    name: str = "",
) -> tuple[Image.Image, ImageInfo]:
    """Decode ``source`` (a path or the file's bytes) to a small upright RGB image.

    The image's shorter side is at least ``min_side`` (unless the original is smaller) and at
    most about twice that; ``name`` (a file name) names the file in errors and hints its format.
    The :class:`ImageInfo` describes the original. Raises :class:`ImageDecodeError` for every
    input that cannot be decoded, including images that would decode to more than
    ``max_megapixels``.
    """
    label = name or ("" if isinstance(source, _BYTES) else str(source))
    try:
        data = _read(source)
        with decode_log.collecting(label):
            return _load(data, max(1, int(min_side)), max_megapixels * 1e6,
                         Path(label).suffix.lower())
    except ImageDecodeError as exc:
        raise ImageDecodeError(exc.reason, label) from exc.__cause__
    except Exception as exc:  # decoders raise almost anything on hostile input
        log.debug("decoding %s failed", label or "<bytes>", exc_info=True)
        raise ImageDecodeError(fmt.describe(exc), label) from exc


def read_image_info(source: str | Path | bytes, *, name: str = "") -> ImageInfo:
    """Facts about an image (size as displayed, format, EXIF) from its headers, without decoding."""
    label = name or ("" if isinstance(source, _BYTES) else str(source))
    try:
        data = _read(source)
        ext = Path(label).suffix.lower()
        if not data:
            raise ImageDecodeError(R.EMPTY)
        if ext in fmt.RAW_EXTENSIONS:
            with fmt.open_raw(data) as raw:
                return _raw_info(fmt.raw_size(raw), data, ext, None)
        try:
            im, _ = _open(data)
        except UnidentifiedImageError:
            if fmt.RAW_AVAILABLE and fmt.is_tiff(data):
                with fmt.open_raw(data) as raw:
                    return _raw_info(fmt.raw_size(raw), data, ext, None)
            raise
        with im:
            exif = _header_exif(im)
            kind = _format_name(im)
            orient = 1 if kind == "HEIF" else fmt.orientation(exif)
            return _info(im.size, orient, kind, exif)
    except ImageDecodeError as exc:
        raise ImageDecodeError(exc.reason, label) from exc.__cause__
    except UnidentifiedImageError:
        raise ImageDecodeError(fmt.unidentified_reason(data), label) from None
    except Exception as exc:
        raise ImageDecodeError(fmt.describe(exc), label) from exc


# ----- decoding --------------------------------------------------------------------------------


def _read(source: str | Path | bytes) -> bytes:
    if isinstance(source, _BYTES):
        return bytes(source)
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise ImageDecodeError(R.reason(R.CANNOT_READ, error=exc.strerror or exc)) from None


def _load(data: bytes, min_side: int, max_pixels: float, ext: str) -> tuple[Image.Image, ImageInfo]:
    if not data:
        raise ImageDecodeError(R.EMPTY)
    if ext in fmt.RAW_EXTENSIONS and fmt.RAW_AVAILABLE:
        return _load_raw(data, min_side, max_pixels, ext)
    try:
        im, lab_signed = _open(data)
    except UnidentifiedImageError:
        if fmt.RAW_AVAILABLE and fmt.is_tiff(data):  # a RAW file without its extension
            try:
                return _load_raw(data, min_side, max_pixels, ext)
            except ImageDecodeError:
                pass
        raise ImageDecodeError(fmt.unidentified_reason(data)) from None
    if im.format == "TIFF" and fmt.RAW_AVAILABLE and im.tag_v2.get(254) == 1:
        # IFD0 is a reduced-resolution copy: a TIFF-based RAW (NEF, CR2, ...) without its extension
        try:
            return _load_raw(data, min_side, max_pixels, ext)
        except ImageDecodeError:
            pass
    return _decode(im, data, min_side, max_pixels, lab_signed)


def _open(data: bytes) -> tuple[Image.Image, bool | None]:
    """Image.open, restricted to photo formats; also reads 16-bit Lab TIFFs (see image_formats)."""
    try:
        return Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS), None
    except UnidentifiedImageError:
        patched = fmt.cielab16_as_rgb(data)
        if patched is None:
            raise
        return Image.open(io.BytesIO(patched[0]), formats=["TIFF"]), patched[1]


def _format_name(im: Image.Image) -> str:
    return "JPEG" if im.format == "MPO" else (im.format or "unknown")


def _too_large(size: tuple[int, int], max_pixels: float) -> ImageDecodeError:
    mp = size[0] * size[1] / 1e6
    return ImageDecodeError(R.reason(R.TOO_MANY_PIXELS, mp=f"{mp:.0f}" if mp >= 10 else f"{mp:.1f}",
                                     limit=f"{max_pixels / 1e6:g}"))


def _decode(
    im: Image.Image, data: bytes, min_side: int, max_pixels: float, lab_signed: bool | None
) -> tuple[Image.Image, ImageInfo]:
    kind = _format_name(im)
    full = im.size
    box = None
    if kind in ("JPEG", "HEIF"):
        # JPEG: DCT scaling by 1/2, 1/4 or 1/8; HEIF: the smallest embedded thumbnail that is a
        # true scaled copy (pillow_heif checks crop, rotation and profile). Both keep both sides
        # >= min_side, so the shorter side does too, whatever the orientation.
        try:
            drafted = im.draft("RGB", (min_side, min_side))
            box = drafted[1] if drafted and im.size != full else None
        except Exception as exc:
            log.debug("draft failed, decoding at full size: %s", exc)
    pixels = im.size[0] * im.size[1]
    if pixels > max_pixels:
        raise _too_large(full, max_pixels)
    if pixels >= _BOMB_PIXELS and pixels > _BOMB_RATIO * len(data):
        raise ImageDecodeError(R.reason(R.BOMB, mp=f"{pixels / 1e6:.0f}",
                                        kb=f"{len(data) / 1024:.0f}"))
    if kind in ("HEIF", "AVIF") and fmt.isobmff_truncated(data):
        raise ImageDecodeError(R.TRUNCATED)
    try:
        im.load()
    except Exception as exc:
        raise ImageDecodeError(fmt.describe(exc, kind)) from exc
    exif = fmt.read_exif(im)
    orient = 1 if kind == "HEIF" else fmt.orientation(exif)  # libheif applies irot/imir itself
    icc = im.info.get("icc_profile")
    out: Image.Image = im
    if lab_signed is not None:
        out, icc = fmt.lab_bytes_to_rgb(im, lab_signed), None
    out = fmt.resizable(out)  # palette, 16-bit: converted before any resampling
    if min(out.size) > 2 * min_side:  # not reducible while decoding (or 280 MP at 1/8 scale)
        out, box = _resize_shortest(out, full, min_side, box), None
    stored = out.size
    out = fmt.transpose(out, orient)
    image = _finish(out, icc)
    source = (full[1], full[0]) if fmt.swaps_axes(orient) else full
    if image.size != source:
        box = fmt.transpose_box(box, stored, orient) if box is not None else None
        image.info[_HINT] = (image.size, source, box)
    return image, _info(full, orient, kind, exif)


def _load_raw(
    data: bytes, min_side: int, max_pixels: float, ext: str
) -> tuple[Image.Image, ImageInfo]:
    with fmt.open_raw(data) as raw:
        full = fmt.raw_size(raw)
        jpeg, bitmap = fmt.raw_preview(raw)
        image, preview_exif = None, None
        if jpeg is not None:
            image, preview_exif = _raw_jpeg_preview(jpeg, full, min_side, fmt.raw_orientation(raw))
        elif bitmap is not None and _preview_fits(bitmap.size, full, min_side):
            image = fmt.transpose(bitmap, fmt.raw_orientation(raw))
        if image is None:
            if raw.sizes.raw_width * raw.sizes.raw_height > max_pixels:
                raise _too_large((raw.sizes.raw_width, raw.sizes.raw_height), max_pixels)
            image = fmt.develop_raw(raw, half=min(full) // 2 >= min_side)
        info = _raw_info(full, data, ext, preview_exif)
    if min(image.size) > 2 * min_side:
        image = _resize_shortest(fmt.resizable(image), image.size, min_side, None)
    return _finish(image, None), info


def _preview_fits(size: tuple[int, int], full: tuple[int, int], min_side: int) -> bool:
    """A preview is used when it is big enough and shows the whole frame (same aspect)."""
    return min(size) >= min_side and fmt.same_aspect(size, full)


def _raw_jpeg_preview(
    jpeg: bytes, full: tuple[int, int], min_side: int, raw_orient: int
) -> tuple[Image.Image | None, Image.Exif | None]:
    """A RAW's embedded JPEG, upright, if it is big enough and shows the whole frame."""
    try:
        preview = Image.open(io.BytesIO(jpeg), formats=["JPEG", "MPO"])
        if not _preview_fits(preview.size, full, min_side):
            return None, None
        preview.draft("RGB", (min_side, min_side))
        preview.load()
        exif = fmt.read_exif(preview)
        # Previews usually carry no orientation of their own; the RAW's then applies.
        orient = fmt.orientation(exif)
        return fmt.transpose(preview, orient if orient != 1 else raw_orient), exif
    except Exception as exc:
        log.debug("unusable RAW preview, developing the RAW: %s", exc)
        return None, None


def _raw_info(
    full: tuple[int, int], data: bytes, ext: str, preview_exif: Image.Exif | None
) -> ImageInfo:
    exif = fmt.exif_from_bytes(data) if fmt.is_tiff(data) else Image.Exif()
    if not exif and preview_exif is not None:
        exif = preview_exif
    kind = ext.lstrip(".").upper() if ext in fmt.RAW_EXTENSIONS else "RAW"
    return ImageInfo(full[0], full[1], kind, fmt.exif_taken(exif), fmt.exif_camera(exif),
                     exif_lens(exif), exif_gps(exif))


def _header_exif(im: Image.Image) -> Image.Exif:
    """EXIF without decoding (Pillow's PNG getexif() would load the whole image)."""
    if im.format == "PNG":
        raw = im.info.get("exif")
        return fmt.exif_from_bytes(raw) if isinstance(raw, bytes) else Image.Exif()
    return fmt.read_exif(im)


def _info(full: tuple[int, int], orient: int, kind: str, exif: Image.Exif) -> ImageInfo:
    width, height = (full[1], full[0]) if fmt.swaps_axes(orient) else full
    return ImageInfo(width, height, kind, fmt.exif_taken(exif), fmt.exif_camera(exif),
                     exif_lens(exif), exif_gps(exif))


def _finish(im: Image.Image, icc: bytes | None) -> Image.Image:
    """To 8-bit sRGB (profiles are applied to the small copy)."""
    if im.mode not in ("RGB", "CMYK") or "transparency" in im.info:
        im = fmt.to_rgb(im)
    return fmt.apply_icc(im, icc)


def _resize_shortest(
    im: Image.Image, full: tuple[int, int], min_side: int, box: tuple[float, ...] | None
) -> Image.Image:
    """Resize ``im`` (all of it, or ``box`` of it) to the size open_clip's "shortest" resize
    gives an image of size ``full``: shorter side ``min_side``, longer side truncated.

    Only for images more than twice min_side: smaller ones are left to preprocess(), which
    resizes once for whatever mode. Bicubic with antialiasing, so in the usual mode preprocess()
    has nothing left to do; reducing_gap=3 first bins by an integer factor (~0.2/255 mean
    error, much faster).
    """
    w, h = full
    if min(w, h) <= min_side:
        return im
    size = (min_side, int(min_side * h / w)) if w <= h else (int(min_side * w / h), min_side)
    if im.size == size and box is None:
        return im
    return im.resize(size, Image.Resampling.BICUBIC, box=box, reducing_gap=3.0)


# ----- model input -----------------------------------------------------------------------------


def preprocess(image: Image.Image, spec: PreprocessSpec) -> np.ndarray:
    """open_clip's inference transform for ``spec``, as a float32 (3, H, W) array.

    Mirrors ``open_clip.image_transform(..., is_train=False)``: its resize (torchvision ``Resize``
    or ``ResizeKeepRatio``, PIL with antialiasing), center crop or pad, ToTensor and Normalize.
    Non-RGB input is converted first (alpha over white), where open_clip would drop alpha.
    """
    if image.mode != "RGB":
        image = fmt.to_rgb(image)
    th, tw = (int(v) for v in spec.image_size)
    bicubic = Image.Resampling.BICUBIC
    resample = Image.Resampling.BILINEAR if spec.interpolation == "bilinear" else bicubic
    hint = image.info.get(_HINT)
    if isinstance(hint, tuple) and len(hint) == 3 and hint[0] == image.size:
        (w, h), box = hint[1], hint[2]  # size as the original's, see _HINT
    else:
        (w, h), box = image.size, None
    fill = 0
    if spec.resize_mode == "squash":
        image = _resize(image, (tw, th), resample, box)
    elif spec.resize_mode == "longest":
        image = _resize(image, _keep_ratio_size(w, h, th, tw, longest=True), resample, box)
        fill = min(255, max(0, int(spec.fill_color)))
    elif spec.resize_mode == "shortest":
        if th == tw:  # torchvision Resize(int): shorter side to size, longer side truncated
            short, long = (w, h) if w <= h else (h, w)
            size = (th, int(th * long / short))
            image = _resize(image, size if w <= h else size[::-1], resample, box)
        else:  # open_clip's ResizeKeepRatio here is always bicubic (it passes no interpolation)
            image = _resize(image, _keep_ratio_size(w, h, th, tw, longest=False), bicubic, box)
    else:
        raise ValueError(f"unknown resize_mode {spec.resize_mode!r}")
    pixels = _crop_or_pad(np.asarray(image), th, tw, fill)
    lut = _normalise_lut(tuple(map(float, spec.mean)), tuple(map(float, spec.std)))
    out = np.empty((3, th, tw), dtype=np.float32)
    for c in range(3):
        np.take(lut[c], pixels[..., c], out=out[c])
    return out


def _resize(
    im: Image.Image, size: tuple[int, int], resample: Image.Resampling, box: object
) -> Image.Image:
    if box is None:
        return im if im.size == size else im.resize(size, resample)
    return im.resize(size, resample, box=box)


def _keep_ratio_size(w: int, h: int, th: int, tw: int, *, longest: bool) -> tuple[int, int]:
    """open_clip's ResizeKeepRatio.get_params (no randomness), as a PIL (width, height)."""
    ratio_h, ratio_w = h / th, w / tw
    weight = 1.0 if longest else 0.0
    ratio = max(ratio_h, ratio_w) * weight + min(ratio_h, ratio_w) * (1.0 - weight)
    return max(1, round(w * 1.0 / ratio)), max(1, round(h * 1.0 / ratio))


def _crop_or_pad(arr: np.ndarray, th: int, tw: int, fill: int) -> np.ndarray:
    """open_clip's center_crop_or_pad (= torchvision center_crop with fill 0) on (H, W, 3)."""
    h, w = arr.shape[:2]
    if tw > w or th > h:
        left, right = ((tw - w) // 2, (tw - w + 1) // 2) if tw > w else (0, 0)
        top, bottom = ((th - h) // 2, (th - h + 1) // 2) if th > h else (0, 0)
        canvas = np.full((h + top + bottom, w + left + right, 3), fill, dtype=np.uint8)
        canvas[top : top + h, left : left + w] = arr
        arr, (h, w) = canvas, canvas.shape[:2]
        if (h, w) == (th, tw):
            return arr
    top, left = round((h - th) / 2.0), round((w - tw) / 2.0)
    return arr[top : top + th, left : left + tw]


@functools.lru_cache(maxsize=16)
def _normalise_lut(mean: tuple[float, ...], std: tuple[float, ...]) -> np.ndarray:
    """(3, 256) float32: ((v / 255) - mean) / std, in float32 exactly as ToTensor+Normalize."""
    values = np.arange(256, dtype=np.float32) / np.float32(255)
    m = np.asarray(mean, dtype=np.float32).reshape(3, 1)
    s = np.asarray(std, dtype=np.float32).reshape(3, 1)
    lut = (values[None, :] - m) / s
    lut.setflags(write=False)
    return lut
