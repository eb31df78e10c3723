"""Qt's xcb plugin needs system libraries: photoclip-gui names the missing packages itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from photoclip.gui.platform_check import (
    XCB_LIBRARIES,
    check_xcb,
    loadable,
    missing_xcb_libraries,
    needs_xcb_check,
    xcb_advice,
)

REPO = Path(__file__).resolve().parents[2]


def test_the_loader_tells_present_from_absent_libraries() -> None:
    table = {"libc.so.6": ("libc6", "glibc"), "libphotoclip-absent.so.9": ("nothing", "none")}
    assert loadable("libc.so.6")
    assert missing_xcb_libraries(table) == ["libphotoclip-absent.so.9"]


def test_the_advice_names_the_debian_and_fedora_packages() -> None:
    text = xcb_advice(["libxcb-cursor.so.0", "libxcb-icccm.so.4"])
    assert "libxcb-cursor.so.0" in text
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4" in text
    assert "sudo dnf install xcb-util-cursor xcb-util-wm" in text


def test_the_check_runs_only_where_qt_would_pick_xcb() -> None:
    assert needs_xcb_check({}, "linux")
    assert not needs_xcb_check({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not needs_xcb_check({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not needs_xcb_check({}, "darwin") and not needs_xcb_check({}, "win32")
    assert check_xcb({"QT_QPA_PLATFORM": "xcb"}, "linux", load=lambda s: False) is None
    absent = {"libxcb-cursor.so.0"}
    message = check_xcb({}, "linux", load=lambda s: s not in absent)
    assert message is not None and "libxcb-cursor0" in message and "libxcb1" not in message
    assert check_xcb({}, "linux", load=lambda s: True) is None


def test_every_library_the_xcb_plugin_needs_is_in_the_table() -> None:
    """The table follows the real plugin: each soname libqxcb.so needs outside the wheel."""
    import PySide6

    plugin = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists() or shutil.which("readelf") is None:
        pytest.skip("not a Linux wheel, or no readelf")
    needed = _needed(plugin) | _needed(plugin.parents[2] / "lib" / "libQt6XcbQpa.so.6")
    system = {n for n in needed if not n.startswith(("libQt6", "libc.", "libm.", "libstdc++",
                                                     "libgcc_s", "ld-linux", "libglib",
                                                     "libgthread"))}
    assert system <= set(XCB_LIBRARIES), system - set(XCB_LIBRARIES)


def _needed(lib: Path) -> set[str]:
    """The DT_NEEDED entries of an ELF file (binutils' readelf)."""
    out = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True).stdout
    return {line.split("[", 1)[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line}


def test_photoclip_gui_says_which_packages_are_missing(tmp_path: Path) -> None:
    """A real start without an X server's libraries: a clear message and exit 1, no abort."""
    missing = missing_xcb_libraries()
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(PHOTOCLIP_HOME=str(tmp_path), PYTHONPATH=str(REPO), DISPLAY=":1999")
    if not missing or not sys.platform.startswith("linux"):
        pytest.skip("every library is installed here: nothing to report")
    proc = subprocess.run([sys.executable, "-c", "import sys; from photoclip.gui.app import main;"
                           " sys.exit(main([]))"], env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert XCB_LIBRARIES[missing[0]][0] in proc.stderr
    assert "Could not load the Qt platform plugin" not in proc.stderr
