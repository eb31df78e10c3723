"""The viewer's canvas: one photo, zoomed, panned and rotated (the view only, never the file),
with its face and text regions drawn where they are in the photo.

Geometry: the photo's own coordinates are the upright original's pixels (what region boxes use).
``scale`` is widget pixels per photo pixel (1.0 is 100%), ``center`` the photo point shown at
the widget's centre, ``rotation`` a multiple of 90 degrees. Painting uses the smallest decoded
level that is sharp at the current scale (the thumbnail first, then the screen level, the full
level when zoomed in), so zooming never waits for a decode and never scales 24 MP per frame.

Input: drag to pan, the wheel or a pinch (Ctrl+wheel, a native zoom gesture) to zoom at the
pointer, a trackpad's scroll to pan (or, at fit, a horizontal swipe for next/previous),
double-click for fit / 100%, and the keys in :data:`KEYS`. Every input emits
:attr:`ViewerCanvas.user_input` first (a slideshow pauses on it).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QNativeGestureEvent,
    QPainter,
    QPaintEvent,
    QPixmap,
    QResizeEvent,
    QTransform,
    QWheelEvent,
)
from PySide6.QtWidgets import QLabel, QWidget

from photoclip.core.types import Region
from photoclip.gui.i18n import tr
from photoclip.gui.regions import paint_regions, region_tooltip, region_under

MIN_ZOOM, MAX_ZOOM = 0.02, 16.0
WHEEL_STEP = 2 ** 0.25  # one notch of the wheel
KEY_STEP = 2 ** 0.5
SWIPE_PX = 120  # horizontal trackpad travel for next/previous at fit
BACKGROUND = QColor(24, 24, 24)

#: key -> command the canvas emits (arrows and Home/End step, the rest are commands)
KEYS: dict[int, str] = {
    Qt.Key.Key_Left: "previous", Qt.Key.Key_PageUp: "previous",
    Qt.Key.Key_Right: "next", Qt.Key.Key_PageDown: "next",
    Qt.Key.Key_Home: "first", Qt.Key.Key_End: "last",
    Qt.Key.Key_Plus: "zoom_in", Qt.Key.Key_Equal: "zoom_in", Qt.Key.Key_Minus: "zoom_out",
    Qt.Key.Key_0: "fit", Qt.Key.Key_1: "actual",
    Qt.Key.Key_R: "rotate_right", Qt.Key.Key_L: "rotate_left",
    Qt.Key.Key_I: "facts", Qt.Key.Key_S: "slideshow",
    Qt.Key.Key_F: "full_screen", Qt.Key.Key_F11: "full_screen",
    Qt.Key.Key_Space: "back",
}


class ViewerCanvas(QWidget):
    """Shows one photo; zoom, pan and rotation are view state only."""

    region_clicked = Signal(object, QPoint)  # core.types.Region, the click's global position
    command = Signal(str)  # a KEYS command the canvas does not carry out itself, or a swipe's
    user_input = Signal()  # any key, click or wheel (a slideshow pauses)
    view_changed = Signal()  # zoom, pan or rotation changed

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.path = ""
        self.levels: dict[str, QImage] = {}  # "preview" | "screen" | "full"
        self.full_size = QSizeF()  # the upright original's size
        self.message = ""
        self.regions: list[Region] = []
        self.original: tuple[int, int] | None = None
        self.shown = True
        self.rotation = 0
        self.scale = 1.0
        self.center = QPointF()
        self.fitted = True  # follow the widget's size (fit) until the user zooms
        self._drag: QPointF | None = None
        self._swipe = 0.0
        self._swiped = False
        self.zoom_label = QLabel(self)
        self.zoom_label.setObjectName("viewerZoom")
        self.zoom_label.setStyleSheet("background: rgba(0,0,0,150); color: white; "
                                      "padding: 2px 6px; border-radius: 3px;")
        self.zoom_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    # ----- what is shown -----------------------------------------------------------------------

    def set_photo(self, path: str, preview: QImage | QPixmap | None = None,
                  rotation: int = 0) -> None:
        """Show ``path`` (its ``preview``, a thumbnail, until a level is decoded), at fit."""
        self.path = path
        self.levels = {}
        self.full_size = QSizeF()
        self.message = ""
        self.regions = []
        self.original = None
        self.rotation = rotation % 360
        if isinstance(preview, QPixmap):
            preview = preview.toImage()
        if preview is not None and not preview.isNull():
            self.levels["preview"] = preview
            self.full_size = QSizeF(preview.size())
        else:
            self.message = tr("Loading…")
        self.fit()

    def set_preview(self, path: str, preview: QImage) -> None:
        """The thumbnail of ``path``, come late: shown until a decoded level is there."""
        if path == self.path and not self.levels and not preview.isNull() and (
                not self.message or self.message == tr("Loading…")):
            self.levels["preview"] = preview
            self.full_size = QSizeF(preview.size())
            self.message = ""
            self.fit()

    def set_level(self, path: str, level: str, image: QImage, full_size: QSize) -> None:
        """A decoded level of ``path`` (ignored if another photo is on show now)."""
        if path != self.path or image.isNull():
            return
        old = QSizeF(self.full_size)
        self.levels[level] = image
        self.full_size = QSizeF(full_size if full_size.isValid() else image.size())
        self.message = ""
        if self.fitted or old.isEmpty():
            self.fit()
        elif old != self.full_size and old.width() > 0:  # the preview's size was a guess
            k = self.full_size.width() / old.width()
            self.center *= k
            self._set_scale(self.scale / k)
        self.update()

    def set_failed(self, path: str, message: str) -> None:
        if path == self.path and not self.levels.get("screen"):
            self.levels.pop("preview", None)
            self.message = message
            self.update()

    def has_image(self) -> bool:
        """Whether a decoded level (not only the thumbnail) is shown."""
        return bool(self.levels.get("screen") or self.levels.get("full"))

    def level_for_scale(self) -> str:
        """The level painted now: the smallest one sharp at this scale, else the largest."""
        need = self.scale * self.devicePixelRatioF() * self.full_size.width()
        have = sorted(((img.width(), name) for name, img in self.levels.items()
                       if not img.isNull()), key=lambda t: t[0])
        for width, name in have:
            if width >= need * 0.999:
                return name
        return have[-1][1] if have else ""

    # ----- regions (faces, text) ---------------------------------------------------------------

    def set_regions(self, regions: list[Region], original: tuple[int, int] | None) -> None:
        """The regions, in pixels of the original upright photo of size ``original``."""
        self.regions = list(regions)
        self.original = original
        self.update()

    def set_shown(self, on: bool) -> None:
        self.shown = bool(on)
        self.update()

    def rect_of(self, region: Region) -> QRectF | None:
        """Where ``region`` is drawn in this widget (None while the photo's size is unknown)."""
        size = self.original or (self.full_size.width(), self.full_size.height())
        if self.full_size.isEmpty() or not size or not size[0]:
            return None
        k = self.full_size.width() / size[0]
        left, top, w, h = region.box
        return self.transform().mapRect(QRectF(left * k, top * k, w * k, h * k))

    def region_at(self, pos: QPoint | QPointF) -> Region | None:
        """The smallest shown region under ``pos`` (widget coordinates)."""
        if not self.shown:
            return None
        return region_under(self.regions, self.rect_of, QPointF(pos))

    # ----- geometry ----------------------------------------------------------------------------

    def transform(self) -> QTransform:
        """Photo coordinates to widget coordinates."""
        t = QTransform()
        t.translate(self.width() / 2, self.height() / 2)
        t.rotate(self.rotation)
        t.scale(self.scale, self.scale)
        t.translate(-self.center.x(), -self.center.y())
        return t

    def _turned(self) -> QSizeF:
        s = self.full_size
        return s.transposed() if self.rotation % 180 else QSizeF(s)

    def fit_scale(self) -> float:
        turned = self._turned()
        if turned.isEmpty() or self.width() <= 0 or self.height() <= 0:
            return 1.0
        return min(self.width() / turned.width(), self.height() / turned.height())

    def fit(self) -> None:
        """The whole photo, as large as the canvas allows; it follows the canvas's size."""
        self.fitted = True
        self.center = QPointF(self.full_size.width() / 2, self.full_size.height() / 2)
        self._set_scale(self.fit_scale(), fitted=True)

    def is_zoomed_in(self) -> bool:
        """Whether the photo is larger than the canvas (so it pans)."""
        return self.scale > self.fit_scale() * 1.001

    def zoom_to(self, scale: float, anchor: QPointF | None = None) -> None:
        """Zoom to ``scale`` (1.0 = 100%), keeping the photo point under ``anchor`` (widget
        coordinates; the centre by default) where it is."""
        if self.full_size.isEmpty():
            return
        scale = max(min(self.fit_scale(), 1.0) * 0.5, MIN_ZOOM, min(MAX_ZOOM, scale))
        if anchor is not None:
            inverse, _ = self.transform().inverted()
            fixed = inverse.map(anchor)
            offset = QPointF(anchor.x() - self.width() / 2, anchor.y() - self.height() / 2)
            back = QTransform().rotate(-self.rotation).map(offset) / scale
            self.center = fixed - back
        self._set_scale(scale)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        self.zoom_to(self.scale * factor, anchor)

    def actual_size(self, anchor: QPointF | None = None) -> None:
        """100%: one photo pixel per screen pixel."""
        self.zoom_to(1.0 / self.devicePixelRatioF(), anchor)

    def rotate(self, degrees: int) -> None:
        """Turn the view (the file is never changed)."""
        self.rotation = (self.rotation + degrees) % 360
        if self.fitted:
            self.fit()
        else:
            self._set_scale(self.scale)

    def pan_by(self, dx: float, dy: float) -> None:
        """Move the photo by (dx, dy) widget pixels."""
        step = QTransform().rotate(-self.rotation).map(QPointF(dx, dy)) / self.scale
        self.center -= step
        self._set_scale(self.scale)

    def _set_scale(self, scale: float, fitted: bool = False) -> None:
        self.scale = scale
        self.fitted = fitted
        self._clamp()
        self.zoom_label.setText(self.zoom_text())
        self.zoom_label.adjustSize()
        self.zoom_label.move(self.width() - self.zoom_label.width() - 8, 8)
        self.zoom_label.setVisible(bool(self.levels))
        self.update()
        self.view_changed.emit()

    def zoom_text(self) -> str:
        """"Fit" or the zoom as a percentage of the photo's pixels."""
        if self.fitted:
            return tr("Fit")
        return f"{self.scale * self.devicePixelRatioF() * 100:.0f}%"

    def _clamp(self) -> None:
        """Keep the photo on the canvas: centred along an axis where it is smaller, edge to
        edge where it is larger."""
        if self.full_size.isEmpty():
            return
        half = QTransform().rotate(-self.rotation).map(
            QPointF(self.width() / 2, self.height() / 2)) / self.scale
        hx, hy = abs(half.x()), abs(half.y())
        w, h = self.full_size.width(), self.full_size.height()
        x = w / 2 if w <= 2 * hx else min(max(self.center.x(), hx), w - hx)
        y = h / 2 if h <= 2 * hy else min(max(self.center.y(), hy), h - hy)
        self.center = QPointF(x, y)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.fitted:
            self.fit()
        else:
            self._set_scale(self.scale)

    # ----- painting ----------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        name = self.level_for_scale()
        image = self.levels.get(name)
        if image is not None and not self.full_size.isEmpty():
            magnify = self.scale * self.devicePixelRatioF() * self.full_size.width() / max(
                1, image.width())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, magnify < 2.0)
            painter.setTransform(self.transform())
            painter.drawImage(QRectF(0, 0, self.full_size.width(), self.full_size.height()),
                              image, QRectF(image.rect()))
            painter.resetTransform()
            if self.shown and self.regions:
                paint_regions(painter, self.regions, self.rect_of)
        elif self.message:
            painter.setPen(QColor(220, 220, 220))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter
                             | Qt.TextFlag.TextWordWrap, self.message)
        painter.end()

    # ----- input -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        name = KEYS.get(event.key())
        if name is None or event.modifiers() & (Qt.KeyboardModifier.ControlModifier
                                                | Qt.KeyboardModifier.AltModifier):
            super().keyPressEvent(event)
            return
        if event.key() == Qt.Key.Key_R and event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            name = "rotate_left"
        if name != "slideshow":
            self.user_input.emit()
        if not self.do(name):
            self.command.emit(name)
        event.accept()

    def do(self, name: str) -> bool:
        """Carry out a view command (zoom, fit, rotate); False for the others."""
        actions = {
            "zoom_in": lambda: self.zoom_by(KEY_STEP),
            "zoom_out": lambda: self.zoom_by(1 / KEY_STEP),
            "fit": self.fit,
            "actual": self.actual_size,
            "rotate_right": lambda: self.rotate(90),
            "rotate_left": lambda: self.rotate(-90),
        }
        action = actions.get(name)
        if action is None:
            return False
        action()
        return True

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.user_input.emit()
        self.setFocus()
        pos = event.position()
        region = self.region_at(pos)
        if region is not None and event.button() in (Qt.MouseButton.LeftButton,
                                                     Qt.MouseButton.RightButton):
            self.region_clicked.emit(region, event.globalPosition().toPoint())
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and self.is_zoomed_in():
            self._drag = pos
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._drag is not None:
            delta = pos - self._drag
            self._drag = pos
            self.pan_by(delta.x(), delta.y())
            return
        region = self.region_at(pos)
        self.setToolTip(region_tooltip(region))
        self.setCursor(Qt.CursorShape.PointingHandCursor if region is not None
                       else Qt.CursorShape.OpenHandCursor if self.is_zoomed_in()
                       else Qt.CursorShape.ArrowCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            self._drag = None
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.user_input.emit()
        if self.region_at(event.position()) is not None:
            return
        if self.fitted:
            self.actual_size(event.position())
        else:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.user_input.emit()
        pixel, angle = event.pixelDelta(), event.angleDelta()
        ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if ctrl or (pixel.isNull() and abs(angle.y()) >= abs(angle.x())):
            # a mouse wheel, or a pinch (touchpads send it as Ctrl+wheel)
            self.zoom_by(WHEEL_STEP ** (angle.y() / 120), event.position())
        elif self.is_zoomed_in():
            d = pixel if not pixel.isNull() else angle / 4
            self.pan_by(d.x(), d.y())
        else:
            self._swipe_by(pixel.x() if not pixel.isNull() else angle.x() / 2, event.phase())
        event.accept()

    def _swipe_by(self, dx: float, phase: Qt.ScrollPhase) -> None:
        """A horizontal trackpad swipe at fit: one step per gesture, content following the
        fingers (a swipe to the left shows the next photo)."""
        if phase == Qt.ScrollPhase.ScrollBegin:
            self._swipe, self._swiped = 0.0, False
        self._swipe += dx
        if not self._swiped and abs(self._swipe) >= SWIPE_PX:
            self.command.emit("next" if self._swipe < 0 else "previous")
            self._swiped = phase != Qt.ScrollPhase.NoScrollPhase  # one per gesture
            self._swipe = 0.0
        if phase in (Qt.ScrollPhase.ScrollEnd, Qt.ScrollPhase.ScrollMomentum):
            self._swipe, self._swiped = 0.0, phase == Qt.ScrollPhase.ScrollMomentum

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.NativeGesture and isinstance(event, QNativeGestureEvent):
            self.user_input.emit()
            kind = event.gestureType()
            if kind == Qt.NativeGestureType.ZoomNativeGesture:
                self.zoom_by(1.0 + event.value(), event.position())
            elif kind == Qt.NativeGestureType.SmartZoomNativeGesture:
                self.fit() if not self.fitted else self.actual_size(event.position())
            elif kind == Qt.NativeGestureType.SwipeNativeGesture:
                dx = event.delta().x() if not event.delta().isNull() else (
                    -1.0 if 90 < event.value() % 360 < 270 else 1.0)
                self.command.emit("next" if dx < 0 else "previous")
            event.accept()
            return True
        return super().event(event)
