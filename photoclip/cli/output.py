"""Printing for the CLI: plain text, JSON, and progress bars (the only place that prints)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, is_dataclass
from typing import TYPE_CHECKING, Any, TextIO

from photoclip.cli.exits import (  # noqa: F401 - the CLI's modules import them from here
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PIPE_CLOSED,
    EXIT_STATUSES,
    EXIT_USAGE,
)
from photoclip.cli.i18n import N_, _
from photoclip.core.indexer import IndexProgress, IndexReport
from photoclip.core.types import counted

if TYPE_CHECKING:
    from photoclip.core.tags import TagChange

#: The exit statuses (``photoclip --help``; the fields are :data:`EXIT_STATUSES`).
EXIT_CODES = N_("""exit status:
  {ok}    done
  {failed}    the command could not be done (a file missing or unreadable, an album not found,
       the library busy, the model missing, ...)
  {usage}    the command line is wrong (an unknown option, a value out of range, a malformed
       query, a name that is not one of the choices, which the message lists): fix the command
  {interrupted}  interrupted (Ctrl-C)
  {closed}  the output was closed early (e.g. `photoclip tags | head`)
with --json every error is one JSON object on stdout:
  {{"error": {{"type": ..., "kind": "usage" | "failed" | "interrupted", "message": ...,
             "hint": ... or null, "exit_code": ...}}}}""")

class CommandFailed(Exception):
    """A command could not be done (exit status 1); ``type_`` names the error for --json."""

    def __init__(self, message: str, *, type_: str = "CommandFailed", hint: str | None = None):
        super().__init__(message)
        self.type_, self.hint = type_, hint


def no_folders() -> CommandFailed:
    """The error of `index` and `watch` in a library without folders."""
    return CommandFailed(_("no folders in the library"), type_="NoFolders",
                         hint=_("add one with `photoclip folders add ~/Pictures`"))


def emit_json(data: Any) -> None:
    """Print ``data`` as JSON (dataclasses become objects)."""
    print(json.dumps(plain_data(data), indent=2, ensure_ascii=False, default=str))


def emit_error(
    message: str, *, type_: str, exit_code: int, hint: str | None = None, as_json: bool
) -> None:
    """Report an error: one JSON object on stdout with --json, else ``photoclip: ...`` on stderr
    (and the hint on a line of its own)."""
    if as_json:
        kind = {EXIT_USAGE: "usage", EXIT_INTERRUPTED: "interrupted"}.get(exit_code, "failed")
        emit_json({"error": {"type": type_, "kind": kind, "message": message, "hint": hint,
                             "exit_code": exit_code}})
        return
    print(f"photoclip: {message}", file=sys.stderr)  # the message is already translated
    if hint:
        print(f"  {hint}", file=sys.stderr)


#: The nouns the CLI counts, for the catalogue (Chinese puts the measure word there: "张照片").
COUNTED_NOUNS = (N_("photo"), N_("tag"), N_("album"), N_("automatic tag"), N_("rejected tag"))


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 photo``, ``2 photos``, ``1,250 photos`` (:func:`photoclip.core.types.counted`); in
    another language the noun's translation (``1,250 张照片``)."""
    translated = _(word)
    return counted(n, word, many) if translated == word else f"{n:,} {translated}"


def new_and_moved(report: IndexReport) -> tuple[int, int]:
    """(new, moved) of an index run, a moved photo counted as moved only: its new path was
    also counted as a new file."""
    return max(report.new - report.moved_in, 0), report.moved


def plain_data(data: Any) -> Any:
    if is_dataclass(data) and not isinstance(data, type):
        return {k: plain_data(v) for k, v in asdict(data).items()}
    if isinstance(data, dict):
        return {k: plain_data(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [plain_data(v) for v in data]
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

    def __init__(
        self, stream: TextIO | None = None, width: int = 28, quiet: bool = False
    ) -> None:
        self.stream = stream or sys.stderr  # looked up now: an owner routes it per request
        self.width = width
        self.quiet = quiet
        self.tty = self.stream.isatty()
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
        if p.phase not in ("indexing", "keywords", "analyzing", "preparing") or p.total == 0:
            return
        if p.phase == "preparing":  # an analyzer's one-off work, e.g. label prompts
            line = f"{p.current or 'preparing'} {self._bar(p.done, p.total)} {p.done}/{p.total}"
            self._write(line, force=p.done == p.total)
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


def tag_change_text(change: TagChange) -> str:
    """``accept 'zzz': not suggested for 1 photo: nothing done ...``: what really happened."""
    from photoclip.core import tags as t

    def n(outcome: str) -> str:
        return plural(change.count(outcome), "photo")

    said = {
        t.ADDED: _("added to {photos}"),
        t.ACCEPTED: _("accepted on {photos}: now your own"),
        t.REJECTED: _("removed from {photos} and will not be suggested again"),
        t.RECORDED: _("not suggested for {photos}; recorded: it will not be suggested"),
        t.REMOVED: _("removed from {photos}"),
        t.KEYWORD_REMOVED: _("removed from {photos} (a keyword read from the file or its XMP "
                             "sidecar: the removal is remembered, so reading the file again "
                             "does not bring it back; the photo file is never changed, its "
                             "sidecar only with write_xmp on)"),
        t.KEYWORD_KEPT: _("still a keyword of {photos}: read from the file or its XMP sidecar, "
                          "which photoclip changes only with write_xmp on in settings.toml"),
        t.ALREADY_YOURS: _("{photos} had it as your own already"),
        t.ALREADY_REJECTED: _("{photos} had it rejected already"),
        t.OWN_KEPT: _("kept on {photos}: it is your own tag there "
                      "(`photoclip tag remove` removes it)"),
        t.NOT_TAGGED: _("{photos} did not have it"),
        t.NOT_SUGGESTED: _("not suggested for {photos}: nothing done "
                           "(`photoclip tag add` gives photos a tag of your own)"),
    }
    parts = [text.format(photos=n(outcome)) for outcome, text in said.items()
             if change.count(outcome)]
    return f"{change.action} {change.tag!r}: " + (_("; ").join(parts) or _("no photos"))


def taken_text(taken: float | None, modified: float) -> str:
    """``taken 2023-06-30 14:02`` (local time), or the file's date when the capture date is not
    known (searches by date use that one then)."""
    from photoclip.cli.i18n import format_time

    if taken is not None:
        return _("taken {when}").format(when=format_time(taken))
    return _("date taken unknown (no EXIF date; file modified {when}, used for dates)").format(
        when=format_time(modified))
