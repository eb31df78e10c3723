"""Fixtures for command-line tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from photoclip.config import AppPaths, Settings
from tests.cli.library_copies import (
    INDEXED,
    LibraryCopy,
    LibraryTemplate,
    fill_library_folder,
)


@pytest.fixture()
def cli_home(photoclip_home: AppPaths, tiny_model_spec) -> Path:
    """A PHOTOCLIP_HOME whose settings use the tiny test model on the CPU."""
    Settings(model=tiny_model_spec.key, device="cpu", precision="fp32").save(
        photoclip_home.settings_file
    )
    return photoclip_home.data.parent


@pytest.fixture()
def library_folder(tmp_path: Path, datasets_dir: Path) -> Path:
    """Ten coco-mini photos, every second one in ``2023/``."""
    return fill_library_folder(tmp_path / "Pictures", datasets_dir)


@pytest.fixture(scope="session")
def indexed_template(tmp_path_factory, install_tiny_model, datasets_dir: Path) -> LibraryTemplate:
    """Ten photos (as ``library_folder``) added and indexed with automatic tags off, by real
    commands, once per worker; copy it with ``indexed_copy``."""
    return LibraryTemplate(tmp_path_factory.mktemp("indexed-template"), install_tiny_model,
                           datasets_dir, INDEXED)


@pytest.fixture()
def indexed_copy(photoclip_home: AppPaths, indexed_template: LibraryTemplate) -> LibraryCopy:
    """A copy of ``indexed_template`` as this test's PHOTOCLIP_HOME (its photos put back)."""
    return indexed_template.copy(photoclip_home.data.parent)
