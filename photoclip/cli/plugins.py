"""`photoclip plugins list|enable|disable`, `photoclip analyzers [on|off NAME]`, and one command
per plugin action (`photoclip duplicates`, `photoclip export`, ...)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING, Any

from photoclip.cli.i18n import _, language
from photoclip.cli.options import positive_int
from photoclip.cli.output import CommandFailed, emit_json
from photoclip.cli.table import cell
from photoclip.config import SettingsError, app_paths
from photoclip.core import plugin_host
from photoclip.core.plugin_texts import plugin_text

if TYPE_CHECKING:
    from photoclip.core.library import Library

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plugins", help=_("list, enable or disable plugins"))
    psub = p.add_subparsers(dest="action")
    psub.add_parser("list", help=_("every plugin found, enabled or not (the default)"))
    for verb, text in (("enable", _("enable a plugin (takes effect at the next start)")),
                       ("disable", _("disable a plugin (takes effect at the next start)"))):
        v = psub.add_parser(verb, help=text)
        v.add_argument("name")
    p.set_defaults(run=run_plugins, needs_library=False)
    a = sub.add_parser("analyzers", help=_("what runs on every photo after indexing, and where "
                       "each stands (on, off)"))
    asub = a.add_subparsers(dest="action")
    asub.add_parser("list", help=_("every analyzer with done, failed and pending photos"))
    for verb, text in (("on", _("turn an analyzer on for this library")),
                       ("off", _("turn an analyzer off for this library"))):
        v = asub.add_parser(verb, help=text)
        v.add_argument("name")
    a.set_defaults(run=run_analyzers)
    _register_actions(sub)


def run_analyzers(lib: Library, args: argparse.Namespace) -> int:
    if args.action in ("on", "off"):
        lib.analysis.set_enabled(args.name, args.action == "on")
        if args.json:
            emit_json({"analyzer": args.name, "enabled": args.action == "on"})
        else:
            print((_("analyzer {name} is on (`photoclip index` catches up)") if args.action == "on"
                   else _("analyzer {name} is off")).format(name=args.name))
        return 0
    rows = lib.analysis.status()
    if args.json:
        emit_json({"analyzers": rows})
        return 0
    print(cell(_("analyzer"), 16) + cell(_("state"), 7) + cell(_("done"), 8, ">")
          + cell(_("failed"), 8, ">") + cell(_("pending"), 9, ">") + "  " + _("what"))
    for s in rows:
        state = _("on") if s.enabled else _("off")
        print(cell(s.name, 16) + cell(state, 7) + cell(f"{s.done:,}", 8, ">")
              + cell(f"{s.failed:,}", 8, ">") + cell(f"{s.pending:,}", 9, ">") + "  "
              + lib.plugin_text(s.title, language()))
    return 0


def run_plugins(_lib: None, args: argparse.Namespace) -> int:
    paths = app_paths().ensure()
    if args.action in ("enable", "disable"):
        plugin_host.set_enabled(args.name, args.action == "enable", paths)
        if args.json:
            emit_json({"plugin": args.name, "enabled": args.action == "enable"})
        else:
            print((_("enabled plugin {name} (takes effect at the next start)")
                   if args.action == "enable" else
                   _("disabled plugin {name} (takes effect at the next start)")).format(
                       name=args.name))
        return 0
    host = plugin_host.PluginHost(paths=paths).load()
    infos = host.infos()
    if args.json:
        from dataclasses import asdict

        listed = [{k: v for k, v in asdict(i).items() if k != "translations"} for i in infos]
        emit_json({"plugins": listed, "actions": sorted(host.actions()),
                   "exporters": sorted(host.exporters())})
        return 0
    print(cell(_("plugin"), 16) + cell(_("state"), 10) + cell(_("source"), 13) + _("description"))
    for info in infos:
        state = _("error") if info.error and not info.loaded else (
            _("on") if info.enabled else _("off"))
        print(cell(info.name, 16) + cell(state, 10) + cell(info.source, 13)
              + plugin_text(info.translations, info.description, language()))
        if info.error:
            print(f"{'':<16}! {info.error}")
    actions = host.actions()
    if actions:
        print(_("\nactions (commands): ") + ", ".join(sorted(actions)))
    exporters = host.exporters()
    if exporters:
        print(_("exporters (photoclip export --as): ") + ", ".join(sorted(exporters)))
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

    for name, action in actions.items():
        if name in sub.choices:
            log.warning("Plugin action %r clashes with a built-in command; skipped", name)
            continue
        lang = language()
        p = sub.add_parser(name, help=host.text(action.title, lang),
                           description=host.text(action.description, lang))
        if action.selection != "none":
            p.add_argument("photos", nargs="*", help=_("photo files (none: the whole library)")
                           if action.selection == "optional" else _("photo files"))
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
                p.add_argument(flag, dest=dest, action="store_true",
                               help=host.text(opt.help, lang))
            else:
                p.add_argument(
                    flag, dest=dest, type=opt.type, default=opt.default,
                    choices=opt.choices or None, required=opt.required,
                    help=host.text(opt.help, lang),
                )
        p.set_defaults(run=run_action, action_name=name)


def _confirm(args: argparse.Namespace) -> Any:
    def confirm(question: str) -> bool:
        if args.yes:
            return True
        if not sys.stdin.isatty():
            print(_("{question} no (not a terminal; use --yes)").format(question=question),
                  file=sys.stderr)
            return False
        return input(f"{question} [y/N] ").strip().lower() in ("y", "yes", _("y"))

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
        said = lib.actions.host().said(getattr(exc, "said", None) or str(exc), language(), _)
        raise CommandFailed(f"{action.name}: {said}", type_="PluginError") from exc
    if args.json:
        emit_json({"message": result.message, "details": result.details, "data": result.data})
        return 0
    host = lib.actions.host()
    for line in result.said_details or result.details:
        print(host.said(line, language(), _))
    print(host.said(result.said or result.message, language(), _))
    return 0
