"""`photoclip plugins list|enable|disable`, `photoclip analyzers [on|off NAME]`, and one command
per plugin action (`photoclip duplicates`, `photoclip export`, ...)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING, Any

from photoclip.cli.i18n import _
from photoclip.cli.options import positive_int
from photoclip.cli.output import CommandFailed, emit_json
from photoclip.config import SettingsError, app_paths
from photoclip.core import plugin_host

if TYPE_CHECKING:
    from photoclip.core.library import Library

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plugins", help=_("list, enable or disable plugins"))
    psub = p.add_subparsers(dest="action")
    psub.add_parser("list", help=_("every plugin found, enabled or not (the default)"))
    for verb in ("enable", "disable"):
        v = psub.add_parser(verb, help=f"{verb} a plugin (takes effect at the next start)")
        v.add_argument("name")
    p.set_defaults(run=run_plugins, needs_library=False)
    a = sub.add_parser("analyzers", help=_("what runs on every photo after indexing, and where "
                       "each stands (on, off)"))
    asub = a.add_subparsers(dest="action")
    asub.add_parser("list", help=_("every analyzer with done, failed and pending photos"))
    for verb in ("on", "off"):
        v = asub.add_parser(verb, help=f"turn an analyzer {verb} for this library")
        v.add_argument("name")
    a.set_defaults(run=run_analyzers)
    _register_actions(sub)


def run_analyzers(lib: Library, args: argparse.Namespace) -> int:
    if args.action in ("on", "off"):
        lib.analysis.set_enabled(args.name, args.action == "on")
        if args.json:
            emit_json({"analyzer": args.name, "enabled": args.action == "on"})
        else:
            print(f"analyzer {args.name} is {args.action} (`photoclip index` catches up)")
        return 0
    rows = lib.analysis.status()
    if args.json:
        emit_json({"analyzers": rows})
        return 0
    print(f"{'analyzer':<16}{'state':<7}{'done':>8}{'failed':>8}{'pending':>9}  what")
    for s in rows:
        state = "on" if s.enabled else "off"
        print(f"{s.name:<16}{state:<7}{s.done:>8}{s.failed:>8}{s.pending:>9}  {s.title}")
    return 0


def run_plugins(_lib: None, args: argparse.Namespace) -> int:
    paths = app_paths().ensure()
    if args.action in ("enable", "disable"):
        plugin_host.set_enabled(args.name, args.action == "enable", paths)
        if args.json:
            emit_json({"plugin": args.name, "enabled": args.action == "enable"})
        else:
            print(f"{args.action}d plugin {args.name} (takes effect at the next start)")
        return 0
    host = plugin_host.PluginHost(paths=paths).load()
    infos = host.infos()
    if args.json:
        emit_json({"plugins": infos, "actions": sorted(host.actions()),
                   "exporters": sorted(host.exporters())})
        return 0
    print(f"{'plugin':<16}{'state':<10}{'source':<13}description")
    for info in infos:
        state = "error" if info.error and not info.loaded else (
            "on" if info.enabled else "off")
        print(f"{info.name:<16}{state:<10}{info.source:<13}{info.description}")
        if info.error:
            print(f"{'':<16}! {info.error}")
    actions = host.actions()
    if actions:
        print("\nactions (commands): " + ", ".join(sorted(actions)))
    exporters = host.exporters()
    if exporters:
        print("exporters (photoclip export --as): " + ", ".join(sorted(exporters)))
    return 0


# ----- plugin actions as commands -----------------------------------------------------------------


def _register_actions(sub: argparse._SubParsersAction) -> None:
    """A command for every action of the enabled plugins (one that clashes is skipped)."""
    try:
        host = plugin_host.PluginHost(paths=app_paths()).load()
        actions = host.actions()
    except SettingsError:  # the command itself says so, naming the file and the line
        return
    except Exception as exc:  # a plugin cannot load, ...: the built-in commands still work
        log.warning("Plugins are not available: %s", exc)
        return
    from photoclip.core.actions import resolve_options
    from photoclip.core.types import display_text

    for name, action in actions.items():
        if name in sub.choices:
            log.warning("Plugin action %r clashes with a built-in command; skipped", name)
            continue
        p = sub.add_parser(name, help=display_text(action.title),
                           description=display_text(action.description))
        if action.selection != "none":
            every = " (none: the whole library)" if action.selection == "optional" else ""
            p.add_argument("photos", nargs="*", help=f"photo files{every}")
            p.add_argument("--query", help=_("the photos matching a search"))
            p.add_argument("--album", help=_("the photos of an album"))
            p.add_argument("--tag", help=_("the photos with a tag"))
            p.add_argument("--limit", type=positive_int, default=100,
                           help=_("how many search results, at least 1"))
        p.add_argument("--yes", action="store_true", help=_("answer yes to every question"))
        for opt in resolve_options(action.options, host, fill_choices=False):
            flag = f"--{opt.name}"
            dest = "opt_" + opt.name.replace("-", "_")
            if opt.type is bool:
                p.add_argument(flag, dest=dest, action="store_true", help=opt.help)
            else:
                p.add_argument(
                    flag, dest=dest, type=opt.type, default=opt.default,
                    choices=opt.choices or None, required=opt.required, help=opt.help,
                )
        p.set_defaults(run=run_action, action_name=name)


def _confirm(args: argparse.Namespace) -> Any:
    def confirm(question: str) -> bool:
        if args.yes:
            return True
        if not sys.stdin.isatty():
            print(f"{question} no (not a terminal; use --yes)", file=sys.stderr)
            return False
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")

    return confirm


def run_action(lib: Library, args: argparse.Namespace) -> int:
    from photoclip.core.types import PluginError

    action = lib.actions.all()[args.action_name]
    context = lib.actions.context(_confirm(args))
    options = {
        opt.name: getattr(args, "opt_" + opt.name.replace("-", "_")) for opt in action.options
    }
    lib.actions.check_options(action.name, options)  # a wrong choice before any file is read
    chosen = action.selection != "none" and (args.photos or args.query or args.album or args.tag)
    if action.selection == "required" and not chosen:
        raise ValueError("choose photos: files, --query, --album or --tag")
    try:  # the core's rule for which photos an action gets (the GUI's too)
        photos = lib.actions.targets(
            action, context, ids=lib.photo_ids(args.photos) if chosen and args.photos else (),
            query=args.query if chosen else None, album=args.album if chosen else None,
            tag=args.tag if chosen else None, limit=getattr(args, "limit", 100),
            none_chosen="no photos matched",
        )
        result = lib.actions.run(action.name, photos, options, context=context)
    except PluginError as exc:
        raise CommandFailed(f"{action.name}: {exc}", type_="PluginError") from exc
    if args.json:
        emit_json({"message": result.message, "details": result.details, "data": result.data})
        return 0
    for line in result.details:
        print(line)
    print(result.message)
    return 0
