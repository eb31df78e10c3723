"""The freedesktop files: entry, metainfo, icons; one source shipped as package data."""

from __future__ import annotations

import configparser
import fnmatch
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from photoclip.desktop_entry import (
    APP_ID,
    DESKTOP_FILE,
    ICON_SIZES,
    METAINFO_FILE,
    icon_files,
    package_desktop_dir,
)
from tests.packaging.paths import PACKAGING, REPO

DESKTOP = package_desktop_dir()


def _entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string((DESKTOP / DESKTOP_FILE).read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def test_desktop_entry_fields() -> None:
    entry = _entry()
    assert entry["Type"] == "Application"
    assert entry["Name"] == "photoclip"
    assert entry["Icon"] == APP_ID
    assert entry["Exec"] == entry["TryExec"] == "photoclip-gui"
    assert entry["Terminal"] == "false"
    assert "Photography" in entry["Categories"].split(";")


def test_desktop_file_validate() -> None:
    tool = shutil.which("desktop-file-validate")
    if tool is None:
        pytest.skip("desktop-file-validate is not installed (apt-get install desktop-file-utils)")
    proc = subprocess.run([tool, str(DESKTOP / DESKTOP_FILE)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not proc.stdout.strip(), proc.stdout  # no warnings either


def test_metainfo_validates() -> None:
    tool = shutil.which("appstreamcli")
    if tool is None:
        pytest.skip("appstreamcli is not installed (apt-get install appstream)")
    proc = subprocess.run([tool, "validate", "--no-net", str(DESKTOP / METAINFO_FILE)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_metainfo_matches_entry_and_version(version: str) -> None:
    root = ET.parse(DESKTOP / METAINFO_FILE).getroot()
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == DESKTOP_FILE
    assert root.findtext("icon") == APP_ID
    releases = [r.get("version") for r in root.iter("release")]
    assert version in releases, f"add a <release version={version!r}> to {METAINFO_FILE}"


def test_icons_all_sizes() -> None:
    for rel in icon_files():
        path = DESKTOP / "icons" / rel
        assert path.is_file(), f"{path} missing: run packaging/render-icons.py"
    for size in ICON_SIZES:
        with Image.open(DESKTOP / "icons" / "hicolor" / f"{size}x{size}" / "apps" /
                        f"{APP_ID}.png") as im:
            assert im.format == "PNG" and im.size == (size, size) and im.mode == "RGBA"
            assert im.getpixel((0, 0))[3] == 0  # transparent corners (rounded tile)
            assert im.getpixel((size // 2, size // 2))[3] == 255


def test_svg_is_the_source() -> None:
    svg = DESKTOP / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 512 512"


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_packaging_linux_is_the_package_data() -> None:
    """packaging/linux links to (or copies) photoclip/data/desktop: the files must agree."""
    linux = PACKAGING / "linux"
    shipped = _files(DESKTOP)
    for name in (DESKTOP_FILE, METAINFO_FILE):
        assert (linux / name).read_bytes() == shipped[name], name
    icons = _files(linux / "icons")
    assert icons == {k[len("icons/"):]: v for k, v in shipped.items() if k.startswith("icons/")}


def test_package_data_globs_cover_every_file(pyproject: dict) -> None:
    """pip installs carry every file in photoclip/data/desktop."""
    patterns = pyproject["tool"]["setuptools"]["package-data"]["photoclip.data"]
    data = REPO / "photoclip" / "data"
    for path in DESKTOP.rglob("*"):
        if path.is_file():
            rel = path.relative_to(data).as_posix()
            assert any(fnmatch.fnmatch(rel, p) for p in patterns), f"{rel} not in package-data"
