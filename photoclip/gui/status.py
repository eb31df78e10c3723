"""The status bar panel: live indexing progress (count, rate, ETA), pause/resume, failures."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def describe_progress(p: Any) -> str:
    """One line for an :class:`photoclip.core.indexer.IndexProgress`."""
    if p.phase == "scanning":
        return "Looking for new and changed photos…"
    if p.phase == "cleaning":
        return "Tidying up moved and deleted photos…"
    if p.phase == "keywords":
        return f"Reading keywords from {p.done:,} of {p.total:,} photos…"
    if p.phase == "done":
        return f"Indexed {p.done:,} photos"
    if p.phase == "analyzing":  # an analyzer (p.current: its title) after indexing
        return f"{p.current or 'Analysing'}: {p.done:,} of {p.total:,} photos…"
    text = f"Indexing {p.done:,} of {p.total:,} photos"
    if p.rate > 0:
        text += f" · {p.rate:.1f}/s"
    if p.eta is not None and p.done < p.total:
        text += f" · about {format_duration(p.eta)} left"
    if p.failed:
        text += f" · {p.failed} failed"
    return text


class StatusPanel(QWidget):
    """Sits in the status bar; asks for pause/resume and the failures list by signals."""

    pause_toggled = Signal(bool)  # True: pause
    failures_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusPanel")
        self.label = QLabel("Starting…", self)
        self.label.setObjectName("indexStatus")
        self.bar = QProgressBar(self)
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(False)
        self.bar.hide()
        self.pause = QPushButton("Pause", self)
        self.pause.setCheckable(True)
        self.pause.setToolTip("Pause indexing (after the batch in progress)")
        self.pause.hide()
        self.failures = QPushButton(self)
        self.failures.setFlat(True)
        self.failures.hide()
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.label)
        box.addWidget(self.bar)
        box.addWidget(self.pause)
        box.addWidget(self.failures)
        self.pause.toggled.connect(self._pause_toggled)
        self.failures.clicked.connect(self.failures_requested)

    def _pause_toggled(self, on: bool) -> None:
        self.pause.setText("Resume" if on else "Pause")
        self.pause_toggled.emit(on)

    def show_progress(self, p: Any) -> None:
        self.label.setText(describe_progress(p))
        self.pause.show()
        if p.phase in ("indexing", "keywords", "analyzing") and p.total:
            self.bar.setRange(0, p.total)
            self.bar.setValue(p.done)
            self.bar.show()
        elif p.phase in ("scanning", "cleaning"):
            self.bar.setRange(0, 0)  # busy
            self.bar.show()
        else:
            self.bar.hide()

    def show_idle(self, photos: int, failed: int) -> None:
        self.bar.hide()
        if not self.pause.isChecked():
            self.pause.hide()
        self.label.setText(f"{photos:,} photos, all indexed" if photos else "No photos yet")
        self.show_failed(failed)

    def show_failed(self, failed: int) -> None:
        self.failures.setVisible(failed > 0)
        self.failures.setText(f"{failed} could not be read…")

    def show_paused(self) -> None:
        self.label.setText("Indexing paused")
        self.bar.hide()

    def show_download(self, done: int, total: int) -> None:
        self.bar.show()
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
            self.label.setText(f"Downloading the model: {done / 1e6:,.0f} of {total / 1e6:,.0f} MB")
        else:
            self.bar.setRange(0, 0)
            self.label.setText(f"Downloading the model: {done / 1e6:,.0f} MB")


class FailuresDialog(QDialog):
    """The photos that could not be indexed, with the reason for each."""

    def __init__(self, failures: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Photos that could not be read")
        self.resize(760, 360)
        table = QTableWidget(len(failures), 2, self)
        table.setHorizontalHeaderLabels(["Photo", "Reason"])
        for row, (path, reason) in enumerate(failures):
            table.setItem(row, 0, QTableWidgetItem(path))
            table.setItem(row, 1, QTableWidgetItem(reason))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(table)
        box.addWidget(buttons)
