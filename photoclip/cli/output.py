"""Printing for the CLI: plain text, JSON, and progress bars (the only place that prints)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, is_dataclass
from typing import Any, TextIO

from photoclip.core.indexer import IndexProgress


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON (dataclasses become objects)."""
    print(json.dumps(_plain(data), indent=2, ensure_ascii=False, default=str))


def _plain(data: Any) -> Any:
    if is_dataclass(data) and not isinstance(data, type):
        return {k: _plain(v) for k, v in asdict(data).items()}
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(v) for v in data]
    return data


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return "--:--"
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class ProgressBar:
    """A one-line progress bar on a terminal; occasional plain lines elsewhere."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 28, quiet: bool = False) -> None:
        self.stream = stream
        self.width = width
        self.quiet = quiet
        self.tty = stream.isatty()
        self._last = 0.0
        self._shown = False

    def _bar(self, done: float, total: float) -> str:
        frac = min(1.0, done / total) if total else 0.0
        filled = int(frac * self.width)
        return "[" + "#" * filled + "-" * (self.width - filled) + f"] {frac * 100:3.0f}%"

    def _write(self, line: str, force: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if self.tty:
            if force or now - self._last > 0.1:
                self.stream.write("\r\x1b[2K" + line[:200])
                self.stream.flush()
                self._shown = True
                self._last = now
        elif force or now - self._last > 10:
            self.stream.write(line + "\n")
            self.stream.flush()
            self._last = now

    def index(self, p: IndexProgress) -> None:
        if p.phase == "scanning":
            self._write("scanning folders ...", force=True)
            return
        if p.phase not in ("indexing", "keywords", "analyzing") or p.total == 0:
            return
        line = (
            f"{p.phase} {self._bar(p.done, p.total)} {p.done}/{p.total}  "
            f"{p.rate:.1f} photos/s  ETA {human_duration(p.eta)}"
        )
        if p.failed:
            line += f"  {p.failed} failed"
        self._write(line, force=p.done == p.total)

    def download(self, done: int, total: int) -> None:
        size = f"{human_bytes(done)}/{human_bytes(total)}"
        line = f"downloading model {self._bar(done, total)} {size}"
        self._write(line, force=done >= total)

    def close(self) -> None:
        if self.tty and self._shown and not self.quiet:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = False
