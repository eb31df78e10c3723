"""The freedesktop menu entry and icons, installed into the user's XDG folders.

pip and pipx install files only inside their environment, so a pip-installed photoclip is not
in the application menu. ``photoclip desktop install`` (this module) copies the entry and the
icons that ship inside the package (``photoclip/data/desktop``, the same files as
``packaging/linux``) into ``$XDG_DATA_HOME`` (``~/.local/share``):

- ``applications/<APP_ID>.desktop`` with ``Exec`` set to the absolute path of the installed
  ``photoclip-gui`` script (a pipx or venv bin folder is seldom on the menu's ``PATH``),
- ``icons/hicolor/<N>x<N>/apps/<APP_ID>.png`` and ``icons/hicolor/scalable/apps/<APP_ID>.svg``,

then refreshes the desktop and icon caches where those tools exist. ``uninstall`` removes exactly
these files. No Qt here: the CLI uses it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

APP_ID = "io.github.photoclip.Photoclip"
GUI_SCRIPT = "photoclip-gui"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
DESKTOP_FILE = f"{APP_ID}.desktop"
METAINFO_FILE = f"{APP_ID}.metainfo.xml"

# Characters that force an Exec argument into double quotes (Desktop Entry Specification,
# "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


class DesktopEntryError(ValueError):
    """Something the user can fix (a ValueError, so the CLI shows just the message)."""


@dataclass
class InstallResult:
    """What ``install`` wrote or ``uninstall`` removed."""

    data_home: str
    exec: str = ""
    files: list[str] = field(default_factory=list)


def package_desktop_dir() -> Path:
    """The desktop entry, metainfo and icons shipped inside the package."""
    return Path(__file__).resolve().parent / "data" / "desktop"


def icon_files() -> list[Path]:
    """Every icon, relative to ``package_desktop_dir() / "icons"``."""
    hicolor = Path("hicolor")
    files = [hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES]
    files.append(hicolor / "scalable" / "apps" / f"{APP_ID}.svg")
    return files


def xdg_data_home() -> Path:
    """``$XDG_DATA_HOME`` if set to an absolute path, else ``~/.local/share`` (the XDG rule)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def find_gui_executable() -> Path | None:
    """The absolute path of the ``photoclip-gui`` launcher that belongs to this installation.

    Looked for beside a frozen (PyInstaller) executable, in this interpreter's scripts folder
    (the venv or pipx environment that runs this code), beside the running ``photoclip`` script,
    then on ``PATH``."""
    name = GUI_SCRIPT + (".exe" if sys.platform == "win32" else "")
    folders: list[Path] = []
    if getattr(sys, "frozen", False):
        folders.append(Path(sys.executable).resolve().parent)
    folders.append(Path(sysconfig.get_path("scripts")))
    if sys.argv and sys.argv[0]:
        folders.append(Path(sys.argv[0]).resolve().parent)
    for folder in folders:
        candidate = folder / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate.absolute()
    found = shutil.which(name)
    return Path(found).absolute() if found else None


def quote_exec_arg(arg: str) -> str:
    """One argument of an ``Exec`` value, quoted and escaped as the specification asks."""
    arg = arg.replace("%", "%%")
    if any(c in _RESERVED for c in arg):
        for c in ("\\", '"', "`", "$"):
            arg = arg.replace(c, "\\" + c)
        arg = f'"{arg}"'
    return arg.replace("\\", "\\\\")  # the string escaping applied on top of the quoting


def _escape_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def render_desktop_entry(template: str, exec_path: Path | str) -> str:
    """The shipped entry with ``Exec`` and ``TryExec`` pointing at ``exec_path``."""
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = "Exec=" + quote_exec_arg(str(exec_path))
        elif line.startswith("TryExec="):
            line = "TryExec=" + _escape_string(str(exec_path))
        lines.append(line)
    return "\n".join(lines) + "\n"


def install(exec_path: Path | str | None = None, data_home: Path | None = None,
            refresh: bool = True) -> InstallResult:
    """Put the menu entry and the icons into the user's XDG data folder."""
    if exec_path is None:
        exec_path = find_gui_executable()
        if exec_path is None:
            raise DesktopEntryError(
                f"cannot find the {GUI_SCRIPT} program of this installation; install photoclip "
                f'with its GUI (pipx install "photoclip[gui]") or pass --exec PATH'
            )
    exec_path = Path(exec_path).expanduser().absolute()
    if not exec_path.is_file():
        raise DesktopEntryError(f"{exec_path} does not exist")
    home = data_home or xdg_data_home()
    source = package_desktop_dir()
    result = InstallResult(data_home=str(home), exec=str(exec_path))

    entry = home / "applications" / DESKTOP_FILE
    entry.parent.mkdir(parents=True, exist_ok=True)
    text = render_desktop_entry((source / DESKTOP_FILE).read_text(encoding="utf-8"), exec_path)
    tmp = entry.with_name(entry.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, entry)
    result.files.append(str(entry))

    for rel in icon_files():
        target = home / "icons" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / "icons" / rel, target)
        result.files.append(str(target))
    log.info("installed the menu entry %s (Exec %s) and %d icons", entry, exec_path,
             len(result.files) - 1)
    if refresh:
        refresh_caches(home)
    return result


def uninstall(data_home: Path | None = None, refresh: bool = True) -> InstallResult:
    """Remove what ``install`` put there (nothing else); missing files are fine."""
    home = data_home or xdg_data_home()
    result = InstallResult(data_home=str(home))
    targets = [home / "applications" / DESKTOP_FILE]
    targets += [home / "icons" / rel for rel in icon_files()]
    for target in targets:
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        result.files.append(str(target))
    log.info("removed %d menu entry and icon files from %s", len(result.files), home)
    if refresh and result.files:
        refresh_caches(home)
    return result


def installed_entry(data_home: Path | None = None) -> Path | None:
    """The installed menu entry, if there is one."""
    entry = (data_home or xdg_data_home()) / "applications" / DESKTOP_FILE
    return entry if entry.is_file() else None


def refresh_caches(data_home: Path) -> None:
    """Tell the desktop about the change, best effort: menus also notice on their own."""
    hicolor = data_home / "icons" / "hicolor"
    if hicolor.is_dir():
        os.utime(hicolor)  # icon caches compare the theme folder's modification time
    commands = [["update-desktop-database", "-q", str(data_home / "applications")]]
    if (hicolor / "icon-theme.cache").is_file():  # never start a cache: a stale one hides icons
        commands.append(["gtk-update-icon-cache", "-q", "-t", "-f", str(hicolor)])
    for cmd in commands:
        if shutil.which(cmd[0]) and Path(cmd[-1]).is_dir():
            with contextlib.suppress(OSError, subprocess.SubprocessError):
                subprocess.run(cmd, check=False, capture_output=True, timeout=30)
