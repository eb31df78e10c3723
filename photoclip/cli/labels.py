"""`photoclip labels`: the label sets behind automatic tags, where to edit them, how strict.

    photoclip labels                      # sets: kind, labels, enabled, file
    photoclip labels show scenes          # a set's labels and prompts
    photoclip labels edit scenes          # copy a built-in set into your labels folder to edit
    photoclip labels enable|disable food  # which sets tag your photos
    photoclip labels strictness strict    # strict | normal | loose
    photoclip labels retag                # re-tag now (after editing a set file)

Every change re-tags the library from the stored vectors: no photo is embedded again.
"""

from __future__ import annotations

import argparse

from photoclip.cli.i18n import _, language
from photoclip.cli.output import emit_json, plural
from photoclip.cli.table import cell
from photoclip.core.labels import BUILTIN, write_user_copy
from photoclip.core.library import Library, RetagReport
from photoclip.core.tagging import STRICTNESS
from photoclip.core.types import UnknownChoiceError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("labels", help=_("the label sets behind automatic tags; where to edit them"))
    lsub = p.add_subparsers(dest="action")
    show = lsub.add_parser("show", help=_("a set's labels and prompts"))
    show.add_argument("name")
    edit = lsub.add_parser("edit", help=_("copy a built-in set into your labels folder to edit it"))
    edit.add_argument("name")
    for action, text in (("enable", _("tag photos with these sets")),
                         ("disable", _("stop tagging with these sets"))):
        a = lsub.add_parser(action, help=text)
        a.add_argument("names", nargs="+")
    strict = lsub.add_parser("strictness", help=_("how sure a suggestion must be"))
    strict.add_argument("level", choices=list(STRICTNESS))
    lsub.add_parser("retag", help=_("re-tag the library now from stored vectors"))
    auto = lsub.add_parser("auto", help=_("turn automatic tags on or off"))
    auto.add_argument("state", choices=["on", "off"])
    p.set_defaults(run=run)


def run(lib: Library, args: argparse.Namespace) -> int:
    action = args.action or "list"
    if action == "list":
        return _list(lib, args)
    if action == "show":
        return _show(lib, args)
    if action == "edit":
        target = lib.labels_dir / f"{args.name}.toml"
        if not target.exists():
            target = write_user_copy(args.name, lib.labels_dir)
        if args.json:
            emit_json({"file": str(target)})
        else:
            print(_("edit {file}").format(file=target))
            print(_("then run `photoclip labels retag` (the GUI and `photoclip watch` notice it)"))
        return 0
    s = lib.settings
    if action in ("enable", "disable"):
        known = lib.label_sets()
        unknown = [n for n in args.names if n not in known]
        if unknown:
            raise UnknownChoiceError("label set", ", ".join(unknown), known,
                                     see="photoclip labels")
        enabled = list(s.label_sets or known)
        if action == "enable":
            enabled += [n for n in args.names if n not in enabled]
        else:
            enabled = [n for n in enabled if n not in args.names]
        # an empty list means "all", so disabling every set turns automatic tags off instead
        s.label_sets = enabled if len(enabled) < len(known) else []
        if not enabled:
            s.auto_tag = False
        elif action == "enable":
            s.auto_tag = True
    elif action == "strictness":
        s.tag_strictness = args.level
    elif action == "auto":
        s.auto_tag = args.state == "on"
    lib.save_settings()
    _print_retag(lib.retag(), args)
    return 0


def _print_retag(report: RetagReport, args: argparse.Namespace) -> None:
    if args.json:
        emit_json({"retag": report})
    else:
        print(_("re-tagged {photos} from stored vectors: {tags} ({seconds} s, no photo "
                "embedded again)").format(photos=plural(report.photos, "photo"),
                                          tags=plural(report.tags, "automatic tag"),
                                          seconds=f"{report.seconds:.1f}"))


def _list(lib: Library, args: argparse.Namespace) -> int:
    errors: list[str] = []
    sets = lib.label_sets(errors)
    enabled = (
        {ls.name for ls in lib.auto_tags.enabled_label_sets()} if lib.settings.auto_tag else set()
    )
    s = lib.settings
    if args.json:
        emit_json({
            "auto_tag": s.auto_tag,
            "strictness": s.tag_strictness,
            "labels_dir": str(lib.labels_dir),
            "sets": [
                {"name": ls.name, "description": ls.description, "exclusive": ls.exclusive,
                 "labels": ls.label_names, "enabled": ls.name in enabled, "source": ls.source}
                for ls in sets.values()
            ],
            "errors": errors,
        })
        return 0
    state = (_("on, {strictness}").format(strictness=s.tag_strictness) if s.auto_tag
             else _("off (`photoclip labels auto on`)"))
    print(_("automatic tags: {state}").format(state=state))
    print(cell(_("set"), 12) + cell(_("kind"), 13) + cell(_("labels"), 7, ">") + "  "
          + cell("", 9) + _("description"))
    for ls in sets.values():
        kind = _("one of") if ls.exclusive else _("any of")
        mark = _("enabled") if ls.name in enabled else "-"
        where = "" if ls.source == BUILTIN else f"  [{ls.source}]"
        about = ls.display_description(language())
        print(cell(ls.name, 12) + cell(kind, 13) + cell(len(ls.labels), 7, ">") + "  "
              + cell(mark, 9) + about + where)
    for error in errors:
        print(_("broken label set file skipped: {error}").format(error=error))
    print(_("\nyour label sets: {folder}/*.toml (a file named like a built-in replaces it)").format(
        folder=lib.labels_dir))
    print(_("`photoclip labels edit NAME` copies a built-in there to edit; `labels show NAME`"))
    return 0


def _show(lib: Library, args: argparse.Namespace) -> int:
    sets = lib.label_sets()
    if args.name not in sets:
        raise UnknownChoiceError("label set", args.name, sets, see="photoclip labels")
    ls = sets[args.name]
    if args.json:
        emit_json({"name": ls.name, "exclusive": ls.exclusive, "templates": ls.templates,
                   "labels": [{"name": x.name, "prompts": x.prompts} for x in ls.labels],
                   "source": ls.source})
        return 0
    kind = "exclusive: at most one label per photo" if ls.exclusive else "each label on its own"
    print(f"{ls.name}: {ls.display_description(language())} ({kind}; {ls.source})")
    for label in ls.labels:
        shown = label.display(language())
        name = label.name if shown == label.name else f"{label.name} ({shown})"
        print(f"  {name:<20} {' | '.join(label.prompts)}")
    print(f"  templates: {' | '.join(ls.templates)}")
    return 0
