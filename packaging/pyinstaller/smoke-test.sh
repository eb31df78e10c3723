#!/usr/bin/env bash
# Prove a PyInstaller build works: start the GUI offscreen, index a small folder and search it
# with the bundle's own CLI, using the tests' tiny random-weight model as a user model.
#
#   packaging/pyinstaller/smoke-test.sh [DIST_DIR]     # default dist/photoclip
#
# Prints the figures docs/packaging.md records (size, start times, index and search times).
# Nothing outside a temporary PHOTOCLIP_HOME is touched. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIST=$(realpath "${1:-dist/photoclip}")
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=$(command -v python3)
CLI="$DIST/photoclip"
GUI="$DIST/photoclip-gui"
[ -x "$CLI" ] && [ -x "$GUI" ] || { echo "error: no build in $DIST (run build.sh)" >&2; exit 2; }

WORK=$(mktemp -d)
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"' EXIT
export PHOTOCLIP_HOME="$WORK/home" QT_QPA_PLATFORM=offscreen
export HF_HUB_OFFLINE=1  # everything is local: a network call is a bug
now() { date +%s.%N; }
secs() { "$PY" -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$@"; }
fail() { echo "SMOKE TEST FAILED: $*" >&2; exit 1; }

echo "== bundle: $DIST"
size=$(du -sh "$DIST" | cut -f1)
files=$(find "$DIST" -type f | wc -l)
echo "size: $size in $files files"

echo "== tiny model and photos"
"$PY" packaging/pyinstaller/tiny_model.py "$PHOTOCLIP_HOME/config/models"
PHOTOS="$WORK/photos"
mkdir -p "$PHOTOS"
DATASETS=${PHOTOCLIP_DATASETS:-../shared/datasets}
if [ -d "$DATASETS/near-duplicates/base_images" ]; then
    cp "$DATASETS"/near-duplicates/base_images/* "$PHOTOS"/
    cp "$DATASETS"/edge-cases/heif/*.heic "$PHOTOS"/ 2>/dev/null || true
    first=$(find "$PHOTOS" -maxdepth 1 -name '*.jpg' | sort | head -1)
else  # no shared photos: make some
    "$PY" - "$PHOTOS" <<'PYEOF'
import random, sys
from PIL import Image, ImageDraw
random.seed(0)
for i in range(10):
    im = Image.new("RGB", (320, 240), tuple(random.randrange(256) for _ in range(3)))
    d = ImageDraw.Draw(im)
    for _ in range(12):
        x, y = random.randrange(320), random.randrange(240)
        d.ellipse((x, y, x + 60, y + 40), fill=tuple(random.randrange(256) for _ in range(3)))
    im.save(f"{sys.argv[1]}/photo{i:02d}.jpg", quality=90)
PYEOF
    first="$PHOTOS/photo00.jpg"
fi
cp "$first" "$PHOTOS/exact-copy.jpg"
echo "$(find "$PHOTOS" -type f | wc -l) photos in $PHOTOS"

echo "== CLI"
t0=$(now); "$CLI" --version; t1=$(now)
cli_start=$(secs "$t0" "$t1")
"$CLI" models use tiny-test
"$CLI" folders add "$PHOTOS"
t0=$(now); "$CLI" index; t1=$(now)
index_s=$(secs "$t0" "$t1")
"$CLI" status
t0=$(now); "$CLI" --json search "a photo of a dog" --limit 3 > "$WORK/search.json"; t1=$(now)
search_s=$(secs "$t0" "$t1")
cat "$WORK/search.json"
"$CLI" --json similar "$PHOTOS/exact-copy.jpg" --limit 2 > "$WORK/similar.json"
"$PY" - "$WORK" "$first" <<'PYEOF'
import json, sys
from pathlib import Path
work, first = Path(sys.argv[1]), Path(sys.argv[2]).name

def hits(name):
    data = json.loads((work / name).read_text())
    return data["results"]

search = hits("search.json")
assert len(search) == 3, search
similar = hits("similar.json")
names = {Path(h["path"]).name for h in similar}
# an exact copy of a photo must find that photo (or itself) at score ~1
assert names & {first, "exact-copy.jpg"} and similar[0]["score"] > 0.999, similar
print("search and similar: ok")
PYEOF
"$GUI" --cli status --json > /dev/null || fail "photoclip-gui --cli"
"$CLI" plugins list
"$CLI" plugins list | grep -E "^duplicates +on +first-party" > /dev/null \
    || fail "the first-party plugins are not in the bundle"
"$CLI" duplicates --method exact > "$WORK/duplicates.txt" || fail "photoclip duplicates"
cat "$WORK/duplicates.txt"
grep -q "exact-copy.jpg" "$WORK/duplicates.txt" || fail "duplicates did not group the exact copy"

echo "== the fast CPU image tower (onnx-int8) and Chinese-CLIP, in a second library"
# onnxruntime + onnx and transformers' Chinese-CLIP are imported by name at run time: a bundle
# that lacks them falls back to torch (ONNX) or fails at the first query (Chinese-CLIP)
HOME2="$WORK/home2"
PHOTOS2="$WORK/photos2"
mkdir -p "$PHOTOS2"
if [ -d "$DATASETS/coco-mini" ]; then
    find "$DATASETS/coco-mini" -name '*.jpg' | sort | head -20 | xargs -I{} cp {} "$PHOTOS2"/
else
    for i in $(seq 0 19); do cp "$first" "$PHOTOS2/copy$i.jpg"; done
    "$PY" - "$PHOTOS2" <<'PYEOF'
import random, sys
from pathlib import Path
from PIL import Image
for i, p in enumerate(sorted(Path(sys.argv[1]).glob("*.jpg"))):
    random.seed(i)
    with Image.open(p) as im:
        im.rotate(random.randrange(360)).save(p, quality=90)
PYEOF
fi
"$PY" packaging/pyinstaller/tiny_model.py "$HOME2/config/models" > /dev/null
PHOTOCLIP_HOME="$HOME2" "$CLI" models use tiny-test > /dev/null
sed -i 's/^precision = .*/precision = "onnx-int8"/' "$HOME2/config/settings.toml"
grep -q '^precision = "onnx-int8"' "$HOME2/config/settings.toml" \
    || echo 'precision = "onnx-int8"' >> "$HOME2/config/settings.toml"
PHOTOCLIP_HOME="$HOME2" "$CLI" folders add "$PHOTOS2" > /dev/null
t0=$(now); PHOTOCLIP_HOME="$HOME2" "$CLI" --verbose index > "$WORK/onnx.log" 2>&1 \
    || { cat "$WORK/onnx.log"; fail "index with onnx-int8"; }; t1=$(now)
onnx_s=$(secs "$t0" "$t1")
onnx_file=$(find "$HOME2" -path '*/.onnx/*' -name '*onnx-int8.onnx' | head -1)
[ -n "$onnx_file" ] || { cat "$WORK/onnx.log"; fail "no ONNX image tower was exported (onnxruntime/onnx missing from the bundle?)"; }
echo "ONNX image tower exported: $(basename "$onnx_file") ($(du -h "$onnx_file" | cut -f1)); index of $(find "$PHOTOS2" -type f | wc -l) photos $onnx_s s"
if "$PY" -c "import transformers, cn_clip" 2>/dev/null; then
    "$PY" packaging/pyinstaller/tiny_cn_clip.py "$WORK/cn-clip" > /dev/null
    PHOTOCLIP_HOME="$HOME2" "$CLI" models use cn-clip-vit-b-16 --weights "$WORK/cn-clip/pytorch_model.bin" \
        || fail "models use cn-clip-vit-b-16 (offline folder)"
    PHOTOCLIP_HOME="$HOME2" "$CLI" index -q || fail "index with Chinese-CLIP"
    PHOTOCLIP_HOME="$HOME2" "$CLI" --json search "海边的狗" --limit 5 > "$WORK/cn.json" \
        || fail "a Chinese query with Chinese-CLIP"
    "$PY" - "$WORK/cn.json" <<'PYEOF' || fail "Chinese-CLIP search"
import json, sys
from pathlib import Path
hits = json.loads(Path(sys.argv[1]).read_text())["results"]
scores = [h["score"] for h in hits]
assert len(hits) == 5 and scores == sorted(scores, reverse=True) and len(set(scores)) > 1, hits
print("Chinese-CLIP in the bundle: a Chinese query answered (5 ordered scores): ok")
PYEOF
else
    echo "(the build environment has no transformers/cn_clip: Chinese-CLIP not checked)"
fi

echo "== GUI (offscreen)"
gui_start=()
for run in 1 2; do
    t0=$(now)
    PHOTOCLIP_SMOKE_REPORT="$WORK/gui$run.json" PHOTOCLIP_SMOKE_QUIT_MS=3000 \
        timeout 120 "$GUI" > "$WORK/gui$run.log" 2>&1 || { cat "$WORK/gui$run.log"; fail "GUI run $run"; }
    t1=$(now)
    [ -f "$WORK/gui$run.json" ] || { cat "$WORK/gui$run.log"; fail "GUI showed no window"; }
    shown=$("$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['shown_at'])" "$WORK/gui$run.json")
    gui_start+=("$(secs "$t0" "$shown")")
    echo "run $run: window shown after ${gui_start[-1]} s, exited after $(secs "$t0" "$t1") s (3 s open)"
done
# the GUI indexes a photo added while it was closed, with the model in its own process
"$PY" - "$first" "$PHOTOS/added-while-closed.jpg" <<'PYEOF'
import sys
from PIL import Image, ImageOps
with Image.open(sys.argv[1]) as im:
    ImageOps.mirror(im.convert("RGB")).save(sys.argv[2], quality=90)
PYEOF
PHOTOCLIP_SMOKE_REPORT="$WORK/gui3.json" PHOTOCLIP_SMOKE_QUIT_MS=45000 \
    timeout 180 "$GUI" > "$WORK/gui3.log" 2>&1 || { cat "$WORK/gui3.log"; fail "GUI run 3"; }
"$CLI" --json similar "$PHOTOS/added-while-closed.jpg" --limit 1 > "$WORK/added.json"
"$PY" - "$WORK/added.json" <<'PYEOF' || fail "the GUI did not index the added photo"
import json, sys
from pathlib import Path
hit = json.loads(Path(sys.argv[1]).read_text())["results"][0]
assert Path(hit["path"]).name == "added-while-closed.jpg" and hit["score"] > 0.999, hit
print("the GUI indexed a new photo (model in a child process): ok")
PYEOF
cat "$WORK/gui1.json"
if grep -E "Traceback|ERROR|CRITICAL" "$WORK"/gui*.log "$PHOTOCLIP_HOME"/data/logs/*.log 2>/dev/null; then
    fail "errors in the GUI's output or logs"
fi

echo "== figures"
echo "bundle size:        $size ($files files)"
echo "CLI --version:      $cli_start s"
echo "GUI window shown:   ${gui_start[0]} s (first start), ${gui_start[1]} s (second)"
echo "index (cold start): $index_s s for $(find "$PHOTOS" -type f | wc -l) photos"
echo "search (cold start): $search_s s"
echo "index with onnx-int8 (first use: export + calibration): $onnx_s s"
echo "SMOKE TEST PASSED"
