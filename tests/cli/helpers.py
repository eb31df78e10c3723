"""Running the `photoclip` command as a user does: a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any


def photoclip(
    home: Path, *args: str, check: bool = True, timeout: float = 600, **env: str
) -> subprocess.CompletedProcess:
    """``photoclip ARGS`` with PHOTOCLIP_HOME=home; ``check``: fail the test unless it exits 0."""
    full_env = {**os.environ, "PHOTOCLIP_HOME": str(home), **env}
    proc = subprocess.run(
        [sys.executable, "-m", "photoclip", *args],
        capture_output=True, text=True, env=full_env, timeout=timeout,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"photoclip {args} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def as_json(proc: subprocess.CompletedProcess) -> Any:
    return json.loads(proc.stdout)
