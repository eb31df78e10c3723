"""The GUI's one way to download a model's weights: on a work lane, never the GUI thread.

Both the Backend (the banner's "Download the model") and the first-run welcome use
:class:`ModelDownload`: progress comes back through its one :attr:`ModelDownload.progress`
signal on the GUI thread, and a failure becomes one sentence
(:func:`photoclip.gui.wording.download_failure`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from photoclip.core.model_catalogue import ModelSpec
from photoclip.gui.model_parts import offline_failure
from photoclip.gui.tasks import TaskLane
from photoclip.gui.wording import download_failure

log = logging.getLogger(__name__)

#: ``download(spec, models_dir, progress) -> path``: the core's ``download_weights`` by default.
DownloadFn = Callable[[ModelSpec, Path, Callable[[int, int], None]], Path]


class ModelDownload(QObject):
    """Downloads weights on ``lane`` (or on a lane of its own named ``name``, started at the
    first download)."""

    progress = Signal(int, int)  # bytes done, bytes in all (0: not known yet); GUI thread
    _relay = Signal(int, int)

    def __init__(
        self,
        lane: TaskLane | None = None,
        download: DownloadFn | None = None,
        *,
        name: str = "photoclip-download",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._lane = lane
        self._own_lane: TaskLane | None = None  # started at the first download
        self._name = name
        if download is None:
            from photoclip.core.weights import download_weights as download
        self._download = download
        self._relay.connect(self.progress)  # queued: emitted on the lane's thread

    def report(self, done: int, total: int) -> None:
        """A progress hook for any thread (the library's own downloads use it too)."""
        with contextlib.suppress(RuntimeError):  # the receiver is gone (a dialog closed)
            self._relay.emit(done, total)

    def start(
        self,
        spec: ModelSpec | Callable[[], ModelSpec],
        models_dir: Path,
        on_done: Callable[[ModelSpec, Path], None],
        on_failed: Callable[[str], None],
    ) -> None:
        """Download ``spec`` (or the spec a callable resolves on the lane) into ``models_dir``;
        ``on_done(spec, path)`` or ``on_failed(sentence)`` runs on the GUI thread."""

        asked: list[ModelSpec] = [spec] if isinstance(spec, ModelSpec) else []

        def run() -> tuple[ModelSpec, Path]:
            resolved = spec if isinstance(spec, ModelSpec) else spec()
            asked[:] = [resolved]
            return resolved, self._download(resolved, models_dir, self.report)

        def failed(exc: BaseException) -> None:
            log.warning("Model download failed: %s", exc)
            more = offline_failure(asked[0] if asked else None)  # a two-part model's route
            on_failed(download_failure(exc) + (" " + more if more else ""))

        self.lane.submit(run, lambda result: on_done(*result), failed)

    @property
    def lane(self) -> TaskLane:
        """The lane downloads run on: the one given, else one of its own (made when needed)."""
        if self._lane is not None:
            return self._lane
        if self._own_lane is None:
            self._own_lane = TaskLane(self._name, self)
        return self._own_lane

    def stop(self, timeout: float = 0.0) -> None:
        """End a lane of its own (a download in flight finishes and reports to no one)."""
        if self._own_lane is not None:
            self._own_lane.stop(timeout)
            self._own_lane = None
