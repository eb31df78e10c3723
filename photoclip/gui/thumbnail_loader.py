"""Thumbnails for the grid, made off the GUI thread, newest request first.

Worker threads ask the core's disk cache (:class:`photoclip.core.thumbnails.ThumbnailCache`)
for a thumbnail file and read it into a QImage (never a QPixmap off the GUI thread); the GUI
thread turns it into a pixmap. Requests are served last-in-first-out and old ones are dropped, so
scrolling fast through 100,000 photos only decodes what is on screen now.

Thumbnails are read at the grid's size times the screen's device pixel ratio and carry that
ratio, so a 2x screen gets twice the pixels in the same space (sharp, not upscaled).
"""

from __future__ import annotations

import logging
from collections import OrderedDict, deque
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QImageReader, QPixmap

from photoclip.gui.worker_pool import WorkerPool

if TYPE_CHECKING:
    from photoclip.core.thumbnails import ThumbnailCache

log = logging.getLogger(__name__)

MAX_WAITING = 256
MEMORY_BYTES = 48 * 2**20  # thumbnails kept in memory (about 250 at 256 px, 60 at 512:
# a 4K screen at 2x shows about 35 cells of the largest size)
MAX_THUMBNAIL = 256  # the largest thumbnail the grid shows, in device-independent pixels


def cache_pixels(device_pixel_ratio: float) -> int:
    """The disk cache's thumbnail size for a screen: 256 px, 512 on a HiDPI screen."""
    return 256 if device_pixel_ratio <= 1.0 else 512


def read_pixels(size: int, device_pixel_ratio: float) -> int:
    """The pixel size to read for thumbnails of ``size`` points at this ratio: exactly what
    the grid draws, so painting is a copy, never a scaling (which costs more than the rest of
    a cell's painting)."""
    return max(round(size * device_pixel_ratio), 16)


class ThumbnailLoader(QObject):
    """Load thumbnails on ``workers`` threads; :attr:`ready` fires (path) when one is in memory."""

    ready = Signal(str)
    _loaded = Signal(str, QImage, int)

    def __init__(
        self, size: int = 192, workers: int = 2, memory_items: int = 1500,
        parent: QObject | None = None, memory_bytes: int = MEMORY_BYTES,
    ) -> None:
        super().__init__(parent)
        self.size = size  # pixels read (the longest side)
        self.device_pixel_ratio = 1.0
        self.cache: ThumbnailCache | None = None  # set once the library is open
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._stale: set[str] = set()  # read for an earlier size: shown until read again
        self._memory_items = memory_items
        self._memory_bytes = memory_bytes  # and no more than this many bytes of them
        self._bytes = 0
        self._waiting: deque[str] = deque()
        self._queued: set[str] = set()
        self._failed: set[str] = set()
        self._loaded.connect(self._on_loaded)
        self._pool: WorkerPool[tuple[str, int]] = WorkerPool(
            "photoclip-thumbs", workers, self._next, self._load_one)
        self._cond = self._pool.cond  # guards the requests

    def set_size(self, size: int, device_pixel_ratio: float = 1.0) -> None:
        """Thumbnails of ``size`` points at this device pixel ratio from now on. Those in
        memory are read again at the new size as they are shown, and shown (scaled) until
        then, so a zoom step never blanks the grid."""
        pixels = read_pixels(size, device_pixel_ratio)
        if pixels == self.size and device_pixel_ratio == self.device_pixel_ratio:
            return
        self.size, self.device_pixel_ratio = pixels, device_pixel_ratio
        self._stale = set(self._pixmaps)
        self.clear_waiting()

    def pixmap(self, path: str) -> QPixmap | None:
        """The thumbnail if it is in memory; otherwise None, and it is requested."""
        pix = self._pixmaps.get(path)
        if pix is not None:
            self._pixmaps.move_to_end(path)
            if path in self._stale:
                self.request(path)
            return pix
        if path not in self._failed:
            self.request(path)
        return None

    def failed(self, path: str) -> bool:
        return path in self._failed

    def request(self, path: str) -> None:
        with self._cond:
            if path in self._queued:
                return
            self._queued.add(path)
            self._waiting.append(path)
            while len(self._waiting) > MAX_WAITING:
                self._queued.discard(self._waiting.popleft())
            self._pool.wake()

    def clear_waiting(self) -> None:
        """Forget requests not started yet (the grid changed)."""
        with self._cond:
            self._waiting.clear()
            self._queued.clear()

    def stop(self) -> None:
        self._pool.stop()

    def _next(self) -> tuple[str, int] | None:
        """The newest request and the size to read it at (the pool holds the lock)."""
        return (self._waiting.pop(), self.size) if self._waiting else None

    def _load_one(self, job: tuple[str, int]) -> bool:
        path, pixels = job
        image = self._load(path, pixels)
        try:
            self._loaded.emit(path, image, pixels)
        except RuntimeError:  # the loader is gone
            return False
        return True

    def _load(self, path: str, pixels: int) -> QImage:
        try:
            source = str(self.cache.thumbnail(path)) if self.cache is not None else path
        except Exception as exc:
            log.debug("No thumbnail for %s: %s", path, exc)
            return QImage()
        reader = QImageReader(source)
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(QSize(pixels, pixels),
                                             Qt.AspectRatioMode.KeepAspectRatio))
        return reader.read()

    @Slot(str, QImage, int)
    def _on_loaded(self, path: str, image: QImage, pixels: int) -> None:
        with self._cond:
            self._queued.discard(path)
        if pixels != self.size:
            pass  # read for another size: the cell asks again when it repaints
        elif image.isNull():
            self._failed.add(path)
            self._stale.discard(path)  # the earlier size stays on show
        else:
            pix = QPixmap.fromImage(image)
            pix.setDevicePixelRatio(self.device_pixel_ratio)
            self._stale.discard(path)
            old = self._pixmaps.pop(path, None)
            if old is not None:
                self._bytes -= _bytes_of(old)
            self._pixmaps[path] = pix
            self._bytes += _bytes_of(pix)
            while len(self._pixmaps) > 1 and (len(self._pixmaps) > self._memory_items
                                              or self._bytes > self._memory_bytes):
                gone, pix = self._pixmaps.popitem(last=False)
                self._bytes -= _bytes_of(pix)
                self._stale.discard(gone)
        self.ready.emit(path)


def _bytes_of(pix: QPixmap) -> int:
    return pix.width() * pix.height() * max(pix.depth(), 8) // 8
