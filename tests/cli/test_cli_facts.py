"""`photoclip rate`, `photoclip places` and the --place/--camera/--lens/--rating/--favourite
search options, as a user runs them (real processes, real exiftool-written EXIF)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import as_json, photoclip
from tests.conftest import copy_coco
from tests.core.test_keywords import exiftool, needs_exiftool
from tests.core.test_photo_facts import CANON, EIFFEL

pytestmark = needs_exiftool


def test_rate_places_and_filters(cli_home: Path, tmp_path: Path, datasets_dir: Path) -> None:
    folder = copy_coco(datasets_dir, tmp_path / "photos", 3)
    a, b, _ = sorted(folder.glob("*.jpg"))
    exiftool("-q", "-overwrite_original", *EIFFEL, *CANON, a)
    photoclip(cli_home, "folders", "add", str(folder))
    photoclip(cli_home, "index")
    out = photoclip(cli_home, "places").stdout
    assert "1  France" in out and "1    Paris" in out

    rated = as_json(photoclip(cli_home, "rate", "4", str(a), str(b), "--json"))
    assert [p["rating"] for p in rated["photos"]] == [4, 4]
    assert "♥" in photoclip(cli_home, "rate", "--favourite", str(b)).stdout
    both = as_json(photoclip(cli_home, "rate", "4", "--favourite", str(b), "--json"))
    assert [(p["rating"], p["favourite"]) for p in both["photos"]] == [(4, True)]  # option between

    def found(*args: str) -> set[str]:
        res = as_json(photoclip(cli_home, "search", *args, "--json"))
        return {Path(r["path"]).name for r in res["results"]}

    assert found("--place", "Paris") == {a.name}
    assert found("--rating", "4", "--favourite") == {b.name}
    assert found('place:"Paris, France"', "--lens", "24-70", "--rating", "<=4") == {a.name}

    shown = photoclip(cli_home, "photo", str(a)).stdout
    assert "lens Canon EF24-70mm f/2.8L II USM" in shown and "taken in Paris, France" in shown
    assert "★★★★☆" in shown
    facts = as_json(photoclip(cli_home, "photo", str(b), "--json"))
    assert (facts["rating"], facts["favourite"], facts["place"]) == (4, True, None)

    bad = photoclip(cli_home, "rate", "7", str(a), check=False)
    assert bad.returncode == 2 and "0 to 5 stars" in bad.stderr
    bad = photoclip(cli_home, "search", "--rating", "lots", check=False)
    assert bad.returncode != 0 and "rating" in bad.stderr and "Traceback" not in bad.stderr
    assert not list(folder.glob("*.xmp"))  # write_xmp is off: no sidecar written
