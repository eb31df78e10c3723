"""`photoclip index` and `photoclip status` with the int8 ONNX image tower, as a user runs them
(real processes, tiny model, real photos): status says what image batches run in, and a later
index run of one new photo, the fixed start-up of a run, imports neither torch nor open_clip."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from photoclip.config import AppPaths, Settings
from photoclip.core.onnx_image import CALIBRATION_MIN
from tests.cli.helpers import as_json, photoclip
from tests.conftest import TINY_KEY, copy_coco

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


def imported(stderr: str) -> set[str]:
    """The modules a process imported, from its ``-X importtime`` report."""
    return {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines()
            if line.startswith("import time:")}


def test_status_shows_the_onnx_tower_and_a_new_photo_needs_no_torch(
    cli_home: Path, photoclip_home: AppPaths, tmp_path: Path, datasets_dir: Path
) -> None:
    folder = copy_coco(datasets_dir, tmp_path / "photos", CALIBRATION_MIN + 1)
    held = tmp_path / "held.jpg"
    shutil.move(sorted(folder.glob("*.jpg"))[-1], held)
    Settings(folders=[str(folder)], model=TINY_KEY, device="cpu",
             precision="onnx-int8").save(photoclip_home.settings_file)
    photoclip(cli_home, "index", "-q")  # the first batch exports, checks and keeps the tower
    status = as_json(photoclip(cli_home, "status", "--json"))
    assert (status["device"], status["precision"]) == ("cpu", "onnx-int8")
    assert "on cpu, onnx-int8" in photoclip(cli_home, "status").stdout

    shutil.copy2(held, folder / "new.jpg")
    run = photoclip(cli_home, "index", "--json", PYTHONPROFILEIMPORTTIME="1")
    report = as_json(run)
    assert (report["new"], report["embedded"], report["failed"]) == (1, 1, 0)
    modules = imported(run.stderr)
    assert "photoclip.core.onnx_image" in modules  # the report is real ...
    assert not {"torch", "open_clip"} & modules  # ... and the model came without torch
