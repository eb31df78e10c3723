"""Label sets: TOML parsing, templates, fingerprints, built-ins and user overrides."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from photoclip.core.labels import (
    DEFAULT_TEMPLATES,
    Label,
    LabelSet,
    LabelSetError,
    builtin_label_sets,
    display_names,
    load_label_sets,
    parse_label_set,
    write_user_copy,
)
from photoclip.core.types import UnknownChoiceError

USER_SET = """
name = "pets"
description = "my pets"
exclusive = true
templates = ["a photo of {}.", "a blurry photo of {}.", "a photo of my {}."]
[[labels]]
name = "rex"
prompts = ["a black dog", "a dog on a sofa"]
[[labels]]
name = "tom"
"""


def _set(**changes: object) -> LabelSet:
    base = LabelSet(
        "s", "d", False, (Label("dog", ("a dog", "a puppy")), Label("cat")),
        ("a photo of {}.", "a blurry photo of {}."),
    )
    return dataclasses.replace(base, **changes)


def test_label_prompts_default_to_the_name() -> None:
    assert Label("cat").prompts == ("cat",)
    assert Label("dog", ("a dog",)).prompts == ("a dog",)


def test_templates_expand_every_prompt() -> None:
    s = _set()
    prompts = s.prompts_for(s.labels[0])
    assert len(prompts) == len(s.templates) * 2
    assert "a blurry photo of a puppy." in prompts
    assert s.prompts_for(s.labels[1]) == ["a photo of cat.", "a blurry photo of cat."]


def test_fingerprint_changes_with_whatever_changes_the_text() -> None:
    base = _set()
    assert base.fingerprint == _set().fingerprint  # stable
    changed = [
        _set(templates=("a photo of {}.",)),
        _set(labels=(Label("dog", ("a dog",)), Label("cat"))),
        _set(labels=(Label("doggo", ("a dog", "a puppy")), Label("cat"))),
        _set(labels=(Label("cat"), Label("dog", ("a dog", "a puppy")))),
        _set(labels=(Label("dog", ("a dog", "a puppy")),)),
    ]
    prints = {base.fingerprint} | {s.fingerprint for s in changed}
    assert len(prints) == len(changed) + 1
    # what does not reach the text encoder does not change it
    assert _set(description="other", exclusive=True, name="x").fingerprint == base.fingerprint


def test_every_builtin_set_loads_without_duplicates() -> None:
    sets = builtin_label_sets()
    for name in ("scenes", "animals", "food", "documents", "events", "people", "vehicles",
                 "weather", "objects", "sports"):
        assert name in sets
    for s in sets.values():
        names = [label.name.lower() for label in s.labels]
        assert len(names) == len(set(names)), s.name
        assert s.source == "built-in" and s.description
        assert 4 <= len(s.templates) <= 8
        assert all(t.count("{}") == 1 for t in s.templates)
        assert all(label.prompts for label in s.labels)
    assert sets["scenes"].exclusive and not sets["animals"].exclusive


def test_user_file_adds_and_overrides(tmp_path: Path) -> None:
    (tmp_path / "pets.toml").write_text(USER_SET)
    (tmp_path / "mine.toml").write_text(
        'name = "animals"\n[[labels]]\nname = "unicorn"\n'
    )
    sets = load_label_sets(tmp_path)
    pets = sets["pets"]
    assert pets.exclusive and pets.label_names == ["rex", "tom"]
    assert pets.label("tom").prompts == ("tom",)
    assert pets.source == str(tmp_path / "pets.toml")
    assert len(pets.prompts_for(pets.label("rex"))) == 3 * 2
    assert sets["animals"].label_names == ["unicorn"]
    assert sets["animals"].templates == DEFAULT_TEMPLATES
    assert "scenes" in sets
    assert load_label_sets(None).keys() == builtin_label_sets().keys()
    assert load_label_sets(tmp_path / "missing").keys() == builtin_label_sets().keys()


@pytest.mark.parametrize(
    "text",
    [
        "name = [oops",  # not TOML
        'name = "x"\n',  # no labels
        'name = "x"\ntemplates = ["a photo of"]\n[[labels]]\nname = "a"\n',  # no {}
        'name = "x"\n[[labels]]\nname = "a"\n[[labels]]\nname = "A"\n',  # duplicate
        'name = "x"\nexclusive = "yes"\n[[labels]]\nname = "a"\n',
        'name = "Bad Name"\n[[labels]]\nname = "a"\n',
        'name = "x"\n[[labels]]\nname = "a"\nprompts = [1]\n',
    ],
)
def test_broken_user_file_names_the_file(tmp_path: Path, text: str) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text(text)
    with pytest.raises(LabelSetError, match=r"broken\.toml"):
        load_label_sets(tmp_path)
    errors: list[LabelSetError] = []
    (tmp_path / "pets.toml").write_text(USER_SET)
    sets = load_label_sets(tmp_path, on_error=errors.append)
    assert len(errors) == 1 and "broken.toml" in str(errors[0])
    assert "pets" in sets


def test_write_user_copy_round_trips(tmp_path: Path) -> None:
    path = write_user_copy("food", tmp_path / "labels")
    assert path == tmp_path / "labels" / "food.toml"
    assert path.read_text().startswith("#")  # the format comment travels with it
    path.write_text(path.read_text().replace('name = "pizza"', 'name = "pizza slice"'))
    sets = load_label_sets(tmp_path / "labels")
    assert "pizza slice" in sets["food"].label_names
    assert sets["food"].source == str(path)
    with pytest.raises(LabelSetError, match="already exists"):
        write_user_copy("food", tmp_path / "labels")
    with pytest.raises(UnknownChoiceError, match="no built-in label set 'nope'; choose one of"):
        write_user_copy("nope", tmp_path / "labels")  # a usage error (exit 2) naming the sets



def test_builtin_sets_have_chinese_names_and_english_prompts() -> None:
    """What the user sees has a Simplified Chinese name; what the model reads stays English."""
    cjk = re.compile(r"[\u3400-\u9fff]")
    for label_set in builtin_label_sets().values():
        assert cjk.search(label_set.display_description("zh_CN")), label_set.name
        assert label_set.display_description("en") == label_set.description
        for label in label_set.labels:
            shown = label.display("zh_CN")
            assert cjk.search(shown) and shown != label.name, (label_set.name, label.name)
            assert label.display("en") == label.name
            assert not any(cjk.search(p) for p in label_set.prompts_for(label))
    names = display_names(builtin_label_sets().values(), "zh_CN")
    assert names["dog"] == "狗" and names["city street"] == "城市街道"
    assert display_names(builtin_label_sets().values(), "en") == {}


def test_display_names_leave_the_fingerprint_alone() -> None:
    plain = parse_label_set({"name": "x", "labels": [{"name": "dog"}]})
    named = parse_label_set({"name": "x", "descriptions": {"zh_CN": "动物"},
                             "labels": [{"name": "dog", "names": {"zh_CN": "狗"}}]})
    assert plain.fingerprint == named.fingerprint  # a translation re-tags nothing
    assert named.labels[0].display("zh_CN") == "狗" and named.display_description("zh_CN") == "动物"
    with pytest.raises(ValueError, match="language"):
        parse_label_set({"name": "x", "labels": [{"name": "dog", "names": ["狗"]}]})
