"""The facade is the only door: the fronts never reach around it, and the answers both fronts
need exist once in the core (photo details with smart albums, browsing with search's filters)."""

from __future__ import annotations

import ast
from pathlib import Path

from photoclip.core.browse import SearchFilters
from tests.conftest import copy_coco

ROOT = Path(__file__).resolve().parents[2] / "photoclip"
FRONT_FORBIDDEN = {"catalog", "_catalog", "_tags", "plugins", "_thread", "_index", "_store"}


def test_fronts_touch_no_catalog_tag_store_or_private_names() -> None:
    offenders = []
    for path in [*ROOT.joinpath("gui").rglob("*.py"), *ROOT.joinpath("cli").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Attribute):
                owner = node.value.id if isinstance(node.value, ast.Name) else None
                if node.attr in FRONT_FORBIDDEN and owner not in ("self", "cls"):
                    offenders.append(f"{where}: .{node.attr}")
                elif (node.attr.startswith("_") and not node.attr.startswith("__")
                      and owner not in ("self", "cls", "argparse", "sys", "os", None)):
                    offenders.append(f"{where}: {owner}.{node.attr}")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("photoclip"):
                offenders += [f"{where}: import {a.name}" for a in node.names
                              if a.name.startswith("_") and not a.name.startswith("__")
                              and a.name != "_"]  # gettext's _ is the CLI's translator
    assert not offenders, "\n".join(offenders)


def test_details_albums_and_browsing_come_from_one_place(
    make_library, datasets_dir: Path, tmp_path: Path
) -> None:
    photos = copy_coco(datasets_dir, tmp_path / "Pictures", 6)
    lib = make_library([photos])
    lib.index_folders()
    first, second = lib.photo_ids(sorted(photos.glob("*.jpg"))[:2])
    lib.tagging.add("kept", [first, second])
    lib.albums.create("Plain")
    lib.albums.add("Plain", [first])
    lib.albums.create("Kept", tag="kept")
    details = lib.browse.details(first, exif=False)
    assert details.albums == ["Plain"] and details.smart_albums == ["Kept"]
    assert details.all_albums == ["Plain"]
    assert dict((a.name, n) for a, n in lib.albums.counts()) == {"Kept": 2, "Plain": 1}
    # browsing and searching apply the same tag and album rule
    for filters in (SearchFilters(tag="kept"), SearchFilters(album="Plain"),
                    SearchFilters(tag="kept", album="Plain")):
        browsed = {i.photo_id for i in lib.browse.everything(filters)}
        searched = {h.photo_id for h in lib.search("a photo", limit=50, filters=filters)}
        assert browsed == searched == lib.browse.allowed_ids(filters)
