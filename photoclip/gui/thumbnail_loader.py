"""Thumbnails for the grid, made off the GUI thread, newest request first.

Worker threads ask the core's disk cache (:class:`photoclip.core.thumbnails.ThumbnailCache`)
for a thumbnail file and read it into a QImage (never a QPixmap off the GUI thread); the GUI
thread turns it into a pixmap. Requests are served last-in-first-out and old ones are dropped, so
scrolling fast through 100,000 photos only decodes what is on screen now.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict, deque
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QImageReader, QPixmap

if TYPE_CHECKING:
    from photoclip.core.thumbnails import ThumbnailCache

log = logging.getLogger(__name__)

MAX_WAITING = 256


class ThumbnailLoader(QObject):
    """Load thumbnails on ``workers`` threads; :attr:`ready` fires (path) when one is in memory."""

    ready = Signal(str)
    _loaded = Signal(str, QImage)

    def __init__(
        self, size: int = 192, workers: int = 2, memory_items: int = 1500,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.size = size
        self.cache: ThumbnailCache | None = None  # set once the library is open
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._memory_items = memory_items
        self._waiting: deque[str] = deque()
        self._queued: set[str] = set()
        self._failed: set[str] = set()
        self._cond = threading.Condition()
        self._stopped = False
        self._loaded.connect(self._on_loaded)
        self._threads = [
            threading.Thread(target=self._main, name=f"photoclip-thumbs-{i}", daemon=True)
            for i in range(workers)
        ]
        for t in self._threads:
            t.start()

    def pixmap(self, path: str) -> QPixmap | None:
        """The thumbnail if it is in memory; otherwise None, and it is requested."""
        pix = self._pixmaps.get(path)
        if pix is not None:
            self._pixmaps.move_to_end(path)
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
            self._cond.notify()

    def clear_waiting(self) -> None:
        """Forget requests not started yet (the grid changed)."""
        with self._cond:
            self._waiting.clear()
            self._queued.clear()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        for t in self._threads:
            t.join(5)

    def _main(self) -> None:
        while True:
            with self._cond:
                while not self._waiting and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                path = self._waiting.pop()  # newest first
            image = self._load(path)
            try:
                self._loaded.emit(path, image)
            except RuntimeError:  # the loader is gone
                return

    def _load(self, path: str) -> QImage:
        try:
            source = str(self.cache.thumbnail(path)) if self.cache is not None else path
        except Exception as exc:
            log.debug("No thumbnail for %s: %s", path, exc)
            return QImage()
        reader = QImageReader(source)
        reader.setAutoTransform(True)
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(QSize(self.size, self.size),
                                             Qt.AspectRatioMode.KeepAspectRatio))
        return reader.read()

    @Slot(str, QImage)
    def _on_loaded(self, path: str, image: QImage) -> None:
        with self._cond:
            self._queued.discard(path)
        if image.isNull():
            self._failed.add(path)
        else:
            self._pixmaps[path] = QPixmap.fromImage(image)
            while len(self._pixmaps) > self._memory_items:
                self._pixmaps.popitem(last=False)
        self.ready.emit(path)
