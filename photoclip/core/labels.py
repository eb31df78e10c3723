"""Label sets for zero-shot auto-tagging: built-in ones and the user's own TOML files.

A label set is a TOML file (built-ins: ``photoclip/data/labels/*.toml``; the user's:
``<config>/labels/*.toml``; a user file with a built-in's ``name`` replaces that built-in)::

    name = "scenes"                        # [a-z0-9_-]; defaults to the file name
    description = "Where the photo was taken"
    descriptions = { zh_CN = "拍摄地点" }    # optional: the description in other languages
    exclusive = true                       # true: at most one label per photo (the best one);
                                           # false: every label is judged on its own
    templates = ["a photo of {}.", "a blurry photo of {}."]   # optional; each has one "{}"
    [[labels]]
    name = "beach"                         # the tag given to photos
    prompts = ["a beach", "the seaside"]   # optional; defaults to [name]
    names = { zh_CN = "海滩" }              # optional: what the user sees in other languages

Prompts stay in the language the model reads (English for the English-only models); ``names``
and ``descriptions`` only change what is shown (the tag itself stays ``name``).
Every template is applied to every prompt of a label (the CLIP paper's prompt ensembling); the
tagger averages the resulting text embeddings into one prototype per label
(:mod:`photoclip.core.tagging`). This module does not import torch.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from photoclip.core.types import UnknownChoiceError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

__all__ = [
    "BUILTIN",
    "DEFAULT_TEMPLATES",
    "Label",
    "LabelSet",
    "LabelSetError",
    "builtin_label_sets",
    "display_names",
    "load_label_set_file",
    "load_label_sets",
    "parse_label_set",
    "write_user_copy",
]

BUILTIN = "built-in"
# Templates for personal photos (a subset of the CLIP paper's 80 ImageNet templates, plus phone
# snapshots); used when a set gives none.
DEFAULT_TEMPLATES: tuple[str, ...] = (
    "a photo of {}.",
    "a blurry photo of {}.",
    "a close-up photo of {}.",
    "a bright photo of {}.",
    "a dark photo of {}.",
    "a good photo of {}.",
    "a phone snapshot of {}.",
)
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_PACKAGE = "photoclip.data"


class LabelSetError(Exception):
    """A label set file cannot be used; the message names the file and says why."""


@dataclass(frozen=True)
class Label:
    """One tag and the phrases that describe it (``prompts`` defaults to ``(name,)``)."""

    name: str
    prompts: tuple[str, ...] = ()
    names: tuple[tuple[str, str], ...] = ()  # (language, what the user sees), e.g. ("zh_CN", "狗")

    def __post_init__(self) -> None:
        if not self.prompts:
            object.__setattr__(self, "prompts", (self.name,))
        else:
            object.__setattr__(self, "prompts", tuple(self.prompts))

    def display(self, language: str) -> str:
        """The label as shown in ``language`` (its ``name`` where it has no translation)."""
        return dict(self.names).get(language, self.name)


@dataclass(frozen=True)
class LabelSet:
    """A named group of labels judged together."""

    name: str
    description: str
    exclusive: bool  # one label wins (softmax over the set); else each label on its own
    labels: tuple[Label, ...]
    templates: tuple[str, ...] = DEFAULT_TEMPLATES
    source: str = BUILTIN  # "built-in" or the user file's path
    descriptions: tuple[tuple[str, str], ...] = ()  # (language, description)
    _fp: list[str] = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def label_names(self) -> list[str]:
        return [label.name for label in self.labels]

    def display_description(self, language: str) -> str:
        """The description in ``language`` (the ``description`` where it has no translation)."""
        return dict(self.descriptions).get(language, self.description)

    def label(self, name: str) -> Label:
        for label in self.labels:
            if label.name == name:
                return label
        raise KeyError(name)

    def prompts_for(self, label: Label) -> list[str]:
        """Every template applied to every prompt of ``label``."""
        return [t.format(p) for p in label.prompts for t in self.templates]

    @property
    def fingerprint(self) -> str:
        """A stable hash of what decides the set's text prototypes (labels, prompts, templates),
        not of its name, description, exclusivity or source."""
        if not self._fp:
            data = {
                "labels": [[label.name, list(label.prompts)] for label in self.labels],
                "templates": list(self.templates),
            }
            text = json.dumps(data, sort_keys=True, ensure_ascii=False)
            self._fp.append(hashlib.sha256(text.encode("utf-8")).hexdigest()[:24])
        return self._fp[0]


# ----- parsing -----------------------------------------------------------------------------


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{what} must be a list of non-empty strings")
    return tuple(" ".join(v.split()) for v in value)


def _translations(value: Any, what: str) -> tuple[tuple[str, str], ...]:
    """``{ zh_CN = "狗" }`` as sorted (language, text) pairs."""
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in value.items()):
        raise ValueError(f"{what} must be a table of language = \"text\" (e.g. zh_CN = \"狗\")")
    return tuple(sorted((k, " ".join(v.split())) for k, v in value.items()))


def display_names(sets: Any, language: str) -> dict[str, str]:
    """Tag -> what the user sees in ``language``, for the labels of ``sets`` (label sets)
    that have a translation there."""
    out: dict[str, str] = {}
    for label_set in sets:
        for label in label_set.labels:
            shown = label.display(language)
            if shown != label.name:
                out.setdefault(label.name, shown)
    return out


def parse_label_set(
    data: dict[str, Any], *, default_name: str = "", source: str = BUILTIN
) -> LabelSet:
    """A LabelSet from parsed TOML; ValueError saying what is wrong."""
    name = data.get("name", default_name)
    if not isinstance(name, str) or not _NAME_RE.match(name.strip().lower()):
        raise ValueError(f"'name' must be lowercase letters, digits, '-' or '_', not {name!r}")
    name = name.strip().lower()
    description = data.get("description", "")
    if not isinstance(description, str):
        raise ValueError("'description' must be a string")
    exclusive = data.get("exclusive", False)
    if not isinstance(exclusive, bool):
        raise ValueError("'exclusive' must be true or false")
    templates = DEFAULT_TEMPLATES
    if "templates" in data:
        templates = _strings(data["templates"], "'templates'")
        for t in templates:
            if t.count("{}") != 1 or "{" in t.replace("{}", "") or "}" in t.replace("{}", ""):
                raise ValueError(f"template {t!r} must contain '{{}}' exactly once")
    raw_labels = data.get("labels")
    if not isinstance(raw_labels, list) or not raw_labels:
        raise ValueError("there must be at least one [[labels]] entry")
    labels: list[Label] = []
    seen: set[str] = set()
    for i, item in enumerate(raw_labels, 1):
        if not isinstance(item, dict):
            raise ValueError(f"label {i} must be a table with a 'name'")
        label_name = item.get("name")
        if not isinstance(label_name, str) or not label_name.strip():
            raise ValueError(f"label {i} has no 'name'")
        label_name = " ".join(label_name.split())
        if label_name.lower() in seen:
            raise ValueError(f"label {label_name!r} appears twice")
        seen.add(label_name.lower())
        prompts: tuple[str, ...] = ()
        if "prompts" in item:
            prompts = _strings(item["prompts"], f"the prompts of {label_name!r}")
        unknown = set(item) - {"name", "prompts", "names"}
        if unknown:
            raise ValueError(f"label {label_name!r} has unknown keys: {', '.join(sorted(unknown))}")
        names = _translations(item["names"], f"the names of {label_name!r}") if "names" in item \
            else ()
        labels.append(Label(label_name, prompts, names))
    unknown = set(data) - {"name", "description", "descriptions", "exclusive", "templates",
                           "labels"}
    if unknown:
        raise ValueError(f"unknown keys: {', '.join(sorted(unknown))}")
    descriptions = (_translations(data["descriptions"], "'descriptions'")
                    if "descriptions" in data else ())
    return LabelSet(name, description, exclusive, tuple(labels), templates, source,
                    descriptions)


def load_label_set_file(path: Path) -> LabelSet:
    """Read one user label set file; LabelSetError naming the file and the reason."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return parse_label_set(data, default_name=path.stem.lower(), source=str(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise LabelSetError(f"label set file {path}: {exc}") from exc


def _builtin_files() -> dict[str, Any]:
    folder = resources.files(_PACKAGE).joinpath("labels")
    return {f.name: f for f in folder.iterdir() if f.name.endswith(".toml")}


def builtin_label_sets() -> dict[str, LabelSet]:
    """The label sets shipped with photoclip, by name (sorted); a new dict each call (of the
    same frozen sets: they are read once per process, as every command asks for them, some
    twice, e.g. to check whether automatic tags are current)."""
    return dict(_read_builtin_label_sets())


@functools.lru_cache(maxsize=1)
def _read_builtin_label_sets() -> dict[str, LabelSet]:
    sets: dict[str, LabelSet] = {}
    for fname, f in sorted(_builtin_files().items()):
        label_set = parse_label_set(
            tomllib.loads(f.read_text(encoding="utf-8")), default_name=fname[:-5]
        )
        sets[label_set.name] = label_set
    return sets


def load_label_sets(
    user_dir: Path | None, on_error: Callable[[LabelSetError], None] | None = None
) -> dict[str, LabelSet]:
    """Built-in sets plus the user's ``user_dir/*.toml`` (a user set replaces a built-in of the
    same name). A broken user file raises LabelSetError, or, with ``on_error``, is passed to it
    and skipped."""
    sets = builtin_label_sets()
    if user_dir is not None and Path(user_dir).is_dir():
        for path in sorted(Path(user_dir).glob("*.toml")):
            try:
                label_set = load_label_set_file(path)
            except LabelSetError as exc:
                if on_error is None:
                    raise
                on_error(exc)
                continue
            sets[label_set.name] = label_set
    return sets


def write_user_copy(name: str, user_dir: Path, *, overwrite: bool = False) -> Path:
    """Copy built-in set ``name`` (its file, comments included) to ``user_dir`` for editing."""
    files = {n[:-5]: f for n, f in _builtin_files().items()}
    builtins = builtin_label_sets()
    if name not in builtins:
        raise UnknownChoiceError("built-in label set", name, builtins)
    source = next(
        f for stem, f in files.items()
        if stem == name or tomllib.loads(f.read_text(encoding="utf-8")).get("name") == name
    )
    user_dir = Path(user_dir)
    user_dir.mkdir(parents=True, exist_ok=True)
    target = user_dir / f"{name}.toml"
    if target.exists() and not overwrite:
        raise LabelSetError(f"label set file {target} already exists")
    target.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return target
