"""A command as a thin client: when a process owns the library (the app, `photoclip watch`), it
answers the command with its warm model and index (see :mod:`photoclip.cli.serve`).

This module is what `photoclip` runs first, so it imports only what forwarding needs: no
command module, no numpy, no model. With no owner answering, :func:`forward` returns None and
the command runs in this process as it always did.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from photoclip.cli.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED

__all__ = ["EXIT_PIPE_CLOSED", "LOCAL", "forward"]

# the commands that always run here: they need no library (`desktop`) or the library to
# themselves (`recover`, and `plugins`, which changes what the owner has loaded: while an owner
# runs, those that change something refuse, see _refuse_if_owned); `watch` asks (see below);
# every other command, the plugins' own (`people`, `text`, `duplicates`, ...) included, is
# answered by an owner when one runs
LOCAL = frozenset({"desktop", "recover", "plugins"})
_NOT_FORWARDED_FLAGS = frozenset({"-h", "--help", "--version"})
_GLOBAL_FLAGS = frozenset({"--verbose", "-v", "-vv", "-vvv", "--debug"})


def command_of(argv: list[str]) -> str | None:
    """The command name: the first word that is not a global flag."""
    for word in argv:
        if word in _GLOBAL_FLAGS:
            continue
        return None if word.startswith("-") else word
    return None


def forward(argv: list[str], as_json: bool) -> int | None:
    """Have the library's owner run ``photoclip ARGV``; its exit status, or None when no owner
    answers (or the command is one this process runs itself)."""
    command = command_of(argv)
    if command is None or _NOT_FORWARDED_FLAGS & set(argv):
        return None
    if command in LOCAL:
        return _refuse_if_owned(argv, command, as_json)
    from photoclip.config import app_paths
    from photoclip.core import owner

    library_dir = app_paths().library_dir
    try:
        got = owner.connect(library_dir)
        if got is None:  # another process may hold the library: one starting up as its owner,
            got = _wait_for_owner(library_dir, as_json)  # or a short command of its own
    except owner.OwnerRefused as exc:
        return _fail(str(exc), "OwnerRefused", as_json)
    except owner.OwnerNotAnswering as exc:
        return _fail(str(exc), "OwnerNotAnswering", as_json,
                     hint="it holds the library: wait for it, or stop it and run this again")
    except KeyboardInterrupt:  # an owner that does not answer its socket, and Ctrl-C
        return _interrupted(as_json)
    if got is None:
        return None
    conn, endpoint = got
    if command == "watch":
        conn.close()
        _ = _words()
        return _fail(_("this library is already kept up to date by {owner} (pid {pid}), which "
                       "watches its folders").format(owner=endpoint.owner, pid=endpoint.pid),
                     "AlreadyWatched", as_json,
                     hint=_("nothing to do: other commands are answered by it"))
    with conn:
        return _talk(conn, argv, as_json, command, endpoint)


def _refuse_if_owned(argv: list[str], command: str, as_json: bool) -> int | None:
    """`recover` and `plugins enable|disable` change what an owner has open (its catalog, its
    settings, which it saves again): while one runs they refuse at once, saying who to close;
    None (run here) otherwise."""
    if command != "recover" and not (command == "plugins" and {"enable", "disable"} & set(argv)):
        return None
    from photoclip.config import app_paths
    from photoclip.core import owner

    try:
        got = owner.connect(app_paths().library_dir)
    except (owner.OwnerRefused, owner.OwnerNotAnswering):
        got = None  # the lock still keeps them apart (recover takes it)
    if got is None:
        return None
    conn, endpoint = got
    conn.close()
    _ = _words()
    what = " ".join(w for w in argv if not w.startswith("-"))
    return _fail(_("the library is open in {owner} (pid {pid}), and `photoclip {command}` "
                   "needs it to itself: nothing was changed").format(
                       owner=endpoint.owner, pid=endpoint.pid, command=what),
                 "LibraryInUse", as_json,
                 hint=_("close the app or stop `photoclip watch`, then run this again"))


# this process's wait for the library's lock: seconds left of it, and whether it said so
_waited: dict[str, Any] = {"left": None, "said": False}


def _wait_for_owner(library_dir: Any, as_json: bool) -> Any:
    """The library's lock is held but no owner answers yet: wait (up to
    :func:`~photoclip.core.lock.lock_wait` s, saying so once) for an owner that is starting to
    publish its endpoint (then its connection), or for a short-lived holder (another command
    that opened the library itself) to let go (then None: run here)."""
    import time

    from photoclip.core import lock, owner

    wait = lock.lock_wait()
    if not lock.is_held(library_dir):
        return None
    deadline = time.monotonic() + wait
    try:
        while time.monotonic() < deadline:
            got = owner.connect(library_dir)
            if got is not None:
                return got
            if not lock.is_held(library_dir):
                return None
            say_waiting(as_json)(lock.LibraryLock(library_dir).holder())
            time.sleep(lock.POLL_S)
        return None
    finally:
        _waited["left"] = max(0.0, deadline - time.monotonic())


def lock_wait_left() -> float:
    """How long a command run here still waits for the library's lock: what is left of the
    wait :func:`forward` began, else the whole :func:`~photoclip.core.lock.lock_wait`."""
    from photoclip.core.lock import lock_wait

    left = _waited["left"]
    return lock_wait() if left is None else float(left)


def say_waiting(as_json: bool) -> Callable[[str], None]:
    """A callback that tells the user once (stderr; nothing with --json) whom this command
    waits for."""

    def say(holder: str) -> None:
        if _waited["said"] or as_json:
            return
        _waited["said"] = True
        _ = _words()
        print(_("waiting for another photoclip process ({holder}) to finish with this "
                "library…").format(holder=holder), file=sys.stderr, flush=True)

    return say


def _talk(conn: Any, argv: list[str], as_json: bool, command: str, endpoint: Any) -> int:
    from photoclip.core.owner import recv_json, send_json

    locale = {k: v for k in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
              if (v := os.environ.get(k))}  # the owner answers in this process's language
    request = {"argv": argv, "json": as_json, "cwd": os.getcwd(), "locale": locale,
               "tty": {"out": _isatty(sys.stdout), "err": _isatty(sys.stderr)}}
    try:
        send_json(conn, request)
        while True:
            try:
                message = recv_json(conn)
            except (EOFError, OSError):
                _ = _words()
                return _fail(_("the library's owner ({owner}, pid {pid}) stopped before "
                               "answering").format(owner=endpoint.owner, pid=endpoint.pid),
                             "OwnerGone", as_json, hint=_("run the command again"))
            if "out" in message:
                sys.stdout.write(str(message["out"]))  # BrokenPipeError: main() handles it
                if _isatty(sys.stdout):
                    sys.stdout.flush()
            elif "err" in message:
                sys.stderr.write(str(message["err"]))
                sys.stderr.flush()
            elif "exit" in message:
                return int(message["exit"])
    except KeyboardInterrupt:  # closing the connection tells the owner to stop answering
        conn.close()
        if command == "index" and not as_json:
            _ = _words()
            print(_("interrupted: {owner} (pid {pid}) goes on indexing in the background")
                  .format(owner=endpoint.owner, pid=endpoint.pid), file=sys.stderr)
        return _interrupted(as_json)


def _interrupted(as_json: bool) -> int:
    from photoclip.cli.output import emit_error

    _ = _words()
    emit_error(_("interrupted"), type_="KeyboardInterrupt", exit_code=EXIT_INTERRUPTED,
               as_json=as_json)
    return EXIT_INTERRUPTED


def _words() -> Callable[[str], str]:
    """The CLI's translation (:func:`photoclip.cli.i18n._`) in the language of the settings,
    for this client's own messages (no parser is built here)."""
    from photoclip.cli.i18n import _, language_setting, set_language

    set_language(language_setting())
    return _


def _fail(message: str, type_: str, as_json: bool, hint: str | None = None) -> int:
    from photoclip.cli.output import emit_error

    emit_error(message, type_=type_, exit_code=EXIT_FAILED, hint=hint, as_json=as_json)
    return EXIT_FAILED


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
