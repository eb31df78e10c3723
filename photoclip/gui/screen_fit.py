"""Window sizes that fit the screen the window is on (QT_SCALE_FACTOR=2 on a 1600x1000
screen leaves 800x500 points: a 1280x820 window would run off it)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

__all__ = ["fit_to_screen"]


def fit_to_screen(window: QWidget, width: int, height: int, share: float = 0.92) -> None:
    """Resize ``window`` to ``width`` x ``height`` points, or to ``share`` of the available
    screen where that is smaller, and keep it on the screen."""
    screen = window.screen()
    if screen is None:
        window.resize(width, height)
        return
    area = screen.availableGeometry()
    w = min(width, int(area.width() * share))
    h = min(height, int(area.height() * share))
    window.resize(w, h)
    if w < width or h < height:
        window.move(area.x() + (area.width() - w) // 2, area.y() + (area.height() - h) // 2)
