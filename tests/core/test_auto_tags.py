"""Automatic tags in a real library: suggested after indexing, re-tagged from stored vectors,
never overriding what the user did; keywords in files become tags; XMP sidecars on request.

Real open_clip (tiny random model: the *choice* of labels means nothing, the mechanics do), real
Chroma on disk, real photos. A threshold of "0" makes every exclusive set give exactly one label
per photo, so the tests do not depend on what random weights happen to suggest.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from photoclip.core.keywords import read_keywords, write_sidecar
from photoclip.core.labels import builtin_label_sets
from photoclip.core.library import Library, SearchFilters
from photoclip.core.tags import AUTO, KEYWORD, USER
from tests.conftest import copy_coco

EXIFTOOL = shutil.which("exiftool")


@pytest.fixture()
def photos(tmp_path: Path, datasets_dir: Path) -> Path:
    return copy_coco(datasets_dir, tmp_path / "Pictures", 8)


@pytest.fixture()
def tagged(make_library: Callable[[list[Path]], Library], photos: Path) -> Library:
    """An indexed library tagging with the exclusive 'scenes' set at threshold 0."""
    lib = make_library([photos])
    lib.settings.label_sets = ["scenes"]
    lib.settings.tag_strictness = "0"
    lib.save_settings()
    lib.index_folders()
    return lib


def auto_tags(lib: Library, pid: int) -> dict[str, float]:
    return {t.tag: t.score for t in lib._tags.tags_of(pid) if t.source == AUTO}


def test_indexing_suggests_one_label_per_photo_from_an_exclusive_set(tagged: Library) -> None:
    scenes = set(builtin_label_sets()["scenes"].label_names)
    ids = [int(i) for i in tagged.index.ids()]
    assert len(ids) == 8
    for pid in ids:
        tags = [t for t in tagged._tags.tags_of(pid) if t.source == AUTO]
        assert len(tags) == 1, tags
        (tag,) = tags
        assert tag.tag in scenes and tag.label_set == "scenes"
        assert 0.0 < tag.score <= 1.0 and tag.model == tagged.model_spec.key
    assert tagged.tags_current()
    # tags and text search combine
    some = ids[0]
    (label,) = auto_tags(tagged, some)
    hits = tagged.search("a photo", limit=20, filters=SearchFilters(tag=label))
    assert some in {h.photo_id for h in hits}
    assert {h.photo_id for h in hits} == tagged._tags.photos_with(label)


def test_retag_embeds_no_photo_and_stricter_is_a_subset(tagged: Library) -> None:
    ids = [int(i) for i in tagged.index.ids()]
    tagged.settings.label_sets = ["scenes", "animals", "objects"]
    tagged.settings.tag_strictness = "loose"
    assert not tagged.tags_current()  # a settings change makes the tags stale
    images_before = tagged.embedder.images_embedded
    tagged.retag()
    loose = {pid: set(auto_tags(tagged, pid)) for pid in ids}
    tagged.settings.tag_strictness = "strict"
    report = tagged.retag()
    strict = {pid: set(auto_tags(tagged, pid)) for pid in ids}
    assert tagged.embedder.images_embedded == images_before  # zero image-model calls
    assert report.photos == len(ids) and tagged.tags_current()
    assert all(strict[pid] <= loose[pid] for pid in ids)
    # a second retag with unchanged settings embeds no text either (prototypes are cached)
    texts = tagged.auto_tags.prototypes.texts_embedded
    tagged.retag()
    assert tagged.auto_tags.prototypes.texts_embedded == texts


def test_rejected_tag_never_returns(tagged: Library, photos: Path) -> None:
    pid = int(tagged.index.ids()[0])
    (label,) = auto_tags(tagged, pid)
    assert tagged._tags.reject(label, [pid]).outcomes == {"rejected": 1}
    assert label not in auto_tags(tagged, pid)
    tagged.retag()
    assert label not in auto_tags(tagged, pid)
    assert len(auto_tags(tagged, pid)) == 0  # exclusive: the winner was rejected, none other
    # the photo's file changes: it is embedded again, and still the rejection holds
    path = Path(tagged._catalog.get(pid).path)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    report = tagged.index_folders()
    assert report.changed == 1
    assert label not in auto_tags(tagged, pid)
    assert label in tagged._tags.rejected(pid)


def test_user_tags_survive_retag_model_switch_and_reindex(
    tagged: Library, photos: Path, install_tiny_model, make_library
) -> None:
    pid = int(tagged.index.ids()[0])
    (label,) = auto_tags(tagged, pid)
    other = int(tagged.index.ids()[1])
    tagged._tags.add(label, [other])  # the user's tag with the same name as a suggestion
    tagged._tags.add("grandma", [pid])
    tagged._tags.accept(label, [pid])  # accepting makes it the user's own
    assert {t.tag: t.source for t in tagged._tags.tags_of(pid)} == {label: USER, "grandma": USER}

    def own(p: int) -> set[str]:
        return {t.tag for t in tagged._tags.tags_of(p) if t.source == USER}

    tagged.settings.tag_strictness = "loose"
    tagged.retag()
    assert own(pid) == {label, "grandma"} and label in own(other)
    assert label not in auto_tags(tagged, pid)  # no automatic copy beside the user's tag
    # another model, then back: the user's tags are keyed by photo, not by model
    install_tiny_model(tagged.user_models_dir, key="tiny-two")
    tagged.use_model("tiny-two")
    tagged.index_folders()
    assert own(pid) == {label, "grandma"} and label in own(other)
    tagged.use_model("tiny-test")
    # a full re-index from scratch: vectors forgotten, every photo embedded again
    tagged._catalog.forget_embeddings(tagged.model_spec.key, tagged._catalog.embedded_ids(
        tagged.model_spec.key))
    tagged.close()
    lib = make_library([photos])
    lib.index_folders()
    assert {t.tag for t in lib._tags.tags_of(pid) if t.source == USER} == {label, "grandma"}


def test_label_set_file_edits_and_turning_tags_off(tagged: Library) -> None:
    ids = [int(i) for i in tagged.index.ids()]
    tagged.labels_dir.mkdir(parents=True, exist_ok=True)
    (tagged.labels_dir / "pets.toml").write_text(
        'description = "Our pets"\nexclusive = true\n'
        '[[labels]]\nname = "Rex"\nprompts = ["a dog"]\n'
        '[[labels]]\nname = "Tom"\nprompts = ["a cat"]\n',
        encoding="utf-8",
    )
    tagged.settings.label_sets = ["pets"]
    assert not tagged.tags_current()
    tagged.retag()
    assert all(set(auto_tags(tagged, pid)) <= {"Rex", "Tom"} for pid in ids)
    assert all(len(auto_tags(tagged, pid)) == 1 for pid in ids)
    # editing the file (a new label) is noticed by the next index run
    (tagged.labels_dir / "pets.toml").write_text(
        'exclusive = true\n[[labels]]\nname = "Rex"\n[[labels]]\nname = "Tom"\n'
        '[[labels]]\nname = "Goldie"\nprompts = ["a goldfish"]\n', encoding="utf-8"
    )
    assert not tagged.tags_current()
    tagged.index_folders()
    assert tagged.tags_current()
    tagged.settings.auto_tag = False
    tagged.retag()
    assert all(not auto_tags(tagged, pid) for pid in ids)


def test_an_interrupted_run_retags_next_time(tagged: Library, photos: Path) -> None:
    """A run that stops before the end leaves the tagging state unrecorded."""
    import threading

    shutil.copy2(next(photos.glob("*.jpg")), photos / "copy-of-a-photo.jpg")
    stop = threading.Event()
    stop.set()
    report = tagged.index_folders(stop=stop)
    assert report.stopped and not tagged.tags_current()
    tagged.index_folders()
    assert tagged.tags_current()
    pid = tagged.photo_ids([photos / "copy-of-a-photo.jpg"])[0]
    assert len(auto_tags(tagged, pid)) == 1


def test_keywords_in_files_become_searchable_tags(
    make_library: Callable[[list[Path]], Library], photos: Path
) -> None:
    first, second = sorted(photos.glob("*.jpg"))[:2]
    write_sidecar(first, ["Summer 2024", "Oma"])  # photo.jpg.xmp, as darktable/digiKam write
    write_sidecar(second, ["Oma"], convention="adobe")  # photo.xmp, as Lightroom writes
    lib = make_library([photos])
    lib.settings.auto_tag = False
    lib.index_folders()
    a, b = lib.photo_ids([first, second])
    assert {(t.tag, t.source) for t in lib._tags.tags_of(a)} == {
        ("Summer 2024", KEYWORD), ("Oma", KEYWORD)
    }
    assert lib._tags.photos_with("oma") == {a, b}  # case-insensitive
    hits = lib.search("a photo", limit=50, filters=SearchFilters(tag="Oma"))
    assert {h.photo_id for h in hits} == {a, b}
    # the sidecar changes and the photo is re-read: keywords follow the file
    write_sidecar(first, ["Oma"])
    os.utime(first, ns=(first.stat().st_atime_ns, first.stat().st_mtime_ns + 10**9))
    lib.index_folders()
    assert {t.tag for t in lib._tags.tags_of(a)} == {"Oma"}
    # a moved photo keeps its keywords (same id, no re-embedding)
    moved = photos / "renamed.jpg"
    first.rename(moved)
    Path(str(first) + ".xmp").rename(str(moved) + ".xmp")
    lib.index_folders()
    assert lib.photo_ids([moved]) == [a]
    assert {t.tag for t in lib._tags.tags_of(a)} == {"Oma"}


def test_user_tags_written_to_xmp_sidecars_only_when_asked(
    make_library: Callable[[list[Path]], Library], photos: Path
) -> None:
    lib = make_library([photos])
    lib.settings.auto_tag = False
    lib.index_folders()
    photo = sorted(photos.glob("*.jpg"))[0]
    original = photo.read_bytes()
    (pid,) = lib.photo_ids([photo])
    sidecar = Path(str(photo) + ".xmp")
    lib._tags.add("beach", [pid])
    assert not sidecar.exists()  # off by default
    lib.settings.write_xmp = True
    lib._tags.add("Café au lait", [pid])
    lib._tags.add("sunset", [pid])
    assert set(read_keywords(photo)) == {"beach", "Café au lait", "sunset"}
    lib._tags.remove("sunset", [pid])
    assert set(read_keywords(photo)) == {"beach", "Café au lait"}
    assert photo.read_bytes() == original  # never the photo itself
    if EXIFTOOL:  # what other tools see
        out = subprocess.run(
            [EXIFTOOL, "-j", "-XMP-dc:Subject", str(sidecar)],
            capture_output=True, text=True, check=True,
        ).stdout
        subject = json.loads(out)[0]["Subject"]
        assert set([subject] if isinstance(subject, str) else subject) == {
            "Café au lait", "beach"
        }
    # re-indexing reads the sidecar back: the removed tag does not come back as a keyword
    os.utime(photo, ns=(photo.stat().st_atime_ns, photo.stat().st_mtime_ns + 10**9))
    lib.index_folders()
    assert {t.tag for t in lib._tags.tags_of(pid)} == {"beach", "Café au lait"}


def test_label_prompts_are_prepared_in_their_own_phase_after_photos_are_searchable(
    make_library: Callable[[list[Path]], Library], photos: Path
) -> None:
    """A fresh library: photos are stored and searchable first; then the label prompts are
    embedded as a visible 'preparing' phase (n of m prompts); a stop there leaves the tags for
    the next run, which embeds only the prompts still missing."""
    import threading

    from photoclip.core.indexer import IndexProgress

    lib = make_library([photos])
    lib.settings.label_sets = ["scenes", "animals"]
    lib.save_settings()
    wanted = len(lib.auto_tags.prototypes.missing(lib.auto_tags.enabled_label_sets()))
    assert wanted > lib.auto_tags.prototypes.batch_size  # more than one batch to stop between
    seen: list[IndexProgress] = []
    stop = threading.Event()

    def progress(p: IndexProgress) -> None:
        seen.append(p)
        if p.phase == "preparing" and p.done > 0:
            assert lib.search("a photo", limit=3)  # searchable while prompts are embedded
            stop.set()  # stop after the first batch of prompts

    lib.index_folders(progress, stop)
    phases = [p.phase for p in seen]
    assert "indexing" in phases and "preparing" in phases
    assert phases.index("indexing") < phases.index("preparing")
    preparing = [p for p in seen if p.phase == "preparing"]
    assert preparing[0].total == wanted and "automatic tags" in (preparing[0].current or "")
    assert "analyzing" not in phases  # stopped: no tags yet, they come next time
    assert not lib.tags_current()
    left = len(lib.auto_tags.prototypes.missing(lib.auto_tags.enabled_label_sets()))
    assert 0 < left < wanted  # what was embedded before the stop is kept

    seen.clear()
    lib.index_folders(seen.append)
    preparing = [p for p in seen if p.phase == "preparing"]
    assert preparing and preparing[-1].done == preparing[-1].total == left
    assert "analyzing" in [p.phase for p in seen]
    assert lib.tags_current()
