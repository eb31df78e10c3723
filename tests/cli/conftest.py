"""Fixtures for command-line tests."""

from __future__ import annotations

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
