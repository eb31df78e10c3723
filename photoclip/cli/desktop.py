"""`photoclip desktop install|uninstall|status`: photoclip in the Linux application menu.

For pip and pipx installs; the installers for Windows and macOS make their own shortcuts."""

from __future__ import annotations

import argparse
import sys

from photoclip import desktop_entry
from photoclip.cli.i18n import _
from photoclip.cli.output import emit_json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "desktop", help=_("add photoclip to the application menu (Linux; pip/pipx installs)")
    )
    dsub = p.add_subparsers(dest="action")
    i = dsub.add_parser(
        "install", help=_("put the menu entry and icons into ~/.local/share (XDG_DATA_HOME)")
    )
    i.add_argument("--exec", dest="exec_path", metavar="PATH",
                   help=_("the program the entry starts (default: this installation's "
                   "photoclip-gui)"))
    dsub.add_parser("uninstall", help=_("remove the menu entry and icons again"))
    dsub.add_parser("status", help=_("show whether the menu entry is installed"))
    p.set_defaults(run=run, needs_library=False)


def run(_lib: None, args: argparse.Namespace) -> int:
    action = args.action or "status"
    if action in ("install", "uninstall") and not sys.platform.startswith(("linux", "freebsd")):
        raise desktop_entry.DesktopEntryError(
            "photoclip desktop is for Linux desktops; on Windows and macOS the installer "
            "adds photoclip to the Start menu / Applications folder"
        )
    if action == "install":
        result = desktop_entry.install(args.exec_path)
        if args.json:
            emit_json(result)
        else:
            print(f"installed the menu entry (starts {result.exec}):")
            for f in result.files:
                print(f"  {f}")
            print(_("photoclip is in the application menu (log out and in if it does not show)"))
        return 0
    if action == "uninstall":
        result = desktop_entry.uninstall()
        if args.json:
            emit_json(result)
        elif result.files:
            print(f"removed {len(result.files)} files from {result.data_home}")
        else:
            print(_("the menu entry was not installed; nothing to remove"))
        return 0
    entry = desktop_entry.installed_entry()
    gui = desktop_entry.find_gui_executable()
    if args.json:
        emit_json({"installed": entry is not None, "desktop_file": str(entry or ""),
                   "gui_executable": str(gui or "")})
    else:
        print(f"menu entry:  {entry or 'not installed (photoclip desktop install)'}")
        print(f"gui program: {gui or 'not found (install photoclip[gui])'}")
    return 0
