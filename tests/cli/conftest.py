"""Fixtures for command-line tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from photoclip.config import AppPaths, Settings


@pytest.fixture()
def cli_home(photoclip_home: AppPaths, tiny_model_spec) -> Path:
    """A PHOTOCLIP_HOME whose settings use the tiny test model on the CPU."""
    Settings(model=tiny_model_spec.key, device="cpu", precision="fp32").save(
        photoclip_home.settings_file
    )
    return photoclip_home.data.parent


@pytest.fixture()
def library_folder(tmp_path: Path, datasets_dir: Path) -> Path:
    root = tmp_path / "Pictures"
    (root / "2023").mkdir(parents=True)
    srcs = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:10]
    for i, src in enumerate(srcs):
        shutil.copy2(src, (root / "2023" if i % 2 else root) / src.name)
    return root
