"""The ``chinese_clip`` model provider: OFA-Sys Chinese-CLIP through transformers.

Chinese-CLIP pairs a CLIP image tower with a Chinese RoBERTa text tower (bert-base-chinese
vocabulary). Its files are a transformers repo's (``OFA-Sys/chinese-clip-vit-base-patch16``:
``config.json``, ``preprocessor_config.json``, ``vocab.txt`` and the weights), downloaded into
``<models>/<key>/`` or copied there by hand for offline use; a weights file named with
``--weights`` may instead sit in such a folder of its own.

As the reference implementation (``cn_clip``) does, and as the tests check against it:

- **tokenizer**: WordPiece over ``vocab.txt`` (lower-cased, accents stripped, CJK characters
  split one by one), ``[CLS] ids[:50] [SEP]``, padded with 0 to 52 tokens; the text feature is
  the projected ``[CLS]`` state with padding masked out;
- **pixels**: the whole image resized (bicubic) to a 224 px square, no crop, CLIP mean and std
  (``preprocessor_config.json`` may say otherwise; it is read when present).

Nothing here imports torch or transformers at import time.
"""

from __future__ import annotations

import json
import logging
import warnings
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from photoclip.core.model_catalogue import (
    HF_PICKLE_WEIGHTS_NAME,
    HF_SAFE_WEIGHTS_NAME,
    ModelSpec,
    ModelUnavailableError,
)
from photoclip.core.model_provider import BuiltModel
from photoclip.core.said import AND, N_, Listed, Said
from photoclip.core.types import PreprocessSpec

log = logging.getLogger(__name__)

CONTEXT_LENGTH = 52  # every Chinese-CLIP model's (cn_clip.clip.tokenize's default)
CONFIG = "config.json"
PREPROCESSOR = "preprocessor_config.json"
VOCAB = "vocab.txt"
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)
DEFAULT_DIM = 512  # ViT-B/16's projection, until its config.json is on disk
DEFAULT_SIZE = 224

_NO_FOLDER = N_("Model '{model}': no models folder to look in.")
_UNREADABLE = N_("Cannot read {file} ({error}): fetch the model again.")
_NO_VOCAB = N_("The vocabulary {file} is missing.")
_NO_TOKEN = N_("The vocabulary has no {token} token.")
_MODEL = N_("model")
_THIS_MODEL = N_("this model")
_MISSING = N_("Model '{model}' needs {files} beside its weights, in {folder}. Run `photoclip "
              "models download {model}`, or offline copy the whole {repo} folder (config.json, "
              "preprocessor_config.json, vocab.txt and the weights) there.")
_NOT_BUILT = N_("Model '{model}' cannot be built from {file} ({error}). Check the file is "
                "{repo}'s, or fetch it again with `photoclip models download {model}`.")


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def model_folder(spec: ModelSpec, models_dir: Path | None, weights: Path | None = None) -> Path:
    """Where the model's config and vocabulary are: beside a weights file the user named, if
    they are there, else ``<models>/<key>/``."""
    from photoclip.core.weights import model_dir

    for candidate in (weights, Path(spec.local_weights) if spec.local_weights else None):
        if candidate is not None and (candidate.parent / CONFIG).is_file():
            return candidate.parent
    if models_dir is None:
        raise ModelUnavailableError(Said(_NO_FOLDER, {"model": spec.key}))
    return model_dir(spec, models_dir)


def _read_json(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelUnavailableError(Said(_UNREADABLE, {"file": path, "error": str(exc)})) from exc
    return data if isinstance(data, dict) else None


class ChineseClipTokenizer:
    """``texts -> LongTensor (N, 52)`` exactly as ``cn_clip.clip.tokenize``."""

    def __init__(self, vocab_file: Path, context_length: int = CONTEXT_LENGTH) -> None:
        from tokenizers import BertWordPieceTokenizer

        if not Path(vocab_file).is_file():
            raise ModelUnavailableError(Said(_NO_VOCAB, {"file": vocab_file}))
        self._wp = BertWordPieceTokenizer(
            str(vocab_file), clean_text=True, handle_chinese_chars=True, strip_accents=None,
            lowercase=True,
        )
        self.context_length = int(context_length)
        self.cls_id = self._id("[CLS]")
        self.sep_id = self._id("[SEP]")
        self.pad_id = self._id("[PAD]")

    def _id(self, token: str) -> int:
        found = self._wp.token_to_id(token)
        if found is None:
            raise ModelUnavailableError(Said(_NO_TOKEN, {"token": token}))
        return int(found)

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with [CLS] and [SEP], cut to the context length, without padding."""
        out = []
        for enc in self._wp.encode_batch([str(t) for t in texts], add_special_tokens=False):
            out.append([self.cls_id, *enc.ids[: self.context_length - 2], self.sep_id])
        return out

    def __call__(self, texts: Sequence[str] | str) -> Any:
        import torch

        if isinstance(texts, str):
            texts = [texts]
        rows = self.ids(texts)
        result = torch.full((len(rows), self.context_length), self.pad_id, dtype=torch.long)
        for i, row in enumerate(rows):
            result[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        return result


def _encoders(model: Any, pad_id: int) -> Any:
    """``model`` (a ChineseCLIPModel) with open_clip's ``encode_image`` / ``encode_text``."""
    import torch

    def features(out: Any) -> Any:  # transformers 5: an output object; 4: the tensor
        return out if isinstance(out, torch.Tensor) else out.pooler_output

    class Encoders(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def encode_image(self, pixels: Any) -> Any:
            return features(self.model.get_image_features(pixel_values=pixels))

        def encode_text(self, tokens: Any) -> Any:
            mask = tokens.ne(pad_id)
            length = max(1, int(mask.sum(dim=1).max())) if len(tokens) else tokens.shape[1]
            tokens, mask = tokens[:, :length], mask[:, :length]  # padding is masked anyway
            return features(self.model.get_text_features(
                input_ids=tokens, attention_mask=mask.long(),
                token_type_ids=torch.zeros_like(tokens)))

    return Encoders()


class ChineseClipProvider:
    """OFA-Sys Chinese-CLIP models, built with transformers' ``ChineseCLIPModel``."""

    name = "chinese_clip"

    def config(self, spec: ModelSpec, models_dir: Path | None = None) -> dict[str, Any]:
        cfg = _read_json(model_folder(spec, models_dir) / CONFIG) if models_dir else None
        if cfg is None:
            return {"embed_dim": DEFAULT_DIM, "image_size": DEFAULT_SIZE}
        vision = cfg.get("vision_config") or {}
        return {"embed_dim": int(cfg.get("projection_dim", DEFAULT_DIM)),
                "image_size": int(vision.get("image_size", DEFAULT_SIZE))}

    def preprocess_spec(self, spec: ModelSpec, models_dir: Path | None = None) -> PreprocessSpec:
        size = int(self.config(spec, models_dir)["image_size"])
        folder = model_folder(spec, models_dir) if models_dir else None
        pre = (_read_json(folder / PREPROCESSOR) if folder else None) or {}
        mean = tuple(float(v) for v in pre.get("image_mean", CLIP_MEAN))
        std = tuple(float(v) for v in pre.get("image_std", CLIP_STD))
        return PreprocessSpec(
            image_size=(size, size),
            mean=mean,  # type: ignore[arg-type]
            std=std,  # type: ignore[arg-type]
            interpolation="bilinear" if pre.get("resample") == 2 else "bicubic",
            resize_mode="shortest" if pre.get("do_center_crop") else "squash",
        )

    def files(self, spec: ModelSpec) -> tuple[str, ...]:
        return (VOCAB, PREPROCESSOR, CONFIG)

    def build(
        self, spec: ModelSpec, weights: Path | None, *, models_dir: Path, device: str,
        precision: str, full: bool, allow_download: bool,
        progress: Callable[[int, int], None] | None = None,
    ) -> BuiltModel:
        import torch

        from photoclip.core.torch_compat import import_torchvision

        import_torchvision()  # (transformers imports it; robustly first, as open_clip's path does)
        from transformers import ChineseCLIPConfig, ChineseCLIPModel

        folder = model_folder(spec, models_dir, weights)
        missing = [n for n in (CONFIG, VOCAB) if not (folder / n).is_file()]
        if missing:
            raise ModelUnavailableError(Said(_MISSING, {
                "model": spec.key, "files": Listed(tuple(missing), AND),
                "folder": folder, "repo": spec.hf_hub_id or Said(_MODEL)}))
        dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision, torch.float32)
        log.info("Loading model %s (Chinese-CLIP) on %s in %s from %s",
                 spec.key, device, precision, weights or "random weights")
        try:
            tokenizer = ChineseClipTokenizer(folder / VOCAB)
            config = ChineseCLIPConfig.from_pretrained(str(folder))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if weights is None:
                    with torch.random.fork_rng(devices=[]):
                        torch.manual_seed(zlib.crc32(spec.key.encode()))
                        model = ChineseCLIPModel(config)
                elif (weights.parent == folder
                      and weights.name in (HF_SAFE_WEIGHTS_NAME, HF_PICKLE_WEIGHTS_NAME)):
                    model = ChineseCLIPModel.from_pretrained(str(folder), config=config)
                else:
                    model = ChineseCLIPModel(config)
                    _load_state(model, weights)
        except ModelUnavailableError:
            raise
        except Exception as exc:
            log.debug("Chinese-CLIP load failed", exc_info=True)
            raise ModelUnavailableError(Said(_NOT_BUILT, {
                "model": spec.key, "file": weights or folder, "error": _short(exc),
                "repo": spec.hf_hub_id or Said(_THIS_MODEL)})) from exc
        model = model.to(device=device, dtype=dtype).eval()
        if precision == "int8":
            precision = _quantize(model)
        return BuiltModel(_encoders(model, tokenizer.pad_id), tokenizer,
                     int(config.projection_dim), True, precision)


def _load_state(model: Any, weights: Path) -> None:
    """Load a transformers state dict from any file name (``--weights``); refuse one whose
    tensors are not this model's."""
    import torch

    if weights.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(str(weights))
    else:
        state = torch.load(str(weights), map_location="cpu", weights_only=True)
    result = model.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if not k.endswith("position_ids")]
    if missing:
        raise ValueError(f"{len(missing)} of the model's tensors are not in the file "
                         f"(e.g. {missing[0]})")


def _quantize(model: Any) -> str:
    """int8 dynamic quantisation of the image tower's Linear layers; the text tower stays
    fp32 (a query is one short sequence)."""
    import torch

    from photoclip.core.precision import _int8_available

    if not _int8_available():
        log.warning("int8 quantisation is not available in this torch; using fp32")
        return "fp32"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.vision_model = torch.ao.quantization.quantize_dynamic(
            model.vision_model, {torch.nn.Linear}, dtype=torch.qint8)
    return "int8"


PROVIDER = ChineseClipProvider()
