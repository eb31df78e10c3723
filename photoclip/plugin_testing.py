"""Helpers for testing photoclip plugins (with pytest or anything else).

    from photoclip.plugin_testing import load_plugin_folder, run_action

    def test_hello(library):                       # a photoclip Library, e.g. from a fixture
        host = load_plugin_folder("plugins/template")
        assert host.infos()[-1].error is None
        result = run_action(host, library, "template-hello")
        assert result.data["count"] == len(library.index)

The host these helpers make sees only the built-in plugins and the ones you give it (no
``plugins/`` folder, no installed entry points, no user folder), so tests do not depend on what
else is installed. Plugins still run for real: through the same isolation as in the app.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from photoclip.config import AppPaths, Settings, app_paths
from photoclip.core.plugin_host import PluginHost, PluginInfo, read_manifest
from photoclip.plugin_api import ActionResult, Photo, PluginContext

__all__ = ["check_manifest", "load_plugin_folder", "make_host", "run_action"]


def make_host(
    plugins: dict[str, object] | None = None,
    *,
    settings: Settings | None = None,
    paths: AppPaths | None = None,
) -> PluginHost:
    """A loaded host with the built-ins plus ``plugins`` (name -> module or object)."""
    return PluginHost(
        settings or Settings(), paths or app_paths(), objects=plugins,
        first_party=False, entry_points=False,
    ).load()


def load_plugin_folder(
    folder: str | Path,
    *,
    settings: Settings | None = None,
    paths: AppPaths | None = None,
) -> PluginHost:
    """A loaded host with the built-ins plus the plugin in ``folder`` (enabled, whatever its
    manifest's default). Its PluginInfo (with any load error) is ``host.infos()[-1]``."""
    folder = Path(folder).resolve()
    manifest = read_manifest(folder, "user")
    settings = settings or Settings()
    settings.enabled_plugins = sorted({*settings.enabled_plugins, manifest.name})
    return PluginHost(
        settings, paths or app_paths(), first_party=False, entry_points=False,
        extra_plugins=[folder],
    ).load()


def check_manifest(folder: str | Path) -> PluginInfo:
    """The listing of a plugin folder as photoclip would show it (raises for a bad manifest)."""
    m = read_manifest(Path(folder), "user")
    return PluginInfo(m.name, m.description, m.api_version, m.source, m.enabled_by_default)


def run_action(
    host: PluginHost,
    library: Any,
    name: str,
    photos: list[Photo] | None = None,
    *,
    confirm: bool | Callable[[str], bool] = False,
    **options: Any,
) -> ActionResult:
    """Run action ``name`` on ``photos`` (default: every photo in ``library``) with its
    options' defaults overridden by ``options`` (``max_distance`` means ``max-distance``).
    ``confirm``: the answer to every question, or a function of the question."""
    answer = confirm if callable(confirm) else (lambda _q: bool(confirm))
    context = PluginContext(library, confirm=answer, exporters=host.exporters())
    action = host.actions()[name]
    given = {k.replace("_", "-"): v for k, v in options.items()}
    values = {opt.name: given.pop(opt.name, opt.default) for opt in action.options}
    if given:
        raise TypeError(f"action {name} has no options {sorted(given)}")
    return host.run_action(name, context, photos if photos is not None else context.photos(),
                           values)
