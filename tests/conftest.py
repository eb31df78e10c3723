"""Shared fixtures: an isolated photoclip home, a tiny real CLIP model, the shared photo sets.

No CLIP weights exist on test machines, so tests run the real open_clip code on a tiny randomly
initialised model (``tests/assets/tiny-clip.json``) whose weights are saved once per session with
a fixed seed: results are deterministic but rankings are meaningless.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # run from a checkout without installing photoclip
    sys.path.insert(0, str(REPO_ROOT))

from photoclip.config import AppPaths, app_paths  # noqa: E402
from photoclip.core.model_catalogue import write_user_model  # noqa: E402
from photoclip.core.models import Embedder, ModelSpec, get_model_spec  # noqa: E402
from tests.core.fake_hub import FakeHub  # noqa: E402

ASSETS = Path(__file__).resolve().parent / "assets"
TINY_KEY = "tiny-test"
TINY_SEED = 1234
TINY_HUB_REPO = "photoclip-test/tiny-clip"
TINY_HUB_FILE = "open_clip_model.safetensors"

InstallTinyModel = Callable[..., ModelSpec]


# ----- data --------------------------------------------------------------------------------


def copy_coco(datasets_dir: Path, target: Path, n: int, split: str = "val2017") -> Path:
    """The first ``n`` photos of coco-mini's ``split`` copied into ``target`` (times kept)."""
    target.mkdir(parents=True, exist_ok=True)
    for src in sorted((datasets_dir / "coco-mini" / split).glob("*.jpg"))[:n]:
        shutil.copy2(src, target / src.name)
    return target


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The shared photo sets ($PHOTOCLIP_DATASETS or <repo>/../shared/datasets); skip if absent."""
    path = Path(os.environ.get("PHOTOCLIP_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))
    if not path.is_dir():
        pytest.skip(f"shared datasets not found at {path} (set PHOTOCLIP_DATASETS)")
    return path


# ----- the tiny model ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def tiny_clip_config() -> dict:
    """The tiny open_clip model config (embed_dim 64, 2+2 layers, 224 px, 32 px patches)."""
    return json.loads((ASSETS / "tiny-clip.json").read_text())


@pytest.fixture(scope="session")
def tiny_weights_file(tmp_path_factory: pytest.TempPathFactory, tiny_clip_config: dict) -> Path:
    """Randomly initialised tiny-model weights (safetensors), made once per session, seeded."""
    import torch
    from safetensors.torch import save_file

    from photoclip.core.torch_compat import import_open_clip

    oc = import_open_clip()
    folder = tmp_path_factory.mktemp("tiny-weights")
    cfg_file = folder / "photoclip-tiny-weights-maker.json"
    cfg_file.write_text(json.dumps(tiny_clip_config))
    oc.add_model_config(cfg_file)
    torch.manual_seed(TINY_SEED)
    model = oc.create_model(cfg_file.stem, pretrained=None)
    path = folder / "tiny-clip.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path))
    return path


def write_tiny_model_file(
    models_dir: Path, config: dict, weights: str | Path, key: str = TINY_KEY, **extra: object
) -> Path:
    """Write a user model file ``<models_dir>/<key>.json`` for the tiny config."""
    return write_user_model(models_dir, key, config, description="tiny random CLIP for tests",
                            weights=weights, **extra)


@pytest.fixture(scope="session")
def install_tiny_model(tiny_clip_config: dict, tiny_weights_file: Path) -> InstallTinyModel:
    """``install_tiny_model(user_models_dir, key="tiny-test", weights=<tiny file>, **extra)``:
    write a tiny user model file there and return its ModelSpec."""

    def install(
        user_models_dir: Path,
        key: str = TINY_KEY,
        weights: str | Path | None = None,
        **extra: object,
    ) -> ModelSpec:
        write_tiny_model_file(
            user_models_dir, tiny_clip_config, weights or tiny_weights_file, key, **extra
        )
        return get_model_spec(key, user_models_dir)

    return install


# ----- an isolated home ----------------------------------------------------------------------


@pytest.fixture()
def photoclip_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppPaths:
    """A fresh PHOTOCLIP_HOME (set in the environment) and its folders."""
    home = tmp_path / "photoclip-home"
    monkeypatch.setenv("PHOTOCLIP_HOME", str(home))
    monkeypatch.setenv("LANGUAGE", "en")  # the CLI speaks English whatever this machine's locale
    return app_paths().ensure()


@pytest.fixture()
def tiny_model_spec(photoclip_home: AppPaths, install_tiny_model: InstallTinyModel) -> ModelSpec:
    """The tiny model installed as user model 'tiny-test' in ``photoclip_home``."""
    return install_tiny_model(photoclip_home.config / "models")


@pytest.fixture(scope="session")
def tiny_embedder(
    tmp_path_factory: pytest.TempPathFactory, install_tiny_model: InstallTinyModel
) -> Iterator[Embedder]:
    """One tiny-model Embedder (CPU, fp32) for the whole session. Do not close it."""
    home = tmp_path_factory.mktemp("tiny-embedder-home")
    spec = install_tiny_model(home / "config" / "models")
    embedder = Embedder(
        spec, models_dir=home / "data" / "models", device="cpu", precision="fp32",
        allow_download=False,
    )
    yield embedder
    embedder.close()


@pytest.fixture()
def restore_logging() -> Iterator[None]:
    """Put the root logger back as it was (the CLI's main() configures it)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)


# ----- a fake Hugging Face hub ----------------------------------------------------------------


@pytest.fixture()
def fake_hub(
    tiny_weights_file: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeHub]:
    """A fake hub on 127.0.0.1 serving the tiny weights as ``photoclip-test/tiny-clip``
    (``open_clip_model.safetensors``), with ``HF_ENDPOINT`` pointing at it."""
    import huggingface_hub.constants as hf_constants

    with FakeHub({TINY_HUB_REPO: {TINY_HUB_FILE: tiny_weights_file}}) as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", False)
        yield hub


@pytest.fixture()
def tiny_hub_spec(
    photoclip_home: AppPaths, install_tiny_model: InstallTinyModel
) -> ModelSpec:
    """The tiny model as user model 'tiny-hub', whose weights come from the (fake) hub."""
    return install_tiny_model(
        photoclip_home.config / "models", key="tiny-hub",
        weights=f"hf-hub:{TINY_HUB_REPO}/{TINY_HUB_FILE}",
    )
