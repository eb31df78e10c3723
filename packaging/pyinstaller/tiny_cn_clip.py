"""Write a tiny random Chinese-CLIP in the hub repo's layout (for smoke-test.sh).

    python packaging/pyinstaller/tiny_cn_clip.py FOLDER

FOLDER gets config.json, vocab.txt (bert-base-chinese's, as the ``cn_clip`` package ships it),
preprocessor_config.json and pytorch_model.bin: what `photoclip models use cn-clip-vit-b-16
--weights FOLDER/pytorch_model.bin` takes offline. Runs in the build environment (it needs torch,
transformers and cn_clip), never inside the bundle."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PREPROCESSOR = {
    "crop_size": 224, "do_center_crop": False, "do_normalize": True, "do_resize": True,
    "feature_extractor_type": "ChineseCLIPFeatureExtractor",
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "resample": 3, "size": {"height": 224, "width": 224},
}


def write_tiny_repo(folder: Path, vocab: Path) -> Path:
    """A tiny random ChineseCLIPModel in the hub repo's layout in ``folder`` (config.json,
    ``vocab`` as vocab.txt, preprocessor_config.json, pytorch_model.bin); the tests use it too."""
    import torch

    from photoclip.core.torch_compat import import_torchvision

    import_torchvision()  # the torchvision-on-CPU-torch workaround, before transformers
    from transformers import ChineseCLIPConfig, ChineseCLIPModel

    folder.mkdir(parents=True, exist_ok=True)
    small = {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2,
             "intermediate_size": 64}
    config = ChineseCLIPConfig(
        text_config={**small, "vocab_size": 21128, "max_position_embeddings": 64},
        vision_config={**small, "image_size": 224, "patch_size": 32},
        projection_dim=512,
    )
    torch.manual_seed(7)
    model = ChineseCLIPModel(config).eval()
    config.save_pretrained(folder)
    torch.save(model.state_dict(), folder / "pytorch_model.bin")
    shutil.copy(vocab, folder / "vocab.txt")
    (folder / "preprocessor_config.json").write_text(json.dumps(PREPROCESSOR))
    return folder


def main(folder: Path) -> int:
    spec = importlib.util.find_spec("cn_clip")
    if spec is None or not spec.submodule_search_locations:
        print("error: the cn_clip package (its bert-base-chinese vocab) is not installed: "
              "pip install cn_clip==1.6.0 --no-deps", file=sys.stderr)
        return 2
    write_tiny_repo(folder, Path(spec.submodule_search_locations[0]) / "clip" / "vocab.txt")
    print(f"wrote a tiny random Chinese-CLIP to {folder}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        raise SystemExit(2)
    raise SystemExit(main(Path(sys.argv[1])))
