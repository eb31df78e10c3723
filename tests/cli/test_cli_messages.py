"""What the `photoclip` command says is what happened: tag results, moves, folders added twice,
the date taken, option ranges, search limits in --help. Real processes, real files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from photoclip.core.keywords import write_sidecar
from tests.cli.helpers import as_json, photoclip
from tests.cli.library_copies import LibraryCopy


@pytest.fixture()
def indexed(indexed_copy: LibraryCopy) -> Path:
    """A home with ten photos added and indexed, automatic tags off (a copy: conftest)."""
    return indexed_copy.home


@pytest.fixture()
def indexed_folder(indexed_copy: LibraryCopy) -> Path:
    """The photo folder of ``indexed``."""
    return indexed_copy.folder


def photo_json(home: Path, photo: str) -> dict:
    return as_json(photoclip(home, "--json", "photo", photo))


def own_tags(home: Path, photo: str) -> dict[str, str]:
    return {t["tag"]: t["source"] for t in photo_json(home, photo)["tags"]}


def test_tag_messages_say_what_happened(indexed: Path, indexed_folder: Path) -> None:
    photo = str(sorted(indexed_folder.glob("*.jpg"))[0])
    # accepting a tag that was never suggested: once "0 of 1 photos changed" and added anyway
    out = photoclip(indexed, "tag", "accept", "zzz", photo).stdout
    assert out.startswith("accept 'zzz': not suggested for 1 photo: nothing done")
    assert "zzz" not in own_tags(indexed, photo)
    # rejecting a tag that is not there: once "0 of 1" though it was recorded
    out = photoclip(indexed, "tag", "reject", "nonexistent", photo).stdout
    assert out.strip() == ("reject 'nonexistent': not suggested for 1 photo; recorded: it will "
                           "not be suggested")
    assert photo_json(indexed, photo)["rejected"] == ["nonexistent"]
    out = photoclip(indexed, "tag", "reject", "nonexistent", photo).stdout
    assert "1 photo had it rejected already" in out
    res = as_json(photoclip(indexed, "--json", "tag", "reject", "nonexistent", photo))
    assert (res["changed"], res["photos"], res["outcomes"]) == (0, 1, {"already rejected": 1})
    # the user's own tags
    out = photoclip(indexed, "tag", "add", "trip", photo, photo).stdout
    assert out.strip() == "add 'trip': added to 1 photo"  # one photo, named twice
    assert "1 photo had it as your own already" in photoclip(
        indexed, "tag", "add", "trip", photo).stdout
    assert "it is your own tag there" in photoclip(indexed, "tag", "reject", "trip", photo).stdout
    assert own_tags(indexed, photo)["trip"] == "user"
    assert "accept 'trip': 1 photo had it as your own already" in photoclip(
        indexed, "tag", "accept", "trip", photo).stdout
    assert photoclip(indexed, "tag", "remove", "trip", photo).stdout.strip() == (
        "remove 'trip': removed from 1 photo")
    assert "1 photo did not have it" in photoclip(indexed, "tag", "remove", "trip", photo).stdout


def test_removing_a_keyword_read_from_a_sidecar_says_so(indexed: Path,
                                                         indexed_folder: Path) -> None:
    photo = str(sorted(indexed_folder.glob("*.jpg"))[1])
    write_sidecar(photo, ["p1tag"])  # as darktable would
    photoclip(indexed, "index", "-q")
    assert own_tags(indexed, photo)["p1tag"] == "keyword"
    # photoclip writes no sidecars (write_xmp off): the removal is remembered, and it says so
    out = photoclip(indexed, "tag", "remove", "p1tag", photo).stdout
    assert out.startswith("remove 'p1tag': removed from 1 photo (a keyword read from the file")
    assert "remembered" in out
    assert "p1tag" not in own_tags(indexed, photo)
    Path(photo).touch()  # the file is read again: the keyword stays removed
    photoclip(indexed, "index", "-q")
    assert "p1tag" not in own_tags(indexed, photo)
    assert photoclip(indexed, "tag", "remove", "p1tag", photo).stdout.strip() == (
        "remove 'p1tag': 1 photo did not have it")
    assert "p1tag" not in own_tags(indexed, photo)


def test_folders_added_again_are_already_in_the_library(cli_home: Path,
                                                         library_folder: Path) -> None:
    first = photoclip(cli_home, "folders", "add", str(library_folder)).stdout
    assert first.splitlines() == [f"added {library_folder}", "run `photoclip index` to index it"]
    again = photoclip(cli_home, "folders", "add", str(library_folder) + "/").stdout
    assert again.strip() == f"{library_folder} is already in the library"  # no "added", no hint
    res = as_json(photoclip(cli_home, "--json", "folders", "add", str(library_folder)))
    assert (res["added"], res["already"]) == ([], [str(library_folder)])


def test_photo_shows_the_date_taken(indexed: Path, indexed_folder: Path) -> None:
    src = sorted(indexed_folder.glob("*.jpg"))[0]
    image = Image.open(src)
    exif = image.getexif()
    exif.get_ifd(0x8769)[36867] = "2019:07:14 15:30:00"  # DateTimeOriginal
    image.save(indexed_folder / "dated.jpg", exif=exif, quality=90)
    photoclip(indexed, "index", "-q")
    dated = str(indexed_folder / "dated.jpg")
    taken = photo_json(indexed, dated)["photo"]["taken"]
    assert taken is not None
    stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(taken))
    assert stamp.startswith("2019-07-1")
    lines = photoclip(indexed, "photo", dated).stdout.splitlines()  # once: no date at all
    assert f"  taken {stamp}" in lines
    undated = photoclip(indexed, "photo", str(src)).stdout
    assert "date taken unknown (no EXIF date; file modified" in undated


def test_numeric_options_are_checked(indexed: Path) -> None:
    cases = [
        (["search", "x", "--min-score", "5"], "between -1 and 1"),  # once: nothing, exit 0
        (["search", "x", "--min-score", "-1.5"], "between -1 and 1"),
        (["search", "x", "--min-score", "nan"], "not a finite number"),
        (["similar", "x.jpg", "--min-score", "2"], "between -1 and 1"),
        (["search", "x", "--limit", "0"], "at least 1"),
        (["search", "x", "-n", "-3"], "at least 1"),
        (["search", "x", "--after", "2023-13-01"], "YYYY-MM-DD"),
        (["search", "x", "--after", "2023-06-01", "--before", "2023-01-01"], "no photo can match"),
        (["watch", "--quiet-seconds", "-1"], "0 or more"),
        (["album", "create", "Dogs", "--query", "dog", "--min-score", "3"], "between -1 and 1"),
        (["export", "--query", "dog", "--to", "out", "--limit", "0"], "at least 1"),
    ]
    for args, why in cases:
        proc = photoclip(indexed, *args, check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        assert why in proc.stderr and "Traceback" not in proc.stderr, (args, proc.stderr)
    assert as_json(photoclip(indexed, "albums", "--json"))["albums"] == []  # nothing was made
    ok = as_json(photoclip(indexed, "search", "x", "--min-score", "-1", "--limit", "3", "--json"))
    assert len(ok["results"]) == 3


def test_a_malformed_query_points_at_the_problem(indexed: Path) -> None:
    proc = photoclip(indexed, "search", '"beach" +', check=False)  # once silently "beach"
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        'photoclip: the query ends with "+": put a term after it, or remove it',
        '  "beach" +',
        "          ^",
        "  the query syntax: `photoclip search --help`",
    ]
    text = photoclip(indexed, "search", "the dog's ball", "-n", "2").stdout  # an apostrophe
    assert len(text.splitlines()) == 2


def test_search_help_says_what_the_model_cannot_see(cli_home: Path) -> None:
    helped = photoclip(cli_home, "search", "--help").stdout
    assert "two dogs in the snow" not in helped  # counting is a known CLIP limit
    assert "centre" in helped and "wide photos" in helped and "counts" in helped
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "search \"two dogs" not in readme and "(\"two dogs playing" not in readme
    assert "centre" in readme.split("## Tags")[0]


def test_watch_reports_a_move_as_a_move(indexed: Path, indexed_folder: Path) -> None:
    env = {**os.environ, "PHOTOCLIP_HOME": str(indexed), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "photoclip", "watch", "--quiet-seconds", "0.2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("watching"):
                break
        src = sorted(indexed_folder.glob("*.jpg"))[0]
        (indexed_folder / "moved").mkdir()
        src.rename(indexed_folder / "moved" / "renamed.jpg")
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "changes:" in line and "moved" in line and " 1 moved" in line:
                break
        # once "1 new, 0 changed, 1 moved": it read as a new photo
        assert ": 0 new, 0 changed, 1 moved, 0 removed" in lines[-1], lines
        assert all(" 1 new" not in x for x in lines), lines
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    out = photoclip(indexed, "index").stdout  # nothing left to do: the move was complete
    assert "0 new, 0 moved" in out
