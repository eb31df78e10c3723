#!/usr/bin/env bash
# Build the one-folder app with PyInstaller: dist/photoclip/{photoclip-gui,photoclip}
# (dist/photoclip.app on macOS). Heavy (minutes, about 1 GB): not part of CI (.ci/run).
#
#   packaging/pyinstaller/build.sh            # uses .venv/bin/python (or $PYTHON)
#   packaging/pyinstaller/smoke-test.sh       # then prove the build works
#
# The environment must have photoclip installed with its GUI and the multilingual model's packages
# (pip install -c constraints.txt -e ".[gui,multilingual]"), so that no installer user is ever told
# to run pip; PyInstaller is installed into it if missing. CLEAN=1 rebuilds from scratch;
# MULTILINGUAL=0 builds without them (the app then shows that model greyed out).
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=$(command -v python3)
if ! "$PY" -m PyInstaller --version >/dev/null 2>&1; then
    "$PY" -m pip install -q "pyinstaller>=6.10" 2>&1 | grep -v "^WARNING: Location" || true
fi
"$PY" -c "import PySide6, photoclip.gui.app" || {
    echo "error: install photoclip with its GUI first: $PY -m pip install -e '.[gui,multilingual]'" >&2
    exit 2
}
if [ "${MULTILINGUAL:-1}" = 1 ] && ! "$PY" -c "import transformers, sentencepiece" 2>/dev/null; then
    echo "error: the multilingual model's packages are missing:" \
        "$PY -m pip install -c constraints.txt -e '.[gui,multilingual]' (or MULTILINGUAL=0)" >&2
    exit 2
fi
clean=()
[ "${CLEAN:-0}" = 1 ] && clean=(--clean)
start=$(date +%s)
# niced: a build takes every core for minutes; the desktop (and other work) stays responsive
nice -n "${NICE:-10}" "$PY" -m PyInstaller --noconfirm "${clean[@]}" --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/pyinstaller/photoclip.spec
echo "built dist/photoclip in $(( $(date +%s) - start )) s:" \
    "$(du -sh dist/photoclip | cut -f1), $(find dist/photoclip -type f | wc -l) files"
