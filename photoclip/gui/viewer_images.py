"""The viewer's images, decoded off the GUI thread and kept within a memory budget.

Each photo has up to two decoded *levels*, both upright (EXIF orientation applied):

- ``screen``: big enough to fill the viewer (a JPEG is decoded at 1/2, 1/4 or 1/8 with libjpeg's
  DCT scaling, by Pillow's SIMD libjpeg-turbo, so a 24 MP photo opens in a fraction of the full
  decode's time);
- ``full``: every pixel, for zooming in (only for the photo on show).

:meth:`ViewerImages.show` asks for the photo on show first, then its neighbours' screen levels
(preloaded, so next/previous is instant), then the photo's full level; requests for photos no
longer wanted are dropped before they start. Decoded images come back on the GUI thread through
:attr:`ViewerImages.ready`. Qt's decoders release the GIL (Pillow's hold it a few ms at a time),
so decoding never stalls the GUI. Memory is bounded: the full level of the photo on show only,
the screen levels of the last :data:`SCREEN_KEPT` photos, and at most :data:`BUDGET_BYTES` in all.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QImageIOHandler, QImageReader

from photoclip.gui.worker_pool import WorkerPool

log = logging.getLogger(__name__)

SCREEN, FULL = "screen", "full"
SCREEN_KEPT = 6  # screen levels kept: the photo on show, its neighbours, the ones just seen
BUDGET_BYTES = 320 * 2**20  # one 24 MP full level (96 MB) and a few screen levels fit
FULL_MAX_PIXELS = 50_000_000  # a larger photo's full level is decoded reduced (200 MB at most)
_NATIVE = (QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32_Premultiplied)


@dataclass(frozen=True)
class Decoded:
    """One decoded level of a photo (``image`` null and ``error`` set when it failed)."""

    path: str
    level: str
    image: QImage
    full_size: QSize  # the upright original's size, in pixels
    error: str = ""

    @property
    def nbytes(self) -> int:
        return int(self.image.sizeInBytes())


def dct_denominator(stored: QSize, target: QSize) -> int:
    """The largest JPEG DCT scale denominator (1, 2, 4, 8) whose decode still covers ``target``
    (the viewer's size in device pixels, same orientation as ``stored``) when fitted."""
    if stored.isEmpty() or target.isEmpty():
        return 1
    fit = min(target.width() / stored.width(), target.height() / stored.height())
    for denom in (8, 4, 2):
        if denom * fit <= 1.0:
            return denom
    return 1


def covers(decoded: Decoded, target: QSize) -> bool:
    """Whether a decoded level is sharp at fit in a viewer of ``target`` device pixels (or
    holds every pixel of the photo anyway)."""
    full, have = decoded.full_size, decoded.image.size()
    if full.isEmpty() or target.isEmpty() or have.width() >= full.width():
        return True
    fit = min(target.width() / full.width(), target.height() / full.height(), 1.0)
    return have.width() * 1.05 >= full.width() * fit  # a rounding pixel or two is sharp


def _swaps(reader: QImageReader) -> bool:
    """Whether the reader's EXIF transformation turns the photo on its side."""
    return bool(reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90)


def _native(image: QImage) -> QImage:
    """In a format the raster painter draws fastest (converted here, off the GUI thread)."""
    if image.isNull() or image.format() in _NATIVE:
        return image
    fmt = (QImage.Format.Format_ARGB32_Premultiplied if image.hasAlphaChannel()
           else QImage.Format.Format_RGB32)
    return image.convertToFormat(fmt)


def decode(path: str, level: str, target: QSize) -> list[Decoded]:
    """Decode ``path`` at ``level`` for a viewer of ``target`` device pixels. A decode that
    already holds every pixel (a photo no larger than the viewer, a format decoded in full
    anyway) answers both levels."""
    reader = QImageReader(path)
    reader.setAutoTransform(True)
    stored = reader.size()
    swaps = _swaps(reader)
    upright = stored.transposed() if swaps else stored
    if not stored.isValid() or not reader.canRead():
        return _pillow(path, level, target)
    jpeg = bytes(reader.format().data()).lower() in (b"jpeg", b"jpg")
    denom = dct_denominator(stored, target.transposed() if swaps else target)
    if denom > 1 and jpeg and level == SCREEN:
        quick = _pillow_jpeg(path, denom)
        if quick is not None:
            return [Decoded(path, SCREEN, quick, upright)]
        reader.setScaledSize(QSize(max(1, stored.width() // denom),
                                   max(1, stored.height() // denom)))
    elif level == FULL and stored.width() * stored.height() > FULL_MAX_PIXELS:
        if not jpeg:  # Qt would decode it all first: the core's decoder reduces it
            return _pillow(path, level, target)
        k = next((d for d in (2, 4) if stored.width() * stored.height() / d**2
                  <= FULL_MAX_PIXELS), 8)  # a giant JPEG: its "full" level is reduced
        reader.setScaledSize(QSize(stored.width() // k, stored.height() // k))
    image = _native(reader.read())
    if image.isNull():
        log.debug("Qt could not decode %s (%s); trying Pillow", path, reader.errorString())
        return _pillow(path, level, target)
    if denom == 1:  # the photo is no larger than the viewer: one decode is both levels
        return [Decoded(path, SCREEN, image, upright), Decoded(path, FULL, image, upright)]
    if jpeg:
        return [Decoded(path, level, image, upright)]
    # decoded in full anyway (not a JPEG): the screen level is a smooth reduction of it
    screen = image.scaled(upright / denom, Qt.AspectRatioMode.KeepAspectRatio,
                          Qt.TransformationMode.SmoothTransformation)
    return [Decoded(path, SCREEN, screen, upright), Decoded(path, FULL, image, upright)]


def _pillow_jpeg(path: str, denom: int) -> QImage | None:
    """A JPEG decoded at 1/``denom`` by Pillow's libjpeg-turbo (SIMD: about 1.7x Qt's own
    decoder here), upright, as RGB32; None when Qt should do it (CMYK, an odd file). Like Qt's
    decode of the full level it leaves colour profiles alone, so the levels match."""
    from PIL import Image

    from photoclip.core import image_formats as fmt

    try:
        with Image.open(path, formats=["JPEG", "MPO"]) as im:
            im.draft("RGB", (im.width // denom, im.height // denom))
            if im.mode not in ("RGB", "L"):
                return None
            im.load()
            upright = fmt.transpose(im, fmt.orientation(fmt.read_exif(im)))
            rgb = upright if upright.mode == "RGB" else upright.convert("RGB")
            q = QImage(rgb.tobytes(), rgb.width, rgb.height, rgb.width * 3,
                       QImage.Format.Format_RGB888)
            return q.convertToFormat(QImage.Format.Format_RGB32)  # a copy that owns its pixels
    except Exception as exc:  # Qt tries next, and says why if it cannot either
        log.debug("Pillow could not decode %s at 1/%d: %s", path, denom, exc)
        return None


def _pillow(path: str, level: str, target: QSize) -> list[Decoded]:
    """Formats Qt cannot read (HEIC, RAW, JPEG 2000, ...) through the core's decoder."""
    from photoclip.core.images import ImageDecodeError, load_image, read_image_info

    try:
        info = read_image_info(path)
        full = QSize(int(info.width), int(info.height))
        short, long = sorted((max(1, full.width()), max(1, full.height())))
        # the full level within FULL_MAX_PIXELS (the decode may come out up to twice as wide)
        min_side = (int((FULL_MAX_PIXELS / 4 * short / long) ** 0.5)
                    if level == FULL and short * long > FULL_MAX_PIXELS else 1 << 20)
        if level == SCREEN:
            min_side = max(1, min(target.width(), target.height()))
        image, _ = load_image(path, min_side=min_side)
        image = image.convert("RGBA")
        q = QImage(image.tobytes(), image.width, image.height, image.width * 4,
                   QImage.Format.Format_RGBA8888)
        q = q.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)  # a copy: owns its data
    except ImageDecodeError as exc:
        from photoclip.core.reasons import shown
        from photoclip.gui.i18n import tr

        return [Decoded(path, level, QImage(), QSize(), shown(exc.reason, tr))]
    except Exception as exc:  # decoders raise almost anything on hostile input
        log.debug("Decoding %s for the viewer failed", path, exc_info=True)
        return [Decoded(path, level, QImage(), QSize(), str(exc) or type(exc).__name__)]
    if level == SCREEN and q.size() == full:
        return [Decoded(path, SCREEN, q, full), Decoded(path, FULL, q, full)]
    return [Decoded(path, level, q, full if full.isValid() else q.size())]


def _warm_up() -> None:
    """Import the decoders' modules (Pillow; the core's formats, with numpy and the HEIF
    plugin) as a worker starts, so the first photo opened does not wait for them (they took
    the first open of a session to 0.9 s, the others under 0.12 s)."""
    try:
        from PIL import Image  # noqa: F401

        from photoclip.core import image_formats  # noqa: F401

        QImageReader.supportedImageFormats()  # Qt's image plugins found and loaded
    except Exception:  # the decode says what is wrong, when it comes to it
        log.debug("The viewer's decoders did not import", exc_info=True)


class ViewerImages(QObject):
    """Decode the viewer's photos on ``workers`` threads; :attr:`ready` fires (a
    :class:`Decoded`) on the GUI thread for each level decoded for a photo still wanted."""

    ready = Signal(object)
    _decoded = Signal(object)

    def __init__(self, workers: int = 2, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.target = QSize(1600, 1000)  # the viewer's size in device pixels
        self._cache: OrderedDict[tuple[str, str], Decoded] = OrderedDict()
        self._queue: list[tuple[str, str]] = []  # best first
        self._running: set[tuple[str, str]] = set()
        self._current = ""
        self._wanted: set[str] = set()
        self._grown: tuple[str, int, int] | None = None  # the last re-decode for a larger view
        self.warmed = threading.Event()  # set once a worker has imported the decoders
        self._decoded.connect(self._on_decoded)
        self._pool: WorkerPool[tuple[tuple[str, str], QSize]] = WorkerPool(
            "photoclip-viewer", workers, self._take, self._decode, start=self._warm)
        self._cond = self._pool.cond  # guards the requests and the decoded images

    # ----- asking ------------------------------------------------------------------------------

    def set_target(self, size: QSize) -> None:
        """The viewer's size in device pixels (screen levels decoded later cover it). Grown
        past what the photo on show's screen level was decoded for (laid out after it opened,
        full screen, a larger window), that level is decoded again at the new size."""
        if size.isEmpty() or size == self.target:
            return
        with self._cond:
            self.target = QSize(size)
            self._regrow()

    def _regrow(self) -> None:
        """Queue the photo on show's screen level first again when it is too small for the
        viewer now (once per path and size; painting the full level at fit would cost every
        frame a 24 MP scale). Holds the lock."""
        key = (self._current, SCREEN)
        have = self._cache.get(key)
        again = (self._current, self.target.width(), self.target.height())
        if (have is None or have.error or covers(have, self.target) or self._grown == again
                or key in self._queue):
            return
        self._grown = again
        self._queue.insert(0, key)
        self._cond.notify_all()

    def show(self, path: str, neighbours: list[str] = ()) -> None:  # type: ignore[assignment]
        """``path`` is on show now: decode its screen level, then the ``neighbours``' (nearest
        first), then its full level. Older requests not started yet are dropped."""
        order = [(path, SCREEN)] + [(n, SCREEN) for n in neighbours if n and n != path]
        order.append((path, FULL))
        with self._cond:
            self._current = path
            self._wanted = {p for p, _ in order}
            self._queue = [k for k in order if k not in self._cache and k not in self._running]
            self._trim()
            self._pool.wake(every=True)

    def get(self, path: str, level: str) -> Decoded | None:
        """A decoded level if it is in memory."""
        with self._cond:
            found = self._cache.get((path, level))
            if found is not None:
                self._cache.move_to_end((path, level))
            return found

    def clear(self) -> None:
        """Forget every decoded image and every request (the viewer closed)."""
        with self._cond:
            self._cache.clear()
            self._queue.clear()
            self._current = ""
            self._wanted = set()

    def memory_bytes(self) -> int:
        """The bytes of the decoded images kept now."""
        with self._cond:
            return sum(d.nbytes for d in self._cache.values())

    def kept(self) -> list[tuple[str, str]]:
        """The (path, level) kept in memory, oldest first."""
        with self._cond:
            return list(self._cache)

    def stop(self) -> None:
        self._pool.stop()

    # ----- the workers -------------------------------------------------------------------------

    def _warm(self) -> None:
        """Each worker imports the decoders before the first photo opens."""
        _warm_up()
        self.warmed.set()

    def _take(self) -> tuple[tuple[str, str], QSize] | None:
        """The next request to start and the viewer's size now (the pool holds the lock)."""
        key = self._next()
        if key is None:
            return None
        self._queue.remove(key)
        self._running.add(key)
        return key, QSize(self.target)

    def _decode(self, job: tuple[tuple[str, str], QSize]) -> None:
        key, target = job
        try:
            results = decode(key[0], key[1], target)
        except Exception as exc:  # never lose the worker
            log.exception("Decoding %s for the viewer failed", key[0])
            results = [Decoded(key[0], key[1], QImage(), QSize(), str(exc))]
        with self._cond:
            self._running.discard(key)
            self._pool.wake(every=True)  # the photo on show is decoded: the rest may start
        with contextlib.suppress(RuntimeError):  # the viewer is gone
            self._decoded.emit(results)

    def _next(self) -> tuple[str, str] | None:
        """The best request to start now: while the photo on show's screen level is being
        decoded, nothing else starts (on a small machine it would only slow it down)."""
        if not self._queue:
            return None
        first = (self._current, SCREEN)
        if first in self._queue:
            return first
        return None if first in self._running else self._queue[0]

    @Slot(object)
    def _on_decoded(self, results: list[Decoded]) -> None:
        shown = []
        with self._cond:
            for d in results:
                if d.path not in self._wanted or (d.level == FULL and d.path != self._current):
                    continue  # asked for, then left behind before it was decoded
                key = (d.path, d.level)
                old = self._cache.get(key)
                if old is not None and not old.error and not d.error \
                        and old.image.width() > d.image.width():
                    continue  # a decode for the viewer's older, smaller size came in late
                self._cache[key] = d
                self._cache.move_to_end(key)
                with contextlib.suppress(ValueError):
                    self._queue.remove(key)  # a decode that answered both levels
                shown.append(d)
            self._trim()
            self._regrow()  # decoded for a viewer smaller than it is now
        for d in shown:
            self.ready.emit(d)

    def _trim(self) -> None:
        """Keep the full level of the photo on show only, at most SCREEN_KEPT screen levels
        and BUDGET_BYTES in all (the oldest go first; the photo on show's last)."""
        for key in [k for k in self._cache if k[1] == FULL and k[0] != self._current]:
            del self._cache[key]
        screens = [k for k in self._cache if k[1] == SCREEN]
        for key in screens[: max(0, len(screens) - SCREEN_KEPT)]:
            if key[0] != self._current:
                del self._cache[key]
        total = sum(d.nbytes for d in self._cache.values())
        for key in list(self._cache):
            if total <= BUDGET_BYTES:
                break
            if key[0] != self._current:
                total -= self._cache.pop(key).nbytes
