"""Fixtures for the first-party plugins: importable from the source tree (no pip install)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_coco
from tests.core.conftest import make_library  # noqa: F401  (whole-library fixture)

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"
for _folder in ("duplicates", "export", "template", "chroma-clip", "faces", "ocr"):
    if str(PLUGINS / _folder) not in sys.path:
        sys.path.append(str(PLUGINS / _folder))


@pytest.fixture()
def near_duplicates(tmp_path: Path, datasets_dir: Path) -> Path:
    """A copy of the near-duplicates set (the corrupt file and the SVG stub included)."""
    target = tmp_path / "near-duplicates"
    shutil.copytree(datasets_dir / "near-duplicates", target,
                    ignore=shutil.ignore_patterns("*.pkl", "MANIFEST.txt"))
    return target


@pytest.fixture()
def coco_folder(tmp_path: Path, datasets_dir: Path) -> Path:
    """Eight COCO photos in a folder."""
    return copy_coco(datasets_dir, tmp_path / "coco", 8)


@pytest.fixture()
def cli_env(photoclip_home, tiny_model_spec) -> dict:
    """Environment for `python -m photoclip` on a home using the tiny model on the CPU."""
    import os

    from photoclip.config import Settings

    Settings(model=tiny_model_spec.key, device="cpu", precision="fp32").save(
        photoclip_home.settings_file
    )
    return {**os.environ, "PHOTOCLIP_HOME": str(photoclip_home.data.parent)}
