"""Zero-shot tagging on the tiny random model: prototypes, their cache, classify, suggestions.

Random weights make the scores meaningless, so these tests check what the design guarantees
(shapes, normalisation, caching, probabilities, exclusivity, monotone strictness), not accuracy.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from photoclip.core.images import load_image, preprocess
from photoclip.core.labels import Label, LabelSet, builtin_label_sets
from photoclip.core.models import Embedder
from photoclip.core.tagging import (
    STRICTNESS,
    TextPrototypes,
    classify,
    classify_labels,
    confidences,
    suggest,
    suggest_all,
)


@pytest.fixture(scope="module")
def photo_vecs(tiny_embedder: Embedder, datasets_dir: Path) -> np.ndarray:
    """Stored-vector stand-ins: 12 real photos (imagenette and COCO) embedded once."""
    paths = sorted((datasets_dir / "imagenette-mini" / "val").rglob("*.JPEG"))[::30][:8]
    paths += sorted((datasets_dir / "coco-mini").rglob("*.jpg"))[:4]
    spec = tiny_embedder.preprocess_spec
    pixels = np.stack([preprocess(load_image(p, min_side=spec.min_side)[0], spec) for p in paths])
    return tiny_embedder.embed_images(pixels)


@pytest.fixture()
def protos(tiny_embedder: Embedder, tmp_path: Path) -> TextPrototypes:
    return TextPrototypes(tiny_embedder.embed_texts, "tiny-test", tmp_path / "protos")


def test_prototypes_are_normalised_and_cached(
    tiny_embedder: Embedder, protos: TextPrototypes, tmp_path: Path
) -> None:
    scenes = builtin_label_sets()["scenes"]
    p = protos.for_set(scenes)
    assert p.shape == (len(scenes.labels), tiny_embedder.dim) and p.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(protos.background_for(scenes)), 1.0, atol=1e-5)
    expected = sum(len(scenes.prompts_for(label)) for label in scenes.labels)
    assert protos.texts_embedded == expected + 5 * len(scenes.templates)  # + the background

    before = tiny_embedder.texts_embedded
    np.testing.assert_array_equal(protos.for_set(scenes), p)
    again = TextPrototypes(tiny_embedder.embed_texts, "tiny-test", tmp_path / "protos")
    np.testing.assert_array_equal(again.for_set(scenes), p)
    assert again.texts_embedded == 0 and tiny_embedder.texts_embedded == before
    other_model = TextPrototypes(tiny_embedder.embed_texts, "other", tmp_path / "protos")
    other_model.for_set(scenes)
    assert other_model.texts_embedded > 0  # the cache is per model


def test_prototype_is_the_renormalised_mean_of_its_prompts(
    tiny_embedder: Embedder, protos: TextPrototypes
) -> None:
    s = LabelSet("t", "", False, (Label("dog", ("a dog", "a puppy")),), ("a photo of {}.", "{}"))
    vecs = tiny_embedder.embed_texts(s.prompts_for(s.labels[0]))
    mean = vecs.mean(axis=0)
    np.testing.assert_allclose(protos.for_set(s)[0], mean / np.linalg.norm(mean), atol=1e-5)


def test_damaged_cache_is_rebuilt(tiny_embedder: Embedder, tmp_path: Path) -> None:
    animals = builtin_label_sets()["animals"]
    first = TextPrototypes(tiny_embedder.embed_texts, "tiny-test", tmp_path)
    p = first.for_set(animals)
    (cache,) = tmp_path.glob("*.npz")
    cache.write_bytes(b"not a zip")
    second = TextPrototypes(tiny_embedder.embed_texts, "tiny-test", tmp_path)
    np.testing.assert_allclose(second.for_set(animals), p, atol=1e-6)
    assert second.texts_embedded > 0


def test_classify_is_a_softmax_best_first(photo_vecs: np.ndarray) -> None:
    rng = np.random.default_rng(0)
    others = rng.normal(size=(3, photo_vecs.shape[1])).astype(np.float32)
    others /= np.linalg.norm(others, axis=1, keepdims=True)
    image = photo_vecs[0]
    result = classify(image, ["self", "a", "b", "c"], np.vstack([image, others]))
    assert result[0][0] == "self"  # a prototype equal to the photo wins
    probs = [p for _, p in result]
    assert probs == sorted(probs, reverse=True)
    assert sum(probs) == pytest.approx(1.0)
    with pytest.raises(ValueError):
        classify(image, ["one"], others)


def test_classify_labels_ad_hoc(
    photo_vecs: np.ndarray, protos: TextPrototypes, tmp_path: Path
) -> None:
    result = classify_labels(photo_vecs[0], ["a cat", "a dog", " a  cat ", "a car"], protos)
    assert sorted(name for name, _ in result) == ["a car", "a cat", "a dog"]  # repeats merged
    assert sum(p for _, p in result) == pytest.approx(1.0)
    assert [p for _, p in result] == sorted((p for _, p in result), reverse=True)
    assert not list((tmp_path / "protos").glob("*.npz"))  # ad-hoc labels are not cached on disk
    with pytest.raises(ValueError):
        classify_labels(photo_vecs[0], ["only one"], protos)


def test_suggest_exclusive_gives_at_most_one(
    photo_vecs: np.ndarray, protos: TextPrototypes
) -> None:
    sets = builtin_label_sets()
    for name in ("scenes", "people", "documents", "events"):
        s = sets[name]
        assert s.exclusive
        for strictness in STRICTNESS:
            for tags in suggest(photo_vecs, s, protos, strictness):
                assert len(tags) <= 1
        always = suggest(photo_vecs, s, protos, 0.0)
        assert all(len(tags) == 1 for tags in always)
        conf, raw = confidences(photo_vecs, s, protos)
        assert np.all(conf.sum(axis=1) <= 1.0 + 1e-9)  # the background holds the rest
        for i, tags in enumerate(always):
            best = int(np.argmax(conf[i]))
            assert tags[0].label == s.labels[best].name
            assert tags[0].score == pytest.approx(conf[i, best])
            assert tags[0].raw == pytest.approx(raw[i, best], abs=1e-6)
            assert tags[0].label_set == name


def test_stricter_is_a_subset_of_looser(photo_vecs: np.ndarray, protos: TextPrototypes) -> None:
    order = ["loose", "normal", "strict"]
    for s in builtin_label_sets().values():
        per = {k: suggest(photo_vecs, s, protos, k) for k in order}
        for i in range(len(photo_vecs)):
            looser = set()
            for k in order:
                tags = {t.label for t in per[k][i]}
                if k != "loose":
                    assert tags <= looser, (s.name, i, k)
                looser = tags
                scores = [t.score for t in per[k][i]]
                assert scores == sorted(scores, reverse=True)
                assert all(STRICTNESS[k] <= t.score <= 1.0 for t in per[k][i])


def test_independent_labels_are_judged_alone(
    photo_vecs: np.ndarray, protos: TextPrototypes
) -> None:
    animals = builtin_label_sets()["animals"]
    conf, _ = confidences(photo_vecs, animals, protos)
    assert conf.shape == (len(photo_vecs), len(animals.labels))
    assert np.all((conf >= 0) & (conf <= 1))
    # a label's confidence does not depend on the other labels in the set
    alone = LabelSet("one", "", False, animals.labels[:1], animals.templates)
    conf_alone, _ = confidences(photo_vecs, alone, protos)
    np.testing.assert_allclose(conf_alone[:, 0], conf[:, 0], atol=1e-6)
    everything = suggest(photo_vecs, animals, protos, 0.0)
    assert all(len(tags) == len(animals.labels) for tags in everything)


def test_suggest_uses_no_image_model(
    tiny_embedder: Embedder, photo_vecs: np.ndarray, protos: TextPrototypes
) -> None:
    before = tiny_embedder.images_embedded, tiny_embedder.image_batches
    merged = suggest_all(photo_vecs, list(builtin_label_sets().values()), protos, "loose")
    assert len(merged) == len(photo_vecs)
    assert (tiny_embedder.images_embedded, tiny_embedder.image_batches) == before


def test_suggest_checks_its_inputs(photo_vecs: np.ndarray, protos: TextPrototypes) -> None:
    scenes = builtin_label_sets()["scenes"]
    with pytest.raises(ValueError, match="strictness"):
        suggest(photo_vecs, scenes, protos, "very")
    with pytest.raises(ValueError):
        suggest(photo_vecs, scenes, protos, 1.5)
    with pytest.raises(ValueError, match="different models"):
        suggest(np.ones((2, 7), np.float32), scenes, protos)
    one = suggest(photo_vecs[0], scenes, protos, "loose")  # a single vector is one photo
    assert len(one) == 1


class CountingEmbedder:
    """The real tiny Embedder, recording every text it is asked to embed."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.calls: list[list[str]] = []

    def embed_texts(self, texts) -> np.ndarray:
        self.calls.append(list(texts))
        return self.embedder.embed_texts(texts)

    @property
    def texts(self) -> list[str]:
        return [t for call in self.calls for t in call]


def test_adding_a_label_embeds_only_its_prompts(tiny_embedder: Embedder, tmp_path: Path) -> None:
    templates = ("a photo of {}.", "a blurry photo of {}.")
    pets = (Label("dog", ("a dog", "a puppy")), Label("cat"))
    before = LabelSet("pets", "", False, pets, templates, "user")
    counting = CountingEmbedder(tiny_embedder)
    protos = TextPrototypes(counting.embed_texts, "tiny-test", tmp_path / "protos")
    first = protos.for_set(before)
    assert len(counting.texts) == len(set(counting.texts)) == 3 * 2 + 5 * 2  # + the background

    after = LabelSet("pets", "", False, (*pets, Label("parrot", ("a parrot",))), templates, "user")
    counting.calls.clear()
    again = TextPrototypes(counting.embed_texts, "tiny-test", tmp_path / "protos")  # a new run
    second = again.for_set(after)
    assert counting.texts == ["a photo of a parrot.", "a blurry photo of a parrot."]
    np.testing.assert_allclose(second[:2], first, atol=1e-6)  # the old labels are unchanged
    assert second.shape == (3, tiny_embedder.dim)


def test_prepare_embeds_in_big_batches_with_progress(
    tiny_embedder: Embedder, tmp_path: Path
) -> None:
    sets = list(builtin_label_sets().values())[:3]
    counting = CountingEmbedder(tiny_embedder)
    protos = TextPrototypes(counting.embed_texts, "tiny-test", tmp_path, batch_size=300)
    total = len(protos.missing(sets))
    seen: list[tuple[int, int]] = []
    assert protos.prepare(sets, progress=lambda done, n: seen.append((done, n))) == total
    assert total > 300 and len(counting.texts) == total == len(set(counting.texts))
    assert all(len(call) <= 300 for call in counting.calls) and len(counting.calls[0]) == 300
    assert seen[-1] == (total, total) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    counting.calls.clear()
    for s in sets:  # everything prepared: no more embedding
        protos.for_set(s)
    assert counting.calls == [] and protos.missing(sets) == []
