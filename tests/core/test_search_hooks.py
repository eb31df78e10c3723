"""Hook 1, plugins' search contributions, with a real plugin on a real library: a named filter
(``--where``, a ``NAME:"VALUE"`` operator, the manifest's ``--NAME`` alias without importing the
plugin, browsing), a scorer that raises a photo with a reason, and isolation of broken ones."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from photoclip.config import AppPaths
from photoclip.core import plugin_host
from photoclip.core.browse import SearchFilters
from photoclip.core.search_hooks import split_operators
from photoclip.core.types import PluginError
from tests.conftest import copy_coco

# "file" passes photos whose file name holds the value (score 1 for an exact stem, else 0.5);
# "stem" raises photos whose file name holds a word of the query; both break on "boom"
PLUGIN = """
from pathlib import Path
from photoclip.plugin_api import Match, SearchFilter, SearchScorer, hookimpl

def by_file(context, value):
    if value == "boom":
        raise RuntimeError("filter exploded")
    return {p.id: Match(1.0 if Path(p.path).stem == value else 0.5, f"file: {value}")
            for p in context.photos() if value in Path(p.path).name}

def stems(context, text, limit):
    if "boom" in text:
        raise RuntimeError("scorer exploded")
    words = text.split()
    return {p.id: Match(1.0, f"stem: {Path(p.path).stem}")
            for p in context.photos() if any(w in Path(p.path).stem for w in words)}

@hookimpl
def photoclip_search_filters(register):
    register(SearchFilter("file", "photos whose file name holds this", photos=by_file))

@hookimpl
def photoclip_search_scorers(register):
    register(SearchScorer("stem", stems, weight=1.0))
"""


def add_plugin(home: AppPaths) -> Path:
    folder = plugin_host.user_plugins_dir(home) / "files"
    folder.mkdir(parents=True)
    module = f"pc_test_files_{abs(hash(str(home.config))):x}"
    (folder / "plugin.toml").write_text(
        f'name = "files"\ndescription = "by file name"\napi_version = 1\nmodule = "{module}"\n'
        '[search_filters]\nfile = "photos whose file name holds this"\n'
    )
    (folder / f"{module}.py").write_text(textwrap.dedent(PLUGIN))
    return folder


def test_split_operators() -> None:
    names = {"text", "person"}
    assert split_operators('beach text:"wifi password"', names) == (
        "beach", [("text", "wifi password")])
    assert split_operators("person:Anna person:'Ben B' dogs", names) == (
        "dogs", [("person", "Anna"), ("person", "Ben B")])
    assert split_operators('"beach" + text:"menu"', names) == ('"beach"', [("text", "menu")])
    assert split_operators("meet at time:5pm", names) == ("meet at time:5pm", [])
    # no operator taken: the query stays as typed ('"beach" +' is the parser's error to give)
    assert split_operators('"beach" +', names) == ('"beach" +', [])
    assert split_operators("a  b", names) == ("a  b", [])
    assert split_operators("url http://x.org", names) == ("url http://x.org", [])
    assert split_operators('text:menu + "beach"', names) == ('"beach"', [("text", "menu")])
    # nothing else is dropped: a dangling sign stays for the query parser to refuse
    assert split_operators('"beach" +', names) == ('"beach" +', [])
    assert split_operators('"beach" + text:menu +', names) == ('"beach" +', [("text", "menu")])
    with pytest.raises(ValueError, match="needs a value"):
        split_operators('text:""', names)
    with pytest.raises(ValueError, match="cannot be subtracted"):
        split_operators('beach - text:menu', names)


@pytest.fixture()
def library(make_library, datasets_dir: Path, tmp_path: Path, photoclip_home: AppPaths):
    photos = copy_coco(datasets_dir, tmp_path / "Pictures", 6)
    add_plugin(photoclip_home)
    lib = make_library([photos])
    assert lib.index_folders().embedded == 6
    return lib


def test_filters_scorers_and_isolation(library, photoclip_home: AppPaths) -> None:
    lib = library
    paths = {Path(p).stem: pid for pid, p in
             ((r.id, r.path) for r in lib.browse.records(lib.vectors.index().ids().tolist())
              .values())}
    stem = sorted(paths)[3]
    plain = lib.search("a photo", limit=6)
    assert all(h.reasons == () for h in plain if stem[-3:] not in Path(h.path).stem)

    # the filter as an operator and as --where; a filter-only query lists what passes
    only = lib.search(f"file:{stem}", limit=10)
    assert [h.photo_id for h in only] == [paths[stem]] and only[0].reasons == (f"file: {stem}",)
    narrowed = lib.search("a photo", limit=10, filters=SearchFilters(where=(("file", stem),)))
    assert [h.photo_id for h in narrowed] == [paths[stem]]
    assert narrowed[0].reasons == (f"file: {stem}",)
    both = lib.search(f'file:"{stem}" file:0000', limit=10)  # two values: both must pass
    assert [h.photo_id for h in both] == [paths[stem]]
    browse = lib.browse.everything(SearchFilters(where=(("file", "jpg"),)))
    assert len(browse) == 6

    # the scorer: the photo whose name holds the query's word comes first, and says why
    raised = lib.search(stem, limit=6)
    assert raised[0].photo_id == paths[stem] and raised[0].reasons == (f"stem: {stem}",)
    q = lib.embed_texts([stem])[0]
    v = lib.vectors.index().vector(paths[stem])
    cosine = float(q @ v / np.linalg.norm(q) / np.linalg.norm(v))
    assert raised[0].score == pytest.approx(cosine + 1.0, abs=1e-4)  # cosine + weight * 1
    assert all(h.reasons == () for h in raised[1:])
    assert len(lib.search(stem, limit=1)) == 1  # boosted photos still respect the limit

    # bad filters and broken plugins
    with pytest.raises(ValueError, match=r"no search filter named 'nope'.*available: .*file"):
        lib.search("a photo", filters=SearchFilters(where=(("nope", "x"),)))
    with pytest.raises(PluginError, match="file filter of plugin 'files' failed"):
        lib.search("file:boom")
    hits = lib.search("boom", limit=3)  # the scorer raised: recorded, the search goes on
    assert len(hits) == 3 and all(h.reasons == () for h in hits)
    assert any("search scorer stem" in e for e in lib.plugins.errors("files"))


def test_cli_where_alias_reasons_and_cold_parser(
    library, photoclip_home: AppPaths, capsys: pytest.CaptureFixture[str], restore_logging
) -> None:
    from photoclip.cli import main as cli

    lib = library
    stem = sorted(Path(r.path).stem for r in lib.browse.records(
        lib.vectors.index().ids().tolist()).values())[2]
    lib.close()
    before = set(sys.modules)
    parser = cli.build_parser()
    assert not [m for m in set(sys.modules) - before if m.startswith("pc_test_files")]
    args = parser.parse_args(["search", "x", "--file", stem, "--where", "file=0"])
    assert args.where_file == [stem] and args.where == ["file=0"]

    assert cli.main(["--json", "search", "a photo", "--file", stem]) == 0
    out = json.loads(capsys.readouterr().out)["results"]
    assert [Path(h["path"]).stem for h in out] == [stem]
    assert out[0]["reasons"] == [f"file: {stem}"]
    assert cli.main(["search", stem, "-n", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert stem in lines[0] and lines[1].strip() == f"stem: {stem}"
    assert cli.main(["search", "x", "--where", "file"]) == 2
    assert "write FILTER=VALUE" in capsys.readouterr().err
