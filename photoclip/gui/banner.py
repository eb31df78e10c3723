"""A message strip above the grid: errors and things to do, with action buttons."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from photoclip.gui.i18n import tr


class Banner(QFrame):
    """Shows one message at a time; hidden until :meth:`show_message`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.label = QLabel(self)
        self.label.setObjectName("bannerText")
        self.label.setWordWrap(True)
        self.label.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self._buttons: list[QPushButton] = []
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip(tr("Dismiss"))
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        self._box = QHBoxLayout(self)
        self._box.setContentsMargins(10, 6, 6, 6)
        self._box.addWidget(self.label, 1)
        self._box.addWidget(close)
        self.kind = ""
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text()

    def show_message(
        self, text: str, kind: str = "error",
        actions: list[tuple[str, Callable[[], None]]] | None = None,
    ) -> None:
        """Show ``text``; ``actions`` are (button label, callback) pairs."""
        for b in self._buttons:  # gone at once, not only when the event loop deletes them
            self._box.removeWidget(b)
            b.hide()
            b.deleteLater()
        self._buttons = []
        prefix = "⚠  " if kind == "error" else ""
        self.label.setText(prefix + text)
        self.kind = kind
        for label, callback in actions or []:
            b = QPushButton(label, self)
            b.clicked.connect(callback)
            self._box.insertWidget(self._box.count() - 1, b)
            self._buttons.append(b)
        self.show()

    def buttons(self) -> list[QPushButton]:
        return list(self._buttons)
