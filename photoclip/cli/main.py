"""Entry point of the `photoclip` command."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from photoclip import __version__
from photoclip.cli import (
    albums,
    classify,
    desktop,
    folders,
    index,
    labels,
    models,
    plugins,
    recover,
    search,
    status,
    tags,
    watch,
)

log = logging.getLogger("photoclip")

COMMANDS = (
    folders, index, watch, search, classify, tags, labels, albums, status, models, desktop,
    recover,
    plugins,  # last: it adds a command per plugin action, skipping names taken above
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="photoclip", description="Search your photos by what is in them."
    )
    parser.add_argument("--version", action="version", version=f"photoclip {__version__}")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--verbose", "-v", action="count", default=0, help="more log output")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
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
    """Run one command; returns the process exit status."""
    # --json may be given before or after the command: accept both
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    json_anywhere = "--json" in argv
    argv = [a for a in argv if a != "--json"]
    args = parser.parse_args(argv)
    args.json = json_anywhere
    _setup_logging(args.verbose)
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    from photoclip.core.errors import user_message  # heavy imports only after parsing

    try:
        if not getattr(args, "needs_library", True):  # e.g. `photoclip desktop install`
            return int(args.run(None, args) or 0)
        from photoclip.core.library import Library

        with Library(owner=f"photoclip {args.command}") as lib:
            return int(args.run(lib, args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        message = user_message(exc)
        if message is None or args.debug:
            if args.debug:
                raise
            log.debug("unexpected error", exc_info=True)
            message = f"unexpected error: {exc!r} (run with --debug for details)"
        print(f"photoclip: {message}", file=sys.stderr)
        return 2
