"""What an index run costs besides decoding and the model (issue 19): the start-up parts done on
threads while it decodes, no gazetteer without a position, and a JPEG's XMP looked for in its
metadata segments only. Real files, the tiny model with its real ONNX export."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path

import pytest

from photoclip.config import AppPaths, Settings
from photoclip.core import places, xmp_marks
from photoclip.core.keywords import read_keywords
from photoclip.core.library import Library
from photoclip.core.models import ModelSpec
from photoclip.core.onnx_image import CALIBRATION_MIN
from photoclip.core.run_warmup import RunWarmup
from tests.conftest import copy_coco
from tests.core.test_keywords import DARKTABLE_SIDECAR


def test_no_position_loads_no_gazetteer():
    places._gazetteer.cache_clear()
    assert places.name_places([(float("nan"), float("nan")), (123.0, 0.0)]) == [None, None]
    assert places._gazetteer.cache_info().currsize == 0  # 60k towns not read for nothing
    assert places.name_places([(48.8584, 2.2945)])[0].city == "Paris"


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def test_jpeg_xmp_is_looked_for_in_its_metadata_segments_only(
    tmp_path: Path, datasets_dir: Path
) -> None:
    jpeg = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[0].read_bytes()
    packet = DARKTABLE_SIDECAR.split("\n", 1)[1].encode()
    odd = tmp_path / "odd-segment.jpg"  # not Adobe's APP1: Pillow skips it, the scan does not
    odd.write_bytes(jpeg[:2] + _segment(0xEB, packet) + jpeg[2:])
    assert read_keywords(odd) == ["old", "gone"]
    assert xmp_marks.read_marks(odd).rating == 3
    tail = tmp_path / "after-the-image.jpg"  # bytes after the image data are not metadata
    tail.write_bytes(jpeg + packet)
    assert read_keywords(tail) == []
    assert xmp_marks.read_marks(tail).rating is None


def test_a_failing_part_is_logged_and_the_others_run(caplog):
    warm, ran = RunWarmup(), []
    with caplog.at_level(logging.DEBUG, logger="photoclip.core.run_warmup"):
        warm.start("broken", lambda: 1 / 0)
        warm.start("fine", lambda: ran.append(threading.current_thread().name))
        warm.join()
    assert ran == ["photoclip-warm-fine"]
    assert "Warming up broken failed" in caplog.text


def test_an_index_run_opens_the_cached_tower_while_it_decodes(
    photoclip_home: AppPaths, tiny_model_spec: ModelSpec, datasets_dir: Path, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    folder = copy_coco(datasets_dir, tmp_path / "photos", CALIBRATION_MIN + 1)
    held = tmp_path / "held.jpg"
    shutil.move(sorted(folder.glob("*.jpg"))[-1], held)
    Settings(folders=[str(folder)], model=tiny_model_spec.key, device="cpu",
             precision="onnx-int8").save(photoclip_home.settings_file)
    with Library(photoclip_home) as lib:
        assert lib.index_folders().embedded == CALIBRATION_MIN  # exports and keeps the tower
    shutil.copy2(held, folder / "new.jpg")
    with Library(photoclip_home) as lib, caplog.at_level(logging.INFO):
        assert lib.index_folders().embedded == 1
        assert lib.runtime() == ("cpu", "onnx-int8")
    opened = [r for r in caplog.records if "the cached ONNX file" in r.getMessage()]
    assert [r.threadName for r in opened] == ["photoclip-warm-model"]
