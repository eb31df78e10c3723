"""Chinese-CLIP through the model-provider seam, against the reference implementation.

The reference is the ``cn_clip`` package (OFA-Sys; installed without its training-only
dependencies, see .ci/run): its tokenizer and vocabulary, its image transform. The model is a
tiny random ``ChineseCLIPModel`` laid out as the hub repo ``OFA-Sys/chinese-clip-vit-base-patch16``
is, served by a fake hub on 127.0.0.1, so the real download code runs offline.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from photoclip.config import AppPaths, Settings
from photoclip.core.images import preprocess
from photoclip.core.model_catalogue import CATALOGUE, ModelUnavailableError
from photoclip.core.model_provider import provider_for
from photoclip.core.models import Embedder
from photoclip.core.providers.chinese_clip import ChineseClipTokenizer
from tests.conftest import copy_coco
from tests.core.fake_hub import FakeHub

_MAKER = Path(__file__).resolve().parents[2] / "packaging" / "pyinstaller" / "tiny_cn_clip.py"
_spec = importlib.util.spec_from_file_location("tiny_cn_clip", _MAKER)
assert _spec is not None and _spec.loader is not None
tiny_cn_clip = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tiny_cn_clip)
PREPROCESSOR = tiny_cn_clip.PREPROCESSOR  # the hub repo's preprocessor_config.json
write_tiny_repo = tiny_cn_clip.write_tiny_repo

pytest.importorskip("transformers", reason="Chinese-CLIP needs transformers (multilingual extra)")

KEY = "cn-clip-vit-b-16"
SPEC = CATALOGUE[KEY]
SENTENCES = [
    "一辆自行车", "海边的狗", "两只狗在雪地里玩耍", "iPhone 15 Pro 在桌子上, 价格 ¥7999!",
    "Café résumé NAÏVE ÉCOLE", "東京タワーと富士山", "２０２４年的照片（全角）",
    "😀 emoji\tand  spaces\n",
    "", "很" * 80, "unaffable dogs running on the beach", "我爱北京天安门。Hello, world 123",
]


@pytest.fixture(scope="module")
def cn_clip():
    """The reference implementation (``cn_clip.clip``)."""
    from photoclip.core.torch_compat import import_open_clip

    import_open_clip()  # the torchvision-on-CPU-torch workaround, before cn_clip imports it
    return pytest.importorskip("cn_clip.clip")


@pytest.fixture(scope="module")
def vocab(cn_clip) -> Path:
    """bert-base-chinese's vocabulary as cn_clip ships it (the hub repo's vocab.txt)."""
    spec = importlib.util.find_spec("cn_clip")
    assert spec is not None and spec.submodule_search_locations
    return Path(spec.submodule_search_locations[0]) / "clip" / "vocab.txt"


@pytest.fixture(scope="module")
def tiny_repo(tmp_path_factory: pytest.TempPathFactory, vocab: Path) -> Path:
    """A tiny random ChineseCLIPModel in the hub repo's layout (the bundle smoke test's maker)."""
    return write_tiny_repo(tmp_path_factory.mktemp("cn-clip-repo"), vocab)


@pytest.fixture()
def cn_hub(tiny_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    import huggingface_hub.constants as hf_constants

    files: dict[str, bytes | Path] = {p.name: p for p in tiny_repo.iterdir()}
    with FakeHub({SPEC.hf_hub_id: files}) as hub:  # type: ignore[dict-item]
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
        yield hub


def _photos(datasets_dir: Path) -> list[Image.Image]:
    coco = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:3]
    edge = datasets_dir / "edge-cases" / "orientation" / "Portrait_1.jpg"
    images = [Image.open(p).convert("RGB") for p in coco]
    images.append(Image.open(edge).convert("RGB").resize((150, 500)))  # tall, upscaled width
    images.append(Image.new("RGB", (3, 2), (10, 200, 30)))  # tiny
    return images


# ----- the reference's tokenizer and pixels --------------------------------------------------


def test_tokenizer_gives_cn_clip_ids_byte_for_byte(cn_clip, vocab: Path) -> None:
    ours = ChineseClipTokenizer(vocab)(SENTENCES)
    ref = cn_clip.tokenize(SENTENCES)
    assert ours.dtype == ref.dtype and ours.shape == ref.shape == (len(SENTENCES), 52)
    assert ours.numpy().tobytes() == ref.numpy().tobytes()
    assert ours[1, :5].tolist()[0] == 101 and int((ours[0] != 0).sum()) == 5 + 2  # CLS ... SEP
    assert vocab.read_text(encoding="utf-8").count("\n") == 21128  # bert-base-chinese


def test_preprocess_matches_cn_clip_transform(
    cn_clip, datasets_dir: Path, tiny_repo: Path
) -> None:
    """photoclip's pipeline, told by the provider how (from the repo's preprocessor config and
    without one), gives cn_clip's ``image_transform`` tensor on real photos."""
    provider = provider_for(SPEC)
    with_file = provider.preprocess_spec(
        SPEC, _models_with(tiny_repo, tiny_repo.parent / "pp-models"))
    assert with_file == provider.preprocess_spec(SPEC, None)
    assert with_file.resize_mode == "squash" and with_file.image_size == (224, 224)
    transform = cn_clip.image_transform(224)
    for image in _photos(datasets_dir):
        ours, ref = preprocess(image, with_file), transform(image).numpy()
        assert ours.dtype == ref.dtype and ours.shape == ref.shape == (3, 224, 224)
        assert float(np.abs(ours - ref).max()) < 1e-6  # measured: 0.0


def _models_with(repo: Path, models_dir: Path) -> Path:
    """A models folder with the repo copied in as the catalogue model (the offline route)."""
    if not (models_dir / KEY).is_dir():
        shutil.copytree(repo, models_dir / KEY)
    return models_dir


# ----- the model: features as transformers computes them -------------------------------------


def test_features_equal_the_reference_computation(
    cn_clip, tiny_repo: Path, datasets_dir: Path, tmp_path: Path
) -> None:
    """Offline route (the repo folder copied into the models folder): the embedder's text and
    image vectors are transformers' ChineseCLIPModel features of cn_clip's tokens and pixels."""
    import torch
    from transformers import ChineseCLIPModel

    emb = Embedder(SPEC, models_dir=_models_with(tiny_repo, tmp_path / "models"), device="cpu",
                   precision="fp32", allow_download=False)
    texts = SENTENCES[:4]
    images = _photos(datasets_dir)[:2]
    ours_t = emb.embed_texts(texts)
    ours_i = emb.embed_images(np.stack([preprocess(im, emb.preprocess_spec) for im in images]))
    assert emb.dim == 512 and ours_t.shape == (4, 512) and ours_i.shape == (2, 512)

    ref_model = ChineseCLIPModel.from_pretrained(str(tiny_repo)).eval()
    tokens = cn_clip.tokenize(texts)
    pixels = torch.stack([cn_clip.image_transform(224)(im) for im in images])
    with torch.inference_mode():
        t = ref_model.get_text_features(input_ids=tokens, attention_mask=tokens.ne(0))
        i = ref_model.get_image_features(pixel_values=pixels)
    ref_t = torch.nn.functional.normalize(getattr(t, "pooler_output", t), dim=-1).numpy()
    ref_i = torch.nn.functional.normalize(getattr(i, "pooler_output", i), dim=-1).numpy()
    assert np.abs(ours_t - ref_t).max() < 1e-5
    assert np.abs(ours_i - ref_i).max() < 1e-5
    many = [SENTENCES[i % len(SENTENCES)] * (1 + i % 3) for i in range(300)]  # a bulk call
    bulk = emb.embed_texts(many)  # chunks of similar length, each cut to its longest
    assert np.abs(bulk - np.concatenate([emb.embed_texts(many[i : i + 12])
                                         for i in range(0, 300, 12)])).max() < 1e-5
    emb.close()


def test_weights_alone_are_refused_with_what_is_missing(tiny_repo: Path, tmp_path: Path) -> None:
    lone = tmp_path / "elsewhere" / "pytorch_model.bin"
    lone.parent.mkdir()
    shutil.copy(tiny_repo / "pytorch_model.bin", lone)
    emb = Embedder(SPEC, models_dir=tmp_path / "models", device="cpu", precision="fp32",
                   weights_file=lone, allow_download=False)
    with pytest.raises(ModelUnavailableError) as err:
        emb.embed_texts(["海边的狗"])
    assert "config.json and vocab.txt" in err.value.message
    assert str(tmp_path / "models" / KEY) in err.value.message


def test_weights_file_beside_its_folder_under_any_name(tiny_repo: Path, tmp_path: Path) -> None:
    """`--weights FILE` where FILE (any name) sits in a copy of the repo folder."""
    folder = tmp_path / "my-cn-clip"
    shutil.copytree(tiny_repo, folder)
    (folder / "pytorch_model.bin").rename(folder / "weights.bin")
    emb = Embedder(SPEC, models_dir=tmp_path / "models", device="cpu", precision="fp32",
                   weights_file=folder / "weights.bin", allow_download=False)
    ref = Embedder(SPEC, models_dir=_models_with(tiny_repo, tmp_path / "m2"), device="cpu",
                   precision="fp32", allow_download=False)
    assert np.allclose(emb.embed_texts(["海边的狗"]), ref.embed_texts(["海边的狗"]), atol=1e-6)
    (folder / "bad.bin").write_bytes(b"not a checkpoint")
    bad = Embedder(SPEC, models_dir=tmp_path / "models", device="cpu", precision="fp32",
                   weights_file=folder / "bad.bin", allow_download=False)
    with pytest.raises(ModelUnavailableError, match="cannot be built from"):
        bad.embed_texts(["海边的狗"])


# ----- the seam ------------------------------------------------------------------------------


PLUGIN = """
from photoclip.core.providers.chinese_clip import ChineseClipProvider
from photoclip.plugin_api import hookimpl


class TheirFamily(ChineseClipProvider):
    name = "their-family"


@hookimpl
def photoclip_model_providers(register):
    register(TheirFamily())
"""


def test_a_plugin_provider_builds_a_user_model(
    tiny_repo: Path, photoclip_home: AppPaths, capsys, restore_logging
) -> None:
    """A plugin registers a provider (``photoclip_model_providers``); a user model file that
    names it is chosen and built through it (in the app's model process too), with no special
    case anywhere; a model whose provider nobody registers is refused up front and nothing
    changes."""
    from photoclip.cli.main import main
    from photoclip.core import plugin_host
    from photoclip.core.library import Library

    folder = plugin_host.user_plugins_dir(photoclip_home) / "their-family"
    folder.mkdir(parents=True)
    module = f"pc_test_provider_{abs(hash(str(photoclip_home.config))):x}"
    (folder / "plugin.toml").write_text(
        f'name = "their-family"\ndescription = "a model family"\napi_version = 1\n'
        f'module = "{module}"\nhooks = ["photoclip_model_providers"]\n')
    (folder / f"{module}.py").write_text(PLUGIN)
    weights = photoclip_home.data / "theirs" / "pytorch_model.bin"
    shutil.copytree(tiny_repo, weights.parent)
    models = photoclip_home.config / "models"
    _user_model(models, key="their-model", weights=str(weights), provider="their-family",
                arch="their-arch", description="a plugin's model")
    _user_model(models, key="orphan", weights="random", provider="nobody", arch="x")
    Settings(device="cpu", precision="fp32").save(photoclip_home.settings_file)

    assert main(["models", "use", "their-model"]) == 0
    assert main(["models", "use", "orphan"]) != 0
    assert "model provider 'nobody'" in capsys.readouterr().err
    lib = Library(photoclip_home, model_process=True)  # as the app: the model in a child
    try:
        assert lib.model_spec.key == "their-model"  # the refused switch changed nothing
        vecs = lib.embedder.embed_texts(["海边的狗"])
        assert provider_for(lib.model_spec).name == "their-family"
    finally:
        lib.close()
    assert vecs.shape == (1, 512) and abs(float(np.linalg.norm(vecs)) - 1) < 1e-5


def _user_model(folder: Path, **fields: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{fields['key']}.json").write_text(json.dumps(fields), encoding="utf-8")


# ----- end to end: models use, index (downloading), a Chinese query --------------------------


def test_models_use_index_and_a_chinese_query(
    cn_hub: FakeHub, photoclip_home: AppPaths, datasets_dir: Path, tmp_path: Path, capsys,
    restore_logging,
) -> None:
    from photoclip.cli.main import main

    Settings(device="cpu", precision="fp32").save(photoclip_home.settings_file)
    photos = copy_coco(datasets_dir, tmp_path / "Pictures", 6)
    assert main(["models", "use", KEY]) == 0
    assert main(["folders", "add", str(photos)]) == 0
    assert main(["labels", "auto", "off"]) == 0
    assert main(["index", "-q"]) == 0
    folder = photoclip_home.models_dir / KEY
    assert {"config.json", "vocab.txt", "preprocessor_config.json", "pytorch_model.bin"} <= {
        p.name for p in folder.iterdir()}
    assert any("/resolve/" in r.path and r.path.endswith("pytorch_model.bin")
               for r in cn_hub.requests)
    capsys.readouterr()
    assert main(["search", "海边的狗", "--limit", "6", "--json"]) == 0
    hits = json.loads(capsys.readouterr().out)["results"]
    scores = [h["score"] for h in hits]
    assert len(hits) == 6 and scores == sorted(scores, reverse=True)
    assert all(-1.0 <= s <= 1.0 for s in scores) and len(set(scores)) > 1
    assert main(["models"]) == 0
    listing = capsys.readouterr().out
    assert "MUGE 52.1%" in listing and "COCO-CN 62.2%" in listing

    # the offline route: the repo folder elsewhere, its weights under any name, no hub
    offline = tmp_path / "usb" / "chinese-clip"
    shutil.copytree(folder, offline, ignore=shutil.ignore_patterns(".cache"))
    (offline / "pytorch_model.bin").rename(offline / "cn-clip-b16.bin")
    shutil.rmtree(folder)
    cn_hub.stop()
    assert main(["models", "use", KEY, "--weights", str(offline / "cn-clip-b16.bin")]) == 0
    capsys.readouterr()
    assert main(["search", "海边的狗", "--limit", "6", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)["results"]
    assert [(h["path"], round(h["score"], 5)) for h in again] == [
        (h["path"], round(h["score"], 5)) for h in hits]
