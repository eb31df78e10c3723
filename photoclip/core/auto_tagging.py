"""Automatic tags: label sets (built-in, plugins', the user's files), their text prototypes,
and suggesting tags for photos from their stored vectors. Runs as the ``auto-tags`` analyzer of
the analysis stage (see :mod:`photoclip.core.analysis`) and on request (``retag``)."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photoclip.config import AppPaths, Settings
from photoclip.core import tagging
from photoclip.core.analysis import Analyzer
from photoclip.core.hookspecs import hookimpl
from photoclip.core.labels import BUILTIN, LabelSet, load_label_sets
from photoclip.core.tags import TagStore
from photoclip.core.types import Photo
from photoclip.core.vector_index import ExactIndex

log = logging.getLogger(__name__)

__all__ = ["AUTO_TAGS", "AutoTagging", "AutoTagsPlugin", "RetagReport"]

AUTO_TAGS = "auto-tags"  # the analyzer's name

_RETAG_CHUNK = 4096
_PROMPT_BATCH = 128  # prompts per embedder call: a pause or quit waits for one batch at most


@dataclass(frozen=True)
class RetagReport:
    """What a re-tagging did: photos considered, automatic tags written."""

    photos: int
    tags: int
    seconds: float


class AutoTagging:
    """Label sets and automatic tags of one library (see the module docstring)."""

    def __init__(
        self,
        tags: TagStore,
        settings: Settings,
        paths: AppPaths,
        *,
        plugin_label_sets: Callable[[], dict[str, LabelSet]],
        embed_texts: Callable[[list[str]], np.ndarray],
        model_key: Callable[[], str],
        index: Callable[[], ExactIndex],
        tags_changed: Callable[[Sequence[int]], None] = lambda ids: None,
    ) -> None:
        self._tags = tags
        self._settings = settings
        self._paths = paths
        self._plugin_label_sets = plugin_label_sets
        self._embed_texts = embed_texts
        self._model_key = model_key
        self._index = index
        self._tags_changed = tags_changed
        self._lock = threading.RLock()
        self._prototypes: tagging.TextPrototypes | None = None

    def model_changed(self) -> None:
        """Forget the prototypes of the previous model."""
        with self._lock:
            self._prototypes = None

    @property
    def labels_dir(self) -> Path:
        """Where the user's label set files live (they replace built-ins of the same name)."""
        return self._paths.config / "labels"

    def label_sets(self, errors: list[str] | None = None) -> dict[str, LabelSet]:
        """Every label set: built-in and the user's. A broken user file is skipped (its error
        is appended to ``errors`` and logged)."""

        def skip(exc: Exception) -> None:
            log.warning("Skipping a label set: %s", exc)
            if errors is not None:
                errors.append(str(exc))

        sets = self._plugin_label_sets()  # the built-in sets and plugins' (built-ins are a plugin)
        for name, label_set in load_label_sets(self.labels_dir, on_error=skip).items():
            if label_set.source != BUILTIN:  # the user's files replace sets of the same name
                sets[name] = label_set
        return sets

    def enabled_label_sets(self) -> list[LabelSet]:
        """The sets used for automatic tags (``settings.label_sets``; empty means all)."""
        sets = self.label_sets()
        wanted = self._settings.label_sets
        if not wanted:
            return list(sets.values())
        for name in wanted:
            if name not in sets:
                log.warning("The enabled label set %r does not exist (any more)", name)
        return [sets[name] for name in wanted if name in sets]

    @property
    def prototypes(self) -> tagging.TextPrototypes:
        """The current model's text prototypes of label sets, cached on disk."""
        with self._lock:
            if self._prototypes is None:
                self._prototypes = tagging.TextPrototypes(
                    lambda texts: self._embed_texts(list(texts)),
                    self.model_identity(),
                    self._paths.cache / "prototypes",
                    batch_size=_PROMPT_BATCH,
                )
            return self._prototypes

    def prepare_prototypes(self, progress: Callable[[int, int], bool | None] | None = None) -> int:
        """Embed the enabled label sets' prompts that are not embedded yet (none when automatic
        tags are off); ``progress(done, total)`` after each batch, False from it stops there.
        Returns how many prompts were embedded."""
        if not self._settings.auto_tag:
            return 0
        return self.prototypes.prepare(self.enabled_label_sets(), progress=progress)

    def model_identity(self) -> str:
        key = self._model_key()
        weights = self._settings.weights_file
        if weights:
            key += "-" + hashlib.sha1(weights.encode("utf-8")).hexdigest()[:8]
        return key

    def state(self) -> str:
        """A fingerprint of everything automatic tags depend on (model, sets, strictness)."""
        s = self._settings
        if not s.auto_tag:
            return "off"
        state = [
            self.model_identity(),
            tagging.threshold_for(s.tag_strictness),
            sorted([ls.name, ls.fingerprint, ls.exclusive] for ls in self.enabled_label_sets()),
        ]
        return hashlib.sha256(json.dumps(state).encode("utf-8")).hexdigest()[:24]

    def retag(
        self,
        photo_ids: Iterable[int] | None = None,
        *,
        recorded: Callable[[list[int], str], None] | None = None,
    ) -> RetagReport:
        """Make the automatic tags again from the *stored* vectors: no photo is embedded again
        (label prototypes are text embeddings, cached). Run after label sets, strictness or the
        model change. The user's tags, keywords and rejections are never touched.
        ``recorded(ids, state)`` notes the photos as tagged with this state."""
        start = time.perf_counter()
        state = self.state()
        index = self._index()
        if photo_ids is None:
            ids, vectors = index.snapshot()
        else:
            pairs = [(pid, index.vector(pid)) for pid in dict.fromkeys(photo_ids)]
            pairs = [(pid, vec) for pid, vec in pairs if vec is not None]
            ids = np.array([pid for pid, _ in pairs], dtype=np.int64)
            vectors = (
                np.stack([vec for _, vec in pairs]) if pairs else np.zeros((0, index.dim))
            )
        written = self.tag_vectors([int(i) for i in ids], vectors)
        if recorded is not None:
            recorded([int(i) for i in ids], state)
        report = RetagReport(len(ids), written, time.perf_counter() - start)
        log.info(
            "Re-tagged %d photos: %d automatic tags (%.2f s)",
            report.photos, report.tags, report.seconds,
        )
        return report

    def tag_vectors(self, ids: Sequence[int], vectors: np.ndarray) -> int:
        """Suggest tags for photos from their vectors and store them as automatic tags."""
        if not len(ids):
            return 0
        suggestions: dict[int, list[tuple[str, str, float]]] = {pid: [] for pid in ids}
        sets = self.enabled_label_sets() if self._settings.auto_tag else []
        if sets:
            strictness = self._settings.tag_strictness
            for lo in range(0, len(ids), _RETAG_CHUNK):
                chunk = tagging.suggest_all(
                    vectors[lo : lo + _RETAG_CHUNK], sets, self.prototypes, strictness
                )
                for pid, tags in zip(ids[lo : lo + _RETAG_CHUNK], chunk):
                    seen: set[str] = set()
                    for t in tags:  # best first; a label in two sets keeps its best score
                        if t.label.lower() not in seen:
                            seen.add(t.label.lower())
                            suggestions[pid].append((t.label, t.label_set, t.score))
        written = self._tags.replace_auto(self._model_key(), suggestions)
        self._tags_changed(ids)
        return written


class AutoTagsPlugin:
    """Automatic tags from the enabled label sets: the built-in ``auto-tags`` analyzer,
    registered through the same hook as any plugin's analyzers. Its version is the fingerprint
    of everything tags depend on, so a change of model, label sets or strictness re-tags every
    photo (from stored vectors: nothing is embedded again)."""

    def __init__(
        self, auto: AutoTagging, adopt: Callable[[str], None] | None = None
    ) -> None:
        self._auto = auto
        self._adopt = adopt  # called once with the first state (a library tagged before)

    @hookimpl
    def photoclip_analyzers(self, register: Callable[[Analyzer], None]) -> None:
        register(Analyzer(
            AUTO_TAGS, "Suggesting tags", version=self._version, analyze=self._analyze,
            batch_size=_RETAG_CHUNK, prepare=self._prepare,
            prepare_title="Preparing automatic tags (label prompts)",
        ))

    def _prepare(self, step: Callable[[int, int], bool]) -> None:
        """Embed the enabled label sets' prompts not embedded yet, in batches, with progress
        ("Preparing automatic tags: 340 of 800 prompts"); stops when ``step`` says so."""
        self._auto.prepare_prototypes(step)

    def _version(self) -> str:
        state = self._auto.state()
        adopt, self._adopt = self._adopt, None
        if adopt is not None:
            adopt(state)
        return state

    def _analyze(self, context: object, photos: list[Photo], vectors: np.ndarray) -> None:
        self._auto.tag_vectors([p.id for p in photos], vectors)
