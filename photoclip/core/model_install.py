"""Every part a model needs, in place: from the hub (:mod:`~photoclip.core.weights`, one download
with one progress bar) or offline from a file, a folder or an archive.

A model with a Hugging Face text tower (``ModelSpec.hf_text_model``, e.g. the multilingual
``xlm-roberta-vit-b-32``) has two parts: its **weights** file and its **text tower** (the
tower's ``config.json`` and tokenizer files, kept in ``<models>/<key>/text-tower/``). Offline,
``photoclip models use KEY --weights SOURCE`` takes as SOURCE:

- a weights file (the text tower then comes from ``--text-tower DIR``, is already installed, or
  is downloaded alone);
- a folder holding the weights file and the text tower's files, either beside the weights or in
  a ``text-tower/`` subfolder (the layout photoclip itself uses);
- a ``.zip`` or ``.tar[.gz|.bz2|.xz]`` archive of such a folder (unpacked into
  ``<models>/<key>/offline/``).

Each part is checked before anything is copied or switched, and an error names the part at
fault: the text tower (its config or tokenizer) or the weights file, never the one for the other.
"""

from __future__ import annotations

import json
import logging
import shutil
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from photoclip.core.model_catalogue import ModelSpec, ModelUnavailableError
from photoclip.core.said import ALTERNATIVES, N_, Listed, Said, said_error
from photoclip.core.weights import (
    TEXT_TOWER_DIR,
    TEXT_TOWER_FILES,
    Progress,
    download_text_tower,
    download_weights,
    missing_parts,
    model_dir,
    parts_said,
    parts_text,
)

log = logging.getLogger(__name__)

WEIGHTS_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
#: One of these beside ``config.json`` makes a text tower (sentencepiece or a tokenizers JSON).
TOKENIZER_FILES = ("tokenizer.json", "sentencepiece.bpe.model", "spiece.model", "vocab.json",
                   "vocab.txt")
OFFLINE_DIR = "offline"  # an unpacked archive's files, kept (its weights are used from there)

__all__ = ["ARCHIVE_SUFFIXES", "check_text_tower", "install_offline", "is_archive",
           "missing_parts", "parts_text", "prepare"]


_TOWER_UNUSABLE = N_("Model '{model}': the text tower in {folder} is not usable: {why}. It needs "
                     "the config.json and tokenizer files of {tower} ({files}, ...); the weights "
                     "file is not the problem.")
_NO_CONFIG = N_("it has no config.json")
_BAD_CONFIG = N_("its config.json cannot be read ({error})")
_NO_MODEL_TYPE = N_("its config.json has no model_type (is it a Hugging Face model config?)")
_NO_TOKENIZER = N_("it has no tokenizer file ({names})")
_NO_WEIGHTS_FILE = N_("Model '{model}': {folder} has no weights file ({suffixes}); put {file} "
                      "there (its text tower alone is not enough).")
_SEVERAL = N_("Model '{model}': {folder} has several weights files ({files}); keep only the one "
              "for this model.")
_OUTSIDE = N_("The archive {archive} holds a file outside its folder ({name}): not unpacked.")
_UNPACK = N_("Cannot unpack {archive} ({error}).")
_NO_SOURCE = N_("no such weights file, folder or archive: {source}")
_NO_TOWER = N_("Model '{model}' has no Hugging Face text tower: --text-tower is not used.")
_NO_TOWER_FOLDER = N_("no such text-tower folder: {folder}")
_WEIGHTS_ONLY = N_("Model '{model}': {source} has its weights but not {parts}: add them beside "
                   "the weights or in a {folder}/ folder.")


def is_archive(path: Path) -> bool:
    """Whether ``path``'s name ends like an archive photoclip unpacks."""
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def check_text_tower(spec: ModelSpec, folder: Path) -> None:
    """ModelUnavailableError naming what is wrong with the text tower in ``folder`` (its
    ``config.json`` missing, unreadable or without a ``model_type``; no tokenizer file)."""
    def bad(why: Said) -> ModelUnavailableError:
        return ModelUnavailableError(Said(_TOWER_UNUSABLE, {
            "model": spec.key, "folder": folder, "why": why, "tower": spec.hf_text_model,
            "files": ", ".join(TEXT_TOWER_FILES[:5])}))

    config = folder / "config.json"
    if not config.is_file():
        raise bad(Said(_NO_CONFIG))
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise bad(Said(_BAD_CONFIG, {"error": str(exc)})) from exc
    if not isinstance(data, dict) or not data.get("model_type"):
        raise bad(Said(_NO_MODEL_TYPE))
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise bad(Said(_NO_TOKENIZER, {"names": Listed(TOKENIZER_FILES[:3], ALTERNATIVES)}))


def _tower_in(folder: Path) -> Path | None:
    for candidate in (folder / TEXT_TOWER_DIR, folder):
        if (candidate / "config.json").is_file():
            return candidate
    return None


def _weights_in(spec: ModelSpec, folder: Path) -> Path:
    """The one weights file in ``folder`` (the model's own file name preferred)."""
    for name in spec.weights_candidates():
        if (folder / name).is_file():
            return folder / name
    found = sorted(p for p in folder.iterdir()
                   if p.is_file() and p.name.lower().endswith(WEIGHTS_SUFFIXES))
    if len(found) == 1:
        return found[0]
    if not found:
        raise ModelUnavailableError(Said(_NO_WEIGHTS_FILE, {
            "model": spec.key, "folder": folder,
            "suffixes": ", ".join("*" + s for s in WEIGHTS_SUFFIXES),
            "file": spec.weights_filename}))
    raise ModelUnavailableError(Said(_SEVERAL, {
        "model": spec.key, "folder": folder, "files": ", ".join(p.name for p in found)}))


def _safe_members(names: list[str], archive: Path) -> None:
    for name in names:
        p = PurePosixPath(name.replace("\\", "/"))
        if p.is_absolute() or ".." in p.parts:
            raise ModelUnavailableError(Said(_OUTSIDE, {"archive": archive, "name": name}))


def _unpack(archive: Path, into: Path) -> Path:
    """Unpack ``archive`` into ``into`` (replaced); the folder holding its files."""
    if into.exists():
        shutil.rmtree(into)
    into.mkdir(parents=True)
    try:
        if archive.name.lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as z:
                _safe_members(z.namelist(), archive)
                z.extractall(into)
        else:
            with tarfile.open(archive) as t:
                members = t.getmembers()
                _safe_members([m.name for m in members], archive)
                safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
                t.extractall(into, members=[m for m in members if m.isfile() or m.isdir()],
                             **safe)  # files and folders only: no links, devices
    except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError) as exc:
        shutil.rmtree(into, ignore_errors=True)
        raise ModelUnavailableError(Said(_UNPACK, {"archive": archive, "error": str(exc)})) from exc
    root = into
    while True:  # an archive of one folder: that folder
        entries = [p for p in root.iterdir() if not p.name.startswith(".")]
        if len(entries) == 1 and entries[0].is_dir() and _tower_in(root) is None:
            root = entries[0]
        else:
            return root


def _install_tower(spec: ModelSpec, models_dir: Path, source: Path) -> None:
    """Copy the text tower in ``source`` into ``<models>/<key>/text-tower`` (replaced whole)."""
    target = model_dir(spec, models_dir) / TEXT_TOWER_DIR
    if source.resolve() == target.resolve():
        return
    staging = target.with_name(TEXT_TOWER_DIR + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name in TEXT_TOWER_FILES:
        if (source / name).is_file():
            shutil.copy2(source / name, staging / name)
    if target.exists():
        shutil.rmtree(target)
    staging.rename(target)
    log.info("Installed the text tower of %s from %s", spec.key, source)


def install_offline(
    spec: ModelSpec, models_dir: Path, source: Path | None, text_tower: Path | None = None
) -> Path | None:
    """Put an offline copy of ``spec`` in place from ``source`` (a weights file, a folder or an
    archive, see the module docstring; None: the weights are installed or downloaded) and
    ``text_tower`` (a folder, optional); return the weights file to use (None without
    ``source``). Every part is checked first: an error names the one at fault (a missing path
    is FileNotFoundError), and then no text tower has been copied."""
    folder: Path | None = None
    weights: Path | None = None
    if source is not None:
        source = Path(source).expanduser().resolve()
        if not source.exists():
            said = Said(_NO_SOURCE, {"source": source})
            raise said_error(FileNotFoundError(str(said)), said)
        if source.is_dir():
            folder = source
        elif is_archive(source):
            folder = _unpack(source, model_dir(spec, models_dir) / OFFLINE_DIR)
        weights = _weights_in(spec, folder) if folder is not None else source
    if text_tower is not None:
        if not spec.hf_text_model:
            raise ModelUnavailableError(Said(_NO_TOWER, {"model": spec.key}))
        tower: Path | None = Path(text_tower).expanduser().resolve()
        assert tower is not None
        if not tower.is_dir():
            said = Said(_NO_TOWER_FOLDER, {"folder": tower})
            raise said_error(FileNotFoundError(str(said)), said)
    else:
        tower = _tower_in(folder) if folder is not None else None
    if spec.hf_text_model and tower is None and folder is not None:
        raise ModelUnavailableError(Said(_WEIGHTS_ONLY, {
            "model": spec.key, "source": source, "parts": parts_said(spec, ["text tower"]),
            "folder": TEXT_TOWER_DIR}))
    if spec.hf_text_model and tower is not None:
        check_text_tower(spec, tower)
        _install_tower(spec, models_dir, tower)
    return weights



def prepare(
    spec: ModelSpec, models_dir: Path, source: Path | None = None,
    text_tower: Path | None = None, progress: Progress | None = None,
) -> Path | None:
    """Everything ``spec`` needs before it is chosen: its packages (refused up front), the
    offline parts given (:func:`install_offline`), then, for a model with a text tower, one
    download (one progress bar) of whatever is still missing. Returns the weights file to
    record (None: the models folder has them). Raises ModelUnavailableError naming the exact
    missing piece when it cannot be had; nothing is switched then."""
    from photoclip.core.model_needs import missing_requirements, requirements_message

    missing = missing_requirements(spec)
    if missing:
        raise ModelUnavailableError(requirements_message(spec, missing))
    weights = install_offline(spec, models_dir, source, text_tower)
    parts = missing_parts(spec, models_dir, weights)
    if spec.hf_text_model and parts:
        if "weights" in parts:
            download_weights(spec, models_dir, progress)
        else:
            download_text_tower(spec, models_dir, progress)
    return weights
