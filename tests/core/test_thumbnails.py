"""ThumbnailCache: real photos, every edge case, refresh on edit, atomic writes, pruning."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photoclip.core import thumbnails
from photoclip.core.images import ImageDecodeError, read_image_info
from photoclip.core.thumbnails import ThumbnailCache

REPO = Path(__file__).resolve().parents[2]
DATASETS = Path(os.environ.get("PHOTOCLIP_DATASETS", REPO.parent / "shared" / "datasets"))
EDGE = DATASETS / "edge-cases"
pytestmark = pytest.mark.skipif(not EDGE.is_dir(), reason="shared datasets not found")

BAD = {
    "formats/65536-uint32-limit.png", "formats/check.svg", "formats/corrupt-header.jpg",
    "formats/truncated.jpg", "formats/truncated.png", "formats/vfile.v",
    "heif/corrupted.heic", "heif/empty.heic", "heif/truncated.heic",
}
SLOW = {"heif/cat.hif", "heif/pug.heic", "heif/alpha.heic", "heif/xiaomi.heic"}


def _edge_files() -> list[str]:
    if not EDGE.is_dir():
        return []
    skip = {"MANIFEST.txt", "LICENSE", "COPYRIGHT.txt"}
    return sorted(
        str(p.relative_to(EDGE)) for p in EDGE.rglob("*")
        if p.is_file() and p.name not in skip and "orientation" not in p.parts
        and str(p.relative_to(EDGE)) not in SLOW
    )


@pytest.fixture()
def cache(tmp_path: Path) -> ThumbnailCache:
    return ThumbnailCache(tmp_path / "thumbs", 256)


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), dtype=np.float32) / 255


@pytest.mark.parametrize("rel", _edge_files())
def test_edge_case_gives_a_thumbnail_or_a_reason(cache: ThumbnailCache, rel: str) -> None:
    src = EDGE / rel
    if rel in BAD:
        with pytest.raises(ImageDecodeError) as err:
            cache.thumbnail(src)
        assert err.value.reason and str(src) in str(err.value)
        assert cache.cached(src) is None
        return
    out = cache.thumbnail(src)
    with Image.open(out) as im:
        assert im.format == "JPEG" and im.mode == "RGB"
        longest = max(im.size)
    info = read_image_info(src)
    assert longest == min(256, max(info.width, info.height)), rel
    assert cache.cached(src) == out


@pytest.mark.parametrize("kind", ["Landscape", "Portrait"])
def test_every_exif_orientation_comes_out_upright(cache: ThumbnailCache, kind: str) -> None:
    ref = _pixels(cache.thumbnail(EDGE / f"orientation/{kind}_1.jpg"))
    assert (ref.shape[1] > ref.shape[0]) == (kind == "Landscape")
    assert max(ref.shape[:2]) == 256
    for n in (0, *range(2, 9)):
        got = _pixels(cache.thumbnail(EDGE / f"orientation/{kind}_{n}.jpg"))
        assert got.shape == ref.shape, n
        # a wrong flip or rotation differs by ~0.2-0.3; separate JPEG encodings by < 0.03
        assert float(np.abs(got - ref).mean()) < 0.05, n


def test_heic_and_raw_use_their_previews(cache: ThumbnailCache) -> None:
    t = time.perf_counter()
    out = cache.thumbnail(EDGE / "heif/200MP.heic")  # 12240x16320: the embedded thumbnail
    assert time.perf_counter() - t < 2
    assert Image.open(out).size == (192, 256)
    assert max(Image.open(cache.thumbnail(EDGE / "raw/Nikon_uncompressed.nef")).size) == 256


_GIANT_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from photoclip.core.thumbnails import ThumbnailCache
from PIL import Image
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
out = ThumbnailCache(Path(sys.argv[3])).thumbnail(sys.argv[2])
seconds = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"kib": after - before, "s": seconds, "size": Image.open(out).size}))
"""


def test_giant_jpeg_is_never_decoded_at_full_size(tmp_path: Path) -> None:
    """280 MP: a full decode needs 280 MB (840 MB as RGB); DCT scaling at 1/8 about 5 MB."""
    out = subprocess.run(
        [sys.executable, "-c", _GIANT_CHILD, str(REPO), str(EDGE / "formats/giant-image.jpg"),
         str(tmp_path / "thumbs")],
        capture_output=True, text=True, timeout=60, check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["size"] == [256, 180]
    assert result["kib"] < 100 * 1024, result
    assert result["s"] < 5


def test_pixel_bombs_are_refused_without_decoding(cache: ThumbnailCache, tmp_path: Path) -> None:
    gif = bytearray((EDGE / "formats/grey-plus-alpha.gif").read_bytes())  # 43 bytes, 2x1
    gif[28:30] = (22000).to_bytes(2, "little")  # frame offsets: a 22002 x 6401 canvas
    gif[30:32] = (6400).to_bytes(2, "little")
    bomb = tmp_path / "bomb.gif"
    bomb.write_bytes(bytes(gif))
    t = time.perf_counter()
    with pytest.raises(ImageDecodeError, match="decompression bomb"):
        cache.thumbnail(bomb)
    with pytest.raises(ImageDecodeError, match="too large"):
        cache.thumbnail(EDGE / "formats/65536-uint32-limit.png")  # 4295 MP declared
    assert time.perf_counter() - t < 1.0
    assert not list((tmp_path / "thumbs").rglob("*.jpg"))


def test_missing_file_is_a_clear_error(cache: ThumbnailCache, tmp_path: Path) -> None:
    with pytest.raises(ImageDecodeError, match="cannot read file"):
        cache.thumbnail(tmp_path / "nope.jpg")
    assert cache.cached(tmp_path / "nope.jpg") is None


def test_edit_refreshes_the_thumbnail_and_drops_the_old_one(
    cache: ThumbnailCache, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.jpg"
    shutil.copy(EDGE / "orientation/Landscape_1.jpg", photo)
    assert cache.cached(photo) is None
    first = cache.thumbnail(photo)
    assert cache.cached(photo) == first
    assert cache.thumbnail(photo) == first  # a hit: same file, not rewritten
    Image.new("RGB", (600, 300), (255, 0, 0)).save(photo)
    st = photo.stat()
    os.utime(photo, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert cache.cached(photo) is None  # stale thumbnails are never returned
    second = cache.thumbnail(photo)
    assert second != first and not first.exists()
    assert Image.open(second).size == (256, 128)
    assert _pixels(second)[..., 0].mean() > 0.95
    # a relative path and the absolute path name the same thumbnail
    os.chdir(tmp_path)
    assert cache.cached("photo.jpg") == second


def test_sizes_are_cached_separately(tmp_path: Path) -> None:
    photo = EDGE / "orientation/Portrait_6.jpg"
    small = ThumbnailCache(tmp_path / "t", 128).thumbnail(photo)
    big = ThumbnailCache(tmp_path / "t", 512).thumbnail(photo)
    assert small != big and small.exists()
    assert Image.open(small).size == (85, 128) and Image.open(big).size == (341, 512)


def test_a_failed_write_leaves_nothing(
    cache: ThumbnailCache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = EDGE / "orientation/Landscape_1.jpg"
    real_save = Image.Image.save

    def half_save(self: Image.Image, fp: object, *a: object, **kw: object) -> None:
        fp.write(b"\xff\xd8\xff half a JPEG")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", half_save)
    with pytest.raises(OSError, match="disk full"):
        cache.thumbnail(photo)
    assert cache.cached(photo) is None
    assert not [p for p in (tmp_path / "thumbs").rglob("*") if p.is_file()]
    monkeypatch.setattr(Image.Image, "save", real_save)
    assert cache.cached(cache.thumbnail(photo)) is None  # cached() takes the photo, not a thumb
    assert cache.cached(photo) is not None


_KILL_CHILD = """
import os, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from PIL import Image
from photoclip.core.thumbnails import ThumbnailCache
real = Image.Image.save
def dying_save(self, fp, *a, **kw):
    fp.write(b"\\xff\\xd8\\xff partial")
    fp.flush()
    os._exit(9)
Image.Image.save = dying_save
ThumbnailCache(Path(sys.argv[3])).thumbnail(sys.argv[2])
"""


def test_a_kill_mid_write_never_leaves_half_a_thumbnail(tmp_path: Path) -> None:
    photo = EDGE / "orientation/Landscape_1.jpg"
    thumbs = tmp_path / "thumbs"
    proc = subprocess.run(
        [sys.executable, "-c", _KILL_CHILD, str(REPO), str(photo), str(thumbs)], timeout=60
    )
    assert proc.returncode == 9
    leftovers = [p for p in thumbs.rglob("*") if p.is_file()]
    assert leftovers and all(p.name.startswith(".tmp-") for p in leftovers)
    cache = ThumbnailCache(thumbs)
    assert cache.cached(photo) is None
    assert Image.open(cache.thumbnail(photo)).size == (256, 171)
    old = time.time() - 2 * 3600
    for p in leftovers:
        os.utime(p, (old, old))
    report = cache.prune()
    assert report.removed == len(leftovers) and report.kept == 1
    assert not [p for p in leftovers if p.exists()]


def test_failures_are_remembered_until_the_file_changes(
    cache: ThumbnailCache, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.jpg"
    shutil.copy(EDGE / "formats/truncated.jpg", bad)
    calls = []
    real = thumbnails.load_image
    monkeypatch.setattr(
        thumbnails, "load_image", lambda *a, **kw: calls.append(1) or real(*a, **kw)
    )
    for _ in range(3):
        with pytest.raises(ImageDecodeError, match="truncated"):
            cache.thumbnail(bad)
    assert len(calls) == 1
    shutil.copy(EDGE / "formats/concert.jpg", bad)
    os.utime(bad, ns=(0, bad.stat().st_mtime_ns + 10**9))
    assert cache.thumbnail(bad).exists()


def test_prune_keeps_listed_photos_and_respects_the_size_cap(
    cache: ThumbnailCache, tmp_path: Path
) -> None:
    photos = [EDGE / f"orientation/Landscape_{n}.jpg" for n in range(9)]
    made = [cache.thumbnail(p) for p in photos]
    for i, thumb in enumerate(made):  # written in order, a second apart
        os.utime(thumb, (1e9 + i, 1e9 + i))
    report = cache.prune(keep_paths=photos[2:])
    assert report.removed == 2 and report.kept == 7
    assert not made[0].exists() and not made[1].exists() and made[2].exists()
    each = made[2].stat().st_size
    report = cache.prune(max_bytes=int(each * 3.5))
    assert report.kept_bytes <= each * 3.5 and report.kept >= 2
    assert made[-1].exists() and not made[2].exists()  # oldest went first
    assert cache.size_bytes() == report.kept_bytes
    assert ThumbnailCache(tmp_path / "never-made").prune().removed == 0


def test_concurrent_requests_for_the_same_photo(cache: ThumbnailCache) -> None:
    photos = [EDGE / f"orientation/Portrait_{n}.jpg" for n in range(9)] * 4
    with ThreadPoolExecutor(8) as pool:
        outs = list(pool.map(cache.thumbnail, photos))
    assert len(set(outs)) == 9 and all(p.exists() for p in outs)
    files = [p for p in cache.cache_dir.rglob("*") if p.is_file()]
    assert len(files) == 9  # no temporary files, no duplicates


def test_camera_photos_are_fast_enough(cache: ThumbnailCache) -> None:
    cams = sorted((EDGE.parent / "camera-photos").rglob("*.[jJ][pP]*[gG]"))[:4]
    if not cams:
        pytest.skip("no camera photos")
    t = time.perf_counter()
    for p in cams:
        cache.thumbnail(p)
    cold = (time.perf_counter() - t) / len(cams)
    t = time.perf_counter()
    for p in cams:
        assert cache.cached(p) is not None
    warm = (time.perf_counter() - t) / len(cams)
    assert cold < 0.5 and warm < 0.005, (cold, warm)
