"""Decoder chatter goes to the log (issue 14, item 32): libtiff's C-level messages, Pillow's
Python warnings, and a JPEG 2000 file where Pillow lacks the decoder is named as such.

Each case runs in a fresh interpreter whose stderr is captured at the file-descriptor level, as a
user's terminal sees it."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

_RUN = """
import logging, sys
from concurrent.futures import ThreadPoolExecutor
logging.basicConfig(level=logging.INFO, filename=sys.argv[1], filemode="w",
                    format="%(levelname)s %(name)s %(message)s")
from photoclip.core.images import ImageDecodeError, load_image

def one(path):
    try:
        return "ok " + load_image(path, min_side=64).__getitem__(1).format
    except ImageDecodeError as exc:
        return "failed: " + exc.reason

with ThreadPoolExecutor(4) as pool:
    for path, result in zip(sys.argv[2:], pool.map(one, sys.argv[2:])):
        print(path, result, flush=True)
"""


def _run(tmp_path: Path, files: list[Path], prelude: str = "") -> tuple[str, str, str]:
    log = tmp_path / "photoclip.log"
    proc = subprocess.run(
        [sys.executable, "-c", prelude + _RUN, str(log), *map(str, files)],
        capture_output=True, text=True, timeout=300, cwd=REPO,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, proc.stderr, log.read_text(encoding="utf-8")


@pytest.fixture()
def damaged_fax_tiffs(tmp_path: Path, datasets_dir: Path) -> list[Path]:
    """CCITT G3 TIFFs with flipped bytes in the image data: libtiff decodes them with
    thousands of 'Bad code word' messages (a real scanner archive has such files)."""
    data = bytearray((datasets_dir / "edge-cases" / "formats" / "G31D.TIF").read_bytes())
    for i in range(300, len(data) - 300, 5):
        data[i] ^= 0xFF
    out = []
    for n in range(4):
        path = tmp_path / f"scan-{n}.tif"
        path.write_bytes(bytes(data))
        out.append(path)
    return out


def test_libtiff_messages_go_to_the_log_one_line_per_file(
        tmp_path: Path, damaged_fax_tiffs: list[Path]) -> None:
    stdout, stderr, log = _run(tmp_path, damaged_fax_tiffs)
    assert "Bad code word" not in stderr and stderr.strip() == ""
    assert stdout.count(" ok TIFF") == 4  # decoded as before, four threads at once
    for path in damaged_fax_tiffs:
        [line] = [ln for ln in log.splitlines() if f"decoding {path}:" in ln]
        assert line.startswith("INFO photoclip.core.decode_log libtiff, decoding")
        assert "errors (first: Fax3Decode1D: Bad code word at line" in line
    assert len(log.splitlines()) == 4


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + b"\x00\x00\x00\x00IEND\xaeB`\x82")


def test_decompression_bomb_warnings_go_to_the_log(tmp_path: Path) -> None:
    files = []
    for n in range(3):  # each declares just over 2**32 pixels in a few bytes
        path = tmp_path / f"huge-{n}.png"
        path.write_bytes(_png_header(65536, 65537 + n))
        files.append(path)
    stdout, stderr, log = _run(tmp_path, files)
    assert "DecompressionBombWarning" not in stderr and stderr.strip() == ""
    assert stdout.count("failed: image too large") == 3
    assert log.count("INFO photoclip.core.decode_log Pillow: Image size") == 3


# A Pillow built without OpenJPEG has no jpeg2k codec in its C module: that is what these two
# lines make of this build (the rest of Pillow is untouched).
_NO_OPENJPEG = "import PIL._imaging as c; del c.jpeg2k_decoder, c.jpeg2k_encoder\n"


def test_jpeg2000_without_the_decoder_is_not_called_corrupt(tmp_path: Path,
                                                           datasets_dir: Path) -> None:
    jp2 = datasets_dir / "edge-cases" / "formats" / "relax.jp2"
    renamed = tmp_path / "relax.jpg"  # whatever its name, the bytes say JPEG 2000
    renamed.write_bytes(jp2.read_bytes())
    stdout, _, _ = _run(tmp_path, [jp2, renamed], prelude=_NO_OPENJPEG)
    assert "corrupt" not in stdout
    assert stdout.count("failed: JPEG 2000 is not supported by this build of Pillow") == 2, stdout
    stdout, _, _ = _run(tmp_path, [jp2])  # with the decoder (this build): decoded
    assert stdout.strip().endswith("ok JPEG2000")
