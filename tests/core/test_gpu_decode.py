"""GPU-side decode, tested on the CPU by its pieces: the routing rule, batch assembly and its
fallbacks, and the same model input as the CPU path (a CPU JPEG decoder stands in for nvJPEG,
which needs CUDA; the resize, crop and normalisation are the GPU path's own torch code)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from photoclip.core import images
from photoclip.core.gpu_decode import GpuPreprocessor, cpu_decoder, route
from photoclip.core.types import PreprocessSpec

pytest.importorskip("torch")

SPEC = PreprocessSpec((224, 224), (0.48145466, 0.4578275, 0.40821073),
                      (0.26862954, 0.26130258, 0.27577711), "bicubic", "shortest", 0)


@pytest.fixture(scope="module")
def pre() -> GpuPreprocessor:
    return GpuPreprocessor(SPEC, device="cpu", dtype="fp32", decode=cpu_decoder)


def _cpu(data: bytes) -> np.ndarray:
    return images.preprocess(images.load_image(data, min_side=SPEC.min_side)[0], SPEC)


def test_same_input_as_the_cpu_path(pre, datasets_dir: Path):
    """Every EXIF orientation, a landscape and a portrait, and camera-size and small photos:
    within a few 8-bit levels of the CPU path (which decodes at reduced DCT scale first)."""
    files = sorted((datasets_dir / "edge-cases" / "orientation").glob("*.jpg"))
    files += sorted((datasets_dir / "camera-photos" / "images").glob("*.JPG"))[:1]
    files += sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:2]
    datas = [f.read_bytes() for f in files]
    batch = pre.batch(datas, [f.name for f in files])
    assert batch.failed == {} and batch.on_gpu == len(files)
    level = 1 / 255 / min(SPEC.std)  # one 8-bit level in normalised units
    for f, data, got in zip(files, datas, batch.pixels.numpy()):
        want = _cpu(data)
        diff = np.abs(got - want)
        assert diff.mean() < 2 * level, (f.name, diff.mean() / level)
        cos = float(np.dot(got.ravel(), want.ravel())
                    / np.linalg.norm(got.ravel()) / np.linalg.norm(want.ravel()))
        assert cos > 0.999, (f.name, cos)
    # all orientations of one photo give the same (upright) input
    land = batch.pixels[: len(files)].numpy()
    upright = next(i for i, f in enumerate(files) if f.name == "Landscape_1.jpg")
    for i, f in enumerate(files):
        if f.name.startswith("Landscape_"):
            assert np.abs(land[i] - land[upright]).mean() < 2 * level, f.name


def test_routing_rule(datasets_dir: Path):
    formats = datasets_dir / "edge-cases" / "formats"
    assert route((formats / "flowers.jpeg").read_bytes(), SPEC).gpu
    cmyk = route((formats / "Channel_digital_image_CMYK_color.jpg").read_bytes(), SPEC)
    assert not cmyk.gpu and "CMYK" in cmyk.reason
    assert not route((formats / "with-alpha.png").read_bytes(), SPEC).gpu
    assert not route((formats / "corrupt-header.jpg").read_bytes(), SPEC).gpu
    orient = route((datasets_dir / "edge-cases/orientation/Portrait_6.jpg").read_bytes(), SPEC)
    assert orient.gpu and orient.orientation == 6
    padded = PreprocessSpec(SPEC.image_size, SPEC.mean, SPEC.std, "bicubic", "longest", 0)
    assert not route((formats / "flowers.jpeg").read_bytes(), padded).gpu


def test_mixed_batch_keeps_order_and_falls_back(pre, datasets_dir: Path):
    """CMYK and PNG go to the CPU path; a truncated JPEG passes the header check, fails the
    GPU decoder (the batch is then decoded one by one) and the CPU path refuses it too: it is
    reported failed and the others are unaffected, in their places."""
    formats = datasets_dir / "edge-cases" / "formats"
    names = ["flowers.jpeg", "Channel_digital_image_CMYK_color.jpg", "truncated.jpg",
             "with-alpha.png", "concert.jpg"]
    datas = [(formats / n).read_bytes() for n in names]
    batch = pre.batch(datas, names)
    assert set(batch.failed) == {2} and "truncated" in batch.failed[2]
    assert batch.on_gpu == 2  # flowers, concert
    assert float(batch.pixels[2].abs().sum()) == 0.0
    level = 1 / 255 / min(SPEC.std)
    for i in (0, 1, 3, 4):
        assert np.abs(batch.pixels[i].numpy() - _cpu(datas[i])).mean() < 2 * level, names[i]


def test_indexer_with_gpu_decode(tmp_path: Path, datasets_dir: Path, tiny_embedder):
    """The indexer's GPU path end to end (on the CPU): JPEGs go to the GPU preprocessor as
    bytes, a PNG and a CMYK JPEG are decoded by the CPU pool, a truncated JPEG is recorded as
    failed; every vector matches the CPU path's for the same photo."""
    import shutil

    from photoclip.core.catalog import Catalog
    from photoclip.core.indexer import Indexer, VectorSink
    from photoclip.core.scanner import scan
    from photoclip.core.vector_index import ExactIndex
    from photoclip.core.vectors import VectorStore

    folder = tmp_path / "photos"
    folder.mkdir()
    for src in sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:3]:
        shutil.copy(src, folder / src.name)
    for name in ("with-alpha.png", "Channel_digital_image_CMYK_color.jpg", "truncated.jpg"):
        shutil.copy(datasets_dir / "edge-cases" / "formats" / name, folder / name)
    spec = tiny_embedder.preprocess_spec
    gpu = GpuPreprocessor(spec, device="cpu", dtype="fp32", decode=cpu_decoder)
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    catalog.apply_scan(scan([str(folder)], accept=images.is_supported), [str(folder)])
    store = VectorStore("gpu-test", tiny_embedder.dim, path=tmp_path / "chroma")
    indexer = Indexer(catalog, VectorSink(store, ExactIndex(tiny_embedder.dim)),
                      tiny_embedder.embed_images, spec, "tiny", batch_size=8,
                      decode_workers=2, gpu=gpu, embed_device=tiny_embedder.embed_device_pixels)
    work = catalog.pending("tiny")
    report = indexer.run(work)
    assert (report.embedded, report.failed) == (5, 1), report
    assert [Path(p).name for p, _ in report.failures] == ["truncated.jpg"]
    assert gpu.decoded == 3  # the coco JPEGs; the CMYK JPEG and the PNG went the CPU way
    vectors = store.get_vectors([r.id for r in work])
    for rec in work:
        if rec.path.endswith("truncated.jpg"):
            assert rec.id not in vectors
            continue
        data = Path(rec.path).read_bytes()
        want = tiny_embedder.embed_images(_cpu_spec(data, spec)[None])[0]
        assert float(np.dot(vectors[rec.id], want)) > 0.99, rec.path
    store.close()
    catalog.close()


def _cpu_spec(data: bytes, spec: PreprocessSpec) -> np.ndarray:
    return images.preprocess(images.load_image(data, min_side=spec.min_side)[0], spec)
