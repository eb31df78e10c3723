#!/usr/bin/env bash
# Screenshots of the desktop app under a virtual X server (apt-get install -y xvfb).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
exec xvfb-run -a -s "-screen 0 1400x900x24" "$PY" scripts/gui_screenshots.py "$@"
