#!/usr/bin/env python3
"""Render photoclip's icon set from its one hand-written SVG.

    python packaging/render-icons.py

Writes, from ``photoclip/data/desktop/icons/hicolor/scalable/apps/<APP_ID>.svg``:

- ``photoclip/data/desktop/icons/hicolor/<N>x<N>/apps/<APP_ID>.png`` for N in 16..512
  (the freedesktop icon theme layout, installed as is by ``photoclip desktop install``),
- ``packaging/windows/photoclip.ico`` (16..256) for the installer and the PyInstaller exe,
- ``packaging/macos/photoclip.icns`` (16..1024) for the .app bundle.

The SVG is rendered by ``rsvg-convert`` (librsvg2-bin) when it is installed, else by Qt's
QSvgRenderer (PySide6, offscreen); the .ico and .icns are written by Pillow. The outputs are
committed, so nobody needs these tools to build or install photoclip; run this again after
editing the SVG (tests/packaging checks that the sizes are all there and the files agree).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from photoclip.desktop_entry import APP_ID, ICON_SIZES, package_desktop_dir  # noqa: E402

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG rendered to a size x size RGBA PNG."""
    rsvg = shutil.which("rsvg-convert")
    if rsvg:
        return subprocess.run(
            [rsvg, "-w", str(size), "-h", str(size), "-f", "png", str(svg)],
            check=True, capture_output=True,
        ).stdout
    return _render_png_qt(svg, size)


def _render_png_qt(svg: Path, size: int) -> bytes:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(data.data())


def _optimise(png: bytes) -> bytes:
    """Re-encode through Pillow: smallest deflate, no timestamps (reproducible bytes)."""
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGBA").save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> int:
    desktop = package_desktop_dir()
    hicolor = desktop / "icons" / "hicolor"
    svg = hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    rendered: dict[int, Image.Image] = {}
    for size in sorted(set(ICON_SIZES) | set(ICO_SIZES) | set(ICNS_SIZES)):
        png = _optimise(render_png(svg, size))
        rendered[size] = Image.open(io.BytesIO(png))
        if size in ICON_SIZES:
            out = hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(png)
            print(f"wrote {out.relative_to(ROOT)}")

    ico = ROOT / "packaging" / "windows" / "photoclip.ico"
    ico.parent.mkdir(parents=True, exist_ok=True)
    big = rendered[max(ICO_SIZES)]
    big.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
             append_images=[rendered[s] for s in ICO_SIZES if s != max(ICO_SIZES)])
    print(f"wrote {ico.relative_to(ROOT)}")

    icns = ROOT / "packaging" / "macos" / "photoclip.icns"
    icns.parent.mkdir(parents=True, exist_ok=True)
    rendered[1024].save(icns, format="ICNS",
                        append_images=[rendered[s] for s in ICNS_SIZES if s != 1024])
    print(f"wrote {icns.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
