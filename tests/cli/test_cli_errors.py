"""How the `photoclip` command fails: exit statuses, --json errors, a closed stdout, a broken
settings file. Real processes on a library of real photos with the tiny model."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from photoclip.config import AppPaths
from tests.cli.helpers import as_json, photoclip
from tests.cli.library_copies import INDEXED, LibraryTemplate


@pytest.fixture(scope="module")
def tagged_template(tmp_path_factory, install_tiny_model, datasets_dir: Path) -> LibraryTemplate:
    """Ten photos indexed, a tag and an album (so that lists are not empty): built once."""
    return LibraryTemplate(
        tmp_path_factory.mktemp("tagged-template"), install_tiny_model, datasets_dir,
        (*INDEXED, ("tag", "add", "beach", "{photos}"), ("album", "create", "Trip"),
         ("album", "add", "Trip", "{photos}")),
    )


@pytest.fixture()
def indexed(photoclip_home: AppPaths, tagged_template: LibraryTemplate) -> Path:
    """A copy of ``tagged_template`` as this test's PHOTOCLIP_HOME."""
    return tagged_template.copy(photoclip_home.data.parent).home


def photos_of(home: Path) -> list[str]:
    return sorted(as_json(photoclip(home, "--json", "album", "show", "Trip"))["paths"])


def run_into_closed_pipe(home: Path, *args: str) -> subprocess.CompletedProcess:
    """``photoclip ARGS | head`` where head has already gone: stdout is a pipe nobody reads."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE, at once and every time
    try:
        return subprocess.run(
            [sys.executable, "-m", "photoclip", *args], stdout=write_end, stderr=subprocess.PIPE,
            text=True, env={**os.environ, "PHOTOCLIP_HOME": str(home)}, timeout=300,
        )
    finally:
        os.close(write_end)


def test_a_closed_stdout_ends_the_command_quietly(indexed: Path) -> None:
    for args in (["tags"], ["labels"], ["album", "show", "Trip"], ["albums"], ["--json", "tags"],
                 ["search", "a photo"], ["folders"], ["status"], ["models"],
                 ["labels", "show", "scenes"], ["plugins"], ["photo", *photos_of(indexed)[:1]]):
        proc = run_into_closed_pipe(indexed, *args)
        assert proc.returncode == 141, (args, proc.stderr)  # as if killed by SIGPIPE
        assert proc.stderr == "", args  # no "unexpected error: BrokenPipeError"


def test_watch_stops_when_its_output_is_closed(indexed: Path) -> None:
    proc = run_into_closed_pipe(indexed, "watch")  # once it kept running, its output lost
    assert proc.returncode == 141, proc.stderr
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_with_json_every_error_is_a_json_object(indexed: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    cases = [  # (arguments, exit status, error type)
        (["search", ""], 2, "QueryError"),
        (["search", '"beach" +'], 2, "QueryError"),
        (["search", "x", "--min-score", "5"], 2, "UsageError"),
        (["search", "x", "--limit", "0"], 2, "UsageError"),
        (["search", "x", "--folder", "/no/such/folder"], 2, "ValueError"),  # not "no matches"
        (["no-such-command"], 2, "UsageError"),
        (["similar", str(notes)], 1, "ImageDecodeError"),
        (["similar", "/no/such.jpg"], 1, "FileNotFoundError"),
        (["tag", "add", "x", "/not/indexed.jpg"], 1, "KeyError"),
        (["album", "show", "nothing"], 1, "AlbumNotFoundError"),  # README: not found is 1
        (["search", "x", "--album", "nothing"], 1, "AlbumNotFoundError"),
        (["album", "create", "  "], 2, "TagError"),  # a malformed name is a usage error
    ]
    for i, (args, status, kind) in enumerate(cases):
        for argv in (["--json", *args], [*args, "--json"])[: 2 if i < 2 else 1]:
            proc = photoclip(indexed, *argv, check=False)
            assert proc.returncode == status, (argv, proc.stdout, proc.stderr)
            error = as_json(proc)["error"]  # stdout is one JSON document, even for errors
            assert error["type"] == kind and error["exit_code"] == status, (argv, error)
            assert error["kind"] == ("usage" if status == 2 else "failed")
            assert error["message"] and "Traceback" not in proc.stderr
            assert "photoclip:" not in proc.stderr and "usage:" not in proc.stderr


def test_exit_status_tells_a_usage_error_from_a_failure(indexed: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo")
    usage = photoclip(indexed, "search", "", check=False)
    assert usage.returncode == 2
    assert usage.stderr.splitlines()[0] == "photoclip: the query is empty"
    bad_flag = photoclip(indexed, "search", "x", "--limit", "many", check=False)
    assert bad_flag.returncode == 2 and bad_flag.stderr.startswith("usage: photoclip search")
    failed = photoclip(indexed, "similar", str(notes), check=False)
    assert failed.returncode == 1 and "cannot read that image" in failed.stderr
    assert failed.stdout == usage.stdout == ""
    helped = photoclip(indexed, "--help").stdout
    assert "exit status:" in helped and "141" in helped and '"error"' in helped


def test_a_broken_settings_file_is_reported_once(cli_home: Path) -> None:
    settings = cli_home / "config" / "settings.toml"
    settings.write_text(settings.read_text() + "\nfolders = = [\n")
    broken = settings.read_text()
    line = broken.splitlines().index("folders = = [") + 1
    for args in (["status"], ["plugins"], ["search", "x"]):
        proc = photoclip(cli_home, *args, check=False)
        assert proc.returncode == 1
        mentions = [x for x in proc.stderr.splitlines() if "settings" in x]
        assert len(mentions) == 1, proc.stderr  # once "Plugins are not available: ..." too
        assert str(settings) in mentions[0] and f"line {line}" in mentions[0]
        assert "Traceback" not in proc.stderr
    assert settings.read_text() == broken  # nothing rewritten


def test_a_name_not_among_the_choices_is_a_usage_error_naming_them(
    cli_home: Path, tmp_path: Path
) -> None:
    """`export --as nosuch` exited 1 ("could not be done"); a model, plugin, analyzer or label
    set name photoclip does not offer was the same: each is a wrong command line (exit 2) whose
    message lists the valid names. An album, the user's own, stays "not found" (exit 1), and
    now names the albums there are."""
    out = str(tmp_path / "out")
    cases = [  # (arguments, a valid choice the message must name)
        (["export", "--as", "nosuch", "--to", out, "/any.jpg"], "copies"),
        (["models", "use", "nosuch"], "vit-b-32"),
        (["plugins", "enable", "nosuch"], "duplicates"),
        (["analyzers", "off", "nosuch"], "auto-tags"),
        (["labels", "show", "nosuch"], "scenes"),
        (["labels", "enable", "nosuch"], "scenes"),
        (["labels", "edit", "nosuch"], "scenes"),
    ]
    for args, valid in cases:
        proc = photoclip(cli_home, *args, check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "nosuch" in proc.stderr and valid in proc.stderr, (args, proc.stderr)
        error = as_json(photoclip(cli_home, "--json", *args, check=False))["error"]
        assert error["kind"] == "usage" and valid in error["message"], (args, error)
    assert not (tmp_path / "out").exists()  # nothing was done
    photoclip(cli_home, "album", "create", "Trip")
    album = photoclip(cli_home, "album", "show", "nosuch", check=False)
    assert album.returncode == 1 and "your albums: Trip" in album.stderr


def test_folders_add_of_a_nested_folder_says_what_happens(cli_home: Path, tmp_path: Path) -> None:
    """`folders add ~/Pictures/2024` beside ~/Pictures added it again (watched twice), and the
    reverse too; now the subfolder changes nothing and the parent takes the child's place."""
    import json

    root = tmp_path / "Pictures"
    (root / "2024").mkdir(parents=True)
    photoclip(cli_home, "folders", "add", str(root / "2024"))
    inside = photoclip(cli_home, "folders", "add", str(root / "2024"), str(root / "2024" / "."))
    assert inside.stdout.count("is already in the library") == 1
    parent = photoclip(cli_home, "folders", "add", str(root))
    assert f"added {root.resolve()}; it holds {(root / '2024').resolve()}" in parent.stdout
    sub = as_json(photoclip(cli_home, "--json", "folders", "add", str(root / "2024")))
    assert sub["added"] == [] and sub["within"] == {
        str((root / "2024").resolve()): str(root.resolve())}
    assert json.loads(photoclip(cli_home, "--json", "folders").stdout)["folders"] == [
        str(root.resolve())]
