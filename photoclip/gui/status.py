"""The status bar panel: live indexing progress (count, rate, ETA), pause/resume, failures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLocale, Signal
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

from photoclip.core.reasons import shown
from photoclip.gui.i18n import format_number as num
from photoclip.gui.i18n import tr
from photoclip.gui.wording import count_of

if TYPE_CHECKING:
    from photoclip.core.indexer import IndexProgress, IndexReport


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return tr("{s} s").format(s=seconds)
    if seconds < 3600:
        return tr("{m} min {s} s").format(m=seconds // 60, s=f"{seconds % 60:02d}")
    return tr("{h} h {m} min").format(h=seconds // 3600, m=f"{seconds % 3600 // 60:02d}")


def describe_progress(p: IndexProgress, carried: int = 0) -> str:
    """One line for an :class:`photoclip.core.indexer.IndexProgress`; ``carried`` photos were
    done by earlier runs of the same work (stopped by a pause) and count as done."""
    if p.phase == "scanning":
        return tr("Looking for new and changed photos…")
    if p.phase == "cleaning":
        return tr("Tidying up moved and deleted photos…")
    if p.phase == "keywords":
        return tr("Reading keywords from {done} of {photos}…").format(
            done=num(p.done), photos=count_of(p.total, "photo"))
    if p.phase == "done":
        return tr("Indexed {photos}").format(photos=count_of(p.done + carried, "photo"))
    if p.phase == "preparing":  # an analyzer's one-off work before its photos (label prompts)
        return tr("{task}: {done} of {total}…").format(
            task=p.current or tr("Preparing"), done=num(p.done), total=num(p.total))
    if p.phase == "analyzing":  # an analyzer (p.current: its title) after indexing
        return tr("{task}: {done} of {total}…").format(
            task=p.current or tr("Analysing"), done=num(p.done), total=count_of(p.total, "photo"))
    text = tr("Indexing {done} of {photos}").format(
        done=num(p.done + carried), photos=count_of(p.total + carried, "photo"))
    if p.rate > 0:
        text += " · " + tr("{rate}/s").format(rate=QLocale().toString(p.rate, "f", 1))
    if p.eta is not None and p.done < p.total:
        text += " · " + tr("about {time} left").format(time=format_duration(p.eta))
    if p.failed:
        text += " · " + tr("{n} failed").format(n=num(p.failed))
    return text


def describe_library(photos: int, indexed: int, failed: int, *, paused: bool = False,
                     model_ready: bool = True) -> str:
    """The idle line: how many photos, and how many of them are indexed (never "all indexed"
    while some wait or could not be read)."""
    if not photos:
        return tr("Indexing paused: no photos yet") if paused else tr("No photos yet")
    waiting = photos - indexed - failed
    if paused:
        return tr("Indexing paused: {indexed} of {photos} indexed").format(
            indexed=num(indexed), photos=count_of(photos, "photo"))
    if waiting <= 0 and not failed:
        return tr("{photos}, all indexed").format(photos=count_of(photos, "photo"))
    if waiting <= 0:  # the rest could not be read: the failures link beside says so
        return tr("{indexed} of {photos} indexed").format(
            indexed=num(indexed), photos=count_of(photos, "photo"))
    if not model_ready:
        return tr("{photos} (browse by folder and date; searching needs the model)").format(
            photos=count_of(photos, "photo"))
    return tr("{indexed} of {photos} indexed").format(indexed=num(indexed),
                                                      photos=count_of(photos, "photo"))


class StatusPanel(QWidget):
    """Sits in the status bar; asks for pause/resume and the failures list by signals."""

    pause_toggled = Signal(bool)  # True: pause
    failures_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusPanel")
        self.label = QLabel(tr("Starting…"), self)
        self.label.setObjectName("indexStatus")
        self.bar = QProgressBar(self)
        self.bar.setMaximumWidth(220)
        self.bar.setTextVisible(False)
        self.bar.hide()
        self.pause = QPushButton(tr("Pause"), self)
        self.pause.setCheckable(True)
        self.pause.setToolTip(tr("Pause indexing (after the batch in progress)"))
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
        self.carried = 0  # photos done by runs that a pause stopped (progress is cumulative)
        self._run_done = 0

    def _pause_toggled(self, on: bool) -> None:
        self.pause.setText(tr("Resume") if on else tr("Pause"))
        self.pause_toggled.emit(on)

    @property
    def paused(self) -> bool:
        return self.pause.isChecked()

    def show_progress(self, p: IndexProgress) -> None:
        """A progress snapshot; while paused, the run's last batch is counted but the line
        keeps saying paused."""
        if p.phase == "indexing":
            self._run_done = p.done
        if self.paused:
            return
        carried = self.carried if p.phase == "indexing" else 0
        self.label.setText(describe_progress(p, carried))
        self.pause.show()
        if p.phase in ("indexing", "keywords", "analyzing", "preparing") and p.total:
            self.bar.setRange(0, p.total + carried)
            self.bar.setValue(p.done + carried)
            self.bar.show()
        elif p.phase in ("scanning", "cleaning"):
            self.bar.setRange(0, 0)  # busy
            self.bar.show()
        else:
            self.bar.hide()

    def run_finished(self, report: IndexReport | None) -> None:
        """An index run ended: one stopped by a pause carries its count into the next."""
        if report is not None and report.stopped:
            self.carried += self._run_done
        else:
            self.carried = 0
        self._run_done = 0
        self.bar.hide()

    def show_idle(self, photos: int, failed: int, indexed: int | None = None, *,
                  model_ready: bool = True) -> None:
        self.bar.hide()
        if not self.paused:
            self.pause.hide()
        done = photos - failed if indexed is None else indexed
        self.label.setText(describe_library(photos, done, failed, paused=self.paused,
                                            model_ready=model_ready))
        self.show_failed(failed)

    def show_failed(self, failed: int) -> None:
        self.failures.setVisible(failed > 0)
        self.failures.setText(tr("{photos} could not be read…").format(
            photos=count_of(failed, "photo")))

    def show_paused(self) -> None:
        if not self.pause.isChecked():
            self.pause.setChecked(True)  # paused elsewhere: the button follows
        self.pause.show()
        self.label.setText(tr("Indexing paused"))
        self.bar.hide()

    def show_resumed(self) -> None:
        if self.pause.isChecked():
            self.pause.setChecked(False)
        self.label.setText(tr("Resuming indexing…"))

    def show_download(self, done: int, total: int) -> None:
        self.bar.show()
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
            self.label.setText(tr("Downloading the model: {done} of {total} MB").format(
                done=num(round(done / 1e6)), total=num(round(total / 1e6))))
        else:
            self.bar.setRange(0, 0)
            self.label.setText(tr("Downloading the model: {done} MB").format(
                done=num(round(done / 1e6))))


class FailuresDialog(QDialog):
    """The photos that could not be indexed, with the reason for each."""

    def __init__(self, failures: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Photos that could not be read"))
        self.resize(760, 360)
        table = QTableWidget(len(failures), 2, self)
        table.setHorizontalHeaderLabels([tr("Photo"), tr("Reason")])
        for row, (path, reason) in enumerate(failures):
            table.setItem(row, 0, QTableWidgetItem(path))
            table.setItem(row, 1, QTableWidgetItem(shown(reason, tr)))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addWidget(table)
        box.addWidget(buttons)
