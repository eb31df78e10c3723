"""The export plugin (links, copies, numbered search results, albums) and the template plugin."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from photoclip.plugin_api import PluginError
from photoclip.plugin_testing import check_manifest, load_plugin_folder, run_action

PLUGINS = Path(__file__).resolve().parents[2] / "plugins"


@pytest.fixture()
def library(make_library, coco_folder: Path):
    lib = make_library([coco_folder])
    lib.index_folders()
    return lib


def test_export_links_copies_and_albums(library, tmp_path: Path) -> None:
    host = load_plugin_folder(PLUGINS / "export")
    ctx = library.plugin_context()
    top = ctx.search("a dog", limit=3)
    links = run_action(host, library, "export", top, to=str(tmp_path / "links"), numbered=True)
    written = [Path(p) for p in links.data["written"]]
    assert [p.name[:2] for p in written] == ["1-", "2-", "3-"]
    assert all(p.is_symlink() and os.path.samefile(p, h.path) for p, h in zip(written, top))

    ids = [p.id for p in ctx.photos()][:2]
    library._tags.create_album("trip")
    library._tags.add_to_album("trip", ids)
    album = ctx.album("trip")
    copies = run_action(host, library, "export", album, to=str(tmp_path / "copies"),
                        **{"as": "copies"})
    again = run_action(host, library, "export", album, to=str(tmp_path / "copies"),
                       **{"as": "copies"})  # never overwrites: "name (2).jpg"
    names = sorted(p.name for p in (tmp_path / "copies").iterdir())
    assert len(names) == 4 and sum(" (2)" in n for n in names) == 2
    for p in copies.data["written"] + again.data["written"]:
        assert not Path(p).is_symlink() and Path(p).stat().st_size > 0
    with pytest.raises(PluginError, match="no exporter"):
        run_action(host, library, "export", album, to=str(tmp_path / "x"), **{"as": "zip"})


def test_template_plugin(library, tmp_path: Path) -> None:
    info = check_manifest(PLUGINS / "template")
    assert info.name == "template" and not info.enabled  # off until the user enables it
    host = load_plugin_folder(PLUGINS / "template")
    assert host.infos()[-1].loaded, host.infos()[-1].error
    assert "template-pets" in host.label_sets()
    result = run_action(host, library, "template-hello", greeting="hi")
    assert result.message == f"hi, {len(library.index)} photos"
    one = run_action(host, library, "template-hello", library.plugin_context().photos()[:1])
    assert one.message == "hello, 1 photo"  # not "1 photos"
    assert not host.accept_file("/x/.thumbnails/a.jpg") and host.accept_file("/x/a.jpg")

    # installed the way a user does it: copied into the user plugin folder, then enabled
    from photoclip.core.plugin_host import set_enabled, user_plugins_dir

    shutil.copytree(PLUGINS / "template", user_plugins_dir(library.paths) / "my-template")
    set_enabled("template", True, library.paths)
