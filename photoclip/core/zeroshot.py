"""Zero-shot classification of one photo against labels the user types (the CLIP paper's method).

Each label is turned into several prompts with templates ("a photo of {}.", "a blurry photo of
{}.", ...); the prompts' text embeddings are averaged and renormalised into one prototype per label
(prompt ensembling, as in open_clip's zero-shot classifier); the photo's embedding is compared with
every prototype and a softmax at CLIP's logit scale (100) turns the cosines into probabilities
that sum to 1 over the labels given. They say which label fits best *among those given*, not
whether any of them is in the photo.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

TEMPLATES: tuple[str, ...] = (
    "a photo of {}.",
    "a blurry photo of {}.",
    "a close-up photo of {}.",
    "a bright photo of {}.",
    "a dark photo of {}.",
    "a photo of the {}.",
    "a cropped photo of {}.",
    "a good photo of {}.",
)
LOGIT_SCALE = 100.0  # exp of open_clip's learned logit scale for its pretrained CLIP models


class LabelsError(ValueError):
    """The labels cannot be used; the message says why."""


def parse_labels(text: str | Sequence[str]) -> list[str]:
    """Labels from "a cat, a dog, a car" (or a list), stripped and without repeats."""
    items = text.split(",") if isinstance(text, str) else list(text)
    labels = list(dict.fromkeys(" ".join(i.split()) for i in items if i.strip()))
    if len(labels) < 2:
        raise LabelsError("give at least two labels, separated by commas: \"a cat, a dog\"")
    return labels


def prompts_for(label: str, templates: Sequence[str] = TEMPLATES) -> list[str]:
    """A label with "{}" is its own template; otherwise every template is applied."""
    if "{}" in label:
        return [label.replace("{}", "").strip()]
    return [t.format(label) for t in templates]


def prototypes(
    labels: Sequence[str],
    embed_texts: Callable[[Sequence[str]], np.ndarray],
    templates: Sequence[str] = TEMPLATES,
) -> np.ndarray:
    """One L2-normalised text prototype per label (mean of its prompts' embeddings)."""
    prompts = [prompts_for(label, templates) for label in labels]
    flat = [p for group in prompts for p in group]
    vectors = embed_texts(flat)
    out, start = [], 0
    for group in prompts:
        mean = vectors[start : start + len(group)].mean(axis=0)
        out.append(mean / np.linalg.norm(mean))
        start += len(group)
    return np.stack(out).astype(np.float32)


def classify(
    image_vector: np.ndarray, labels: Sequence[str], label_prototypes: np.ndarray
) -> list[tuple[str, float]]:
    """(label, probability) for every label, best first; probabilities sum to 1."""
    logits = LOGIT_SCALE * (label_prototypes @ image_vector.astype(np.float32))
    probs = np.exp(logits - logits.max())
    probs /= probs.sum()
    order = np.argsort(-probs, kind="stable")
    return [(labels[i], float(probs[i])) for i in order]
