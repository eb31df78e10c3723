"""`photoclip desktop install|uninstall` into a temporary XDG_DATA_HOME."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from photoclip import desktop_entry
from photoclip.cli.main import main
from photoclip.config import AppPaths
from photoclip.desktop_entry import APP_ID, DESKTOP_FILE, icon_files, package_desktop_dir

pytestmark = pytest.mark.usefixtures("restore_logging")


@pytest.fixture()
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@pytest.fixture()
def gui_exe(tmp_path: Path) -> Path:
    """A stand-in for the installed photoclip-gui script, in a folder with a space and a $."""
    exe = tmp_path / "my venv$" / "bin" / "photoclip-gui"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    return exe


def _exec_line(entry: Path) -> str:
    return next(x for x in entry.read_text().splitlines() if x.startswith("Exec="))


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("/usr/bin/photoclip-gui", "/usr/bin/photoclip-gui"),
        ("/home/a b/bin/photoclip-gui", '"/home/a b/bin/photoclip-gui"'),
        ('/x/"q"$`/gui', '"/x/\\\\"q\\\\"\\\\$\\\\`/gui"'),
        ("/x/back\\slash", '"/x/back\\\\\\\\slash"'),
        ("/x/100%/gui", "/x/100%%/gui"),
    ],
)
def test_quote_exec_arg(arg: str, quoted: str) -> None:
    assert desktop_entry.quote_exec_arg(arg) == quoted


def test_install_and_uninstall(data_home: Path, gui_exe: Path) -> None:
    (data_home / "applications").mkdir(parents=True)
    other = data_home / "applications" / "someone-else.desktop"
    other.write_text("[Desktop Entry]\n")

    result = desktop_entry.install(gui_exe)
    entry = data_home / "applications" / DESKTOP_FILE
    assert result.exec == str(gui_exe) and str(entry) in result.files
    assert _exec_line(entry) == f'Exec="{gui_exe}"'.replace("$", "\\\\$")
    assert f"TryExec={gui_exe}\n" in entry.read_text()
    for rel in icon_files():
        installed = data_home / "icons" / rel
        assert installed.read_bytes() == (package_desktop_dir() / "icons" / rel).read_bytes()
    assert len(result.files) == 1 + len(icon_files())

    validate = shutil.which("desktop-file-validate")
    if validate:
        proc = subprocess.run([validate, str(entry)], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr

    desktop_entry.install(gui_exe)  # again: overwrites, no error
    removed = desktop_entry.uninstall()
    assert sorted(removed.files) == sorted(result.files)
    assert not entry.exists() and other.exists()
    assert not list((data_home / "icons").rglob(f"{APP_ID}.*"))
    assert desktop_entry.uninstall().files == []


def test_cli_runs_without_a_library(
    data_home: Path, gui_exe: Path, photoclip_home: AppPaths, capsys: pytest.CaptureFixture
) -> None:
    assert main(["desktop", "install", "--exec", str(gui_exe), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["exec"] == str(gui_exe) and len(out["files"]) == 1 + len(icon_files())
    assert not photoclip_home.library_dir.exists()  # the library was never opened

    assert main(["desktop", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["installed"] and status["desktop_file"].endswith(DESKTOP_FILE)

    assert main(["desktop", "uninstall"]) == 0
    assert "removed" in capsys.readouterr().out
    assert desktop_entry.installed_entry() is None


def test_cli_without_a_gui_program(
    data_home: Path, photoclip_home: AppPaths, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    monkeypatch.setattr(desktop_entry, "find_gui_executable", lambda: None)
    assert main(["desktop", "install"]) == 2
    err = capsys.readouterr().err
    assert "--exec" in err and "Traceback" not in err
    assert not data_home.exists()


def test_finds_the_gui_script_of_this_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scripts = tmp_path / "venv" / "bin"
    scripts.mkdir(parents=True)
    exe = scripts / ("photoclip-gui.exe" if sys.platform == "win32" else "photoclip-gui")
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setattr(desktop_entry.sysconfig, "get_path", lambda name: str(scripts))
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "nowhere" / "photoclip")])
    assert desktop_entry.find_gui_executable() == exe


def test_xdg_data_home_rules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert desktop_entry.xdg_data_home() == tmp_path
    monkeypatch.setenv("XDG_DATA_HOME", "relative/path")  # ignored, as the spec says
    assert desktop_entry.xdg_data_home() == Path.home() / ".local" / "share"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert desktop_entry.xdg_data_home() == Path.home() / ".local" / "share"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the XDG menu is Linux's")
def test_installed_script_end_to_end(data_home: Path, photoclip_home: AppPaths) -> None:
    """The real `photoclip` script finds this environment's photoclip-gui by itself."""
    photoclip = Path(sys.executable).parent / "photoclip"
    if desktop_entry.find_gui_executable() is None or not photoclip.is_file():
        pytest.skip("photoclip / photoclip-gui scripts are not installed in this environment")
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    proc = subprocess.run([str(photoclip), "desktop", "install"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    gui = Path(sys.executable).parent / "photoclip-gui"
    assert _exec_line(data_home / "applications" / DESKTOP_FILE) == "Exec=" + \
        desktop_entry.quote_exec_arg(str(gui.absolute()))
