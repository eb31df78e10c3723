"""The `photoclip` command as a user runs it: a real process, real files, real store."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import as_json, photoclip
from tests.cli.library_copies import LibraryCopy


def test_user_journey(cli_home: Path, library_folder: Path) -> None:
    out = photoclip(cli_home, "folders", "add", str(library_folder)).stdout
    assert "added" in out
    out = photoclip(cli_home, "index").stdout
    assert "10 new" in out and "embedded 10" in out
    again = as_json(photoclip(cli_home, "index", "--json"))
    assert again["embedded"] == 0 and again["unchanged"] == 10

    text = photoclip(cli_home, "search", "two dogs playing in the snow", "--limit", "5").stdout
    lines = text.strip().splitlines()
    assert len(lines) == 5
    ranks = [int(line.split()[0]) for line in lines]
    scores = [float(line.split()[1]) for line in lines]
    assert ranks == [1, 2, 3, 4, 5] and scores == sorted(scores, reverse=True)

    res = as_json(photoclip(cli_home, "search", "beach", "--folder",
                            str(library_folder / "2023"), "--after", "2000-06-01", "--json"))
    assert len(res["results"]) == 5
    assert all("/2023/" in r["path"] for r in res["results"])

    target = sorted(library_folder.glob("*.jpg"))[0]
    res = as_json(photoclip(cli_home, "similar", str(target), "--json", "--limit", "3"))
    assert res["results"][0]["path"] == str(target.resolve())
    assert res["results"][0]["rank"] == 1

    st = as_json(photoclip(cli_home, "status", "--json"))
    assert (st["photos"], st["indexed"], st["pending"], st["failed"]) == (10, 10, 0, 0)
    assert st["model"] == "tiny-test" and st["device"] == "cpu" and st["store_bytes"] > 0

    models = as_json(photoclip(cli_home, "models", "--json"))["models"]
    in_use = [m for m in models if m["in_use"]]
    assert [m["spec"]["key"] for m in in_use] == ["tiny-test"]
    assert any(m["spec"]["multilingual"] for m in models)
    assert "vit-b-32" in photoclip(cli_home, "models").stdout


def test_bad_input_gets_a_clear_message(cli_home: Path, library_folder: Path) -> None:
    photoclip(cli_home, "folders", "add", str(library_folder))
    for args in (["similar", "/no/such.jpg"], ["search", '"unclosed'],
                 ["folders", "add", "/no/such/folder"], ["search", "x", "--after", "yesterday"]):
        proc = photoclip(cli_home, *args, check=False)
        assert proc.returncode != 0
        assert "Traceback" not in proc.stderr
        assert proc.stderr.strip()


def test_offline_without_weights_says_what_to_do(tmp_path: Path, library_folder: Path) -> None:
    home = tmp_path / "home"
    photoclip(home, "folders", "add", str(library_folder))
    proc = photoclip(home, "index", check=False, HF_ENDPOINT="http://127.0.0.1:9",
                     HF_HUB_ETAG_TIMEOUT="2", HF_HUB_DOWNLOAD_TIMEOUT="2")
    assert proc.returncode == 1  # could not be done (not a usage error)
    assert "Traceback" not in proc.stderr
    assert "--weights" in proc.stderr or "internet" in proc.stderr.lower()


def test_second_process_is_told_the_library_is_busy(cli_home: Path) -> None:
    from photoclip.core.lock import LibraryLock

    with LibraryLock(cli_home / "data" / "library", owner="photoclip gui"):
        # no waiting for it to finish or to answer (tests/cli/test_lock_wait.py does that)
        proc = photoclip(cli_home, "status", check=False, PHOTOCLIP_LOCK_WAIT="0")
    assert proc.returncode == 1
    assert "in use by another photoclip process (photoclip gui" in proc.stderr


def test_tags_and_albums_from_the_command_line(indexed_copy: LibraryCopy) -> None:
    cli_home = indexed_copy.home  # ten photos added and indexed, automatic tags off
    photos = indexed_copy.photos()
    out = photoclip(cli_home, "tag", "add", "beach", *photos[:2]).stdout
    assert out.strip() == "add 'beach': added to 2 photos"
    tags = as_json(photoclip(cli_home, "tags", "--json"))["tags"]
    assert tags == [{"tag": "beach", "own": 2, "auto": 0, "auto_score": None}]
    res = as_json(photoclip(cli_home, "search", "sunset", "--tag", "beach", "--json"))
    assert sorted(r["path"] for r in res["results"]) == photos[:2]

    photoclip(cli_home, "album", "create", "Trip")
    photoclip(cli_home, "album", "add", "Trip", photos[2])
    photoclip(cli_home, "album", "create", "Beach days", "--tag", "beach")
    albums = {a["name"]: a for a in as_json(photoclip(cli_home, "albums", "--json"))["albums"]}
    assert albums["Trip"]["photos"] == 1 and not albums["Trip"]["smart"]
    assert albums["Beach days"]["photos"] == 2 and albums["Beach days"]["smart"]
    shown = photoclip(cli_home, "photo", photos[0]).stdout
    assert "tag beach (yours)" in shown and "Beach days" in shown
    proc = photoclip(cli_home, "tag", "add", "x", "/not/indexed.jpg", check=False)
    assert proc.returncode == 1 and "no such file: /not/indexed.jpg" in proc.stderr
    assert "index it first" not in proc.stderr  # indexing cannot help a file that is not there
    outside = cli_home / "outside.jpg"  # a file that exists but is in no library folder
    outside.write_bytes(Path(photos[0]).read_bytes())
    proc = photoclip(cli_home, "photo", str(outside), check=False)
    assert proc.returncode == 1 and "not in the library (index it first)" in proc.stderr


def test_classify_from_the_command_line(cli_home: Path, library_folder: Path) -> None:
    photo = sorted(library_folder.glob("*.jpg"))[0]
    res = as_json(photoclip(cli_home, "classify", str(photo), "--labels",
                            "a cat, a dog, a car", "--json"))
    probs = [r["probability"] for r in res["labels"]]
    assert len(probs) == 3 and abs(sum(probs) - 1) < 1e-6 and probs == sorted(probs, reverse=True)
    text = photoclip(cli_home, "classify", str(photo), "--labels", "a cat, a dog").stdout
    assert text.count("%") == 2
    proc = photoclip(cli_home, "classify", str(photo), "--labels", "a cat", check=False)
    assert proc.returncode == 2 and "at least two labels" in proc.stderr


def test_labels_and_automatic_tags_from_the_command_line(
    cli_home: Path, library_folder: Path
) -> None:
    photoclip(cli_home, "folders", "add", str(library_folder))
    listing = as_json(photoclip(cli_home, "labels", "--json"))
    names = [x["name"] for x in listing["sets"]]
    assert {"scenes", "animals", "food", "documents", "people"} <= set(names)
    assert all(x["enabled"] for x in listing["sets"]) and listing["strictness"] == "normal"
    text = photoclip(cli_home, "labels").stdout
    assert "one of" in text and "any of" in text and str(cli_home) in text
    shown = photoclip(cli_home, "labels", "show", "scenes").stdout
    assert "beach" in shown and "templates:" in shown
    out = photoclip(cli_home, "labels", "disable", *[n for n in names if n != "scenes"]).stdout
    assert "re-tagged 0 photos" in out
    photoclip(cli_home, "index", "-q")
    edited = as_json(photoclip(cli_home, "labels", "edit", "scenes", "--json"))["file"]
    assert Path(edited).is_file() and Path(edited).parent == cli_home / "config" / "labels"
    out = photoclip(cli_home, "labels", "strictness", "loose").stdout
    assert "re-tagged 10 photos" in out and "no photo embedded again" in out
    listing = as_json(photoclip(cli_home, "labels", "--json"))
    assert [x["name"] for x in listing["sets"] if x["enabled"]] == ["scenes"]
    assert next(x for x in listing["sets"] if x["name"] == "scenes")["source"] == edited
    tags = as_json(photoclip(cli_home, "tags", "--json"))["tags"]
    for t in tags:  # every automatic tag carries its score
        assert t["auto"] == 0 or 0 < t["auto_score"] <= 1
    proc = photoclip(cli_home, "labels", "show", "nonsense", check=False)
    assert proc.returncode == 2 and "no label set" in proc.stderr  # not a choice: a usage error


def test_search_says_how_many_photos_it_could_not_see(
    indexed_copy: LibraryCopy, install_tiny_model
) -> None:
    """Photos not indexed yet (here: all of them, for a model just switched to) are in no
    search: `search` says so on stderr and as `not_searched` with --json (the GUI's count uses
    the same rule), instead of a bare "no matching photos"."""
    cli_home = indexed_copy.home  # ten photos added and indexed, automatic tags off
    indexed = photoclip(cli_home, "search", "a photo")
    assert "not indexed yet" not in indexed.stderr
    assert as_json(photoclip(cli_home, "--json", "search", "a photo"))["not_searched"] == 0
    install_tiny_model(cli_home / "config" / "models", key="tiny-two")
    photoclip(cli_home, "models", "use", "tiny-two")
    out = photoclip(cli_home, "search", "a photo")
    assert out.stdout.strip() == "no matching photos"
    assert "10 more photos not indexed yet, so not searched" in out.stderr
    assert as_json(photoclip(cli_home, "--json", "search", "a photo"))["not_searched"] == 10
