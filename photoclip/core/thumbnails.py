"""A disk cache of small upright JPEG thumbnails, shared by every front end (no Qt here).

Each thumbnail lives at ``<cache_dir>/<aa>/<path hash>-<version hash>.jpg``: the path hash names
the photo (its absolute path and the thumbnail size), the version hash its file's mtime and size,
so an edited photo gets a new thumbnail and the old one is deleted when the new one is written.
Photos are decoded through :func:`photoclip.core.images.load_image`, so every format the indexer
reads works here too (HEIC and RAW through their embedded previews, CMYK, 16-bit, EXIF
orientation applied, JPEGs decoded at reduced size with DCT scaling, bombs refused).

Thumbnails are written to a temporary file and renamed into place, so a killed process never
leaves half a thumbnail behind; :meth:`ThumbnailCache.prune` removes leftover temporary files.
All methods are safe to call from many threads at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from photoclip.core.images import ImageDecodeError, load_image

log = logging.getLogger(__name__)

__all__ = ["ImageDecodeError", "PruneReport", "ThumbnailCache"]

DEFAULT_SIZE = 256
DEFAULT_MAX_BYTES = 2 * 1024**3  # about 200,000 thumbnails at 256 px
JPEG_QUALITY = 85
_TMP_PREFIX = ".tmp-"
_STALE_TMP_S = 3600  # a temporary file this old belongs to a dead process
_FAILURES_KEPT = 4096


@dataclass(frozen=True)
class PruneReport:
    """What :meth:`ThumbnailCache.prune` removed and what is left."""

    removed: int
    freed_bytes: int
    kept: int
    kept_bytes: int


class ThumbnailCache:
    """Thumbnails of ``size`` pixels on the longest side, cached under ``cache_dir``."""

    def __init__(
        self,
        cache_dir: Path,
        size: int = DEFAULT_SIZE,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_megapixels: float = 300,
    ) -> None:
        if size < 16:
            raise ValueError(f"thumbnail size must be at least 16 pixels, not {size}")
        self.cache_dir = Path(cache_dir)
        self.size = int(size)
        self.max_bytes = int(max_bytes)
        self.max_megapixels = max_megapixels
        # photos that failed to decode, by version, so a scrolling view does not retry them
        self._failures: OrderedDict[str, ImageDecodeError] = OrderedDict()
        self._lock = threading.Lock()

    # ----- names -------------------------------------------------------------------------------

    def _photo_key(self, photo: Path) -> str:
        text = f"{photo}\0{self.size}"
        return hashlib.sha1(text.encode("utf-8", "surrogateescape")).hexdigest()

    def _entry(self, photo: Path) -> tuple[Path, str]:
        """(the current thumbnail's path, the photo key); raises ImageDecodeError if unreadable."""
        try:
            st = os.stat(photo)
        except OSError as exc:
            raise ImageDecodeError(f"cannot read file: {exc.strerror or exc}", str(photo)) from None
        key = self._photo_key(photo)
        version = hashlib.sha1(f"{st.st_mtime_ns}\0{st.st_size}".encode()).hexdigest()[:12]
        return self.cache_dir / key[:2] / f"{key}-{version}.jpg", key

    @staticmethod
    def _absolute(photo_path: str | Path) -> Path:
        return Path(os.path.abspath(os.path.expanduser(photo_path)))

    # ----- use ---------------------------------------------------------------------------------

    def cached(self, photo_path: str | Path) -> Path | None:
        """The thumbnail if one is cached for the photo as it is now, without decoding anything."""
        try:
            target, _ = self._entry(self._absolute(photo_path))
            return target if target.stat().st_size > 0 else None
        except (OSError, ImageDecodeError):
            return None

    def thumbnail(self, photo_path: str | Path) -> Path:
        """The photo's thumbnail, made now if it is missing or the photo changed since.

        Raises :class:`ImageDecodeError` (with a short reason for the user) for a photo that
        cannot be read or decoded; a failure is remembered until the file changes.
        """
        photo = self._absolute(photo_path)
        target, key = self._entry(photo)
        with contextlib.suppress(OSError):
            if target.stat().st_size > 0:
                return target
        with self._lock:
            failed = self._failures.get(target.name)
        if failed is not None:
            raise failed
        try:
            image = self._render(photo)
        except ImageDecodeError as exc:
            with self._lock:
                self._failures[target.name] = exc
                while len(self._failures) > _FAILURES_KEPT:
                    self._failures.popitem(last=False)
            raise
        self._write(image, target)
        self._drop_old_versions(target, key)
        return target

    def _render(self, photo: Path) -> Image.Image:
        image, _ = load_image(photo, min_side=self.size, max_megapixels=self.max_megapixels)
        if image.mode != "RGB":
            image = image.convert("RGB")
        image.info.clear()  # drop load_image's hints, ICC and EXIF: the pixels are upright sRGB
        if max(image.size) > self.size:
            # reducing_gap: bin by an integer factor first, then a proper filter (fast, sharp)
            image.thumbnail((self.size, self.size), Image.Resampling.BICUBIC, reducing_gap=2.0)
        return image

    def _write(self, image: Image.Image, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".jpg", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                image.save(f, "JPEG", quality=JPEG_QUALITY)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _drop_old_versions(self, current: Path, key: str) -> None:
        for old in current.parent.glob(f"{key}-*.jpg"):
            if old != current:
                with contextlib.suppress(OSError):
                    old.unlink()

    # ----- keeping it bounded ------------------------------------------------------------------

    def prune(
        self, keep_paths: Iterable[str | Path] | None = None, max_bytes: int | None = None
    ) -> PruneReport:
        """Remove thumbnails of photos not in ``keep_paths`` (None keeps all), stale temporary
        files and, while the cache is over ``max_bytes`` (default: the cache's own cap), the
        thumbnails written longest ago."""
        keep = None if keep_paths is None else {
            self._photo_key(self._absolute(p)) for p in keep_paths
        }
        cap = self.max_bytes if max_bytes is None else int(max_bytes)
        now = time.time()
        removed = freed = 0
        entries: list[tuple[float, int, Path]] = []
        if not self.cache_dir.is_dir():
            return PruneReport(0, 0, 0, 0)
        for shard in self.cache_dir.iterdir():
            if not shard.is_dir():
                continue
            for f in shard.iterdir():
                try:
                    st = f.stat()
                except OSError:
                    continue
                name = f.name
                if name.startswith(_TMP_PREFIX):
                    drop = now - st.st_mtime > _STALE_TMP_S
                elif name.endswith(".jpg"):
                    drop = keep is not None and name.split("-", 1)[0] not in keep
                else:
                    continue
                if drop:
                    removed, freed = removed + 1, freed + st.st_size
                    with contextlib.suppress(OSError):
                        f.unlink()
                elif not name.startswith(_TMP_PREFIX):
                    entries.append((st.st_mtime, st.st_size, f))
        total = sum(size for _, size, _ in entries)
        if total > cap:
            entries.sort()  # oldest first
            evicted = 0
            for _, size, f in entries:
                if total <= cap:
                    break
                with contextlib.suppress(OSError):
                    f.unlink()
                total -= size
                evicted += 1
                removed, freed = removed + 1, freed + size
            entries = entries[evicted:]
        log.info("Thumbnail cache pruned: %d removed (%d bytes), %d kept", removed, freed,
                 len(entries))
        return PruneReport(removed, freed, len(entries), total)

    def size_bytes(self) -> int:
        """The cache's size on disk."""
        total = 0
        for root, _, files in os.walk(self.cache_dir):
            for name in files:
                with contextlib.suppress(OSError):
                    total += os.stat(os.path.join(root, name)).st_size
        return total
