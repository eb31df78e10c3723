"""Install the tests' tiny random-weight CLIP as user model ``tiny-test`` (for smoke-test.sh).

    python packaging/pyinstaller/tiny_model.py <PHOTOCLIP_HOME>/config/models

Writes ``tiny-clip.safetensors`` (seeded random weights of ``tests/assets/tiny-clip.json``) and
the user model file ``tiny-test.json`` into that folder, as tests/conftest.py does. Runs in the
build environment (it needs torch), never inside the bundle."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main(models_dir: Path) -> int:
    import torch
    from safetensors.torch import save_file

    from photoclip.core.model_catalogue import write_user_model
    from photoclip.core.torch_compat import import_open_clip

    config = json.loads((ROOT / "tests" / "assets" / "tiny-clip.json").read_text())
    models_dir.mkdir(parents=True, exist_ok=True)
    oc = import_open_clip()
    cfg_file = models_dir / "photoclip-tiny-weights-maker.json"
    cfg_file.write_text(json.dumps(config))
    oc.add_model_config(cfg_file)
    cfg_file.unlink()
    torch.manual_seed(1234)
    model = oc.create_model(cfg_file.stem, pretrained=None)
    weights = models_dir / "tiny-clip.safetensors"
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(weights))
    write_user_model(models_dir, "tiny-test", config, weights=weights,
                     description="tiny random CLIP for the bundle's smoke test")
    print(f"installed user model tiny-test in {models_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
