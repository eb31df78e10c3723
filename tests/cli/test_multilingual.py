"""The whole Chinese path offline, through the real download code: a fake hub on 127.0.0.1
serves random weights and a small XLM-RoBERTa text tower whose tokenizer is built here (a tiny
sentencepiece unigram model trained in the test, laid out like ``xlm-roberta-base``: config.json,
tokenizer.json, tokenizer_config.json, sentencepiece.bpe.model); then `photoclip models use`,
`index` and a Chinese query, in process (``photoclip.cli.main.main``). The offline routes (an
archive with both parts, a weights file plus a text-tower folder) and the errors that must blame
the right part are here too. Rankings from random weights are meaningless; order is checked."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest

from photoclip.config import AppPaths, Settings
from photoclip.core.model_catalogue import ModelSpec, get_model_spec, write_user_model
from photoclip.core.weights import download_weights
from tests.conftest import copy_coco
from tests.core.fake_hub import FakeHub

pytest.importorskip("transformers")
pytest.importorskip("sentencepiece")

KEY = "tiny-mling"
WEIGHTS_REPO = "photoclip-test/tiny-mling-clip"
TOWER_REPO = "photoclip-test/tiny-xlm-roberta"
WEIGHTS_NAME = "open_clip_model.safetensors"
CORPUS = ("一辆自行车停在墙边", "海边的狗在沙滩上跑", "一只猫在沙发上睡觉", "山上的雪和树",
          "城市的夜景", "孩子们在公园里玩", "a dog on the beach", "a red bicycle by a wall",
          "ein Hund am Strand", "a cat asleep on a sofa")


def _tiny_tower(folder: Path) -> Path:
    """A tiny XLM-RoBERTa text tower: a sentencepiece unigram model trained on CORPUS, the
    tokenizer built from it the way xlm-roberta's is (fairseq ids: <s> <pad> </s> <unk>, the
    pieces, <mask>), and a random 1-layer config."""
    import sentencepiece as spm
    from transformers import XLMRobertaConfig, XLMRobertaTokenizer

    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(CORPUS * 10), model_writer=proto, vocab_size=120,
        model_type="unigram", character_coverage=1.0, hard_vocab_limit=False,
        unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1, minloglevel=2)
    folder.mkdir(parents=True)
    (folder / "sentencepiece.bpe.model").write_bytes(proto.getvalue())
    sp = spm.SentencePieceProcessor(model_proto=proto.getvalue())
    pieces = [(sp.id_to_piece(i), sp.get_score(i)) for i in range(sp.get_piece_size())
              if not (sp.is_unknown(i) or sp.is_control(i))]
    vocab = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), *pieces,
             ("<mask>", 0.0)]
    tokenizer = XLMRobertaTokenizer(vocab=vocab)
    tokenizer.save_pretrained(str(folder))
    XLMRobertaConfig(
        vocab_size=len(tokenizer), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=80, pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
    ).save_pretrained(str(folder))
    return folder


def _open_clip_config(tower: str) -> dict:
    return {"embed_dim": 64,
            "vision_cfg": {"image_size": 224, "layers": 1, "width": 64, "head_width": 32,
                           "patch_size": 32},
            "text_cfg": {"hf_model_name": tower, "hf_tokenizer_name": tower,
                         "hf_pooler_type": "mean_pooler", "hf_proj_type": "linear",
                         "context_length": 77}}


@pytest.fixture(scope="module")
def parts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The two parts of the tiny multilingual model: ``tower`` (a folder) and ``weights``
    (random, seeded, safetensors), as the hub would hold them."""
    import torch
    from safetensors.torch import save_file

    from photoclip.core.torch_compat import import_open_clip

    root = tmp_path_factory.mktemp("mling")
    tower = _tiny_tower(root / "tower")
    oc = import_open_clip()
    cfg_file = root / "photoclip-test-tiny-mling-maker.json"
    cfg_file.write_text(json.dumps(_open_clip_config(str(tower))))
    oc.add_model_config(cfg_file)
    torch.manual_seed(17)
    model = oc.create_model(cfg_file.stem, pretrained=None, pretrained_hf=False)
    weights = root / WEIGHTS_NAME
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    return {"tower": tower, "weights": weights}


@pytest.fixture()
def hub(parts: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    import huggingface_hub.constants as hf_constants

    files = {p.name: p for p in parts["tower"].iterdir()}
    with FakeHub({WEIGHTS_REPO: {WEIGHTS_NAME: parts["weights"]}, TOWER_REPO: files}) as h:
        monkeypatch.setenv("HF_ENDPOINT", h.url)
        monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
        yield h


@pytest.fixture()
def home(photoclip_home: AppPaths, monkeypatch: pytest.MonkeyPatch, restore_logging) -> AppPaths:
    """A home whose user model 'tiny-mling' is multilingual with a Hugging Face text tower on
    the hub; the library starts on the English-only tiny model."""
    write_user_model(photoclip_home.config / "models", KEY, _open_clip_config(TOWER_REPO),
                     description="tiny multilingual test model",
                     weights=f"hf-hub:{WEIGHTS_REPO}/{WEIGHTS_NAME}", multilingual=True,
                     requires=["transformers", "sentencepiece"])
    Settings(model="", device="cpu", precision="fp32").save(photoclip_home.settings_file)
    return photoclip_home


def _spec(home: AppPaths) -> ModelSpec:
    return get_model_spec(KEY, home.config / "models")


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from photoclip.cli.main import main

    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def _no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on: the hub cannot be reached
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")


def test_models_use_downloads_both_parts_then_a_chinese_query_is_answered(
    hub: FakeHub, home: AppPaths, datasets_dir: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = _cli(capsys, "models", "use", KEY)
    assert status == 0, err
    model_dir = home.models_dir / KEY
    assert (model_dir / WEIGHTS_NAME).is_file()
    tower = sorted(p.name for p in (model_dir / "text-tower").iterdir() if p.is_file())
    assert tower == sorted(hub.repos[TOWER_REPO])
    assert {r.path.split("/resolve/")[0].strip("/") for r in hub.gets()} == {
        WEIGHTS_REPO, TOWER_REPO}
    assert "downloading model" in err and "100%" in err  # one bar, finished
    assert Settings.load(home.settings_file).model == KEY

    photos = copy_coco(datasets_dir, tmp_path / "Pictures", 4)
    assert _cli(capsys, "folders", "add", str(photos))[0] == 0
    gets = len(hub.gets())
    status, _, err = _cli(capsys, "index", "--quiet")
    assert status == 0, err
    status, out, err = _cli(capsys, "--json", "search", "海边的狗")
    assert status == 0, err
    assert "English only" not in err  # a multilingual model: no hint
    scores = [r["score"] for r in json.loads(out)["results"]]
    assert len(scores) == 4 and scores == sorted(scores, reverse=True)
    assert len(set(scores)) > 1  # the Chinese text reached the model: photos told apart
    assert len(hub.gets()) == gets  # everything was on disk: no more downloads


def test_one_progress_bar_covers_the_weights_and_the_text_tower(
    hub: FakeHub, home: AppPaths, parts: dict[str, Path]
) -> None:
    seen: list[tuple[int, int]] = []
    path = download_weights(_spec(home), home.models_dir, lambda d, t: seen.append((d, t)))
    total = parts["weights"].stat().st_size + sum(
        p.stat().st_size for p in parts["tower"].iterdir())
    assert path == home.models_dir / KEY / WEIGHTS_NAME
    assert seen[-1] == (total, total) and {t for _, t in seen} == {total}
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # never goes back


def test_offline_an_archive_with_both_parts_is_enough(
    home: AppPaths, parts: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _no_hub(monkeypatch)
    archive = tmp_path / "tiny-mling.tar.gz"
    with tarfile.open(archive, "w:gz") as t:
        t.add(parts["weights"], f"{KEY}/{WEIGHTS_NAME}")
        t.add(parts["tower"], f"{KEY}/text-tower")
    status, _, err = _cli(capsys, "models", "use", KEY, "--weights", str(archive))
    assert status == 0, err
    assert (home.models_dir / KEY / "text-tower" / "config.json").is_file()
    from photoclip.core.library import Library

    with Library(home) as lib:  # the model loads from the unpacked parts, no hub at all
        vecs = lib.embedder.embed_texts(["一辆自行车", "海边的狗"])
        assert vecs.shape == (2, 64) and abs(float(vecs[0] @ vecs[1])) < 0.9999
        assert lib.embedder.weights_used == home.models_dir / KEY / "offline" / KEY / WEIGHTS_NAME


def test_offline_a_weights_file_alone_is_refused_naming_the_text_tower(
    home: AppPaths, parts: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _no_hub(monkeypatch)
    status, _, err = _cli(capsys, "models", "use", KEY, "--weights", str(parts["weights"]))
    assert status != 0
    assert "text tower" in err and TOWER_REPO in err and "--text-tower" in err
    assert "its weights file" not in err  # the file given is fine: not blamed
    assert Settings.load(home.settings_file).model == ""  # nothing changed
    # the same file with the tower's folder works, still offline
    status, _, err = _cli(capsys, "models", "use", KEY, "--weights", str(parts["weights"]),
                          "--text-tower", str(parts["tower"]))
    assert status == 0, err
    assert Settings.load(home.settings_file).model == KEY


def test_offline_with_nothing_names_both_parts_and_the_offline_route(
    home: AppPaths, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    _no_hub(monkeypatch)
    status, _, err = _cli(capsys, "models", "use", KEY)
    assert status != 0
    assert "its weights file and its text tower" in err and "cannot be reached" in err
    assert "--weights FOLDER_OR_ARCHIVE" in err
    assert Settings.load(home.settings_file).model == ""


def test_a_broken_text_tower_is_blamed_not_the_weights(
    home: AppPaths, parts: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _no_hub(monkeypatch)
    folder = tmp_path / "offline"
    shutil.copytree(parts["tower"], folder / "text-tower")
    shutil.copy2(parts["weights"], folder / WEIGHTS_NAME)
    (folder / "text-tower" / "config.json").write_text('{"hidden_size": 32}')
    status, _, err = _cli(capsys, "models", "use", KEY, "--weights", str(folder))
    assert status != 0
    assert "text tower" in err and "no model_type" in err and "not the problem" in err
    (folder / "text-tower" / "config.json").unlink()
    shutil.rmtree(folder / "text-tower")
    status, _, err = _cli(capsys, "models", "use", KEY, "--weights", str(folder))
    assert status != 0 and "has its weights but not its text tower" in err
    assert Settings.load(home.settings_file).model == ""


def test_weights_for_another_model_are_blamed_not_the_text_tower(
    home: AppPaths, parts: dict[str, Path], tiny_weights_file: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """The English-only tiny model's weights given for the multilingual one: refused up front
    (the model is built on the meta device from the text tower given), naming the file."""
    _no_hub(monkeypatch)
    status, _, err = _cli(capsys, "models", "use", KEY, "--weights", str(tiny_weights_file),
                          "--text-tower", str(parts["tower"]))
    assert status != 0
    assert f"The weights file {tiny_weights_file} does not fit model '{KEY}'" in err
    assert "text tower" not in err.split("does not fit")[1]
    assert Settings.load(home.settings_file).model == ""


def test_online_a_weights_file_gets_only_the_text_tower_downloaded(
    hub: FakeHub, home: AppPaths, parts: dict[str, Path], capsys: pytest.CaptureFixture[str],
) -> None:
    status, _, err = _cli(capsys, "models", "use", KEY, "--weights", str(parts["weights"]))
    assert status == 0, err
    assert {r.path.split("/resolve/")[0].strip("/") for r in hub.gets()} == {TOWER_REPO}
    assert (home.models_dir / KEY / "text-tower" / "config.json").is_file()
    assert not (home.models_dir / KEY / WEIGHTS_NAME).exists()  # the file given is used
    assert Settings.load(home.settings_file).weights_file == str(parts["weights"])
