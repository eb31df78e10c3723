"""Before Qt starts on Linux: are the system libraries of Qt's X11 (xcb) plugin installed?

Without them Qt aborts with "Could not load the Qt platform plugin xcb" and names no package.
:func:`missing_xcb_libraries` tries to load each library the way Qt's plugin would (``dlopen``)
and :func:`xcb_advice` names the Debian/Ubuntu and Fedora packages to install. Qt-free: it runs
before ``QApplication`` exists.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping, Sequence

# soname -> (Debian/Ubuntu package, Fedora package): what Qt 6's libqxcb.so and
# libQt6XcbQpa.so need beyond the Qt libraries the wheel ships (readelf -d, PySide6 6.11)
XCB_LIBRARIES: dict[str, tuple[str, str]] = {
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}


def loadable(soname: str) -> bool:
    """Whether the dynamic loader finds and loads ``soname`` (as Qt's plugin would)."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_libraries(
    libraries: Mapping[str, tuple[str, str]] = XCB_LIBRARIES,
    load: Callable[[str], bool] = loadable,
) -> list[str]:
    """The sonames of ``libraries`` that cannot be loaded, in table order."""
    return [name for name in libraries if not load(name)]


def xcb_advice(missing: Sequence[str],
               libraries: Mapping[str, tuple[str, str]] = XCB_LIBRARIES) -> str:
    """What to tell the user about ``missing`` libraries: the packages that provide them."""
    debian = sorted({libraries[m][0] for m in missing})
    fedora = sorted({libraries[m][1] for m in missing})
    return (
        "photoclip cannot open its window: Qt's X11 (xcb) platform plugin needs system "
        f"libraries that are not installed: {', '.join(missing)}.\n"
        f"  Debian/Ubuntu:  sudo apt install {' '.join(debian)}\n"
        f"  Fedora:         sudo dnf install {' '.join(fedora)}\n"
        "Then start photoclip-gui again."
    )


def needs_xcb_check(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """Only on Linux, when Qt would pick the xcb plugin itself: no QT_QPA_PLATFORM override
    and not a Wayland session (where Qt uses its Wayland plugin)."""
    env = os.environ if environ is None else environ
    if not (platform or sys.platform).startswith("linux"):
        return False
    if env.get("QT_QPA_PLATFORM"):
        return False
    return not env.get("WAYLAND_DISPLAY")


def check_xcb(environ: Mapping[str, str] | None = None, platform: str | None = None,
              load: Callable[[str], bool] = loadable) -> str | None:
    """The message to print before starting Qt, or None when nothing is missing."""
    if not needs_xcb_check(environ, platform):
        return None
    missing = missing_xcb_libraries(load=load)
    return xcb_advice(missing) if missing else None
