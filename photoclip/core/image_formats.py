"""Format helpers for :mod:`photoclip.core.images`: sniffing, pixel modes, colour, EXIF, RAW.

Everything here works on Pillow images, bytes and numpy arrays; nothing imports torch or Qt.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import logging
import re
import struct
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
from PIL import ExifTags, Image, ImageCms, features

from photoclip.core import reasons as R

if TYPE_CHECKING:
    from rawpy import RawPy

log = logging.getLogger(__name__)

try:  # registering at import runs once (the import lock serialises it) and before any decode
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except Exception as exc:  # a missing or broken wheel must not take JPEG support down with it
    log.warning("HEIC/HEIF support unavailable: %s", exc)
    HEIF_AVAILABLE = False

AVIF_AVAILABLE = bool(features.check("avif"))
JPEG2000_AVAILABLE = bool(features.check("jpg_2000"))
_NO_JPEG2000 = R.NO_JPEG2000
RAW_AVAILABLE = importlib.util.find_spec("rawpy") is not None

RAW_EXTENSIONS = frozenset(
    [".dng", ".nef", ".nrw", ".cr2", ".cr3", ".crw", ".arw", ".srf", ".sr2", ".orf", ".rw2",
     ".raf", ".pef", ".srw", ".x3f", ".3fr", ".erf", ".kdc", ".dcr", ".mrw", ".mos", ".iiq",
     ".rwl"]
)  # fmt: skip
#: Pillow formats we let Image.open pick; others (EPS, PDF, TGA, ...) are refused, not guessed at.
PILLOW_FORMATS = ("JPEG", "MPO", "PNG", "WEBP", "TIFF", "GIF", "BMP", "JPEG2000", "HEIF", "AVIF")


class ImageDecodeError(Exception):
    """An image that cannot be decoded; ``reason`` is short and meant for a user."""

    def __init__(self, reason: str, name: str = "") -> None:
        super().__init__(f"{name}: {reason}" if name else reason)
        self.reason = reason
        self.name = name


# ----- sniffing --------------------------------------------------------------------------------

_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2")


def is_tiff(data: bytes) -> bool:
    """TIFF byte-order mark (also the header of most RAW formats)."""
    return data[:4] in (b"II*\x00", b"MM\x00*")


def unidentified_reason(data: bytes) -> str:
    """Why Pillow could not identify ``data``, as precisely as its first bytes allow."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return R.SVG
    if data[:2] == b"\xff\x0a" or data[4:12] == b"JXL \r\n\x87\n":
        return R.JPEG_XL
    if data[:3] == b"\xff\xd8\xff":
        return R.reason(R.CORRUPT, format="JPEG")
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return R.reason(R.CORRUPT, format="PNG")
    if data[:4] == b"GIF8":
        return R.reason(R.CORRUPT, format="GIF")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return R.reason(R.CORRUPT, format="WebP")
    if is_tiff(data):
        return R.CORRUPT_TIFF
    if data[4:8] == b"ftyp" and data[8:12] in (b"avif", b"avis"):
        return R.reason(R.CORRUPT, format="AVIF")
    if data[:12] == b"\x00\x00\x00\x0cjP  \r\n\x87\n" or data[:4] == b"\xff\x4f\xff\x51":
        return R.reason(R.CORRUPT, format="JPEG 2000") if JPEG2000_AVAILABLE else _NO_JPEG2000
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return _heif_error(data)
    sample = data[:512]
    if sample and sum(32 <= b < 127 or b in (9, 10, 13) for b in sample) > 0.95 * len(sample):
        return R.TEXT_FILE
    return R.NOT_AN_IMAGE


def _heif_error(data: bytes) -> str:
    if not HEIF_AVAILABLE:
        return R.NO_HEIF
    try:
        pillow_heif.open_heif(io.BytesIO(data)).load()
    except Exception as exc:
        return R.reason(R.CORRUPT_BECAUSE, format="HEIF", error=short(exc))
    return R.reason(R.CORRUPT, format="HEIF")


def short(exc: BaseException, limit: int = 120) -> str:
    """A one-line, bounded description of an exception."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(exc: BaseException, fmt: str | None = None) -> str:
    """A short reason for a decoder exception."""
    text = str(exc).lower()
    if isinstance(exc, MemoryError):
        return R.NO_MEMORY
    if isinstance(exc, Image.DecompressionBombError):
        return R.TOO_LARGE
    if "truncated" in text or isinstance(exc, EOFError) or "end of file" in text:
        return R.TRUNCATED
    if "decoder" in text and "not available" in text:  # a Pillow built without that codec
        if not fmt:
            return R.NO_CODEC_ANY
        return R.reason(R.NO_CODEC, format="JPEG 2000" if fmt == "JPEG2000" else fmt)
    if fmt:
        return R.reason(R.CORRUPT_BECAUSE, format=fmt, error=short(exc))
    return R.reason(R.CORRUPT_IMAGE, error=short(exc))


# ----- ISO-BMFF (HEIF/AVIF) truncation -----------------------------------------------------------


def _boxes(data: bytes, pos: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """Yield (type, payload start, box end) for the boxes in data[pos:end]."""
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif size == 0:
            size = end - pos
        if size < header:
            return
        yield kind, pos + header, min(pos + size, end)
        pos += size


def isobmff_truncated(data: bytes) -> bool:
    """True when an item of a HEIF/AVIF file points past the end of the file (a cut-off copy).

    libheif decodes the primary image of such a file as long as *its* bytes are present, so a
    truncated burst or a cut thumbnail would otherwise pass silently. Parse errors count as "not
    truncated": this check must never reject a file libheif itself can read.
    """
    try:
        meta = next((b for b in _boxes(data, 0, len(data)) if b[0] == b"meta"), None)
        if meta is None:
            return False
        iloc = next((b for b in _boxes(data, meta[1] + 4, meta[2]) if b[0] == b"iloc"), None)
        if iloc is None:
            return False
        pos = iloc[1]
        version = data[pos]
        pos += 4
        offset_size, length_size = data[pos] >> 4, data[pos] & 15
        base_size, index_size = data[pos + 1] >> 4, (data[pos + 1] & 15) if version else 0
        pos += 2

        def read(n: int) -> int:
            nonlocal pos
            value = int.from_bytes(data[pos : pos + n], "big") if n else 0
            pos += n
            return value

        for _ in range(read(4 if version == 2 else 2)):
            read(4 if version == 2 else 2)  # item id
            method = read(2) & 15 if version else 0
            reference = read(2)
            base = read(base_size)
            for _ in range(read(2)):
                read(index_size)
                offset, length = read(offset_size), read(length_size)
                if method == 0 and reference == 0 and base + offset + length > len(data):
                    return True
        return False
    except (IndexError, struct.error, ValueError):
        return False


# ----- 16-bit CIELab TIFF (Pillow reads only 8-bit Lab) ----------------------------------------


def cielab16_as_rgb(data: bytes) -> tuple[bytes, bool] | None:
    """Relabel a 16-bit CIELab/ICCLab TIFF as RGB so Pillow decodes it (to the high bytes).

    Returns the patched bytes and whether a/b are signed (CIELab) rather than offset (ICCLab);
    :func:`lab_bytes_to_rgb` turns the decoded image back into colour. None if not such a file.
    """
    if not is_tiff(data):
        return None
    order = "<" if data[:2] == b"II" else ">"
    try:
        ifd = struct.unpack_from(order + "I", data, 4)[0]
        photometric_at, photometric, bits = None, None, ()
        for i in range(struct.unpack_from(order + "H", data, ifd)[0]):
            at = ifd + 2 + 12 * i
            tag, kind, count = struct.unpack_from(order + "HHI", data, at)
            if tag == 262 and kind == 3 and count == 1:
                photometric_at = at + 8
                photometric = struct.unpack_from(order + "H", data, at + 8)[0]
            elif tag == 258 and kind == 3:
                where = at + 8 if count <= 2 else struct.unpack_from(order + "I", data, at + 8)[0]
                bits = struct.unpack_from(order + "H" * count, data, where)
    except struct.error:
        return None
    if photometric not in (8, 9) or photometric_at is None or set(bits) != {16} or len(bits) != 3:
        return None
    patched = bytearray(data)
    struct.pack_into(order + "H", patched, photometric_at, 2)
    return bytes(patched), photometric == 8


def lab_bytes_to_rgb(im: Image.Image, signed: bool) -> Image.Image:
    """An "RGB" image that really holds 8-bit L, a, b (see :func:`cielab16_as_rgb`) as sRGB."""
    arr = np.array(im.convert("RGB"), dtype=np.uint8)
    if not signed:
        arr[..., 1:] ^= 0x80  # ICCLab's offset a/b -> two's complement, as 8-bit CIELab TIFFs
    # the raw mode "LAB" unpacks two's-complement a/b exactly as Pillow's own 8-bit Lab TIFF path
    return Image.frombytes("LAB", im.size, arr.tobytes()).convert("RGB")


# ----- pixel modes -----------------------------------------------------------------------------

_WHITE = (255, 255, 255)


def to_rgb(im: Image.Image) -> Image.Image:
    """Convert any Pillow mode to 8-bit RGB: alpha over white, 16-bit/float rescaled, Lab, CMYK."""
    mode = im.mode
    if mode.startswith("I;16") or mode in ("I", "F"):  # (a 16-bit tRNS colour key is ignored)
        return Image.fromarray(_to_uint8(np.asarray(im))).convert("RGB")
    if mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        out = Image.new("RGB", im.size, _WHITE)
        out.paste(rgba, mask=rgba.getchannel("A"))
        return out
    if mode == "RGB":
        return im
    return im.convert("RGB")  # L, 1, P, CMYK (no profile), YCbCr, LAB, HSV


def resizable(im: Image.Image) -> Image.Image:
    """An 8-bit image Pillow resamples correctly (RGB, L, CMYK, or RGBA/LA: premultiplied).

    Palette, 1-bit and 16-bit/float images are converted; alpha is kept, to be composited by
    :func:`to_rgb` once the image is small.
    """
    mode = im.mode
    if mode.startswith("I;16") or mode in ("I", "F"):
        return Image.fromarray(_to_uint8(np.asarray(im)))
    if "transparency" in im.info or mode in ("PA", "RGBa", "La"):
        return im.convert("RGBA")
    if mode in ("RGB", "L", "CMYK", "RGBA", "LA"):
        return im
    return im.convert("L" if mode == "1" else "RGB")


def _to_uint8(arr: np.ndarray) -> np.ndarray:
    """Scale one 16/32-bit integer or float channel to 0..255 without clipping its range."""
    if arr.dtype.kind == "u" and arr.dtype.itemsize == 2:  # I;16*: full-scale 16-bit (PNG, TIFF)
        return ((arr.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    if arr.size == 0:
        return arr.astype(np.uint8)
    values = np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = float(values.min()), float(values.max())
    if lo >= 0:
        if arr.dtype.kind == "f" and hi <= 1:
            return np.rint(values * 255).astype(np.uint8)
        if hi <= 255:
            return np.rint(values).astype(np.uint8)
        if hi <= 65535 and arr.dtype.kind != "f":
            return np.rint(values / 257).astype(np.uint8)
    return np.rint((values - lo) * (255.0 / ((hi - lo) or 1.0))).astype(np.uint8)


# ----- colour profiles -------------------------------------------------------------------------

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@functools.lru_cache(maxsize=16)
def _icc_transform(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        space = profile.profile.xcolor_space.strip().upper()
        if space != mode:
            return None
        description = (profile.profile.profile_description or "").lower()
        if mode == "RGB" and "srgb" in description:
            return None  # already sRGB (or sRGB-like): nothing to do
        # NOCACHE: the transform is shared by decode threads and must hold no per-call state
        return ImageCms.buildTransform(
            profile, _SRGB, mode, "RGB", ImageCms.Intent.PERCEPTUAL, flags=ImageCms.Flags.NOCACHE
        )
    except Exception as exc:  # a broken profile is ignored, never fatal
        log.debug("ignoring unusable ICC profile: %s", exc)
        return None


def apply_icc(im: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert an RGB or CMYK image with an embedded profile to sRGB; RGB out, always."""
    if icc and im.mode in ("RGB", "CMYK"):
        transform = _icc_transform(bytes(icc), im.mode)
        if transform is not None:
            try:
                return ImageCms.applyTransform(im, transform) or im
            except Exception as exc:
                log.debug("ICC conversion failed: %s", exc)
    return im if im.mode == "RGB" else im.convert("RGB")


# ----- EXIF -----------------------------------------------------------------------------------

_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def read_exif(im: Image.Image) -> Image.Exif:
    """The image's EXIF, or an empty one if it is absent or unreadable."""
    try:
        return im.getexif()
    except Exception as exc:
        log.debug("unreadable EXIF: %s", exc)
        return Image.Exif()


def exif_from_bytes(data: bytes) -> Image.Exif:
    """Parse EXIF (or a whole TIFF-structured RAW file); empty on failure."""
    exif = Image.Exif()
    try:
        exif.load(data)
    except Exception:
        return Image.Exif()
    return exif


def orientation(exif: Image.Exif) -> int:
    """EXIF orientation 1..8 (1 when absent or invalid)."""
    try:
        value = int(exif.get(ExifTags.Base.Orientation, 1))
    except (TypeError, ValueError):
        return 1
    return value if 1 <= value <= 8 else 1


def transpose(im: Image.Image, orient: int) -> Image.Image:
    """Make an image stored with EXIF orientation ``orient`` upright."""
    method = _TRANSPOSE.get(orient)
    return im.transpose(method) if method is not None else im


def transpose_box(
    box: tuple[float, float, float, float], size: tuple[int, int], orient: int
) -> tuple[float, float, float, float]:
    """Where ``box`` (a region of an image of ``size``) lies after :func:`transpose`."""
    w, h = size
    moves = {
        2: lambda x, y: (w - x, y),
        3: lambda x, y: (w - x, h - y),
        4: lambda x, y: (x, h - y),
        5: lambda x, y: (y, x),
        6: lambda x, y: (h - y, x),
        7: lambda x, y: (h - y, w - x),
        8: lambda x, y: (y, w - x),
    }
    move = moves.get(orient)
    if move is None:
        return box
    (ax, ay), (bx, by) = move(box[0], box[1]), move(box[2], box[3])
    return (min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))


def swaps_axes(orient: int) -> bool:
    """Whether orientation ``orient`` swaps width and height."""
    return orient in (5, 6, 7, 8)


_DATETIME = re.compile(r"(\d{4})[:\-./](\d\d)[:\-./](\d\d)[ T](\d\d)[:.](\d\d)(?:[:.](\d\d))?")


def exif_taken(exif: Image.Exif) -> datetime | None:
    """EXIF DateTimeOriginal as a naive datetime, or None."""
    try:
        value = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal)
        value = value or exif.get(ExifTags.Base.DateTimeOriginal)
    except Exception:
        return None
    if isinstance(value, bytes):
        value = value.decode("ascii", "ignore")
    match = _DATETIME.match(value.strip("\x00 ")) if isinstance(value, str) else None
    if not match:
        return None
    try:
        return datetime(*(int(g or 0) for g in match.groups()))
    except ValueError:  # 0000:00:00 00:00:00 and friends
        return None


_CORPORATE = {"corporation", "corp", "corp.", "company", "co", "co.", "co.,ltd", "co.,ltd.",
              "ltd", "ltd.", "inc", "inc.", "imaging", "optical", "gmbh", "ag"}  # fmt: skip


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "ignore")
    return " ".join(str(value).replace("\x00", " ").split()) if value is not None else ""


def camera_name(make: object, model: object) -> str | None:
    """ "Make Model" without the make repeated ("Canon"+"Canon EOS 5D" -> "Canon EOS 5D")."""
    make_s, model_s = _text(make), _text(model)
    make_words = [w for w in make_s.split() if w.lower() not in _CORPORATE]
    first = model_s.split()[0].lower() if model_s else ""
    if model_s and (not make_words or first in {w.lower() for w in make_words}):
        return model_s
    return " ".join([*make_words, model_s]).strip() or None


def exif_camera(exif: Image.Exif) -> str | None:
    """Camera "Make Model" from EXIF, or None."""
    return camera_name(exif.get(ExifTags.Base.Make), exif.get(ExifTags.Base.Model))


# ----- RAW -------------------------------------------------------------------------------------

#: LibRaw's flip (dcraw convention) -> EXIF orientation
_FLIP_TO_ORIENTATION = {0: 1, 1: 2, 2: 4, 3: 3, 4: 5, 5: 8, 6: 6, 7: 7}


def open_raw(data: bytes) -> RawPy:
    """Open RAW bytes with rawpy (LibRaw); raises ImageDecodeError with a reason."""
    if not RAW_AVAILABLE:
        raise ImageDecodeError("RAW support is not installed")
    import rawpy

    try:
        return rawpy.imread(io.BytesIO(data))
    except rawpy.LibRawFileUnsupportedError:
        raise ImageDecodeError("unsupported RAW file") from None
    except (rawpy.LibRawError, OSError, ValueError) as exc:
        raise ImageDecodeError(f"corrupt RAW: {short(exc)}") from None


def raw_orientation(raw: RawPy) -> int:
    """The RAW file's own orientation, as an EXIF value."""
    return _FLIP_TO_ORIENTATION.get(int(raw.sizes.flip) & 7, 1)


def raw_size(raw: RawPy) -> tuple[int, int]:
    """Full developed size as displayed (width, height)."""
    width, height = int(raw.sizes.width), int(raw.sizes.height)
    return (height, width) if int(raw.sizes.flip) & 4 else (width, height)


def raw_preview(raw: RawPy) -> tuple[bytes | None, Image.Image | None]:
    """The embedded preview: (JPEG bytes, None) or (None, RGB bitmap) or (None, None)."""
    import rawpy

    try:
        thumb = raw.extract_thumb()
    except (rawpy.LibRawError, OSError, ValueError) as exc:
        log.debug("no usable RAW preview: %s", exc)
        return None, None
    if thumb.format == rawpy.ThumbFormat.JPEG:
        return bytes(thumb.data), None
    if thumb.format == rawpy.ThumbFormat.BITMAP and getattr(thumb.data, "ndim", 0) == 3:
        return None, Image.fromarray(np.ascontiguousarray(thumb.data[..., :3], dtype=np.uint8))
    return None, None


def same_aspect(size: tuple[int, int], full: tuple[int, int], tolerance: float = 0.05) -> bool:
    """Whether ``size`` has ``full``'s aspect ratio (either way round) within ``tolerance``."""
    a, b = size[0] / max(size[1], 1), full[0] / max(full[1], 1)
    return abs(a / b - 1) <= tolerance or abs(a * b - 1) <= tolerance


def develop_raw(raw: RawPy, half: bool) -> Image.Image:
    """Demosaic with the camera white balance (half size when that is enough); upright RGB."""
    import rawpy

    options: dict[str, object] = {}
    try:
        peak = int(raw.raw_image_visible.max())
        if peak > 2 * int(raw.white_level):  # LibRaw misread the white level (seen on scanner NEFs)
            options["user_sat"] = peak
    except Exception as exc:
        log.debug("cannot check the RAW white level: %s", exc)
    try:
        rgb = raw.postprocess(half_size=half, use_camera_wb=True, output_bps=8, **options)
    except (rawpy.LibRawError, OSError, ValueError) as exc:
        raise ImageDecodeError(f"corrupt RAW: {short(exc)}") from None
    return Image.fromarray(rgb)

