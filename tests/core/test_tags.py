"""Tags and albums: what the user did by hand is never overwritten by automatic tags."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from photoclip.core.library import Library, SearchFilters
from photoclip.core.tags import TagError


@pytest.fixture()
def lib(make_library, tmp_path: Path, datasets_dir: Path) -> Library:
    root = tmp_path / "Pictures"
    root.mkdir()
    for src in sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:8]:
        shutil.copy2(src, root / src.name)
    library = make_library([root])
    library.settings.auto_tag = False  # these tests are about the user's own tags
    library.index_folders()
    return library


def _ids(lib: Library) -> list[int]:
    return sorted(lib._catalog.indexed_ids(lib.model_spec.key))


def test_user_tags_and_search_filter(lib: Library) -> None:
    ids = _ids(lib)
    assert lib._tags.add("beach", ids[:3]).changed == 3
    assert lib._tags.add("  Beach ", ids[:1]).changed == 0  # case and space variants are one tag
    hits = lib.search("anything", limit=50, filters=SearchFilters(tag="beach"))
    assert {h.photo_id for h in hits} == set(ids[:3])
    assert lib._tags.remove("beach", ids[:1]).changed == 1
    assert lib._tags.photos_with("beach") == set(ids[1:3])
    counts = {c.tag: c for c in lib._tags.counts()}
    assert counts["beach"].own == 2 and counts["beach"].auto == 0


def test_automatic_tags_never_override_the_user(lib: Library) -> None:
    a, b, c = _ids(lib)[:3]
    lib._tags.add("dog", [a])
    lib._tags.replace_auto("m", {a: [("dog", "animals", 0.9), ("cat", "animals", 0.8)],
                                b: [("dog", "animals", 0.7)]})
    assert {(t.tag, t.source) for t in lib._tags.tags_of(a)} == {("dog", "user"), ("cat", "auto")}
    lib._tags.reject("dog", [b])
    lib._tags.replace_auto("m", {b: [("dog", "animals", 0.95), ("car", "vehicles", 0.6)]})
    assert [t.tag for t in lib._tags.tags_of(b)] == ["car"]  # rejected never comes back
    lib._tags.accept("car", [b])
    lib._tags.replace_auto("m", {b: []})  # re-tagging with nothing found
    assert [(t.tag, t.source) for t in lib._tags.tags_of(b)] == [("car", "user")]
    lib._tags.add("sunset", [c])
    lib._tags.set_keywords(c, ["Strand", "自行车"])
    lib._tags.replace_auto("m", {c: [("sunset", "weather", 0.9)]})
    assert {(t.tag, t.source) for t in lib._tags.tags_of(c)} == {
        ("sunset", "user"), ("Strand", "keyword"), ("自行车", "keyword")}


def test_user_tags_survive_reindex_and_model_switch(lib: Library, install_tiny_model) -> None:
    ids = _ids(lib)
    lib._tags.add("family", ids)
    lib._tags.create_album("Holiday")
    lib._tags.add_to_album("Holiday", ids[:2])
    install_tiny_model(lib.user_models_dir, key="tiny-other")
    lib.use_model("tiny-other")
    report = lib.index_folders()
    assert report.embedded == len(ids)  # a new model embeds again ...
    assert lib._tags.photos_with("family") == set(ids)  # ... and keeps what the user did
    assert lib.album_members("Holiday") == set(ids[:2])
    lib._catalog.retry_failed()
    assert lib.index_folders(retry_failed=True).embedded == 0
    assert lib._tags.photos_with("family") == set(ids)


def test_albums_plain_and_smart(lib: Library) -> None:
    ids = _ids(lib)
    lib._tags.create_album("Picked")
    assert lib._tags.add_to_album("Picked", ids[:2]) == 2
    assert lib.album_members("Picked") == set(ids[:2])
    lib._tags.add("dog", ids[3:5])
    lib._tags.create_album("Dogs", tag="dog")
    assert lib.album_members("Dogs") == set(ids[3:5])
    lib._tags.add("dog", ids[5:6])  # smart albums follow new tags at once
    assert lib.album_members("Dogs") == set(ids[3:6])

    scores = [h.score for h in lib.search("a photo of a dog", limit=50)]
    lib._tags.create_album("Query", query="a photo of a dog", min_score=scores[2])
    assert len(lib.album_members("Query")) == 3
    hits = lib.search("x", limit=50, filters=SearchFilters(album="Picked"))
    assert {h.photo_id for h in hits} == set(ids[:2])

    with pytest.raises(TagError, match="smart album"):
        lib._tags.add_to_album("Dogs", ids[:1])
    with pytest.raises(TagError, match="exists already"):
        lib._tags.create_album("picked")
    with pytest.raises(TagError, match="minimum score"):
        lib._tags.create_album("Vague", query="a dog")
    with pytest.raises(TagError, match="an album's name cannot be empty"):  # not "a tag"
        lib._tags.create_album("   ")
    lib._tags.delete_album("Picked")
    assert [a.name for a in lib._tags.albums()] == ["Dogs", "Query"]


def test_tags_follow_a_moved_photo(lib: Library) -> None:
    rec = lib._catalog.get(_ids(lib)[0])
    lib._tags.add("keep", [rec.id])
    target = Path(rec.path).parent / "sub" / "moved.jpg"
    target.parent.mkdir()
    Path(rec.path).rename(target)
    lib.index_folders()
    moved = lib._catalog.get_by_path(str(target))
    assert moved.id == rec.id and lib._tags.photos_with("keep") == {rec.id}
