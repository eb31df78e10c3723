"""Fixtures for the packaging tests: pyproject's metadata, a clean root logger."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from tests.packaging.paths import REPO


@pytest.fixture(scope="session")
def pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def version(pyproject: dict) -> str:
    return pyproject["project"]["version"]


@pytest.fixture()
def restore_logging() -> Iterator[None]:
    """Put the root logger back as it was (the CLI's main() configures it)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
