"""Entry point of the `photoclip` command."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from photoclip import __version__
from photoclip.cli import client
from photoclip.cli.i18n import _, language_setting, set_language

log = logging.getLogger("photoclip")


def commands() -> tuple:
    """The command modules, in `photoclip --help` order (imported on first need: a command an
    owner process answers never imports them, see :mod:`photoclip.cli.client`)."""
    from photoclip.cli import (
        albums,
        classify,
        desktop,
        folders,
        index,
        labels,
        models,
        plugins,
        rate,
        recover,
        search,
        status,
        tags,
        undo,
        watch,
    )

    return (
        folders, index, watch, search, classify, tags, rate, labels, albums, undo, status,
        models, desktop, recover,
        plugins,  # last: it adds a command per plugin action, skipping names taken above
    )


class UsageError(Exception):
    """The command line is wrong (argparse's own errors included): exit status 2."""

    def __init__(self, message: str, parser: argparse.ArgumentParser) -> None:
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are raised, so that --json can report them as JSON
    (subcommand parsers are of the same class)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self)


def build_parser(*, choose_language: bool = True) -> argparse.ArgumentParser:
    """The command line's parser, in the CLI's language (``choose_language``: set it from the
    settings and the environment first; an owner answering a client has set it already)."""
    from photoclip.cli.output import EXIT_CODES

    if choose_language:
        set_language(language_setting())  # before the parser: its help is translated
    parser = _Parser(
        prog="photoclip", description=_("Search your photos by what is in them."),
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"photoclip {__version__}")
    parser.add_argument("--json", action="store_true", help=_("machine-readable output"))
    parser.add_argument("--verbose", "-v", action="count", default=0, help=_("more log output"))
    parser.add_argument("--debug", action="store_true", help=_("show tracebacks on errors"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in commands():
        module.register(sub)
    return parser


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    from photoclip.config import app_paths
    from photoclip.logs import setup_logging

    # stderr at the chosen level; <logs_dir>/cli.log (rotating) at INFO or more detailed
    setup_logging(app_paths(), min(level, logging.INFO), console=True, console_level=level,
                  filename="cli.log")


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit status (see ``EXIT_CODES``)."""
    # --json may be given before or after the command: accept both
    argv = list(sys.argv[1:] if argv is None else argv)
    json_anywhere = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    try:
        try:
            status = client.forward(argv, json_anywhere)  # an owner process answers, or None
            if status is None:
                status = _run(argv, json_anywhere)
        finally:
            sys.stdout.flush()  # here, not at exit, so that a closed pipe is caught below
        return status
    except BrokenPipeError:
        # the reader went away (`photoclip tags | head`): stop quietly, as Unix tools do;
        # stdout goes to devnull so that Python's own flush at exit does not fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return client.EXIT_PIPE_CLOSED


def parse(parser: argparse.ArgumentParser, argv: list[str], as_json: bool
          ) -> argparse.Namespace | int:
    """The parsed command line, or the exit status of a usage error (reported already)."""
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        return _usage_error(exc, as_json)
    args.json = as_json
    return args


def _run(argv: list[str], as_json: bool) -> int:
    parser = build_parser()
    args = parse(parser, argv, as_json)
    if isinstance(args, int):
        return args
    _setup_logging(args.verbose)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    return execute(args, lambda: _in_process(args))


def _in_process(args: argparse.Namespace) -> int:
    """Run the command in this process, opening the library (the lock decides who may)."""
    if not getattr(args, "needs_library", True):  # e.g. `photoclip desktop install`
        return int(args.run(None, args) or 0)
    from photoclip.core import owner
    from photoclip.core.library import Library

    with Library(owner=f"photoclip {args.command}", lock_wait=client.lock_wait_left(),
                 waiting=client.say_waiting(args.json)) as lib:
        owner.remove_stale(lib.paths.library_dir)  # we hold the lock: an endpoint is a dead one's
        return int(args.run(lib, args) or 0)


def execute(args: argparse.Namespace, call: Callable[[], int]) -> int:
    """``call()`` (the command), its errors reported as the exit statuses of ``EXIT_CODES``:
    the one place for that rule, in this process and in an owner answering for a client."""
    from photoclip.cli.output import (
        EXIT_FAILED,
        EXIT_INTERRUPTED,
        EXIT_USAGE,
        CommandFailed,
        emit_error,
    )
    from photoclip.core.errors import user_message  # heavy imports only after parsing

    as_json = args.json
    try:
        return int(call() or 0)
    except KeyboardInterrupt:
        emit_error(_("interrupted"), type_="KeyboardInterrupt", exit_code=EXIT_INTERRUPTED,
                   as_json=as_json)
        return EXIT_INTERRUPTED
    except UsageError as exc:  # a command checked its arguments itself
        return _usage_error(exc, as_json)
    except CommandFailed as exc:
        emit_error(str(exc), type_=exc.type_, exit_code=EXIT_FAILED, hint=exc.hint,
                   as_json=as_json)
        return EXIT_FAILED
    except BrokenPipeError:
        raise
    except Exception as exc:
        message, hint = user_message(exc), _hint(exc)
        if message is None or args.debug:
            if args.debug:
                raise
            log.debug("unexpected error", exc_info=True)
            message = _("unexpected error: {error}").format(error=repr(exc))
            hint = _("run with --debug for details")
        # the core's input errors are ValueErrors: the command line asked for something invalid;
        # a name that is not found (LookupError) is a failure, as `photoclip --help` says
        invalid = isinstance(exc, ValueError) and not isinstance(exc, LookupError)
        code = EXIT_USAGE if invalid else EXIT_FAILED
        emit_error(message, type_=type(exc).__name__, exit_code=code, hint=hint,
                   as_json=as_json)
        return code


def _hint(exc: Exception) -> str | None:
    from photoclip.config import SettingsError, tomllib
    from photoclip.core.query import QueryError

    if isinstance(exc, SettingsError) and isinstance(exc.__cause__, tomllib.TOMLDecodeError):
        return _("fix that line by hand (photoclip does not change the file until it can "
                 "read it)")
    if isinstance(exc, QueryError):  # a command may say more than the syntax
        return exc.hint or _("the query syntax: `photoclip search --help`")
    return None


def _usage_error(exc: UsageError, as_json: bool) -> int:
    from photoclip.cli.output import EXIT_USAGE, emit_error

    hint = _("see `{prog} --help`").format(prog=exc.parser.prog)
    if as_json:
        emit_error(str(exc), type_="UsageError", exit_code=EXIT_USAGE, hint=hint, as_json=True)
    else:  # as argparse prints it
        exc.parser.print_usage(sys.stderr)
        print(_("{prog}: error: {message}").format(prog=exc.parser.prog, message=exc),
              file=sys.stderr)
    return EXIT_USAGE
