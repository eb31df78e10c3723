"""Zero-shot auto-tagging: text prototypes, zero-shot classification, calibrated tag suggestions.

Prototypes. Every label of a :class:`~photoclip.core.labels.LabelSet` becomes one text vector:
each of its prompts is put into each of the set's templates ("a blurry photo of {}."), the
texts are embedded, L2-normalised, averaged and renormalised (the CLIP paper's prompt ensembling,
as in open_clip's ``zero_shot_classifier``). The embedded prompt texts are cached per model, in
memory and in one ``.npz`` file, so tagging a library again embeds no text at all, and editing a set
embeds only its new prompts. Only the text
tower is used: suggestions are computed from the photos' *stored* image vectors.

Calibration. A raw cosine between a photo and a label means little on its own: its scale differs
between models (and between labels: short, common words sit closer to every photo than rare
ones). So every label is scored *against a background class embedded with the same model and the
same templates*: generic prompts ("something", "an object", "a thing", "a scene", "a picture")
put through the set's templates and averaged like a label. Template wording and the model's
overall cosine level then cancel out, and at CLIP's logit scale (100, the learned temperature of
the pretrained CLIP models) the difference becomes a probability:

* independent sets (``exclusive = false``): each label is a 2-way softmax, label vs background,
  i.e. ``sigmoid(100 * (cos(photo, label) - cos(photo, background)))`` - "is this photo more
  about a dog than about just anything?";
* exclusive sets: one softmax over the set's labels plus the background class; the best label
  is suggested with its share of that softmax, and none when the background (or a spread between
  labels) takes too much of it.

``STRICTNESS`` maps strict / normal / loose to one probability threshold (0.9 / 0.7 / 0.5) that
applies to both kinds of set. Because confidences do not depend on the threshold, a stricter
setting always gives a subset of a looser one's tags; an exclusive set gives at most one tag per
photo (exactly one with a threshold of 0, which ``suggest`` also accepts as a number).

Limits, honestly. The thresholds were chosen from the arithmetic above (0.5 = "beats the
background", 0.9 = a cosine margin of about 0.022), not tuned on labelled photos with real weights;
``bench/tagging.py`` measures precision and recall per label for the configured model. The
background is a model-level, text-only reference: a label whose prompts are close to generic
photos may still fire too often. No per-library standardisation is done (shifting each label by
its score distribution over the library's vectors would silence "dog" in a library of dog photos).
Zero-shot tags inherit CLIP's limits: coarse categories work, fine-grained types (car models,
bird species) are unreliable, counting and reading text do not work, negations ("no people")
are weak, and the model's training-data biases (about people, places, cultures) carry into tags.
With random weights (tests) the numbers are meaningless but well-formed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photoclip.core.labels import DEFAULT_TEMPLATES, Label, LabelSet
from photoclip.core.said import N_, Said, SaidError

__all__ = [
    "BACKGROUND_PROMPTS",
    "DEFAULT_TEMPLATES",
    "LOGIT_SCALE",
    "STRICTNESS",
    "LabelsError",
    "TagSuggestion",
    "TextPrototypes",
    "classify",
    "classify_labels",
    "confidences",
    "parse_labels",
    "suggest",
    "suggest_all",
    "threshold_for",
]

log = logging.getLogger(__name__)

LOGIT_SCALE = 100.0  # exp of the learned logit scale of open_clip's pretrained CLIP models
BACKGROUND_PROMPTS: tuple[str, ...] = ("something", "an object", "a thing", "a scene", "a picture")
STRICTNESS: dict[str, float] = {"strict": 0.9, "normal": 0.7, "loose": 0.5}
_CACHE_VERSION = 2  # 1: one file per label set; 2: one file of prompt vectors per model
PROMPT_BATCH = 512  # texts per embedder call when prototypes are computed (the bulk lane)


@dataclass(frozen=True)
class TagSuggestion:
    """A suggested tag: ``score`` is the calibrated confidence in [0, 1], ``raw`` the cosine of
    the photo and the label's prototype."""

    label: str
    label_set: str
    score: float
    raw: float


def threshold_for(strictness: str | float) -> float:
    """The confidence threshold for a strictness name (or a number in [0, 1])."""
    if isinstance(strictness, str) and strictness.strip().lower() in STRICTNESS:
        return STRICTNESS[strictness.strip().lower()]
    if isinstance(strictness, str):
        try:
            strictness = float(strictness)  # a threshold written as text ("0.8")
        except ValueError:
            raise ValueError(
                f"unknown strictness {strictness!r}: use {', '.join(STRICTNESS)}"
            ) from None
    value = float(strictness)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"a strictness threshold must be in [0, 1], not {value}")
    return value


# ----- prototypes ----------------------------------------------------------------------------


def _normalise_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)


class TextPrototypes:
    """Text prototypes of label sets for one model, built from a per-prompt cache.

    Every prompt text (a template applied to a label's prompt) is embedded once per model and
    kept, in memory and in one ``.npz`` file per model in ``cache_dir``; a set's prototypes are
    averaged from those vectors. So editing a set (adding a label, a prompt) embeds only the new
    texts. ``model_key`` must name the text model exactly (include a weights identity if the same
    key can point at different weights). ``texts_embedded`` counts the texts this object had
    embedded. Missing texts are embedded in batches of ``batch_size``, big enough to go to the
    embedder's bulk lane; ``progress(done, total)`` (here or in :meth:`prepare`) is told after
    each batch.
    """

    def __init__(
        self,
        embed_texts: Callable[[Sequence[str]], np.ndarray],
        model_key: str,
        cache_dir: Path | None,
        *,
        batch_size: int = PROMPT_BATCH,
        progress: Callable[[int, int], bool | None] | None = None,
    ) -> None:
        self._embed = embed_texts
        self.model_key = model_key
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.batch_size = max(1, int(batch_size))
        self.progress = progress
        self.texts_embedded = 0
        self._vectors: dict[str, np.ndarray] = {}  # persisted per-prompt vectors
        self._adhoc: dict[str, np.ndarray] = {}  # memory only (ad-hoc labels)
        self._loaded = False
        self._sets: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._lock = threading.RLock()

    def for_set(self, label_set: LabelSet, *, persist: bool = True) -> np.ndarray:
        """(n_labels, D) L2-normalised prototypes, in the set's label order."""
        return self._get(label_set, persist)[0]

    def background_for(self, label_set: LabelSet, *, persist: bool = True) -> np.ndarray:
        """(D,) the background prototype in the set's templates."""
        return self._get(label_set, persist)[1]

    def missing(self, label_sets: Sequence[LabelSet]) -> list[str]:
        """The distinct prompt texts of ``label_sets`` not embedded yet (for this model)."""
        with self._lock:
            self._load_file()
            wanted = dict.fromkeys(t for s in label_sets for g in _groups(s) for t in g)
            return [t for t in wanted if t not in self._vectors and t not in self._adhoc]

    def prepare(
        self,
        label_sets: Sequence[LabelSet],
        progress: Callable[[int, int], bool | None] | None = None,
    ) -> int:
        """Embed every missing prompt of ``label_sets`` now, in big batches, telling
        ``progress(done, total)`` after each ("340 of 800 prompts"; a progress that returns
        False stops it there, keeping what is done); returns how many were embedded. Later
        ``for_set`` calls for these sets embed nothing."""
        todo = self.missing(label_sets)
        self._embed_missing(todo, persist=True, progress=progress)
        return len(todo)

    def _file(self) -> Path | None:
        if self.cache_dir is None:
            return None
        model = re.sub(r"[^A-Za-z0-9_.-]", "_", self.model_key)[:80]
        digest = hashlib.sha256(self.model_key.encode("utf-8")).hexdigest()[:8]
        return self.cache_dir / f"{model}-{digest}-prompts-v{_CACHE_VERSION}.npz"

    def _get(self, label_set: LabelSet, persist: bool) -> tuple[np.ndarray, np.ndarray]:
        key = label_set.fingerprint
        with self._lock:
            hit = self._sets.get(key)
            if hit is not None:
                return hit
            self._load_file()
            groups = _groups(label_set)
            todo = [t for t in dict.fromkeys(t for g in groups for t in g)
                    if t not in self._vectors]
            if persist:  # texts embedded for an ad-hoc set are kept now
                self._vectors.update((t, self._adhoc.pop(t)) for t in todo if t in self._adhoc)
            todo = [t for t in todo if t not in self._vectors and t not in self._adhoc]
        # embedded without the lock: a quick ad-hoc set need not wait for a long prepare()
        self._embed_missing(todo, persist=persist, progress=self.progress)
        with self._lock:
            out = [np.mean([self._vector(t) for t in group], axis=0) for group in groups]
            protos = _normalise_rows(np.stack(out))
            hit = protos[:-1], protos[-1]
            self._sets[key] = hit
            return hit

    def _vector(self, text: str) -> np.ndarray:
        vec = self._vectors.get(text)
        return vec if vec is not None else self._adhoc[text]

    def _embed_missing(
        self, texts: list[str], persist: bool, progress: Callable[[int, int], bool | None] | None
    ) -> None:
        if not texts:
            return
        target = self._vectors if persist else self._adhoc
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            vectors = _normalise_rows(np.asarray(self._embed(batch), dtype=np.float32))
            if vectors.shape[0] != len(batch):
                raise ValueError(f"{len(batch)} texts gave {vectors.shape[0]} vectors")
            with self._lock:
                self.texts_embedded += len(batch)
                target.update(zip(batch, vectors))
            if progress is not None and progress(start + len(batch), len(texts)) is False:
                break  # asked to stop: what is embedded is kept, the rest comes next time
        if persist:
            with self._lock:
                self._write()

    def _load_file(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        path = self._file()
        if path is None or not path.is_file():
            return
        try:
            with np.load(path, allow_pickle=False) as data:
                texts = [str(t) for t in data["texts"].tolist()]
                vectors = np.asarray(data["vectors"], dtype=np.float32)
        except Exception as exc:  # a damaged cache file is rebuilt
            log.warning("Ignoring the damaged prototype cache %s (%s)", path, exc)
            return
        if vectors.ndim != 2 or len(vectors) != len(texts):
            log.warning("Ignoring the prototype cache %s: its shape is wrong", path)
            return
        self._vectors.update(zip(texts, vectors))

    def _write(self) -> None:
        path = self._file()
        if path is None or not self._vectors:
            return
        texts = list(self._vectors)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".protos-", suffix=".npz", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    np.savez(f, texts=np.array(texts, dtype=str),
                             vectors=np.stack([self._vectors[t] for t in texts]))
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:  # the cache is an optimisation: tagging goes on without it
            log.warning("Cannot write the prototype cache %s (%s)", path, exc)


def _groups(label_set: LabelSet) -> list[list[str]]:
    """The prompt texts of each label of ``label_set``, then of the background class."""
    groups = [label_set.prompts_for(label) for label in label_set.labels]
    groups.append(label_set.prompts_for(Label("background", BACKGROUND_PROMPTS)))
    return groups


# ----- zero-shot classification ------------------------------------------------------------


class LabelsError(SaidError, ValueError):
    """Labels typed by the user cannot be used; the message says why."""


_TOO_FEW = N_('give at least two labels, separated by commas: "a cat, a dog"')
#: What separates typed labels: the comma, and the full-width and enumeration commas a Chinese
#: input method types ("猫，狗、汽车").
_LABEL_SEPARATORS = re.compile("[,，、]")


def parse_labels(text: str | Sequence[str]) -> list[str]:
    """Labels from "a cat, a dog, a car" (or "猫，狗、汽车", or a list): whitespace tidied,
    repeats dropped; at least two are needed (a softmax over one label says nothing)."""
    items = _LABEL_SEPARATORS.split(text) if isinstance(text, str) else [str(x) for x in text]
    labels = list(dict.fromkeys(" ".join(i.split()) for i in items if i.strip()))
    if len(labels) < 2:
        raise LabelsError(Said(_TOO_FEW))
    return labels


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits.astype(np.float64)
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def classify(
    image_vec: np.ndarray,
    labels: Sequence[str],
    prototypes: np.ndarray,
    logit_scale: float = LOGIT_SCALE,
) -> list[tuple[str, float]]:
    """The CLIP paper's zero-shot classification: softmax(logit_scale * cosine) over ``labels``
    (one prototype row each), best first; the probabilities sum to 1. They rank the labels given
    against each other; they do not say whether any of them is in the photo."""
    protos = np.asarray(prototypes, dtype=np.float32)
    if len(labels) != len(protos):
        raise ValueError(f"{len(labels)} labels but {len(protos)} prototypes")
    probs = _softmax(logit_scale * (protos @ np.asarray(image_vec, dtype=np.float32).ravel()))
    order = np.argsort(-probs, kind="stable")
    return [(labels[i], float(probs[i])) for i in order]


def classify_labels(
    image_vec: np.ndarray,
    labels: Sequence[str],
    prototypes: TextPrototypes,
    templates: Sequence[str] = DEFAULT_TEMPLATES,
    logit_scale: float = LOGIT_SCALE,
) -> list[tuple[str, float]]:
    """Zero-shot classification against ad-hoc labels ("a cat", "a dog"), every template applied
    to each; their prototypes are kept in memory only."""
    names = parse_labels(labels)
    adhoc = LabelSet(
        "ad-hoc", "", True, tuple(Label(n) for n in names), tuple(templates), "ad-hoc"
    )
    return classify(image_vec, names, prototypes.for_set(adhoc, persist=False), logit_scale)


# ----- calibrated suggestions --------------------------------------------------------------


def confidences(
    image_vecs: np.ndarray,
    label_set: LabelSet,
    prototypes: TextPrototypes,
    logit_scale: float = LOGIT_SCALE,
) -> tuple[np.ndarray, np.ndarray]:
    """(calibrated confidences, raw cosines), both (N, n_labels) (see the module docstring).

    For an exclusive set every column holds that label's share of the softmax over the labels
    plus the background; for an independent set, P(label vs background)."""
    vecs = np.asarray(image_vecs, dtype=np.float32)
    if vecs.ndim == 1:
        vecs = vecs[None, :]
    protos = prototypes.for_set(label_set)
    background = prototypes.background_for(label_set)
    if vecs.shape[1] != protos.shape[1]:
        raise ValueError(
            f"image vectors have {vecs.shape[1]} dimensions but the text model has "
            f"{protos.shape[1]}: they come from different models"
        )
    raw = vecs @ protos.T  # (N, L)
    bg = vecs @ background  # (N,)
    if label_set.exclusive:
        logits = logit_scale * np.concatenate([raw, bg[:, None]], axis=1)
        conf = _softmax(logits)[:, :-1]
    else:
        margin = logit_scale * (raw.astype(np.float64) - bg[:, None])
        conf = 0.5 * (1.0 + np.tanh(0.5 * margin))  # a sigmoid that cannot overflow
    return conf, raw


def suggest(
    image_vecs: np.ndarray,
    label_set: LabelSet,
    prototypes: TextPrototypes,
    strictness: str | float = "normal",
    logit_scale: float = LOGIT_SCALE,
) -> list[list[TagSuggestion]]:
    """Suggested tags per photo (``image_vecs``: stored (N, D) vectors; no image model is run),
    best first. An exclusive set suggests at most its best label, if that passes the threshold;
    an independent set every label that passes it."""
    threshold = threshold_for(strictness)
    conf, raw = confidences(image_vecs, label_set, prototypes, logit_scale)
    names = label_set.label_names
    out: list[list[TagSuggestion]] = [[] for _ in range(len(conf))]
    if label_set.exclusive:
        rows = np.arange(len(conf))
        cols = np.argmax(conf, axis=1)
        keep = conf[rows, cols] >= threshold
        rows, cols = rows[keep], cols[keep]
    else:
        rows, cols = np.nonzero(conf >= threshold)
        order = np.lexsort((-conf[rows, cols], rows))  # by photo, then best first (stable)
        rows, cols = rows[order], cols[order]
    for r, c, score, cos in zip(
        rows.tolist(), cols.tolist(), conf[rows, cols].tolist(), raw[rows, cols].tolist()
    ):
        out[r].append(TagSuggestion(names[c], label_set.name, score, cos))
    return out


def suggest_all(
    image_vecs: np.ndarray,
    label_sets: Sequence[LabelSet],
    prototypes: TextPrototypes,
    strictness: str | float = "normal",
) -> list[list[TagSuggestion]]:
    """``suggest`` over several sets, merged per photo (best first)."""
    n = len(np.atleast_2d(np.asarray(image_vecs)))
    merged: list[list[TagSuggestion]] = [[] for _ in range(n)]
    for label_set in label_sets:
        for tags, more in zip(merged, suggest(image_vecs, label_set, prototypes, strictness)):
            tags.extend(more)
    return [sorted(tags, key=lambda t: -t.score) for tags in merged]
