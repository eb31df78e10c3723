"""Find, list and enable plugins without importing them (the plugin host,
:mod:`photoclip.core.plugin_host`, loads and calls them).

Where plugins come from, in this order (the first plugin of a name wins; later ones of the same
name are listed with an error and not loaded):

1. ``builtin``: photoclip's own features written as plugins (the built-in label sets, XMP
   sidecars; :mod:`photoclip.core.builtin_plugins`). Always enabled.
2. ``first-party``: the folders of the top-level ``plugins/`` folder of a photoclip checkout.
3. ``entry-point``: installed packages declaring an entry point in :data:`ENTRY_POINT_GROUP`.
4. ``user``: the folders of ``<data dir>/plugins``.

Every plugin has a manifest, ``plugin.toml`` (for an installed package: inside its top-level
package), read without importing the plugin::

    name = "duplicates"                  # [a-z][a-z0-9-]*
    description = "Find duplicate photos"
    api_version = 1                      # photoclip.plugin_api.API_VERSION it was written for
    module = "photoclip_duplicates"      # what to import (folders: relative to the folder)
    enabled_by_default = true            # optional (the template plugin says false)
    hooks = ["photoclip_exporters"]      # optional: import the module only when one of these
                                         # hooks is first needed (npe2-style lazy manifests)
    [search_filters]                     # optional: the search filters it registers, with
    person = "photos with this person"   # their help, so the CLI has --person unimported

A plugin is enabled if its name is in ``Settings.enabled_plugins``, or if it is enabled by
default and its name is not in ``Settings.disabled_plugins``. Loading imports the
enabled ones (a plugin whose manifest lists its ``hooks`` only when one of them is first
called: a CLI command that needs none of them never imports it, nor what it imports, e.g.
chromadb); a plugin that fails to import, has the wrong API version or bad hooks is reported
in its :class:`PluginInfo` and skipped. Each hook implementation is called on its own: one that
raises is logged, recorded against its plugin and skipped.

The GUI uses :func:`discover` and :func:`set_enabled` for its settings page and
:meth:`PluginHost.actions` for the photos' context menu.
"""

from __future__ import annotations

import importlib.metadata
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from photoclip.config import AppPaths, Settings, app_paths
from photoclip.core.types import UnknownChoiceError, display_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "photoclip.plugins"
MANIFEST = "plugin.toml"
BUILTIN, FIRST_PARTY, ENTRY_POINT, USER = "builtin", "first-party", "entry-point", "user"


@dataclass(frozen=True)
class Manifest:
    """A plugin's ``plugin.toml``, read without importing the plugin."""

    name: str
    description: str
    api_version: int
    module: str
    source: str  # builtin | first-party | entry-point | user
    location: str  # the folder or the distribution it came from
    sys_path: str | None = None  # a folder to put on sys.path before importing ``module``
    enabled_by_default: bool = True
    entry_point: Any = None  # importlib.metadata.EntryPoint for installed plugins
    hooks: tuple[str, ...] | None = None  # declared hooks: imported when one is needed
    search_filters: tuple[tuple[str, str], ...] = ()  # (name, help) it declares


@dataclass(frozen=True)
class PluginInfo:
    """One plugin as the app lists it."""

    name: str
    description: str
    api_version: int | None
    source: str
    enabled: bool
    error: str | None = None  # why it is not loaded, or its last failure
    location: str = ""
    loaded: bool = False


class PluginManifestError(ValueError):
    """A plugin.toml is missing or wrong."""


# ----- discovery (no plugin is imported) ------------------------------------------------------


def first_party_dir() -> Path | None:
    """The ``plugins/`` folder of the checkout photoclip runs from, if there is one."""
    folder = Path(__file__).resolve().parents[2] / "plugins"
    return folder if folder.is_dir() else None


def user_plugins_dir(paths: AppPaths | None = None) -> Path:
    """Where the user's own plugins live: ``<data dir>/plugins/<plugin folder>``."""
    return (paths or app_paths()).data / "plugins"


def parse_manifest(data: dict[str, Any], *, source: str, location: str) -> Manifest:
    """A Manifest from parsed TOML; PluginManifestError saying what is wrong."""
    import re

    name = data.get("name")
    if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9-]{0,39}$", name):
        raise PluginManifestError(f"{location}: 'name' must be lowercase letters, digits or '-'")
    version = data.get("api_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise PluginManifestError(f"{location}: 'api_version' must be an integer")
    module = data.get("module")
    if not isinstance(module, str) or not module:
        raise PluginManifestError(f"{location}: 'module' (what to import) is missing")
    description = data.get("description", "")
    if not isinstance(description, str):
        raise PluginManifestError(f"{location}: 'description' must be a string")
    default = data.get("enabled_by_default", True)
    if not isinstance(default, bool):
        raise PluginManifestError(f"{location}: 'enabled_by_default' must be true or false")
    filters = data.get("search_filters", {})
    if not isinstance(filters, dict) or not all(
        isinstance(k, str) and re.match(r"^[a-z][a-z0-9-]{0,39}$", k) and isinstance(v, str)
        for k, v in filters.items()
    ):
        raise PluginManifestError(f"{location}: 'search_filters' must be a table of "
                                  'name = "help" (lowercase names)')
    # what every list shows (CLI, Settings > Plugins): plain text, without reST/Markdown marks
    return Manifest(name, display_text(description), version, module, source, location,
                    enabled_by_default=default, hooks=_hooks(data.get("hooks"), location),
                    search_filters=tuple(filters.items()))


def _hooks(value: Any, location: str) -> tuple[str, ...] | None:
    """The manifest's ``hooks`` (names of photoclip's hooks), or None if it lists none."""
    if value is None:
        return None
    from photoclip.core.hookspecs import PhotoclipSpecs

    known = {n for n in vars(PhotoclipSpecs) if n.startswith("photoclip_")}
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PluginManifestError(f"{location}: 'hooks' must be a list of hook names")
    unknown = sorted(set(value) - known)
    if unknown:
        raise PluginManifestError(
            f"{location}: 'hooks' names unknown hooks: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(known))})")
    return tuple(value)


def read_manifest(folder: Path, source: str) -> Manifest:
    """The manifest of a plugin folder (``folder/plugin.toml``)."""
    path = folder / MANIFEST
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PluginManifestError(f"{path}: {exc}") from exc
    manifest = parse_manifest(data, source=source, location=str(folder))
    sys_path = data.get("path", ".")
    return replace(manifest, sys_path=str((folder / str(sys_path)).resolve()))


def _folder_manifests(root: Path | None, source: str) -> list[Manifest | PluginInfo]:
    if root is None or not root.is_dir():
        return []
    found: list[Manifest | PluginInfo] = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and (p / MANIFEST).exists()):
        try:
            found.append(read_manifest(folder, source))
        except PluginManifestError as exc:
            found.append(PluginInfo(folder.name, "", None, source, False, str(exc), str(folder)))
    return found


_entry_points_seen: dict[tuple[str, ...], list[Manifest | PluginInfo]] = {}


def _entry_point_manifests() -> list[Manifest | PluginInfo]:
    """The installed plugins' manifests, read once per process (and ``sys.path``): reading
    the installed packages' metadata is most of a discovery's cost, and a command discovers
    plugins more than once (its parser's search filters, then the plugins it loads)."""
    key = tuple(sys.path)
    if key not in _entry_points_seen:
        _entry_points_seen[key] = _read_entry_point_manifests()
    return list(_entry_points_seen[key])


def _read_entry_point_manifests() -> list[Manifest | PluginInfo]:
    found: list[Manifest | PluginInfo] = []
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist
        where = f"{dist.name} {dist.version}" if dist is not None else ep.value
        try:
            top = ep.value.split(":")[0].split(".")[0]
            files = [f for f in (dist.files or []) if f.name == MANIFEST] if dist else []
            files = [f for f in files if f.parts[0] == top] or files
            if not files:
                raise PluginManifestError(f"{where}: the package has no {MANIFEST}")
            text = Path(str(dist.locate_file(files[0]))).read_text(encoding="utf-8")
            manifest = parse_manifest(tomllib.loads(text), source=ENTRY_POINT, location=where)
            found.append(replace(manifest, entry_point=ep))
        except (PluginManifestError, OSError, tomllib.TOMLDecodeError) as exc:
            found.append(PluginInfo(ep.name, "", None, ENTRY_POINT, False, str(exc), where))
    return found


def _builtin_manifests() -> list[Manifest]:
    from photoclip.core import builtin_plugins
    from photoclip.core.types import API_VERSION

    return [
        Manifest(name, desc, API_VERSION, f"{builtin_plugins.__name__}:{attr}", BUILTIN,
                 "photoclip")
        for name, desc, attr in builtin_plugins.BUILTINS
    ]


def find_manifests(
    paths: AppPaths | None = None,
    *,
    first_party: Path | bool | None = True,
    entry_points: bool = True,
    extra_plugins: Sequence[Path] = (),
) -> list[Manifest | PluginInfo]:
    """Every plugin's manifest in discovery order; a broken manifest is a PluginInfo with its
    error. ``first_party``: True for the checkout's ``plugins/``, a folder, or False/None;
    ``extra_plugins``: more plugin folders (each with a plugin.toml), e.g. in tests."""
    root = first_party_dir() if first_party is True else (first_party or None)
    found: list[Manifest | PluginInfo] = list(_builtin_manifests())
    found += _folder_manifests(root, FIRST_PARTY)
    if entry_points:
        found += _entry_point_manifests()
    found += _folder_manifests(user_plugins_dir(paths), USER)
    for folder in extra_plugins:
        try:
            found.append(read_manifest(Path(folder), USER))
        except PluginManifestError as exc:
            found.append(PluginInfo(Path(folder).name, "", None, USER, False, str(exc),
                                    str(folder)))
    return found


def is_enabled(manifest: Manifest, settings: Settings) -> bool:
    """Whether the user's settings (or the plugin's default) enable a plugin."""
    if manifest.source == BUILTIN or manifest.name in settings.enabled_plugins:
        return True
    return manifest.enabled_by_default and manifest.name not in settings.disabled_plugins


def _check(manifest: Manifest, seen: set[str]) -> str | None:
    from photoclip.core.types import API_VERSION

    if manifest.name in seen:
        return f"another plugin named {manifest.name!r} was found first"
    if manifest.api_version != API_VERSION:
        return (
            f"written for plugin API {manifest.api_version}; this photoclip provides "
            f"API {API_VERSION}"
        )
    return None


def discover(
    paths: AppPaths | None = None, settings: Settings | None = None, **kwargs: Any
) -> list[PluginInfo]:
    """Every plugin, enabled or not, without importing any (for lists and settings pages).
    ``error`` is set for plugins that cannot be loaded (bad manifest, API version, duplicate)."""
    paths = paths or app_paths()
    settings = settings or Settings.load(paths.settings_file)
    infos: list[PluginInfo] = []
    seen: set[str] = set()
    for m in find_manifests(paths, **kwargs):
        if isinstance(m, PluginInfo):
            infos.append(m)
            continue
        enabled = is_enabled(m, settings)
        infos.append(
            PluginInfo(m.name, m.description, m.api_version, m.source, enabled, _check(m, seen),
                       m.location)
        )
        seen.add(m.name)
    return infos


def set_enabled(name: str, enabled: bool, paths: AppPaths | None = None) -> Settings:
    """Enable or disable a plugin by name in the saved settings (effective at the next start;
    the GUI's settings page and `photoclip plugins enable|disable` call this).
    UnknownChoiceError (a ValueError) for a name no plugin has; ValueError for a built-in."""
    paths = paths or app_paths()
    settings = Settings.load(paths.settings_file)
    known = {i.name: i for i in discover(paths, settings)}
    if name not in known:
        raise UnknownChoiceError("plugin", name, sorted(known), see="photoclip plugins list")
    if known[name].source == BUILTIN:
        raise ValueError(f"{name!r} is part of photoclip and cannot be disabled")
    settings.disabled_plugins = sorted(
        {n for n in settings.disabled_plugins if n != name} | ({name} if not enabled else set())
    )
    settings.enabled_plugins = sorted(
        {n for n in settings.enabled_plugins if n != name} | ({name} if enabled else set())
    )
    settings.save(paths.settings_file)
    return settings
