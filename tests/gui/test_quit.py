"""Quitting while indexing: the process ends, and nothing indexed is lost (a real process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.gui.conftest import copy_photos

REPO = Path(__file__).resolve().parents[2]
N = 60
LABELS = 4000


def test_quitting_mid_indexing_ends_the_process_and_loses_nothing(
    tmp_path, datasets_dir, photoclip_home, write_settings, caplog
) -> None:
    """First-run tagging makes the label prototypes (text embeddings) inside the first batch;
    a big label set makes that batch long, so the quit comes while it is in flight."""
    photos = copy_photos(datasets_dir, tmp_path / "photos", n=N)
    labels = photoclip_home.config / "labels"
    labels.mkdir(parents=True, exist_ok=True)
    (labels / "many.toml").write_text(
        'name = "many"\ndescription = "many labels"\nexclusive = false\n'
        'templates = ["a photo of {}.", "a picture of {}.", "a snapshot of {}."]\n'
        + "".join(f'[[labels]]\nname = "thing {i}"\n' for i in range(LABELS))
    )
    write_settings([photos], label_sets=["many"])  # batches of 4
    env = dict(os.environ, PHOTOCLIP_HOME=str(os.environ["PHOTOCLIP_HOME"]),
               PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen", QUIT_AFTER_DONE="0",
               QUIT_DELAY_MS="4000")
    proc = subprocess.run(  # the bound is generous: it only catches a process that hangs
        [sys.executable, str(REPO / "tests" / "gui" / "quit_during_indexing.py")],
        env=env, capture_output=True, text=True, timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "quit" in proc.stdout and "exited" in proc.stdout, proc.stdout
    log = (photoclip_home.logs_dir / "gui.log").read_text()
    for bad in ("Indexing failed", "ProgrammingError", "Traceback", "closed database"):
        assert bad not in log, log[-3000:]

    from photoclip.core.library import Library

    caplog.set_level("INFO")
    with Library(photoclip_home) as lib:  # the next start
        catalog = set(lib._catalog.indexed_ids(lib.model_spec.key))
        assert set(lib.store.ids()) == catalog  # no vector the catalog does not know
        assert lib._catalog.counts(lib.model_spec.key).photos == N  # the rest waits, pending
        assert len(lib.index) == len(catalog)
    assert "the catalog does not know" not in caplog.text
