"""Model weights on disk: find installed ones, download missing ones from the Hugging Face hub.

Layout: ``<models_dir>/<key>/<file>`` (the hub file's own name, e.g.
``open_clip_model.safetensors``); a model with a Hugging Face text tower also gets
``<models_dir>/<key>/text-tower/`` with that tower's config and tokenizer files. A user can drop a
file there by hand and it counts as installed.

Downloads use ``huggingface_hub.hf_hub_download(local_dir=...)``, which writes to a uniquely named
``*.incomplete`` file under ``<models_dir>/<key>/.cache/huggingface/download/`` and renames it into
place only once its size matches the hub's, so an interrupted download never leaves a file that
looks complete. ``HF_ENDPOINT`` is read at call time (not only at import) and ``HF_TOKEN`` and
proxies work as usual. Progress reaches the caller through a tqdm subclass (huggingface_hub's
``tqdm_class`` hook, which also covers Xet-backed repos), as ``progress(bytes_done, bytes_total)``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from photoclip.core.model_catalogue import ModelSpec, ModelUnavailableError

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
DEFAULT_ENDPOINT = "https://huggingface.co"
TEXT_TOWER_DIR = "text-tower"
# Files a Hugging Face text tower may need offline; missing ones are skipped.
TEXT_TOWER_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "sentencepiece.bpe.model",
    "spiece.model",
    "vocab.json",
    "merges.txt",
    "vocab.txt",
)
METADATA_TIMEOUT_S = 10.0
STALE_PARTIAL_S = 600  # partial files untouched this long belong to a dead download


def hub_endpoint() -> str:
    """The hub to download from: ``HF_ENDPOINT`` now, else huggingface.co."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def model_dir(spec: ModelSpec, models_dir: Path) -> Path:
    return Path(models_dir) / spec.key


def text_tower_dir(spec: ModelSpec, models_dir: Path) -> Path | None:
    """The downloaded text-tower folder of a model that has one, if it is complete."""
    if not spec.hf_text_model:
        return None
    folder = model_dir(spec, models_dir) / TEXT_TOWER_DIR
    return folder if (folder / "config.json").is_file() else None


def weights_path(spec: ModelSpec, models_dir: Path) -> Path | None:
    """The installed weights of ``spec``, or None (a model with a text tower needs that too)."""
    if spec.local_weights:
        p = Path(spec.local_weights)
        return p if p.is_file() else None
    if spec.random_init:
        return None
    if spec.hf_text_model and text_tower_dir(spec, models_dir) is None:
        return None
    folder = model_dir(spec, models_dir)
    for name in spec.weights_candidates():
        p = folder / name
        if p.is_file() and p.stat().st_size > 0:
            return p
    return None


def _unreachable(spec: ModelSpec, reason: str) -> ModelUnavailableError:
    url = spec.download_url() or "the model's weights file"
    log.info("Hub unreachable for %s: %s", spec.key, reason)
    return ModelUnavailableError(
        f"Model '{spec.key}' is not downloaded and the Hugging Face hub cannot be reached "
        f"({reason}). Connect to the internet once, or download {url} and run "
        f"`photoclip models use {spec.key} --weights /path/to/file`."
    )


def _failed(spec: ModelSpec, reason: str) -> ModelUnavailableError:
    url = spec.download_url() or "the model's weights file"
    return ModelUnavailableError(
        f"Downloading model '{spec.key}' failed ({reason}). Run the command again to retry "
        f"(nothing half-downloaded is kept), or download {url} and run "
        f"`photoclip models use {spec.key} --weights /path/to/file`."
    )


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _relay_class(progress: Progress | None, total: int) -> type:
    """A silent tqdm class that reports the first bar's bytes to ``progress``."""
    from tqdm import tqdm

    state: dict[str, Any] = {"bar": None, "done": 0}
    lock = threading.Lock()

    class _Relay(tqdm):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.pop("name", None)
            kwargs["disable"] = True  # photoclip draws its own progress
            super().__init__(*args, **kwargs)
            with lock:
                if state["bar"] is None:
                    state["bar"] = self
                    state["done"] = int(kwargs.get("initial") or 0)

        def update(self, n: float | None = 1) -> bool | None:
            if progress is not None and state["bar"] is self and n:
                with lock:
                    state["done"] = max(0, state["done"] + int(n))
                    done = min(state["done"], total) if total else state["done"]
                progress(done, total or done)
            return super().update(n)

    return _Relay


def _probe(spec: ModelSpec, endpoint: str) -> tuple[str, int | None]:
    """Ask the hub (once, no retries) which weights file exists and its size."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
    )

    assert spec.hf_hub_id
    for name in spec.weights_candidates():
        url = hf_hub_url(spec.hf_hub_id, name, endpoint=endpoint)
        try:
            meta = get_hf_file_metadata(url, timeout=METADATA_TIMEOUT_S, endpoint=endpoint)
        except RemoteEntryNotFoundError:
            continue
        except OfflineModeIsEnabled as exc:
            raise _unreachable(spec, "HF_HUB_OFFLINE is set") from exc
        except GatedRepoError as exc:
            raise _failed(spec, f"{spec.hf_hub_id} needs a Hugging Face login") from exc
        except RepositoryNotFoundError as exc:
            raise _failed(spec, f"{spec.hf_hub_id} is not on the hub") from exc
        except HfHubHTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise _failed(spec, f"the hub answered HTTP {status}") from exc
        except Exception as exc:  # DNS, refused, timeout, TLS, proxy: all mean "no hub"
            raise _unreachable(spec, _short(exc)) from exc
        return name, meta.size
    raise _failed(spec, f"{spec.hf_hub_id} has none of {', '.join(spec.weights_candidates())}")


def _clean_stale_partials(folder: Path) -> None:
    partial_dir = folder / ".cache" / "huggingface" / "download"
    if not partial_dir.is_dir():
        return
    now = time.time()
    for p in partial_dir.glob("*.incomplete"):
        try:
            if now - p.stat().st_mtime > STALE_PARTIAL_S:
                p.unlink()
                log.info("Removed a partial download left by an interrupted run: %s", p)
        except OSError:
            pass


def _download_text_tower(spec: ModelSpec, models_dir: Path, endpoint: str) -> None:
    """Fetch a Hugging Face text tower's config and tokenizer, so the model loads offline."""
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError

    assert spec.hf_text_model
    folder = model_dir(spec, models_dir) / TEXT_TOWER_DIR
    # config.json last: its presence marks the folder complete (see text_tower_dir)
    names = [n for n in TEXT_TOWER_FILES if n != "config.json"] + ["config.json"]
    for name in names:
        try:
            hf_hub_download(
                spec.hf_text_model, name, local_dir=folder, endpoint=endpoint,
                etag_timeout=METADATA_TIMEOUT_S,
            )
        except EntryNotFoundError:
            continue
        except Exception as exc:
            raise _failed(spec, f"text tower {spec.hf_text_model}/{name}: {_short(exc)}") from exc


def download_text_tower(spec: ModelSpec, models_dir: Path) -> None:
    """Fetch only the text tower of ``spec`` (its weights are elsewhere, e.g. a local file)."""
    _download_text_tower(spec, models_dir, hub_endpoint())


def installed_weights(spec: ModelSpec, models_dir: Path) -> Path | None:
    """The weights already on disk for ``spec``, or None if they must be downloaded.

    Raises ModelUnavailableError when a user model names a local file that does not exist.
    """
    installed = weights_path(spec, models_dir)
    if installed is not None:
        return installed
    if spec.local_weights:
        raise ModelUnavailableError(
            f"Model '{spec.key}': its weights file {spec.local_weights} does not exist; "
            f"fix the 'weights' entry in {spec.config_file}."
        )
    return None


def download_weights(spec: ModelSpec, models_dir: Path, progress: Progress | None = None) -> Path:
    """Download ``spec``'s weights into ``models_dir`` (if missing) and return their path.

    ``progress(bytes_done, bytes_total)`` is called as bytes arrive and once more at the end.
    Raises ModelUnavailableError (with a message for the user) when the hub cannot be reached,
    does not have the file, or the transfer fails; a failed transfer leaves nothing that looks
    installed, and running again starts over cleanly.
    """
    installed = installed_weights(spec, models_dir)
    if installed is not None:
        return installed
    if spec.random_init or not spec.hf_hub_id:
        raise ModelUnavailableError(f"Model '{spec.key}' has no weights to download.")

    from huggingface_hub import hf_hub_download

    endpoint = hub_endpoint()
    folder = model_dir(spec, models_dir)
    name, size = _probe(spec, endpoint)
    folder.mkdir(parents=True, exist_ok=True)
    _clean_stale_partials(folder)
    if spec.hf_text_model and text_tower_dir(spec, models_dir) is None:
        _download_text_tower(spec, models_dir, endpoint)
    log.info("Downloading %s/%s (%s bytes) into %s", spec.hf_hub_id, name, size, folder)
    try:
        path = Path(
            hf_hub_download(
                spec.hf_hub_id,
                name,
                local_dir=folder,
                endpoint=endpoint,
                etag_timeout=METADATA_TIMEOUT_S,
                tqdm_class=_relay_class(progress, size or 0),
            )
        )
    except Exception as exc:
        log.warning("Download of %s failed: %r", spec.key, exc)
        raise _failed(spec, _short(exc)) from exc
    final = path.stat().st_size
    if size is not None and final != size:  # hf_hub_download checks this too; be sure
        path.unlink(missing_ok=True)
        raise _failed(spec, f"got {final} of {size} bytes")
    if progress is not None:
        progress(final, final)
    log.info("Downloaded %s weights to %s", spec.key, path)
    return path


def resolve_weights(
    spec: ModelSpec, models_dir: Path, weights_file: Path | None, allow_download: bool,
    progress: Progress | None = None,
) -> Path:
    """The weights file a load of ``spec`` uses: ``weights_file`` if given, else the installed
    one, else downloaded (if allowed); a ModelUnavailableError saying what to do otherwise."""
    if weights_file is not None:
        if not weights_file.is_file():
            raise ModelUnavailableError(
                f"The weights file {weights_file} for model '{spec.key}' does not exist. "
                f"Run `photoclip models use {spec.key} --weights /path/to/file` with the "
                "right file, or without --weights to download it."
            )
        return weights_file
    installed = installed_weights(spec, models_dir)
    if installed is not None:
        return installed
    if not allow_download:
        url = spec.download_url() or "its weights"
        raise ModelUnavailableError(
            f"Model '{spec.key}' is not downloaded. Run `photoclip models download "
            f"{spec.key}`, or download {url} and run "
            f"`photoclip models use {spec.key} --weights /path/to/file`."
        )
    return download_weights(spec, models_dir, progress)
