"""The owner's side of a thin-client command: run the very same command function against the
owner's open Library, its output routed back to the client that asked.

Output is routed per request thread: ``sys.stdout``/``sys.stderr`` become :class:`_Routed`
streams that write to the stream of the request the current thread serves, and to the
process's own stream on every other thread (the app's, `photoclip watch`'s own output). Each
command's text, --json and exit status are therefore those of the in-process command, errors
included (:func:`photoclip.cli.main.execute` maps them, as it does in-process).

What differs from running in-process, on purpose:

- `index` asks the owner's indexing service for a scan and waits for its report (one thread
  writes the catalog and the store); the client's Ctrl-C stops the waiting, not the scan.
- `folders add|remove` also tell the service to watch (or stop watching) the folder.
- `models use` is refused: the owner runs its model; switch models with it closed.
- Relative paths on the command line are taken from the client's working folder.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import queue
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from photoclip.cli.i18n import _, speaking
from photoclip.cli.output import EXIT_INTERRUPTED, CommandFailed
from photoclip.core.owner import Channel, OwnerServer
from photoclip.languages import choose_language, environment_languages

if TYPE_CHECKING:
    from photoclip.core.library import Library
    from photoclip.core.service import LibraryService

log = logging.getLogger(__name__)

_local = threading.local()
_install_lock = threading.Lock()
_PATH_ARGS = ("photo", "photos", "paths", "folder")  # command-line arguments naming files


class _ClientStream(io.TextIOBase):
    """Text written here goes to the client as ``{"out": ...}`` / ``{"err": ...}`` messages
    (buffered; at each line on a terminal, as a terminal's stream would be)."""

    def __init__(self, channel: Channel, key: str, tty: bool) -> None:
        self._channel, self._key, self._tty = channel, key, tty
        self._buffer: list[str] = []
        self._size = 0

    def write(self, text: str) -> int:
        self._buffer.append(text)
        self._size += len(text)
        if self._size > 8192 or (self._tty and "\n" in text):
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self._buffer:
            text, self._buffer, self._size = "".join(self._buffer), [], 0
            self._channel.send({self._key: text})

    def isatty(self) -> bool:
        return self._tty

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


class _Routed(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` in an owner: the current request's stream, or the
    process's own one on threads that serve no request."""

    def __init__(self, name: str, own: TextIO | None) -> None:
        self._name, self.own = name, own

    def target(self) -> Any:
        return getattr(_local, self._name, None) or self.own

    def write(self, text: str) -> int:
        target = self.target()
        return target.write(text) if target is not None else len(text)

    def flush(self) -> None:
        target = self.target()
        if target is not None:
            target.flush()

    def isatty(self) -> bool:
        target = self.target()
        return bool(target is not None and target.isatty())

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        target = self.target()
        if target is None:
            raise io.UnsupportedOperation("no stream")
        return target.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        target = self.target()
        return getattr(target, "encoding", None) or "utf-8"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target(), name)


def _install_routing() -> None:
    with _install_lock:
        if not isinstance(sys.stdout, _Routed):
            sys.stdout = _Routed("stdout", sys.stdout)
        if not isinstance(sys.stderr, _Routed):
            sys.stderr = _Routed("stderr", sys.stderr)


def start_owner(
    lib: Library, service: Callable[[], LibraryService | None], owner: str
) -> OwnerServer | None:
    """Serve the CLI's commands for ``lib`` (whose lock this process holds); ``service`` gives
    the indexing service, once there is one. Call it before the model loads. None (and a log
    line) when the endpoint cannot be made: the owner then works alone, as before."""
    _install_routing()
    # OpenMP's threads spin for a while after each op by default: between an owner's model
    # calls that burned ~95 ms of CPU per search (bench/owner.py), CPU the clients and the app
    # need on a 2-core machine. Read when torch loads, so call this before the model exists.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    # a request thread takes the GIL back from the indexing threads within 1 ms, not 5 (the
    # app sets the same for its GUI thread): searches while indexing answer that much sooner
    sys.setswitchinterval(min(sys.getswitchinterval(), 0.001))
    server = OwnerServer(lib.paths.library_dir, lambda r, ch: _handle(lib, service, r, ch),
                         owner=owner)
    try:
        server.start()
    except OSError as exc:
        log.warning("Other photoclip commands cannot use this library while it is open here: "
                    "%s", exc)
        return None
    return server


_parser_lock = threading.Lock()
_parsers: dict[str, argparse.ArgumentParser] = {}  # one per language (help texts translated)
_command_lock = threading.Lock()  # one command at a time, as on the app's interactive lane


def _parse(argv: list[str], as_json: bool, lang: str) -> argparse.Namespace | int:
    from photoclip.cli import main

    with _parser_lock:
        if lang not in _parsers:
            _parsers[lang] = main.build_parser(choose_language=False)
        return main.parse(_parsers[lang], argv, as_json)


def _handle(lib: Library, service: Callable[[], LibraryService | None],
            request: dict[str, Any], channel: Channel) -> None:
    tty = request.get("tty") or {}
    out = _ClientStream(channel, "out", bool(tty.get("out")))
    err = _ClientStream(channel, "err", bool(tty.get("err")))
    _local.stdout, _local.stderr = out, err
    locale = request.get("locale") or {}
    lang = choose_language(lib.settings.language, environment_languages(
        {str(k): str(v) for k, v in locale.items()} if isinstance(locale, dict) else {}))
    try:
        with speaking(lang):  # the client's language, as the command would speak it there
            code = _answer(lib, service, request, channel, lang)
        out.flush()
        err.flush()
    finally:
        _local.stdout = _local.stderr = None
    channel.send({"exit": code})


def _answer(lib: Library, service: Callable[[], LibraryService | None],
            request: dict[str, Any], channel: Channel, lang: str) -> int:
    from photoclip.cli import main

    args = _parse([str(a) for a in request["argv"]], bool(request.get("json")), lang)
    if isinstance(args, int):
        return args
    args.debug = False  # a traceback is the owner's log's, not the client's
    _absolute_paths(args, Path(str(request.get("cwd") or os.getcwd())))
    return main.execute(args, lambda: _run(lib, service(), args, channel))


def _run(lib: Library, service: LibraryService | None, args: argparse.Namespace,
         channel: Channel) -> int:
    if args.command == "index":
        return _index(lib, service, args, channel)
    if args.command == "models" and args.action == "use":
        raise CommandFailed(_("the library is open in another photoclip process, which runs "
                              "its model: switch models with it closed, or in the app's "
                              "Settings"),
                            type_="LibraryInUse")
    with _command_lock:
        folders_before = list(lib.settings.folders)
        code = int(args.run(lib, args) or 0)
    if args.command == "folders" and service is not None:
        for folder in lib.settings.folders:
            if folder not in folders_before:
                service.add_folder(folder)  # watched, and indexed by the owner
        for folder in folders_before:
            if folder not in lib.settings.folders:
                service.watcher.unwatch(folder)
    return code


def _index(lib: Library, service: LibraryService | None, args: argparse.Namespace,
           channel: Channel) -> int:
    """`photoclip index` on an owner: its service scans; progress and report as in-process."""
    from photoclip.cli.index import show_report
    from photoclip.cli.output import ProgressBar, no_folders
    from photoclip.core.indexer import IndexProgress

    if not lib.settings.folders:
        raise no_folders()
    if service is None or not service.running:
        raise CommandFailed(_("the library is open in another photoclip process that is not "
                              "indexing now (no model yet?): index from there"),
                            type_="LibraryInUse")
    bar = ProgressBar(quiet=args.quiet or args.json)
    progress: queue.Queue[Any] = queue.Queue()  # shown from this thread (routed to the client)
    future = service.scan(progress.put, retry_failed=args.retry_failed)
    # as in-process, the first line comes at once (the scan may wait for the run in flight)
    bar.index(IndexProgress("scanning", 0, 0, 0, 0, 0, 0.0))
    try:
        while not future.done():
            if channel.closed.is_set():  # the client was interrupted: the scan goes on
                return EXIT_INTERRUPTED
            try:
                bar.index(progress.get(timeout=0.2))
            except queue.Empty:
                continue
        report = future.result()
    finally:
        bar.close()
    return show_report(report, args)


def _absolute_paths(args: argparse.Namespace, cwd: Path) -> None:
    """File arguments relative to the client's working folder, not the owner's."""

    def absolute(value: str) -> str:
        path = Path(value).expanduser()
        return value if path.is_absolute() else str(cwd / path)

    for name in _PATH_ARGS:
        value = getattr(args, name, None)
        if isinstance(value, str):
            setattr(args, name, absolute(value))
        elif isinstance(value, list):
            setattr(args, name, [absolute(v) if isinstance(v, str) else v for v in value])
    query = getattr(args, "query", None)
    if isinstance(query, str) and (cwd / query.strip()).is_file() and not \
            Path(query.strip()).expanduser().is_absolute():
        args.query = str(cwd / query.strip())  # a query that is an image file
