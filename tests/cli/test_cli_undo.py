"""`photoclip undo` / `photoclip redo`: the last tag or album edit of an earlier run (each
command below is a separate run of the CLI's main, as a shell would start them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from photoclip.cli.main import main


def _run(capsys: pytest.CaptureFixture[str], *args: str, status: int = 0) -> str:
    capsys.readouterr()
    assert main(list(args)) == status
    captured = capsys.readouterr()
    return captured.out + captured.err


def test_undo_and_redo_the_last_cli_edits(cli_home: Path, library_folder: Path, capsys,
                                          restore_logging) -> None:
    _run(capsys, "folders", "add", str(library_folder))
    _run(capsys, "index")
    one, two = (str(p) for p in sorted(library_folder.glob("*.jpg"))[:2])
    _run(capsys, "tag", "add", "snow", one, two)
    _run(capsys, "album", "create", "Winter")
    _run(capsys, "album", "rename", "Winter", "Snow days")
    undone = json.loads(_run(capsys, "undo", "--json"))
    assert undone == {"undone": "Rename album 'Winter' to 'Snow days'", "kind": "album-rename"}
    albums = json.loads(_run(capsys, "albums", "--json"))["albums"]
    assert [a["name"] for a in albums] == ["Winter"]
    assert "undone: Create album 'Winter'" in _run(capsys, "undo")
    _run(capsys, "undo")  # the tag
    tags = json.loads(_run(capsys, "photo", one, "--json"))["tags"]
    assert "snow" not in [t["tag"] for t in tags]
    assert "redone: Add tag 'snow' to 2 photos" in _run(capsys, "redo")
    tags = json.loads(_run(capsys, "photo", two, "--json"))["tags"]
    assert ("snow", "user") in [(t["tag"], t["source"]) for t in tags]
    _run(capsys, "undo")
    _run(capsys, "rate", "4", one, two)
    _run(capsys, "rate", "--favourite", one)
    assert "undone: Mark 1 photo as favourites" in _run(capsys, "undo")
    shown = json.loads(_run(capsys, "photo", one, "--json"))
    assert (shown["rating"], shown["favourite"]) == (4, False)
    assert "undone: Rate 2 photos 4 stars" in _run(capsys, "undo")
    assert json.loads(_run(capsys, "photo", two, "--json"))["rating"] == 0
    assert "redone: Rate 2 photos 4 stars" in _run(capsys, "redo")
    assert json.loads(_run(capsys, "photo", two, "--json"))["rating"] == 4
    _run(capsys, "undo")
    # nothing left: a clear sentence and the "failed" status, not a traceback
    assert "nothing to undo" in _run(capsys, "undo", status=1)
