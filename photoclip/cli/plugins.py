"""`photoclip plugins list|enable|disable`, and one command per plugin action
(`photoclip duplicates`, `photoclip export`, ...)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from photoclip.cli.options import positive_int
from photoclip.cli.output import CommandFailed, emit_json
from photoclip.config import SettingsError, app_paths
from photoclip.core import plugin_host

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plugins", help="list, enable or disable plugins")
    psub = p.add_subparsers(dest="action")
    psub.add_parser("list", help="every plugin found, enabled or not (the default)")
    for verb in ("enable", "disable"):
        v = psub.add_parser(verb, help=f"{verb} a plugin (takes effect at the next start)")
        v.add_argument("name")
    p.set_defaults(run=run_plugins, needs_library=False)
    _register_actions(sub)


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
    for name, action in actions.items():
        if name in sub.choices:
            log.warning("Plugin action %r clashes with a built-in command; skipped", name)
            continue
        p = sub.add_parser(name, help=action.title, description=action.description)
        if action.selection != "none":
            every = " (none: the whole library)" if action.selection == "optional" else ""
            p.add_argument("photos", nargs="*", help=f"photo files{every}")
            p.add_argument("--query", help="the photos matching a search")
            p.add_argument("--album", help="the photos of an album")
            p.add_argument("--tag", help="the photos with a tag")
            p.add_argument("--limit", type=positive_int, default=100,
                           help="how many search results, at least 1")
        p.add_argument("--yes", action="store_true", help="answer yes to every question")
        for opt in action.options:
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


def _selected(context: Any, lib: Any, args: argparse.Namespace, selection: str) -> list[Any]:
    if selection == "none":
        return []
    chosen: list[Any] = []
    if args.photos:
        chosen += context.photos(lib.photo_ids(args.photos))
    if args.query:
        chosen += context.search(args.query, args.limit)
    if args.album:
        chosen += context.album(args.album)
    if args.tag:
        chosen += context.with_tag(args.tag)
    given = args.photos or args.query or args.album or args.tag
    if not given:
        if selection == "required":
            raise ValueError("choose photos: files, --query, --album or --tag")
        chosen = context.photos()
    return list({p.id: p for p in chosen}.values())


def run_action(lib: Any, args: argparse.Namespace) -> int:
    from photoclip.plugin_api import PluginError

    host = lib.plugins
    action = host.actions()[args.action_name]
    context = lib.plugin_context(confirm=_confirm(args))
    options = {
        opt.name: getattr(args, "opt_" + opt.name.replace("-", "_")) for opt in action.options
    }
    photos = _selected(context, lib, args, action.selection)
    try:
        result = host.run_action(action.name, context, photos, options)
    except PluginError as exc:
        raise CommandFailed(f"{action.name}: {exc}", type_="PluginError") from exc
    if args.json:
        emit_json({"message": result.message, "details": result.details, "data": result.data})
        return 0
    for line in result.details:
        print(line)
    print(result.message)
    return 0
