"""Fixtures for whole-library tests."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from photoclip.config import AppPaths, Settings
from photoclip.core.library import Library


@pytest.fixture()
def make_library(
    photoclip_home: AppPaths, tiny_model_spec
) -> Iterator[Callable[[list[Path]], Library]]:
    """``make_library(folders)``: a Library on the tiny model (CPU, fp32) with those folders.

    Calling it again reopens the same home (the previous instance must be closed first).
    """
    opened: list[Library] = []

    def make(folders: list[Path]) -> Library:
        settings_file = photoclip_home.settings_file
        if not settings_file.exists():
            Settings(
                folders=[str(Path(f).resolve()) for f in folders],
                model=tiny_model_spec.key, device="cpu", precision="fp32", batch_size=8,
            ).save(settings_file)
        lib = Library(photoclip_home)
        opened.append(lib)
        return lib

    yield make
    for lib in opened:
        with contextlib.suppress(Exception):  # already closed by the test
            lib.close()
