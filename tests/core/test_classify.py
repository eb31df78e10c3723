"""Zero-shot classification of one photo (the CLIP paper's method) with the real open_clip code
(tiny random model) and a real photo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from photoclip.core import tagging
from photoclip.core.images import load_image, preprocess


def test_labels_are_parsed() -> None:
    assert tagging.parse_labels(" a cat,a dog , a cat, ,a  car") == ["a cat", "a dog", "a car"]
    assert tagging.parse_labels(["a cat", " a  dog"]) == ["a cat", "a dog"]
    with pytest.raises(tagging.LabelsError, match="at least two"):
        tagging.parse_labels("a cat")
    # what a Chinese input method types: the full-width comma and the enumeration comma
    assert tagging.parse_labels("猫，狗、 汽车 ,猫") == ["猫", "狗", "汽车"]
    with pytest.raises(tagging.LabelsError, match="at least two"):
        tagging.parse_labels("猫")


def test_classify_is_a_distribution_over_the_given_labels(
    tiny_embedder, datasets_dir: Path, tmp_path: Path
) -> None:
    labels = ["a cat", "a dog", "a car", "a bicycle"]
    protos = tagging.TextPrototypes(tiny_embedder.embed_texts, "tiny", tmp_path)
    photo = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[0]
    image, _ = load_image(photo, min_side=tiny_embedder.preprocess_spec.min_side)
    vec = tiny_embedder.embed_images(preprocess(image, tiny_embedder.preprocess_spec)[None])[0]
    result = tagging.classify_labels(vec, "a cat, a dog, a car, a bicycle", protos)
    assert sorted(label for label, _ in result) == sorted(labels)
    probs = [p for _, p in result]
    assert probs == sorted(probs, reverse=True)
    assert sum(probs) == pytest.approx(1.0, abs=1e-6)
    # every template was applied to every label (prompt ensembling), none cached on disk
    assert protos.texts_embedded == len(labels) * len(tagging.DEFAULT_TEMPLATES) + len(
        tagging.DEFAULT_TEMPLATES
    ) * len(tagging.BACKGROUND_PROMPTS)
    assert not list(tmp_path.glob("*.npz"))
    assert np.isfinite(probs).all()
