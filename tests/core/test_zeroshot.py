"""Zero-shot classification with the real open_clip code (tiny random model) and real photos."""

from __future__ import annotations

import numpy as np
import pytest

from photoclip.core import zeroshot
from photoclip.core.images import load_image, preprocess


def test_labels_are_parsed_and_templated() -> None:
    assert zeroshot.parse_labels(" a cat,a dog , a cat, ,a  car") == ["a cat", "a dog", "a car"]
    with pytest.raises(zeroshot.LabelsError, match="at least two"):
        zeroshot.parse_labels("a cat")
    prompts = zeroshot.prompts_for("a dog")
    assert len(prompts) == len(zeroshot.TEMPLATES) and "a blurry photo of a dog." in prompts
    assert zeroshot.prompts_for("a drawing of {}") == ["a drawing of"]


def test_classify_is_a_distribution_over_the_given_labels(tiny_embedder, datasets_dir) -> None:
    labels = ["a cat", "a dog", "a car", "a bicycle"]
    protos = zeroshot.prototypes(labels, tiny_embedder.embed_texts)
    assert protos.shape == (4, tiny_embedder.dim)
    assert np.allclose(np.linalg.norm(protos, axis=1), 1.0, atol=1e-5)
    photo = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[0]
    image, _ = load_image(photo, min_side=tiny_embedder.preprocess_spec.min_side)
    vec = tiny_embedder.embed_images(preprocess(image, tiny_embedder.preprocess_spec)[None])[0]
    result = zeroshot.classify(vec, labels, protos)
    assert sorted(label for label, _ in result) == sorted(labels)
    probs = [p for _, p in result]
    assert probs == sorted(probs, reverse=True)
    assert sum(probs) == pytest.approx(1.0, abs=1e-6)
    # the prototype itself, used as the "photo", is its own best label
    for i, label in enumerate(labels):
        assert zeroshot.classify(protos[i], labels, protos)[0][0] == label
