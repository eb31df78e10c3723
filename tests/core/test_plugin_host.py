"""The plugin host: discovery without importing, enable/disable, isolation of broken plugins,
and the hooks called by a real library (accept_file, photos_indexed, label sets)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from photoclip.config import AppPaths, Settings
from photoclip.core import plugin_host
from photoclip.core.plugin_host import PluginHost, discover, set_enabled
from photoclip.core.types import UnknownChoiceError
from photoclip.plugin_api import API_VERSION


def write_plugin(root: Path, name: str, code: str, *, api: int = API_VERSION,
                 extra: str = "") -> Path:
    """A user plugin folder ``root/name`` with a manifest and module ``pc_test_<name>``."""
    module = f"pc_test_{name.replace('-', '_')}"
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "plugin.toml").write_text(
        f'name = "{name}"\ndescription = "test plugin {name}"\napi_version = {api}\n'
        f'module = "{module}"\n{extra}'
    )
    (folder / f"{module}.py").write_text(textwrap.dedent(code))
    return folder


GOOD = """
from photoclip.plugin_api import Action, ActionResult, hookimpl, parse_label_set

@hookimpl
def photoclip_label_sets(register):
    register(parse_label_set({"name": "good-set", "labels": [{"name": "kite"}]}))

@hookimpl
def photoclip_actions(register):
    register(Action("good-count", "Count", "count photos",
                    lambda ctx, photos, opts: ActionResult(f"{len(photos)} photos"),
                    selection="optional"))

@hookimpl
def photoclip_accept_file(path):
    return False if "skipme" in path else None

@hookimpl
def photoclip_photos_indexed(photos, vectors, context):
    assert len(photos) == len(vectors)
    context.add_tag("seen-by-plugin", [p.id for p in photos])
    # the hashes are recorded before the hook runs (identical files, identical hashes)
    context.add_tag("hash-known", [p.id for p in photos if p.content_hash])
    SEEN_HASHES.update({p.id: p.content_hash for p in photos})

SEEN_HASHES = {}

@hookimpl
def photoclip_photo_regions(photo, context):
    from photoclip.plugin_api import Region
    if photo.width is None:
        return None
    return [Region("face", (1, 2, photo.width / 2, photo.height / 2), "Anna", 0.9, id=7)]
"""

RAISING = """
from photoclip.plugin_api import Action, hookimpl

@hookimpl
def photoclip_label_sets(register):
    raise RuntimeError("label sets exploded")

@hookimpl
def photoclip_accept_file(path):
    raise RuntimeError("accept exploded")

@hookimpl
def photoclip_photos_indexed(photos, vectors, context):
    raise RuntimeError("indexed exploded")

@hookimpl
def photoclip_photo_regions(photo, context):
    raise RuntimeError("regions exploded")

def boom(ctx, photos, opts):
    raise ZeroDivisionError("action exploded")

@hookimpl
def photoclip_actions(register):
    register(Action("boom", "Boom", "fails", boom, selection="optional"))
"""


@pytest.fixture()
def user_plugins(photoclip_home: AppPaths) -> Path:
    root = plugin_host.user_plugins_dir(photoclip_home)
    write_plugin(root, "good", GOOD)
    write_plugin(root, "raising", RAISING)
    write_plugin(root, "wrong-type", """
        from photoclip.plugin_api import hookimpl

        @hookimpl
        def photoclip_exporters(register):
            register("not an exporter")

        @hookimpl
        def photoclip_photo_regions(photo, context):
            return [(0, 0, 10, 10)]
    """)
    write_plugin(root, "broken-import", "import no_such_module_anywhere\n")
    write_plugin(root, "future", "", api=API_VERSION + 1)
    write_plugin(root, "bad-hook", """
        from photoclip.plugin_api import hookimpl

        @hookimpl
        def photoclip_accept_file(path, extra_arg):
            return True
    """)
    write_plugin(root, "off", "raise SystemExit('never imported')\n",
                 extra="enabled_by_default = false\n")
    (root / "no-manifest-name").mkdir()
    (root / "no-manifest-name" / "plugin.toml").write_text('description = "x"\n')
    return root


def by_name(infos: list) -> dict:
    return {i.name: i for i in infos}


def test_discover_lists_without_importing(photoclip_home: AppPaths, user_plugins: Path) -> None:
    infos = by_name(discover(photoclip_home))
    assert {"labels", "xmp"} <= set(infos) and infos["labels"].source == "builtin"
    for name in ("duplicates", "export", "chroma-clip", "template"):  # plugins/ of the checkout
        assert infos[name].source == "first-party" and infos[name].api_version == API_VERSION
    assert infos["template"].enabled is False  # off by default
    assert infos["good"].enabled and infos["good"].error is None and not infos["good"].loaded
    assert "pc_test_good" not in sys.modules and "pc_test_off" not in sys.modules
    assert "API" in infos["future"].error
    assert infos["no-manifest-name"].error and "name" in infos["no-manifest-name"].error
    assert infos["off"].enabled is False


def test_broken_plugins_are_reported_and_skipped(
    photoclip_home: AppPaths, user_plugins: Path
) -> None:
    host = PluginHost(Settings(), photoclip_home).load()
    infos = by_name(host.infos())
    assert infos["good"].loaded and infos["raising"].loaded
    assert not infos["broken-import"].loaded
    assert "no_such_module_anywhere" in infos["broken-import"].error
    assert not infos["future"].loaded and not infos["off"].loaded
    assert not infos["bad-hook"].loaded and "extra_arg" in infos["bad-hook"].error

    sets = host.label_sets()  # the raising plugin is skipped, the others count
    assert "good-set" in sets and "scenes" in sets
    assert host.accept_file("/photos/a.jpg") and not host.accept_file("/photos/skipme.jpg")
    actions = host.actions()
    assert {"good-count", "boom", "xmp-sidecars", "duplicates", "export"} <= set(actions)
    errors = host.errors("raising")
    assert any("label sets exploded" in e for e in errors)
    assert any("accept exploded" in e for e in errors)
    assert "links" in host.exporters()
    assert any("expected a Exporter" in e for e in host.errors("wrong-type"))
    assert by_name(host.infos())["raising"].error  # shown in lists

    from photoclip.plugin_api import PluginError

    with pytest.raises(PluginError, match=r"raising.*action exploded"):
        host.run_action("boom", None, [], {})


def test_photo_regions_come_from_each_plugin_and_a_broken_one_is_skipped(
    photoclip_home: AppPaths, user_plugins: Path
) -> None:
    from photoclip.plugin_api import Photo, Region

    host = PluginHost(Settings(), photoclip_home).load()
    regions = host.photo_regions(Photo(1, "/photos/a.jpg", 10, 640, 480), None)
    assert regions == [Region("face", (1.0, 2.0, 320.0, 240.0), "Anna", 0.9, "7", "good")]
    assert host.photo_regions(Photo(2, "/photos/b.jpg", 10), None) == []
    assert any("regions exploded" in e for e in host.errors("raising"))
    assert any("expected Regions, got tuple" in e for e in host.errors("wrong-type"))
    with pytest.raises(ValueError, match="width > 0"):
        Region("face", (0, 0, 0, 10))
    with pytest.raises(ValueError, match="needs a kind"):
        Region("", (0, 0, 5, 10))


def test_enable_disable(photoclip_home: AppPaths, user_plugins: Path) -> None:
    set_enabled("good", False, photoclip_home)
    assert Settings.load(photoclip_home.settings_file).disabled_plugins == ["good"]
    assert not by_name(discover(photoclip_home))["good"].enabled
    host = PluginHost(paths=photoclip_home).load()
    assert "good-count" not in host.actions()
    set_enabled("good", True, photoclip_home)
    set_enabled("off", True, photoclip_home)
    infos = by_name(discover(photoclip_home))
    assert infos["good"].enabled and infos["off"].enabled
    with pytest.raises(UnknownChoiceError, match="choose one of: "):
        set_enabled("nope", True, photoclip_home)
    with pytest.raises(ValueError, match="part of photoclip"):
        set_enabled("labels", False, photoclip_home)


def test_cli_plugins_list_enable_disable(photoclip_home: AppPaths, user_plugins: Path) -> None:
    home = str(photoclip_home.data.parent)

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "photoclip", *args], capture_output=True, text=True,
            env={**__import__("os").environ, "PHOTOCLIP_HOME": home}, timeout=120,
        )

    listed = cli("plugins", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    names = {p["name"]: p for p in data["plugins"]}
    assert names["good"]["loaded"] and names["broken-import"]["error"]
    assert "good-count" in data["actions"] and "links" in data["exporters"]
    assert cli("plugins", "disable", "good").returncode == 0
    text = cli("plugins").stdout
    assert "good" in text and "off" in text and "broken-import" in text
    assert "good-count" not in text
    helped = cli("--help").stdout
    assert "duplicates" in helped and "export" in helped and "good-count" not in helped


def test_library_calls_the_hooks(
    make_library, photoclip_home: AppPaths, user_plugins: Path, tmp_path: Path,
    datasets_dir: Path,
) -> None:
    coco_folder = tmp_path / "coco"
    coco_folder.mkdir()
    for src in sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:8]:
        shutil.copy2(src, coco_folder / src.name)
    skipped = sorted(coco_folder.glob("*.jpg"))[0]
    skipped.rename(coco_folder / "skipme.jpg")
    lib = make_library([coco_folder])
    report = lib.index_folders()
    assert report.embedded == 7  # the plugin kept skipme.jpg out
    assert lib._catalog.get_by_path(str(coco_folder / "skipme.jpg")) is None
    assert len(lib._tags.photos_with("seen-by-plugin")) == 7  # photos_indexed added tags
    assert len(lib._tags.photos_with("hash-known")) == 7  # regression: hooks saw no hash
    seen = sys.modules["pc_test_good"].SEEN_HASHES
    assert seen == {i: r.hash for i, r in lib._catalog.get_many(seen).items()}
    assert "good-set" in lib.label_sets()  # plugin label sets beside the built-in ones
    assert any("indexed exploded" in e for e in lib.plugins.errors("raising"))
    # the user's label file of the same name replaces a plugin's set
    (lib.labels_dir).mkdir(parents=True, exist_ok=True)
    (lib.labels_dir / "good-set.toml").write_text('name = "good-set"\n[[labels]]\nname = "x"\n')
    assert lib.label_sets()["good-set"].label_names == ["x"]
    result = lib.plugins.run_action("good-count", lib.plugin_context(), [], {})
    assert result.message == "0 photos"


def test_plugins_may_import_only_the_plugin_api() -> None:
    """First-party plugins use photoclip.plugin_api and nothing else of photoclip."""
    import ast

    root = Path(__file__).resolve().parents[2] / "plugins"
    offenders = []
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(root)}: {n}" for n in names
                if n.split(".")[0] == "photoclip" and n != "photoclip.plugin_api"
            ]
    assert not offenders


def test_template_folder_copies_into_user_plugins(photoclip_home: AppPaths) -> None:
    src = Path(__file__).resolve().parents[2] / "plugins" / "template"
    shutil.copytree(src, plugin_host.user_plugins_dir(photoclip_home) / "template-copy")
    infos = [i for i in discover(photoclip_home) if i.name == "template"]
    assert len(infos) == 2 and infos[1].error and "found first" in infos[1].error


def test_plugins_listing_their_hooks_are_imported_only_when_a_hook_is_needed(
    photoclip_home: AppPaths,
) -> None:
    root = plugin_host.user_plugins_dir(photoclip_home)
    write_plugin(root, "lazy-exporter", """
        from photoclip.plugin_api import Exporter, hookimpl

        @hookimpl
        def photoclip_exporters(register):
            register(Exporter("lazy-copies", "Lazy", lambda ctx, photos, dest: []))
    """, extra='hooks = ["photoclip_exporters"]\n')
    write_plugin(root, "lazy-typo", "", extra='hooks = ["photoclip_exporter"]\n')
    host = PluginHost(Settings(), photoclip_home).load()
    assert "xmp-sidecars" in host.actions()
    assert "pc_test_lazy_exporter" not in sys.modules  # neither load() nor actions() import it
    assert "lazy-copies" in host.exporters()
    assert "pc_test_lazy_exporter" in sys.modules
    infos = by_name(host.infos())
    assert infos["lazy-exporter"].loaded and infos["lazy-exporter"].error is None
    assert "unknown hooks: photoclip_exporter" in infos["lazy-typo"].error


def test_cli_start_imports_no_chromadb(photoclip_home: AppPaths) -> None:
    """The chroma-clip plugin (enabled by default) declares only photoclip_exporters: a CLI
    start, which registers a command per plugin action, does not import it nor chromadb."""
    code = ("import sys; from photoclip.cli.main import build_parser; build_parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('chromadb', 'photoclip_chroma', 'torch')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=300).stdout
    assert out.strip() == "[]", out
    host = PluginHost(Settings(), photoclip_home).load()
    assert "chroma" in host.exporters()  # and the exporter is there when asked for
