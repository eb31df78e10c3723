"""Scores as the grid shows them: a match-strength bar of four steps, words and the raw
cosine on hover (the levels are the core's, :mod:`photoclip.core.match_strength`)."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPalette

from photoclip.core.match_strength import LEVELS, match_level
from photoclip.gui.i18n import N_, tr

__all__ = ["paint_strength", "score_tooltip", "strength_text"]

_WORDS = {
    "weak": N_("Weak match"), "fair": N_("Fair match"), "good": N_("Good match"),
    "strong": N_("Strong match"),
}


def strength_text(score: float) -> str:
    """``"Good match"`` in the interface's language."""
    return tr(_WORDS[LEVELS[match_level(score)]])


def score_tooltip(score: float) -> str:
    """``"Good match (score 0.274)"``: the words and the raw cosine."""
    return tr("{strength} (score {score})").format(strength=strength_text(score),
                                                   score=f"{score:.3f}")


def paint_strength(painter: QPainter, rect: QRect, score: float, pal: QPalette) -> QRect:
    """Four bars at the bottom right of ``rect``, as many filled as the match is strong (the
    weakest fills one); returns where they were painted."""
    filled = match_level(score) + 1
    bar_w, gap, height = 5, 2, 14
    width = len(LEVELS) * (bar_w + gap) - gap
    box = QRect(rect.right() - width - 10, rect.bottom() - height - 10, width + 8, height + 6)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(pal.color(QPalette.ColorRole.ToolTipBase))
    painter.drawRoundedRect(box, 3, 3)
    on = pal.color(QPalette.ColorRole.Highlight)
    off = QColor(pal.color(QPalette.ColorRole.ToolTipText))
    off.setAlpha(60)
    for i in range(len(LEVELS)):
        h = 4 + i * 3  # rising steps, like a signal meter
        bar = QRect(box.left() + 4 + i * (bar_w + gap), box.bottom() - 3 - h, bar_w, h)
        painter.setBrush(on if i < filled else off)
        painter.drawRect(bar)
    painter.restore()
    return box
