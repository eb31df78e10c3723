"""Cold CLI commands as real processes: those that need no model never import torch (nor
chromadb, when the index snapshot is on disk, nor other modules their work does not need).

``python -X importtime`` lists every module a command imports; torch (seconds and hundreds of MB)
must not be among them for ``status``, ``tags`` and an ``index`` with nothing to do, with the
default settings (device and precision ``auto``, which need torch to resolve the first time).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from photoclip.config import Settings
from tests.conftest import copy_coco

REPO = Path(__file__).resolve().parents[2]


def _imports(stderr: str, module: str) -> bool:
    return re.search(rf"\|\s+{re.escape(module)}\s*$", stderr, re.MULTILINE) is not None


def test_commands_that_need_no_model_import_no_torch(
    photoclip_home, tiny_model_spec, datasets_dir: Path, tmp_path: Path
) -> None:
    photos = copy_coco(datasets_dir, tmp_path / "photos", 4)
    Settings(folders=[str(photos)], model=tiny_model_spec.key, batch_size=8).save(
        photoclip_home.settings_file)
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "photoclip", *args],
            env=env, capture_output=True, text=True, timeout=600,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return result

    first = run("index")
    assert _imports(first.stderr, "torch")  # the first run embeds: it needs the model
    for args in (["status"], ["tags"], ["index"]):
        result = run(*args)
        assert not _imports(result.stderr, "torch"), args
        assert not _imports(result.stderr, "open_clip"), args
        # the snapshot's count check reads the store's SQLite file; plugins that list their
        # hooks (chroma-clip: exporters) are not imported: no chromadb either
        assert not _imports(result.stderr, "chromadb"), args
        # nor what only other work needs: Pillow's plugins for formats photoclip does not read
        # (Image.init() loaded all ~40), watchdog (watch), tomlkit (saving settings)
        for module in ("PIL.PdfImagePlugin", "PIL.DdsImagePlugin", "watchdog", "tomlkit"):
            assert not _imports(result.stderr, module), (args, module)
    assert "4 unchanged" in result.stdout
    status = run("status").stdout
    assert "on cpu" in status  # the device is shown, remembered from the model's last load
