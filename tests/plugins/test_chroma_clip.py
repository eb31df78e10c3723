"""The chroma-clip plugin: photoclip's embedder as a Chroma embedding function in a plain
chromadb PersistentClient (real collections, the real tiny open_clip model)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

chromadb = pytest.importorskip("chromadb")


@pytest.fixture()
def photos(datasets_dir: Path) -> list[Path]:
    return sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:6]


def arrays(paths: list[Path]) -> list[np.ndarray]:
    return [np.asarray(Image.open(p).convert("RGB")) for p in paths]


def test_embedding_function_in_a_plain_chroma_collection(
    tiny_model_spec, photoclip_home, photos: list[Path], tmp_path: Path
) -> None:
    from chromadb.config import Settings
    from chromadb.utils.data_loaders import ImageLoader
    from photoclip_chroma import PhotoclipEmbeddingFunction

    ef = PhotoclipEmbeddingFunction(model=tiny_model_spec.key, device="cpu", precision="fp32",
                                    batch_size=4)
    settings = Settings(anonymized_telemetry=False)
    client = chromadb.PersistentClient(str(tmp_path / "db"), settings=settings)
    col = client.create_collection(
        "photos", embedding_function=ef, data_loader=ImageLoader(),
        configuration={"hnsw": {"space": "cosine"}},
    )
    pixels = arrays(photos)
    col.add(ids=[p.stem for p in photos[:4]], images=pixels[:4])  # arrays, batched by 4
    col.add(ids=[p.stem for p in photos[4:]], uris=[str(p) for p in photos[4:]])  # files
    assert col.count() == 6
    stored = col.get(ids=[photos[0].stem], include=["embeddings"])["embeddings"][0]
    assert len(stored) == ef.dim and abs(np.linalg.norm(stored) - 1) < 1e-4

    by_image = col.query(query_images=[pixels[2]], n_results=1)  # a photo finds itself
    assert by_image["ids"][0][0] == photos[2].stem
    assert by_image["distances"][0][0] < 1e-4
    by_text = col.query(query_texts=["a dog on a beach"], n_results=6)
    assert sorted(by_text["ids"][0]) == sorted(p.stem for p in photos)
    text_vec = ef(["a dog on a beach"])[0]
    assert np.allclose(text_vec, ef.embed_query(["a dog on a beach"])[0])
    mixed = ef(["a dog", pixels[0]])  # Documents and Images in one call keep their order
    assert np.allclose(mixed[1], stored, atol=1e-5)
    del client


def test_collection_reopens_by_name_without_the_ef(
    tiny_model_spec, photoclip_home, photos: list[Path], tmp_path: Path
) -> None:
    """A fresh process imports photoclip_chroma and reopens the collection by name only."""
    from chromadb.config import Settings
    from photoclip_chroma import PhotoclipEmbeddingFunction

    ef = PhotoclipEmbeddingFunction(model=tiny_model_spec.key, device="cpu")
    assert ef.get_config()["model"] == tiny_model_spec.key
    client = chromadb.PersistentClient(str(tmp_path / "db"),
                                       settings=Settings(anonymized_telemetry=False))
    col = client.create_collection("photos", embedding_function=ef,
                                   configuration={"hnsw": {"space": "cosine"}})
    col.add(ids=[p.stem for p in photos], images=arrays(photos))
    expected = col.query(query_texts=["a red bus"], n_results=3)["ids"][0]
    del col, client

    plugin_dir = Path(__file__).resolve().parents[2] / "plugins" / "chroma-clip"
    code = f"""
import sys; sys.path.append({str(plugin_dir)!r})
import chromadb, photoclip_chroma
from chromadb.config import Settings
col = chromadb.PersistentClient({str(tmp_path / "db")!r},
                                settings=Settings(anonymized_telemetry=False)).get_collection("photos")
ef = col.configuration["embedding_function"]
print(type(ef).__name__, ef.get_config()["model"])
print(",".join(col.query(query_texts=["a red bus"], n_results=3)["ids"][0]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env={**__import__("os").environ})
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.strip().splitlines()[-2:]
    assert first == f"PhotoclipEmbeddingFunction {tiny_model_spec.key}"
    assert second.split(",") == expected


def test_chroma_exporter_writes_a_queryable_collection(
    make_library, tiny_model_spec, photos: list[Path], tmp_path: Path
) -> None:
    from chromadb.config import Settings

    from photoclip.plugin_testing import load_plugin_folder, run_action

    folder = tmp_path / "pics"
    folder.mkdir()
    for p in photos:
        shutil.copy2(p, folder / p.name)
    lib = make_library([folder])
    lib.index_folders()
    host = load_plugin_folder(Path(__file__).resolve().parents[2] / "plugins" / "chroma-clip")
    assert host.infos()[-1].loaded, host.infos()[-1].error
    host_export = load_plugin_folder(Path(__file__).resolve().parents[2] / "plugins" / "export")
    assert "chroma" in host.exporters()
    # the export action comes from the export plugin; give it both plugins' exporters
    from photoclip.plugin_api import PluginContext

    ctx = PluginContext(lib, exporters={**host_export.exporters(), **host.exporters()})
    ctx.add_tag("red bus", [ctx.photo(folder / photos[2].name).id])
    result = host_export.run_action("export", ctx, ctx.photos(),
                                    {"to": str(tmp_path / "out"), "as": "chroma"})
    assert result.message.startswith(f"exported {len(photos)} photos to ")  # not "1 photos"
    one = host_export.run_action("export", ctx, ctx.photos()[:1],
                                 {"to": str(tmp_path / "one"), "as": "chroma"})
    assert one.message.startswith("exported 1 photo to ")
    client = chromadb.PersistentClient(str(tmp_path / "out"),
                                       settings=Settings(anonymized_telemetry=False))
    col = client.get_collection("photoclip")
    assert col.count() == len(photos)
    hit = col.query(query_images=arrays(photos[:1]), n_results=1)
    assert Path(hit["metadatas"][0][0]["path"]).name == photos[0].name
    tagged = col.get(where={"tags": {"$contains": "red bus"}})["metadatas"]
    assert [Path(m["path"]).name for m in tagged] == [photos[2].name]
    assert all(len(m["hash"]) == 64 and m["width"] > 0 for m in col.get()["metadatas"])
    assert run_action  # the helper is importable alongside

    # a photo without a vector: a clear error, and nothing is written
    import dataclasses

    from photoclip.plugin_api import PluginError

    unindexed = dataclasses.replace(ctx.photos()[0], id=10**9)  # not in the index
    with pytest.raises(PluginError, match="1 photo of 2 has no vector yet"):
        host_export.run_action("export", ctx, [ctx.photos()[1], unindexed],
                               {"to": str(tmp_path / "none"), "as": "chroma"})
    assert not (tmp_path / "none" / "chroma.sqlite3").exists()


def test_embedding_function_uses_the_configured_weights_file(
    photoclip_home, install_tiny_model, tiny_weights_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`photoclip models use KEY --weights FILE` offline: the EF loads FILE, no download."""
    import huggingface_hub.constants as hf_constants
    from photoclip_chroma import PhotoclipEmbeddingFunction

    from photoclip.config import Settings
    from photoclip.core.models import Embedder

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", True)
    spec = install_tiny_model(photoclip_home.config / "models", key="tiny-hub",
                              weights="hf-hub:photoclip-test/tiny-clip/open_clip_model.safetensors")
    Settings(model=spec.key, weights_file=str(tiny_weights_file), device="cpu",
             precision="fp32").save(photoclip_home.settings_file)
    ef = PhotoclipEmbeddingFunction(device="cpu", precision="fp32")
    got = ef(["a red bus"])[0]
    ref = Embedder(spec, models_dir=photoclip_home.models_dir, device="cpu", precision="fp32",
                   weights_file=tiny_weights_file, allow_download=False)
    assert np.allclose(got, ref.embed_texts(["a red bus"])[0], atol=1e-5)
    ref.close()
    ef.close()


def test_float_and_16_bit_arrays_embed_like_the_8_bit_image(
    tiny_model_spec, photoclip_home, photos: list[Path]
) -> None:
    from photoclip_chroma import PhotoclipEmbeddingFunction

    ef = PhotoclipEmbeddingFunction(model=tiny_model_spec.key, device="cpu", precision="fp32")
    rgb = arrays(photos[:1])[0]
    as_float = rgb.astype(np.float32) / 255
    as_16 = rgb.astype(np.uint16) * 257
    want, *others = ef([rgb, as_float, as_16, as_float.astype(np.float64)])
    for vec in others:
        assert float(np.dot(want, vec)) > 0.9999
    for bad, why in ((rgb.astype(np.float32), r"\[0, 1\]"), (rgb.astype(np.int64), "dtype"),
                     (np.full((8, 8, 3), np.nan, np.float32), "NaN"),
                     (rgb[:, :, :2], "shape")):
        with pytest.raises(ValueError, match=why):
            ef([bad])
    ef.close()


@pytest.mark.parametrize("bad", [{"precision": "fp64"}, {"device": "gpu"}])
def test_bad_precision_or_device_is_refused_up_front(
    tiny_model_spec, photoclip_home, tmp_path: Path, bad: dict
) -> None:
    from chromadb.config import Settings
    from photoclip_chroma import PhotoclipEmbeddingFunction

    with pytest.raises(ValueError, match=r"unknown (precision|device)"):
        PhotoclipEmbeddingFunction(model=tiny_model_spec.key, **bad)
    client = chromadb.PersistentClient(str(tmp_path / "db"),
                                       settings=Settings(anonymized_telemetry=False))
    assert client.list_collections() == []  # nothing half-made with a config that cannot run
    with pytest.raises(ValueError, match=r"unknown (precision|device)"):
        PhotoclipEmbeddingFunction.validate_config({"model": tiny_model_spec.key, **bad})
