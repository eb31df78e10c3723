"""The first-party plugins install with pip (for pip/pipx users, who have no checkout and so
no plugins/ folder) and are then found through the ``photoclip.plugins`` entry point."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

import pytest

from photoclip.config import AppPaths

REPO = Path(__file__).resolve().parents[2]
INSTALLABLE = ["duplicates", "export", "chroma-clip", "faces", "ocr"]


@pytest.mark.parametrize("folder", INSTALLABLE)
def test_the_packaged_manifest_is_the_folders(folder: str) -> None:
    root = REPO / "plugins" / folder
    manifest = tomllib.loads((root / "plugin.toml").read_text())
    package = manifest["module"].split(".")[0]
    assert (root / package / "plugin.toml").read_text() == (root / "plugin.toml").read_text()
    project = tomllib.loads((root / "pyproject.toml").read_text())
    assert manifest["name"] in project["project"]["entry-points"]["photoclip.plugins"]


def test_pip_installed_plugins_are_found_by_entry_point(
    tmp_path: Path, photoclip_home: AppPaths
) -> None:
    site = tmp_path / "site"
    for name in ("duplicates", "export"):  # copies: a build in place leaves build/, *.egg-info
        shutil.copytree(REPO / "plugins" / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(site), "./duplicates", "./export"],
        cwd=tmp_path, check=True, capture_output=True,
    )
    assert not list((REPO / "plugins").glob("*/*.egg-info"))
    probe = (
        "import json\n"
        "from photoclip.core.plugin_host import PluginHost\n"
        "host = PluginHost(first_party=False).load()\n"  # as without a checkout
        "print(json.dumps({'infos': [[i.name, i.source, i.enabled, i.error] for i in host.infos()],"
        " 'actions': sorted(host.actions())}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                         text=True, check=True).stdout
    found = json.loads(out.strip().splitlines()[-1])
    infos = {name: (source, enabled, error) for name, source, enabled, error in found["infos"]}
    assert infos["duplicates"] == ("entry-point", True, None)
    assert infos["export"] == ("entry-point", True, None)
    assert {"duplicates", "export"} <= set(found["actions"])
