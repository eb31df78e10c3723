"""The one place the GUI draws photo regions (hook ``photoclip_photo_regions``): faces with
their names, lines of text, any plugin's kind. :class:`RegionPreview` is the photo view's
preview: the scaled photo, the regions over it when shown, and a click on one reported as
:attr:`RegionPreview.region_clicked`."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QLabel, QWidget

from photoclip.core.people import UNNAMED
from photoclip.core.types import Region
from photoclip.gui.i18n import N_, tr

#: The colour each kind is drawn in (others: OTHER_COLOUR).
COLOURS = {"face": QColor(255, 214, 10), "text": QColor(64, 200, 255)}
OTHER_COLOUR = QColor(180, 255, 120)
#: The colour of a face that is only a suggestion ("Anna?") or nobody's yet ("Unnamed").
UNSURE_COLOUR = QColor(255, 255, 255)


#: The region kinds the built-in plugins give, for the translators (others are shown as given).
KINDS = (N_("face", "region"), N_("text", "region"))


def colour_of(region: Region) -> QColor:
    if region.kind == "face" and (region.label.endswith("?") or region.label == UNNAMED):
        return UNSURE_COLOUR
    return COLOURS.get(region.kind, OTHER_COLOUR)


def shown_label(region: Region) -> str:
    """A region's label as shown: a face nobody named yet says so in the interface's language
    (the label itself, e.g. "Unnamed" or "Anna?", is the plugin's)."""
    return tr(UNNAMED) if region.kind == "face" and region.label == UNNAMED else region.label


class RegionPreview(QLabel):
    """A QLabel showing a scaled photo (centred) with its regions drawn over it.

    :meth:`set_regions` takes the regions and the original upright photo's size (the boxes'
    pixels); :attr:`shown` toggles drawing them; a click inside a region emits
    :attr:`region_clicked` (the region, the click's global position).
    """

    region_clicked = Signal(object, QPoint)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.regions: list[Region] = []
        self.original: tuple[int, int] | None = None
        self.shown = True
        self.setMouseTracking(True)

    def set_regions(self, regions: list[Region], original: tuple[int, int] | None) -> None:
        self.regions = list(regions)
        self.original = original
        self.update()

    def set_shown(self, on: bool) -> None:
        self.shown = bool(on)
        self.update()

    # ----- geometry ----------------------------------------------------------------------------

    def _photo_rect(self) -> QRectF | None:
        """Where the photo's pixmap is drawn (centred, as QLabel does)."""
        pix = self.pixmap()
        if pix is None or pix.isNull():
            return None
        w, h = pix.width() / pix.devicePixelRatio(), pix.height() / pix.devicePixelRatio()
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def rect_of(self, region: Region) -> QRectF | None:
        """Where ``region`` is drawn in this widget (None while no photo is shown)."""
        photo = self._photo_rect()
        if photo is None or not self.original or not self.original[0]:
            return None
        scale = photo.width() / self.original[0]
        left, top, w, h = region.box
        return QRectF(photo.left() + left * scale, photo.top() + top * scale,
                      w * scale, h * scale)

    def region_at(self, pos: QPoint) -> Region | None:
        """The smallest shown region under ``pos`` (widget coordinates)."""
        if not self.shown:
            return None
        hits = [(r.box[2] * r.box[3], i) for i, r in enumerate(self.regions)
                if (rect := self.rect_of(r)) is not None and rect.contains(pos.toPointF())]
        return self.regions[min(hits)[1]] if hits else None

    # ----- drawing and clicks ------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.shown or not self.regions:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(painter.font())
        for region in self.regions:
            rect = self.rect_of(region)
            if rect is None:
                continue
            colour = colour_of(region)
            painter.setPen(QPen(colour, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect)
            if region.label:
                text = metrics.elidedText(shown_label(region), Qt.TextElideMode.ElideRight,
                                          max(60, int(rect.width()) + 80))
                tw, th = metrics.horizontalAdvance(text) + 8, metrics.height() + 2
                top = rect.top() - th if rect.top() - th >= 0 else rect.bottom()
                tag = QRectF(rect.left(), top, tw, th)
                painter.fillRect(tag, QColor(0, 0, 0, 170))
                painter.setPen(colour)
                painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        region = self.region_at(event.position().toPoint())
        if region is not None and event.button() in (Qt.MouseButton.LeftButton,
                                                     Qt.MouseButton.RightButton):
            self.region_clicked.emit(region, event.globalPosition().toPoint())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        region = self.region_at(event.position().toPoint())
        self.setCursor(Qt.CursorShape.PointingHandCursor if region is not None
                       else Qt.CursorShape.ArrowCursor)
        self.setToolTip(tr("{label} ({kind}): click for actions").format(
            label=shown_label(region), kind=tr(region.kind, "region"))
                        if region is not None else "")
        super().mouseMoveEvent(event)
