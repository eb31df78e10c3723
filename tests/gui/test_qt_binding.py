"""The Qt binding itself: a PySide6 build that leaks references to None kills the app."""

from __future__ import annotations

import sys

import pytest


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_void_calls_keep_the_reference_count_of_none(qapp) -> None:
    from PySide6.QtWidgets import QLabel

    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(200):
        label.setText("x")
    # PySide6 6.12.0 loses one reference per call: Python 3.11 aborts once it reaches zero
    assert sys.getrefcount(None) >= before - 20
