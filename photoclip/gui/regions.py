"""The one place the GUI draws photo regions (hook ``photoclip_photo_regions``): faces with
their names, lines of text, any plugin's kind. The viewer (:mod:`photoclip.gui.viewer_canvas`)
draws them with :func:`paint_regions` wherever its zoom, pan and rotation put them and finds the
one under a click with :func:`region_under`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen

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


def region_under(
    regions: list[Region], rect_of: Callable[[Region], QRectF | None], pos: QPointF
) -> Region | None:
    """The smallest of ``regions`` whose drawn rectangle (``rect_of``) contains ``pos``."""
    hits = [(r.box[2] * r.box[3], i) for i, r in enumerate(regions)
            if (rect := rect_of(r)) is not None and rect.contains(pos)]
    return regions[min(hits)[1]] if hits else None


def paint_regions(
    painter: QPainter, regions: list[Region], rect_of: Callable[[Region], QRectF | None]
) -> None:
    """Draw ``regions`` (each where ``rect_of`` puts it) with their labels, upright."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    metrics = QFontMetrics(painter.font())
    for region in regions:
        rect = rect_of(region)
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
    painter.restore()


def region_tooltip(region: Region | None) -> str:
    """What hovering a region says ("" off any region)."""
    if region is None:
        return ""
    return tr("{label} ({kind}): click for actions").format(
        label=shown_label(region), kind=tr(region.kind, "region"))
