"""Lens and GPS position from a photo's EXIF (Pillow's reader; no extra file read).

Camera make and model are read by :mod:`photoclip.core.image_formats`; this module adds the
lens (``LensModel``, with ``LensMake`` when the model does not already name it) and the GPS
position (``GPSLatitude``/``GPSLongitude`` with their N/S, E/W references), both optional.
"""

from __future__ import annotations

import logging
import math

from PIL import ExifTags, Image

from photoclip.core.image_formats import camera_name

log = logging.getLogger(__name__)

__all__ = ["exif_gps", "exif_lens"]

_LENS_MAKE, _LENS_MODEL = 0xA433, 0xA434
_GPS = ExifTags.GPS


def exif_lens(exif: Image.Exif) -> str | None:
    """The lens, e.g. "Canon EF 24-70mm f/2.8L II USM", or None."""
    try:
        sub = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:
        return None
    model = sub.get(_LENS_MODEL) or exif.get(_LENS_MODEL)
    if not model:
        return None
    name = camera_name(sub.get(_LENS_MAKE) or exif.get(_LENS_MAKE), model)
    return name if name and name.strip("-0 ") else None  # "----" and "0" are no lens


def _degrees(value: object, ref: object) -> float | None:
    try:
        d, m, s = (float(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    deg = d + m / 60.0 + s / 3600.0
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    if isinstance(ref, str) and ref.strip("\x00 ").upper() in ("S", "W"):
        deg = -deg
    return deg if math.isfinite(deg) else None


def exif_gps(exif: Image.Exif) -> tuple[float, float] | None:
    """(latitude, longitude) in signed degrees, or None when absent or unusable."""
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception as exc:
        log.debug("unreadable GPS IFD: %s", exc)
        return None
    if not gps:
        return None
    lat = _degrees(gps.get(_GPS.GPSLatitude), gps.get(_GPS.GPSLatitudeRef))
    lon = _degrees(gps.get(_GPS.GPSLongitude), gps.get(_GPS.GPSLongitudeRef))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0.0 and lon == 0.0:  # written by cameras without a fix
        return None
    return lat, lon
