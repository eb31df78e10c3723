"""Decoding and preprocessing on real files: parity with open_clip, every edge case, bombs, EXIF."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photoclip.core.images import (
    SUPPORTED_EXTENSIONS,
    ImageDecodeError,
    is_supported,
    load_image,
    preprocess,
    read_image_info,
)
from photoclip.core.types import PreprocessSpec

REPO = Path(__file__).resolve().parents[2]
DATASETS = Path(os.environ.get("PHOTOCLIP_DATASETS", REPO.parent / "shared" / "datasets"))
EDGE = DATASETS / "edge-cases"
CAMERA = DATASETS / "camera-photos" / "images"

OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)
SPECS = {
    "shortest-bicubic-224": PreprocessSpec((224, 224), OPENAI_MEAN, OPENAI_STD),
    "shortest-bilinear-224": PreprocessSpec((224, 224), OPENAI_MEAN, OPENAI_STD, "bilinear"),
    "longest-224-fill": PreprocessSpec(
        (224, 224), OPENAI_MEAN, OPENAI_STD, "bicubic", "longest", 128
    ),
    "squash-224": PreprocessSpec((224, 224), OPENAI_MEAN, OPENAI_STD, "bicubic", "squash"),
    "shortest-256-half": PreprocessSpec((256, 256), (0.5,) * 3, (0.5,) * 3),
    "shortest-224x320": PreprocessSpec((224, 320), OPENAI_MEAN, OPENAI_STD, "bilinear"),
    "longest-256x192": PreprocessSpec((256, 192), OPENAI_MEAN, OPENAI_STD, "bilinear", "longest"),
    "squash-200x300": PreprocessSpec((200, 300), OPENAI_MEAN, OPENAI_STD, "bilinear", "squash"),
}
SPEC = SPECS["shortest-bicubic-224"]

# Files in edge-cases/ that must fail, with a word their reason must contain. Everything else loads.
EXPECTED_FAILURES = {
    "formats/65536-uint32-limit.png": "too large",
    "formats/check.svg": "SVG",
    "formats/corrupt-header.jpg": "truncated",
    "formats/truncated.jpg": "truncated",
    "formats/truncated.png": "truncated",
    "formats/vfile.v": "not an image",
    "heif/corrupted.heic": "corrupt HEIF",
    "heif/empty.heic": "empty",
    "heif/truncated.heic": "truncated",
}
TEXT_FILES = ("MANIFEST.txt", "COPYRIGHT.txt", "LICENSE")

needs_data = pytest.mark.skipif(
    not EDGE.is_dir(), reason=f"shared datasets not found at {DATASETS} (set PHOTOCLIP_DATASETS)"
)
pytestmark = needs_data


def _edge_files() -> list[str]:
    if not EDGE.is_dir():
        return ["<no datasets>"]
    return sorted(str(p.relative_to(EDGE)) for p in EDGE.glob("*/*") if p.is_file())


def _load(rel: str, min_side: int = 224, **kw: object) -> tuple[Image.Image, object]:
    return load_image(EDGE / rel, min_side=min_side, **kw)


@pytest.fixture(scope="module")
def open_clip():
    from photoclip.core.torch_compat import import_open_clip

    return import_open_clip()


def _reference(open_clip, image: Image.Image, spec: PreprocessSpec) -> np.ndarray:
    transform = open_clip.image_transform(
        spec.image_size, is_train=False, mean=spec.mean, std=spec.std,
        resize_mode=spec.resize_mode, interpolation=spec.interpolation,
        fill_color=spec.fill_color,
    )
    return transform(image).numpy()


# ----- preprocess parity -----------------------------------------------------------------------


@pytest.mark.parametrize("spec_name", list(SPECS))
def test_preprocess_matches_open_clip_exactly(open_clip, spec_name: str) -> None:
    spec = SPECS[spec_name]
    coco = sorted((DATASETS / "coco-mini" / "val2017").glob("*.jpg"))[0]
    images = [
        Image.open(coco).convert("RGB"),  # 640x426 photo
        Image.open(EDGE / "orientation/Portrait_1.jpg").convert("RGB").resize((150, 500)),
        Image.new("RGB", (3, 2), (10, 200, 30)),  # upscaled and padded
    ]
    for image in images:
        ours, ref = preprocess(image, spec), _reference(open_clip, image, spec)
        assert ours.dtype == np.float32 and ours.shape == ref.shape == (3, *spec.image_size)
        assert float(np.abs(ours - ref).max()) < 1e-5  # measured: 0.0 (bit-identical)


@pytest.mark.parametrize("photo", ["100_7100.JPG", "100_7105.JPG"])
def test_draft_decoded_camera_photo_is_close_to_open_clip_on_full_image(
    open_clip, photo: str
) -> None:
    """6 MP JPEG decoded at 1/8 scale vs open_clip on the full-size decode.

    Measured (normalised units, mean abs diff): 0.026 shortest/bicubic, 0.022 bilinear, 0.012
    longest, 0.020 squash, 0.017 at 256; cosine similarity >= 0.998 throughout.
    """
    full = Image.open(CAMERA / photo).convert("RGB")
    for name in ("shortest-bicubic-224", "shortest-bilinear-224", "longest-224-fill",
                 "squash-224", "shortest-256-half"):
        spec = SPECS[name]
        small, info = load_image(CAMERA / photo, min_side=spec.min_side)
        assert (info.width, info.height) == full.size
        assert min(small.size) >= spec.min_side and max(small.size) < max(full.size) / 4
        ours, ref = preprocess(small, spec), _reference(open_clip, full, spec)
        cos = float((ours * ref).sum() / (np.linalg.norm(ours) * np.linalg.norm(ref)))
        assert float(np.abs(ours - ref).mean()) < 0.04, name
        assert cos > 0.997, name


_UNDO = {  # what to store so that EXIF orientation n displays `upright`
    1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90, 7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270,
}


def test_dct_scaled_odd_sized_jpeg_in_every_orientation(open_clip, tmp_path: Path) -> None:
    """1603x1203 at 1/4 scale is 400.75x300.75 pixels, decoded as 401x301: preprocess() sizes
    and maps its resize from the original (as open_clip sees it), in all 8 orientations.

    Measured mean abs diff: 0.021 shortest, 0.0095 longest, 0.0077 shortest 224x320, 0.017
    squash; without the original's size it would be 0.024-0.035.
    """
    upright = Image.open(CAMERA / "100_7100.JPG").convert("RGB").resize((1603, 1203))
    files = {}
    for orient, undo in _UNDO.items():
        exif = Image.Exif()
        exif[0x0112] = orient
        files[orient] = tmp_path / f"o{orient}.jpg"
        (upright if undo is None else upright.transpose(undo)).save(
            files[orient], quality=95, exif=exif.tobytes()
        )
    for name in ("shortest-bicubic-224", "longest-224-fill", "shortest-224x320", "squash-224"):
        spec = SPECS[name]
        ref = _reference(open_clip, upright, spec)
        diffs = []
        for path in files.values():
            image, info = load_image(path, min_side=spec.min_side)
            assert (info.width, info.height) == (1603, 1203)
            diffs.append(float(np.abs(preprocess(image, spec) - ref).mean()))
        assert max(diffs) < 0.03, (name, diffs)
        assert max(diffs) - min(diffs) < 0.002, (name, diffs)


def test_shrunk_non_jpeg_is_close_to_full_size(open_clip, tmp_path: Path) -> None:
    """Formats without DCT scaling are decoded in full, then shrunk (bicubic, reducing_gap 3)."""
    full = Image.open(CAMERA / "100_7100.JPG").convert("RGB")
    tif = tmp_path / "photo.tif"
    full.save(tif)  # uncompressed: fast to write, decoded in full
    small, _ = load_image(tif, min_side=224)
    assert min(small.size) == 224
    ours, ref = preprocess(small, SPEC), _reference(open_clip, full, SPEC)
    assert float(np.abs(ours - ref).mean()) < 0.01  # measured 0.004


# ----- every edge case -------------------------------------------------------------------------


@pytest.mark.parametrize("rel", _edge_files())
def test_edge_case_loads_or_fails_with_a_reason(rel: str) -> None:
    try:
        image, info = _load(rel)
    except ImageDecodeError as exc:
        assert exc.reason and exc.reason.strip()
        assert str(EDGE / rel) in str(exc)
        expected = EXPECTED_FAILURES.get(rel)
        if rel.endswith(TEXT_FILES):
            expected = "not an image"
        assert expected is not None, f"{rel} should load but failed: {exc.reason}"
        assert expected.lower() in exc.reason.lower(), exc.reason
        return
    assert rel not in EXPECTED_FAILURES and not rel.endswith(TEXT_FILES), f"{rel} should fail"
    assert image.mode == "RGB"
    assert min(image.size) >= 224 or image.size == (info.width, info.height)
    assert min(image.size) <= 2 * 224 or max(image.size) == max(info.width, info.height)
    assert info.width > 0 and info.height > 0 and info.format
    preprocess(image, SPEC)  # and it makes model input


def test_empty_and_non_image_bytes() -> None:
    for data, word in ((b"", "empty"), (b"hello world\n" * 50, "not an image"),
                       (b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8, "JPEG")):
        with pytest.raises(ImageDecodeError) as caught:
            load_image(data, min_side=224, name="x.jpg")
        assert word in caught.value.reason and "x.jpg" in str(caught.value)
    with pytest.raises(ImageDecodeError, match="cannot read file"):
        load_image(EDGE / "no-such-file.jpg", min_side=224)


# ----- orientation -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Landscape", "Portrait"])
def test_orientation_variants_are_upright_and_identical(kind: str) -> None:
    upright, info1 = _load(f"orientation/{kind}_1.jpg")
    ref = preprocess(upright, SPEC)
    for n in (0, *range(2, 9)):
        image, info = _load(f"orientation/{kind}_{n}.jpg")
        assert (info.width, info.height) == (info1.width, info1.height), n
        assert image.size == upright.size, n
        # measured <= 0.024 (each variant is a separate JPEG encoding); a wrong flip gives > 0.5
        assert float(np.abs(preprocess(image, SPEC) - ref).mean()) < 0.05, n
    assert (info1.width > info1.height) == (kind == "Landscape")


# ----- bombs and limits ------------------------------------------------------------------------

_GIANT_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from photoclip.core.images import load_image
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
image, info = load_image(sys.argv[2], min_side=224)
seconds = time.perf_counter() - t
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"kib": after - before, "s": seconds, "size": image.size,
                  "info": [info.width, info.height, info.format]}))
"""


def test_giant_jpeg_decodes_at_reduced_size_with_bounded_memory() -> None:
    """280 MP grayscale JPEG: a full decode needs 280 MB (840 MB as RGB); DCT scaling ~5 MB."""
    out = subprocess.run(
        [sys.executable, "-c", _GIANT_CHILD, str(REPO), str(EDGE / "formats/giant-image.jpg")],
        capture_output=True, text=True, timeout=60, check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["info"] == [20000, 14000, "JPEG"]
    assert min(result["size"]) == 224
    assert result["kib"] < 100 * 1024, result  # peak RSS growth; measured ~20 MB
    assert result["s"] < 5


def test_max_megapixels_refuses_what_cannot_be_reduced(tmp_path: Path) -> None:
    with pytest.raises(ImageDecodeError, match=r"image too large \(0\.5 MP > 0\.1 MP limit\)"):
        _load("formats/Flag_of_the_Netherlands-16bit.png", max_megapixels=0.1)
    # a JPEG is judged by the size it decodes at: 280 MP at 1/8 scale is 4.4 MP
    image, _ = _load("formats/giant-image.jpg", max_megapixels=5)
    assert min(image.size) == 224
    with pytest.raises(ImageDecodeError, match="too large"):
        _load("formats/giant-image.jpg", max_megapixels=4)
    # HEIC: the 200 MP photo's 384x512 thumbnail is too small for min_side 600
    with pytest.raises(ImageDecodeError, match="too large"):
        _load("heif/200MP.heic", min_side=600, max_megapixels=100)


def test_tiny_file_with_huge_canvas_is_a_bomb() -> None:
    gif = bytearray((EDGE / "formats/grey-plus-alpha.gif").read_bytes())  # 43 bytes, 2x1
    gif[28:30] = (22000).to_bytes(2, "little")  # the frame's left offset: a 22002 x 6401 canvas
    gif[30:32] = (6400).to_bytes(2, "little")  # and top offset
    with pytest.raises(ImageDecodeError, match="decompression bomb"):
        load_image(bytes(gif), min_side=224)


# ----- HEIF / AVIF / RAW -----------------------------------------------------------------------


def test_heic_uses_embedded_thumbnail_when_big_enough() -> None:
    t = time.perf_counter()
    image, info = _load("heif/200MP.heic")
    seconds = time.perf_counter() - t
    assert image.size == (384, 512)  # the embedded thumbnail, upright; a full decode takes seconds
    assert seconds < 1.0
    assert (info.width, info.height, info.format) == (12240, 16320, "HEIF")
    assert info.camera == "samsung Galaxy S24 Ultra"
    assert info.taken == datetime(2025, 1, 19, 14, 53, 27)


def test_heic_without_thumbnail_is_decoded_and_shrunk() -> None:
    image, info = _load("heif/pug.heic")
    assert image.size == (298, 224)
    assert (info.width, info.height, info.camera) == (4032, 3024, "Apple iPhone 13 Pro")


def test_avif_and_raw() -> None:
    image, info = _load("formats/pitm.avif")
    assert (info.format, info.width, info.height) == ("AVIF", 4096, 800) and image.size[1] == 224
    image, info = _load("raw/Blackmagic.dng")  # no preview: developed at half size
    assert (info.format, info.width, info.height) == ("DNG", 4128, 2176)
    assert image.size == (424, 224)
    image, info = _load("raw/Nikon_uncompressed.nef")  # 320x218 preview too small: developed
    assert (info.format, info.camera) == ("NEF", "Nikon COOLSCAN IV ED")
    assert 60 < np.asarray(image).mean() < 200  # LibRaw's white level is wrong here: not blown out


# ----- pixel modes -----------------------------------------------------------------------------


def test_cmyk_is_converted_with_its_profile() -> None:
    rel = "formats/Channel_digital_image_CMYK_color.jpg"
    image, info = _load(rel)
    naive = np.asarray(Image.open(EDGE / rel).convert("RGB"))
    ours = np.asarray(image).astype(int)
    assert 5 < np.abs(ours - naive).mean() < 40  # profile-converted, not inverted
    assert info.camera == "Canon EOS 300D DIGITAL"
    fogra, _ = _load("formats/fogra-0-100-100-0.tif")  # C0 M100 Y100 K0: red
    r, g, b = np.asarray(fogra)[100, 100]
    assert r > 180 and g < 80 and b < 80


def test_16bit_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    image, _ = _load("formats/Flag_of_the_Netherlands-16bit.png")
    arr = np.asarray(image).astype(int)
    h = arr.shape[0]
    red, white, blue = arr[h // 6, 10], arr[h // 2, 10], arr[5 * h // 6, 10]
    assert red[0] > 150 and red[1] < 80 and red[2] < 80
    assert (white > 230).all()
    assert blue[2] > 100 and blue[0] < 80
    ramp = np.linspace(0, 65535, 256).astype(np.uint16).reshape(1, 256).repeat(8, axis=0)
    path = tmp_path / "grey16.png"
    Image.fromarray(ramp).save(path)  # mode I;16
    assert Image.open(path).mode.startswith("I;16")
    got = np.asarray(load_image(path, min_side=8)[0])[0, :, 0].astype(int)
    assert np.abs(got - np.arange(256)).max() <= 1


def test_alpha_and_palette_composite_onto_white() -> None:
    image, _ = _load("formats/full-transparent.png")
    assert (np.asarray(image) == 255).all()
    image, _ = _load("formats/grey-plus-alpha.gif")
    assert image.size == (2, 1) and image.getpixel((1, 0)) == (255, 255, 255)
    image, _ = _load("formats/with-alpha.png")
    src = np.asarray(Image.open(EDGE / "formats/with-alpha.png").convert("RGBA")).astype(float)
    alpha = src[..., 3:] / 255
    expected = src[..., :3] * alpha + 255 * (1 - alpha)
    assert np.abs(np.asarray(image) - expected).max() <= 1
    image, _ = _load("heif/RGBA_8__128x128.heif")
    assert image.mode == "RGB"


def test_lab_tiff_and_grey() -> None:
    image, info = _load("formats/cielab-dagams.tiff")  # 16-bit CIELab: a bird in green grass
    r, g, b = np.asarray(image).reshape(-1, 3).mean(axis=0)
    assert g > r and g > b
    assert info.camera == "NIKON D5200"
    image, _ = _load("formats/giant-image.jpg")
    arr = np.asarray(image)
    assert (arr[..., 0] == arr[..., 1]).all()


# ----- metadata, bytes, threads ----------------------------------------------------------------


def test_exif_taken_and_camera() -> None:
    _, info = load_image(CAMERA / "100_7100.JPG", min_side=224)
    assert info.taken == datetime(2010, 10, 12, 14, 43, 7)
    assert info.camera == "KODAK Z612 ZOOM DIGITAL CAMERA"  # make "EASTMAN KODAK COMPANY"
    assert (info.width, info.height, info.format) == (2832, 2128, "JPEG")
    _, info = _load("orientation/Landscape_6.jpg")
    assert info.taken is None and info.camera is None


@pytest.mark.parametrize(
    "rel", ["orientation/Portrait_6.jpg", "heif/xiaomi.heic", "raw/Blackmagic.dng",
            "formats/cielab-dagams.tiff", "formats/pitm.avif"],
)
def test_bytes_equal_path_and_header_info(rel: str) -> None:
    from_path, info_path = _load(rel)
    from_bytes, info_bytes = load_image((EDGE / rel).read_bytes(), min_side=224, name=rel)
    assert info_path == info_bytes
    assert np.array_equal(np.asarray(from_path), np.asarray(from_bytes))
    assert read_image_info(EDGE / rel) == info_path


def test_is_supported() -> None:
    for ext in (".jpg", ".JPEG", ".png", ".heic", ".HIF", ".avif", ".dng", ".nef", ".tif"):
        assert is_supported(f"/photos/a{ext}"), ext
    for name in ("a.svg", "a.txt", "a", "._a.jpg", "a.jxl"):
        assert not is_supported(name), name
    assert all(e.startswith(".") and e == e.lower() for e in SUPPORTED_EXTENSIONS)


def test_concurrent_decoding_matches_sequential() -> None:
    rels = [
        "orientation/Landscape_6.jpg", "orientation/Portrait_8.jpg", "heif/xiaomi.heic",
        "formats/Channel_digital_image_CMYK_color.jpg", "formats/fogra-0-100-100-0.tif",
        "formats/animated-loop-3.webp", "formats/16-bit-grey-alpha.png",
        "raw/Nikon_uncompressed.nef", "formats/truncated.jpg", "heif/200MP.heic",
    ] * 2

    def run(rel: str) -> bytes | str:
        try:
            image, _ = _load(rel)
        except ImageDecodeError as exc:
            return exc.reason
        return image.tobytes()

    sequential = [run(r) for r in rels]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(run, rels)) == sequential


def test_preprocess_accepts_other_modes() -> None:
    rgba = Image.new("RGBA", (300, 200), (255, 0, 0, 0))
    arr = preprocess(rgba, SPEC)
    white = (1 - np.asarray(OPENAI_MEAN, np.float32)) / np.asarray(OPENAI_STD, np.float32)
    assert np.allclose(arr[:, 0, 0], white, atol=1e-5)
    grey = preprocess(Image.new("L", (300, 200), 0), SPEC)
    assert np.allclose(grey, preprocess(Image.new("RGB", (300, 200)), SPEC))


def test_the_formats_read_are_those_of_all_pillow_plugins() -> None:
    """images.py loads only the Pillow plugins of the formats it reads (not Image.init()): the
    formats, extensions and the file sniffing are those with every plugin loaded."""
    code = (
        "import sys\n"
        "from photoclip.core import images, image_formats as fmt\n"
        "from PIL import Image\n"
        "few = (list(images._PILLOW_FORMATS), sorted(images.SUPPORTED_EXTENSIONS))\n"
        "assert 'PIL.PdfImagePlugin' not in sys.modules\n"
        "Image.init()\n"
        "print(few == ([f for f in fmt.PILLOW_FORMATS if f in Image.OPEN], "
        "sorted(images.SUPPORTED_EXTENSIONS)), few[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("True ") and "'JPEG'" in out.stdout
