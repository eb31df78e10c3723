"""Model weights on disk: find installed ones, download missing ones from the Hugging Face hub.

Layout: ``<models_dir>/<key>/<file>`` (the hub file's own name, e.g.
``open_clip_model.safetensors``); a model with a Hugging Face text tower also gets
``<models_dir>/<key>/text-tower/`` with that tower's config and tokenizer files, and a model whose
provider needs more files from its hub repo (``ModelProvider.files``: a transformers model's
``config.json``, ``vocab.txt``, ...) gets them beside its weights. A user can drop the files
there by hand (copy the hub repo's folder) and they count as installed.

Downloads use ``huggingface_hub.hf_hub_download(local_dir=...)``, which writes to a uniquely named
``*.incomplete`` file under ``<models_dir>/<key>/.cache/huggingface/download/`` and renames it into
place only once its size matches the hub's, so an interrupted download never leaves a file that
looks complete. ``HF_ENDPOINT`` is read at call time (not only at import) and ``HF_TOKEN`` and
proxies work as usual. Progress reaches the caller through a tqdm subclass (huggingface_hub's
``tqdm_class`` hook, which also covers Xet-backed repos), as ``progress(bytes_done, bytes_total)``:
one bar over every file a model needs (a text tower's files, then the weights). Offline installs
from a file, folder or archive are :mod:`photoclip.core.model_install`'s.
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
from photoclip.core.said import N_, Said

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


def companion_files(spec: ModelSpec) -> tuple[str, ...]:
    """The files besides the weights that ``spec``'s provider needs in ``<models>/<key>/``."""
    from photoclip.core.model_provider import provider_for

    try:
        return tuple(provider_for(spec).files(spec))
    except ModelUnavailableError:  # its provider is not installed: loading will say so
        return ()


def _download_companions(spec: ModelSpec, models_dir: Path, endpoint: str) -> None:
    """Fetch the provider's files (config, vocabulary, ...) from the weights' hub repo."""
    from huggingface_hub import hf_hub_download

    assert spec.hf_hub_id
    folder = model_dir(spec, models_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for name in companion_files(spec):
        if (folder / name).is_file():
            continue
        try:
            hf_hub_download(spec.hf_hub_id, name, local_dir=folder, endpoint=endpoint,
                            etag_timeout=METADATA_TIMEOUT_S)
        except Exception as exc:
            raise _failed(spec, Said(_FILE_FAILED, {"repo": spec.hf_hub_id, "name": name,
                                               "error": _short(exc)})) from exc


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
    if not all((folder / name).is_file() for name in companion_files(spec)):
        return None
    for name in spec.weights_candidates():
        p = folder / name
        if p.is_file() and p.stat().st_size > 0:
            return p
    return None


def missing_parts(spec: ModelSpec, models_dir: Path, weights_file: Path | None = None) -> list[str]:
    """What ``spec`` still lacks on disk: ``"weights"`` and/or ``"text tower"`` (empty: ready).
    ``weights_file``: a file the user gave, which stands for the weights."""
    if spec.random_init:
        return []
    missing = []
    if not ((weights_file is not None and weights_file.is_file())
            or (spec.local_weights is not None and Path(spec.local_weights).is_file())
            or (_weights_on_disk(spec, models_dir) is not None
                and all((model_dir(spec, models_dir) / name).is_file()
                        for name in companion_files(spec)))):
        missing.append("weights")
    if spec.hf_text_model and text_tower_dir(spec, models_dir) is None:
        missing.append("text tower")
    return missing


_PART_WEIGHTS = N_("its weights file")
_PART_TOWER = N_("its text tower (the config and tokenizer files of {tower})")
_PARTS = N_("{first} and {second}")
_NOTHING = N_("nothing")


def parts_said(spec: ModelSpec, missing: list[str]) -> Said:
    """The missing parts in words ("its weights file and its text tower (...)")."""
    words = []
    if "weights" in missing:
        words.append(Said(_PART_WEIGHTS))
    if "text tower" in missing:
        words.append(Said(_PART_TOWER, {"tower": spec.hf_text_model}))
    if len(words) == 2:
        return Said(_PARTS, {"first": words[0], "second": words[1]})
    return words[0] if words else Said(_NOTHING)


def parts_text(spec: ModelSpec, missing: list[str]) -> str:
    """:func:`parts_said` in English."""
    return str(parts_said(spec, missing))


_UNREACHABLE = N_("Model '{model}' is not downloaded and the Hugging Face hub cannot be "
                  "reached ({reason}). Connect to the internet once, or offline download {url} "
                  "and run `photoclip models use {model} --weights /path/to/file`.")
_FAILED = N_("Downloading model '{model}' failed ({reason}). Run the command again to retry "
             "(nothing half-downloaded is kept), or offline download {url} and run "
             "`photoclip models use {model} --weights /path/to/file`.")
_UNREACHABLE_PARTS = N_("Model '{model}' is not downloaded: it lacks {parts}, and the Hugging "
                        "Face hub cannot be reached ({reason}). Connect to the internet once, "
                        "or offline {hint}.")
_FAILED_PARTS = N_("Downloading model '{model}' failed ({reason}). Run the command again to "
                   "retry (nothing half-downloaded is kept), or offline {hint}.")
_ITS_FILE = N_("the model's weights file")
_HINT = N_("download {url} and run `photoclip models use {model} --weights /path/to/file`")
_HINT_TOWER = N_("copy the {tower} config.json and tokenizer files into a folder and run "
                 "`photoclip models use {model} --weights FILE --text-tower FOLDER`")
_HINT_BOTH = N_("put {url} and the {tower} config.json and tokenizer files in one folder (or a "
                ".zip/.tar.gz of it) and run `photoclip models use {model} --weights "
                "FOLDER_OR_ARCHIVE`")
#: Why a download failed (the ``reason`` of the sentences above).
_OFFLINE_SET = N_("HF_HUB_OFFLINE is set")
_LOGIN = N_("{repo} needs a Hugging Face login")
_NOT_ON_HUB = N_("{repo} is not on the hub")
_HTTP = N_("the hub answered HTTP {status} for {repo}/{name}")
_NONE_OF = N_("{repo} has none of {names}")
_NO_CONFIG = N_("the text tower {tower} has no config.json on the hub")
_FILE_FAILED = N_("{repo}/{name}: {error}")
_TOWER_FILE_FAILED = N_("text tower {repo}/{name}: {error}")
_SHORT = N_("got {got} of {size} bytes of {repo}/{name}")
_NO_LOCAL = N_("Model '{model}': its weights file {file} does not exist; fix the 'weights' "
               "entry in {config}.")
_NO_WEIGHTS = N_("Model '{model}' has no weights to download.")


def _url(spec: ModelSpec) -> str | Said:
    return spec.download_url() or Said(_ITS_FILE)


def offline_said(spec: ModelSpec, missing: list[str]) -> Said:
    """How to install the ``missing`` parts of ``spec`` without a network."""
    values = {"url": _url(spec), "model": spec.key, "tower": spec.hf_text_model}
    if not spec.hf_text_model:
        return Said(_HINT, values)
    return Said(_HINT_TOWER if missing == ["text tower"] else _HINT_BOTH, values)


def offline_hint(spec: ModelSpec, missing: list[str]) -> str:
    """:func:`offline_said` in English."""
    return str(offline_said(spec, missing))


def _unreachable(spec: ModelSpec, reason: str | Said, missing: list[str] | None = None) -> \
        ModelUnavailableError:
    missing = missing or ["weights"]
    log.info("Hub unreachable for %s: %s", spec.key, reason)
    if not spec.hf_text_model:
        return ModelUnavailableError(Said(_UNREACHABLE, {
            "model": spec.key, "reason": reason, "url": _url(spec)}))
    return ModelUnavailableError(Said(_UNREACHABLE_PARTS, {
        "model": spec.key, "parts": parts_said(spec, missing), "reason": reason,
        "hint": offline_said(spec, missing)}))


def _failed(spec: ModelSpec, reason: str | Said, missing: list[str] | None = None) -> \
        ModelUnavailableError:
    missing = missing or ["weights"]
    if not spec.hf_text_model:
        return ModelUnavailableError(Said(_FAILED, {
            "model": spec.key, "reason": reason, "url": _url(spec)}))
    return ModelUnavailableError(Said(_FAILED_PARTS, {
        "model": spec.key, "reason": reason, "hint": offline_said(spec, missing)}))


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _relay_class(progress: Progress | None, total: int, base: int = 0) -> type:
    """A silent tqdm class that reports the first bar's bytes, after ``base`` bytes of files
    already fetched, to ``progress`` (one bar over several files)."""
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
                    done = base + state["done"]
                    done = min(done, total) if total else done
                progress(done, total or done)
            return super().update(n)

    return _Relay


def _metadata(
    spec: ModelSpec, repo: str, name: str, endpoint: str, missing: list[str]
) -> tuple[bool, int | None]:
    """Ask the hub (once, no retries) whether ``repo`` has ``name``: (found, size)."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
    )

    url = hf_hub_url(repo, name, endpoint=endpoint)
    try:
        meta = get_hf_file_metadata(url, timeout=METADATA_TIMEOUT_S, endpoint=endpoint)
    except RemoteEntryNotFoundError:
        return False, None
    except OfflineModeIsEnabled as exc:
        raise _unreachable(spec, Said(_OFFLINE_SET), missing) from exc
    except GatedRepoError as exc:
        raise _failed(spec, Said(_LOGIN, {"repo": repo}), missing) from exc
    except RepositoryNotFoundError as exc:
        raise _failed(spec, Said(_NOT_ON_HUB, {"repo": repo}), missing) from exc
    except HfHubHTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "?"
        raise _failed(spec, Said(_HTTP, {"status": status, "repo": repo, "name": name}),
                      missing) from exc
    except Exception as exc:  # DNS, refused, timeout, TLS, proxy: all mean "no hub"
        raise _unreachable(spec, _short(exc), missing) from exc
    return True, meta.size


def _probe(spec: ModelSpec, endpoint: str, missing: list[str]) -> tuple[str, int | None]:
    """Which weights file the hub has, and its size."""
    assert spec.hf_hub_id
    for name in spec.weights_candidates():
        found, size = _metadata(spec, spec.hf_hub_id, name, endpoint, missing)
        if found:
            return name, size
    raise _failed(spec, Said(_NONE_OF, {"repo": spec.hf_hub_id,
                                        "names": ", ".join(spec.weights_candidates())}),
                  missing)


def _probe_text_tower(spec: ModelSpec, endpoint: str, missing: list[str]) -> list[tuple[str, int]]:
    """The text tower's files on the hub and their sizes, ``config.json`` last (its presence
    on disk marks the folder complete, see :func:`text_tower_dir`)."""
    assert spec.hf_text_model
    files = []
    for name in TEXT_TOWER_FILES:
        found, size = _metadata(spec, spec.hf_text_model, name, endpoint, missing)
        if found:
            files.append((name, int(size or 0)))
    if not any(name == "config.json" for name, _ in files):
        raise _failed(spec, Said(_NO_CONFIG, {"tower": spec.hf_text_model}), missing)
    return sorted(files, key=lambda f: f[0] == "config.json")


def _fetch(spec: ModelSpec, repo: str, name: str, folder: Path, endpoint: str, relay: type,
           missing: list[str]) -> Path:
    from huggingface_hub import hf_hub_download

    try:
        return Path(hf_hub_download(repo, name, local_dir=folder, endpoint=endpoint,
                                    etag_timeout=METADATA_TIMEOUT_S, tqdm_class=relay))
    except Exception as exc:
        log.warning("Download of %s/%s for %s failed: %r", repo, name, spec.key, exc)
        said = _TOWER_FILE_FAILED if repo == spec.hf_text_model else _FILE_FAILED
        raise _failed(spec, Said(said, {"repo": repo, "name": name, "error": _short(exc)}),
                      missing) from exc


def _weights_on_disk(spec: ModelSpec, models_dir: Path) -> Path | None:
    """The weights file in the model's folder, whether or not its text tower is there."""
    folder = model_dir(spec, models_dir)
    for name in spec.weights_candidates():
        p = folder / name
        if p.is_file() and p.stat().st_size > 0:
            return p
    return None


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


def download_text_tower(
    spec: ModelSpec, models_dir: Path, progress: Progress | None = None
) -> None:
    """Fetch only the text tower of ``spec`` (its weights are elsewhere, e.g. a local file)."""
    if not spec.hf_text_model:
        return
    endpoint = hub_endpoint()
    missing = ["text tower"]
    _fetch_all(spec, models_dir, endpoint, _tower_files(spec, models_dir, endpoint, missing),
               progress, missing)


#: One file to fetch: (hub repo, file name, the folder it goes into, its size in bytes or None).
HubFile = tuple[str, str, Path, int | None]


def _fetch_all(
    spec: ModelSpec, models_dir: Path, endpoint: str, files: list[HubFile],
    progress: Progress | None, missing: list[str],
) -> list[Path]:
    """Download ``files`` in order under one progress bar (bytes over all of them); their
    paths. A file whose size differs from the hub's is removed and the download fails."""
    folder = model_dir(spec, models_dir)
    folder.mkdir(parents=True, exist_ok=True)
    _clean_stale_partials(folder)
    total = sum(int(size or 0) for *_, size in files)
    done, paths = 0, []
    for repo, name, into, size in files:
        log.info("Downloading %s/%s (%s bytes) into %s", repo, name, size, into)
        path = _fetch(spec, repo, name, into, endpoint, _relay_class(progress, total, done),
                      missing)
        final = path.stat().st_size
        if size is not None and final != size:  # hf_hub_download checks this too; be sure
            path.unlink(missing_ok=True)
            raise _failed(spec, Said(_SHORT, {"got": final, "size": size, "repo": repo,
                                              "name": name}), missing)
        done += final
        paths.append(path)
        if progress is not None:
            progress(done, max(total, done))
    return paths


def _tower_files(spec: ModelSpec, models_dir: Path, endpoint: str,
                 missing: list[str]) -> list[HubFile]:
    assert spec.hf_text_model
    into = model_dir(spec, models_dir) / TEXT_TOWER_DIR
    return [(spec.hf_text_model, name, into, size)
            for name, size in _probe_text_tower(spec, endpoint, missing)]


def installed_weights(spec: ModelSpec, models_dir: Path) -> Path | None:
    """The weights already on disk for ``spec``, or None if they must be downloaded.

    Raises ModelUnavailableError when a user model names a local file that does not exist.
    """
    installed = weights_path(spec, models_dir)
    if installed is not None:
        return installed
    if spec.local_weights:
        raise ModelUnavailableError(Said(_NO_LOCAL, {
            "model": spec.key, "file": spec.local_weights, "config": spec.config_file}))
    return None


def download_weights(spec: ModelSpec, models_dir: Path, progress: Progress | None = None) -> Path:
    """Download everything ``spec`` needs into ``models_dir`` (what is missing of its weights
    and, for a model with a Hugging Face text tower, that tower's config and tokenizer) and
    return the weights' path.

    ``progress(bytes_done, bytes_total)`` is one bar over every file, called as bytes arrive
    and once more at the end. Raises ModelUnavailableError (with a message for the user naming
    the missing parts) when the hub cannot be reached, does not have a file, or a transfer
    fails; a failed transfer leaves nothing that looks installed, and running again starts
    over cleanly.
    """
    installed = installed_weights(spec, models_dir)
    if installed is not None:
        return installed
    if spec.random_init or not spec.hf_hub_id:
        raise ModelUnavailableError(Said(_NO_WEIGHTS, {"model": spec.key}))
    endpoint = hub_endpoint()
    missing = missing_parts(spec, models_dir)
    present = _weights_on_disk(spec, models_dir)
    files = _tower_files(spec, models_dir, endpoint, missing) if "text tower" in missing else []
    if present is None:  # the weights last: the largest, and what marks the model installed
        assert spec.hf_hub_id
        name, size = _probe(spec, endpoint, missing)
        files.append((spec.hf_hub_id, name, model_dir(spec, models_dir), size))
    if companion_files(spec):  # the provider's config/vocabulary files, beside the weights
        _download_companions(spec, models_dir, endpoint)
    paths = _fetch_all(spec, models_dir, endpoint, files, progress, missing)
    path = present if present is not None else paths[-1]
    log.info("Downloaded %s to %s", spec.key, path)
    return path
