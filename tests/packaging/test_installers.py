"""The Windows installer script and the macOS bundle files, checked where their tools cannot run."""

from __future__ import annotations

import plistlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from photoclip.desktop_entry import APP_ID
from tests.packaging.paths import PACKAGING, REPO

ISS = PACKAGING / "windows" / "photoclip.iss"


def _iss() -> tuple[dict[str, str], dict[str, list[str]]]:
    """The script's #defines and its [Section] lines (comments dropped)."""
    defines: dict[str, str] = {}
    sections: dict[str, list[str]] = {}
    current = ""
    for raw in ISS.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if m := re.match(r'#\s*define\s+(\w+)\s+"(.*)"', line):
            defines.setdefault(m[1], m[2])
        elif m := re.match(r"\[(\w+)\]$", line):
            current = m[1]
            sections.setdefault(current, [])
        elif current:
            sections[current].append(line)
    return defines, sections


def _expand(value: str, defines: dict[str, str]) -> str:
    return re.sub(r"\{#(\w+)\}", lambda m: defines[m[1]], value)


def _entries(lines: list[str]) -> list[dict[str, str]]:
    out = []
    for line in lines:
        fields = re.findall(r'(\w+):\s*("[^"]*"|[^;]+)', line)
        out.append({k: v.strip().strip('"') for k, v in fields})
    return out


def test_iss_version_matches_pyproject(version: str) -> None:
    defines, _ = _iss()
    assert defines["AppVersion"] == version


def test_iss_files_exist_or_are_the_build() -> None:
    defines, sections = _iss()
    setup = dict(line.split("=", 1) for line in sections["Setup"])
    assert (ISS.parent / setup["SetupIconFile"]).is_file()
    assert re.fullmatch(r"\{\{[0-9A-F-]{36}\}", setup["AppId"])
    dist = (ISS.parent / _expand(defines["DistDir"], defines).replace("\\", "/")).resolve()
    assert dist == REPO / "dist" / "photoclip"  # where build.sh puts the one-folder build
    sources = [_expand(e["Source"], defines).replace("\\", "/") for e in _entries(
        sections["Files"])]
    # what the PyInstaller build makes: both executables and the _internal folder
    expected = {"photoclip-gui.exe", "photoclip.exe", "_internal/*"}
    built = {str((ISS.parent / s).resolve().relative_to(dist)) for s in sources}
    assert built == expected
    icons = _entries(sections["Icons"])
    assert any(e["Name"].startswith("{autoprograms}") for e in icons)  # the Start menu
    assert all(_expand(e["Filename"], defines) == "{app}\\photoclip-gui.exe" for e in icons)
    assert setup.get("Uninstallable", "yes") == "yes"


def test_iss_compiles_where_inno_setup_exists(tmp_path: Path) -> None:
    iscc = shutil.which("iscc") or shutil.which("ISCC.exe")
    if iscc is None:
        pytest.skip("Inno Setup (iscc) is not installed (it runs on Windows)")
    if not (REPO / "dist" / "photoclip" / "photoclip-gui.exe").is_file():
        pytest.skip("no Windows PyInstaller build in dist/photoclip")
    proc = subprocess.run([iscc, f"/O{tmp_path}", str(ISS)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_info_plist(version: str) -> None:
    with open(PACKAGING / "macos" / "Info.plist", "rb") as f:
        info = plistlib.load(f)
    assert info["CFBundleShortVersionString"] == info["CFBundleVersion"] == version
    assert info["CFBundleIdentifier"] == APP_ID
    assert info["CFBundleIconFile"] == "photoclip.icns"
    assert info["CFBundlePackageType"] == "APPL"


def test_icns_and_ico() -> None:
    with Image.open(PACKAGING / "macos" / "photoclip.icns") as icns:
        assert icns.format == "ICNS"
        assert {(512, 512, 2), (256, 256, 1), (16, 16, 2)} <= set(icns.info["sizes"])
        icns.size = (512, 512)
        icns.load()
        assert icns.getpixel((256, 256))[3] == 255
    with Image.open(PACKAGING / "windows" / "photoclip.ico") as ico:
        assert ico.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
