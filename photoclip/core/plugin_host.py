"""Find, list, enable and load plugins, and call their hooks so a broken one never takes the app
down (beets' isolation idea).

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

A plugin is enabled if its name is in ``Settings.enabled_plugins``, or if it is enabled by
default and its name is not in ``Settings.disabled_plugins``. Loading imports the
enabled ones; a plugin that fails to import, has the wrong API version or bad hooks is reported
in its :class:`PluginInfo` and skipped. Each hook implementation is called on its own: one that
raises is logged, recorded against its plugin and skipped.

The GUI uses :func:`discover` and :func:`set_enabled` for its settings page and
:meth:`PluginHost.actions` for the photos' context menu.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pluggy

from photoclip.config import AppPaths, Settings, app_paths
from photoclip.core.hookspecs import PROJECT, PhotoclipSpecs
from photoclip.core.labels import LabelSet

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "photoclip.plugins"
MANIFEST = "plugin.toml"
BUILTIN, FIRST_PARTY, ENTRY_POINT, USER = "builtin", "first-party", "entry-point", "user"
_MAX_ERRORS = 20


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
    return Manifest(name, description.strip(), version, module, source, location,
                    enabled_by_default=default)


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


def _entry_point_manifests() -> list[Manifest | PluginInfo]:
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
    KeyError for a name no plugin has; ValueError for a built-in."""
    paths = paths or app_paths()
    settings = Settings.load(paths.settings_file)
    known = {i.name: i for i in discover(paths, settings)}
    if name not in known:
        raise KeyError(f"no plugin named {name!r} (see `photoclip plugins list`)")
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


# ----- loading and calling ----------------------------------------------------------------------


class PluginHost:
    """The loaded plugins of one process, and isolated calls into their hooks.

    ``objects`` registers extra plugin objects (modules, classes, instances) by name, for tests
    and embedding applications; they count as source ``user``.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        paths: AppPaths | None = None,
        *,
        objects: dict[str, object] | None = None,
        **discovery: Any,
    ) -> None:
        self.paths = paths or app_paths()
        self.settings = settings or Settings.load(self.paths.settings_file)
        self._discovery = discovery
        self._objects = dict(objects or {})
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(PhotoclipSpecs)
        self._infos: list[PluginInfo] = []
        self._errors: dict[str, list[str]] = {}
        self._lock = threading.RLock()
        self._loaded = False
        self._label_sets: dict[str, LabelSet] | None = None
        self._actions: dict[str, Any] | None = None
        self._exporters: dict[str, Any] | None = None
        self._owners: dict[tuple[str, str], str] = {}

    # ----- loading -------------------------------------------------------------------------------

    def load(self) -> PluginHost:
        """Import and register every enabled plugin (once); failures are recorded, not raised."""
        with self._lock:
            if self._loaded:
                return self
            self._loaded = True
            seen: set[str] = set()
            for m in find_manifests(self.paths, **self._discovery):
                if isinstance(m, PluginInfo):
                    self._infos.append(m)
                    log.warning("Plugin %s cannot be used: %s", m.name, m.error)
                    continue
                enabled = is_enabled(m, self.settings)
                info = PluginInfo(m.name, m.description, m.api_version, m.source, enabled,
                                  _check(m, seen), m.location)
                seen.add(m.name)
                if info.error is None and enabled:
                    info = self._load_one(m, info)
                elif info.error:
                    log.warning("Plugin %s not loaded: %s", m.name, info.error)
                self._infos.append(info)
            for name, obj in self._objects.items():
                info = PluginInfo(name, _doc(obj), None, USER, True, location=repr(obj))
                self._infos.append(self._register(name, obj, info))
        return self

    def _load_one(self, m: Manifest, info: PluginInfo) -> PluginInfo:
        try:
            if m.entry_point is not None:
                obj = m.entry_point.load()
            else:
                if m.sys_path and m.sys_path not in sys.path:
                    sys.path.append(m.sys_path)
                mod_name, _, attr = m.module.partition(":")
                obj = importlib.import_module(mod_name)
                if attr:
                    obj = getattr(obj, attr)
        except Exception as exc:  # an import error, a syntax error, anything the plugin raised
            log.warning("Plugin %s failed to load: %s", m.name, exc, exc_info=log.isEnabledFor(
                logging.DEBUG))
            return replace(info, error=f"failed to load: {type(exc).__name__}: {exc}")
        return self._register(m.name, obj, info)

    def _register(self, name: str, obj: object, info: PluginInfo) -> PluginInfo:
        try:
            self.pm.register(obj, name=name)
            unknown = [
                h.name for h in self.pm.get_hookcallers(obj) or [] if not h.has_spec()
            ]
            if unknown:
                self.pm.unregister(obj)
                return replace(info, error=f"unknown hooks: {', '.join(unknown)}")
        except Exception as exc:  # pluggy.PluginValidationError, a name registered twice, ...
            log.warning("Plugin %s has bad hooks: %s", name, exc)
            return replace(info, error=f"bad hooks: {exc}")
        log.debug("Loaded plugin %s (%s)", name, info.source)
        return replace(info, loaded=True)

    # ----- facts ---------------------------------------------------------------------------------

    def infos(self) -> list[PluginInfo]:
        """Every plugin found, with whether it loaded and its last error."""
        self.load()
        out = []
        for info in self._infos:
            errors = self._errors.get(info.name)
            if errors and info.error is None:
                info = replace(info, error=errors[-1])
            out.append(info)
        return out

    def errors(self, name: str) -> list[str]:
        """The failures recorded for plugin ``name`` in this process (most recent last)."""
        return list(self._errors.get(name, []))

    def _failed(self, plugin: str, what: str, exc: BaseException) -> None:
        message = f"{what}: {type(exc).__name__}: {exc}"
        log.warning("Plugin %s failed in %s", plugin, message, exc_info=exc)
        errors = self._errors.setdefault(plugin, [])
        errors.append(message)
        del errors[:-_MAX_ERRORS]

    # ----- isolated hook calls -------------------------------------------------------------------

    def _impls(self, hook_name: str) -> list[Any]:
        self.load()
        hook = getattr(self.pm.hook, hook_name)
        return list(hook.get_hookimpls())  # registration order

    def _call_each(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call every implementation on its own; failures are recorded and skipped."""
        results = []
        for impl in self._impls(hook_name):
            try:
                result = impl.function(*[kwargs[a] for a in impl.argnames])
            except Exception as exc:
                self._failed(impl.plugin_name, hook_name, exc)
                continue
            results.append((impl.plugin_name, result))
        return results

    def _collect(self, hook_name: str, kind: type, key: Callable[[Any], str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for impl in self._impls(hook_name):
            plugin = impl.plugin_name
            mine: list[Any] = []

            def register(item: Any, plugin: str = plugin, mine: list[Any] = mine) -> None:
                if not isinstance(item, kind):
                    raise TypeError(f"expected a {kind.__name__}, got {type(item).__name__}")
                mine.append(item)

            try:
                impl.function(*[{"register": register}[a] for a in impl.argnames])
            except Exception as exc:
                self._failed(plugin, hook_name, exc)
                continue
            for item in mine:
                name = key(item)
                if name in found:
                    self._failed(plugin, hook_name, ValueError(f"{name!r} is already registered"))
                    continue
                found[name] = item
                self._owners[(kind.__name__.lower(), name)] = plugin
        return found

    def label_sets(self) -> dict[str, LabelSet]:
        """Label sets registered by plugins (the built-in ones included), by name."""
        with self._lock:
            if self._label_sets is None:
                self._label_sets = self._collect(
                    "photoclip_label_sets", LabelSet, lambda s: s.name
                )
            return dict(self._label_sets)

    def actions(self) -> dict[str, Any]:
        """Actions on photos (``plugin_api.Action``) by name, in registration order."""
        from photoclip.core.types import Action

        with self._lock:
            if self._actions is None:
                self._actions = self._collect("photoclip_actions", Action, lambda a: a.name)
            return dict(self._actions)

    def exporters(self) -> dict[str, Any]:
        """Exporters (``plugin_api.Exporter``) by name."""
        from photoclip.core.types import Exporter

        with self._lock:
            if self._exporters is None:
                self._exporters = self._collect("photoclip_exporters", Exporter, lambda e: e.name)
            return dict(self._exporters)

    def owner(self, item_name: str, kind: str = "action") -> str | None:
        """Which plugin registered the action (or ``kind="exporter"``) ``item_name``."""
        self.actions() if kind == "action" else self.exporters()
        return self._owners.get((kind, item_name))

    def accept_file(self, path: str) -> bool:
        """False if any plugin rejects the file (a plugin that raises has no say)."""
        impls = self._impls("photoclip_accept_file")
        if not impls:
            return True
        return all(result is not False for _, result in
                   self._call_each("photoclip_accept_file", path=path))

    def has_accept_hooks(self) -> bool:
        return bool(self._impls("photoclip_accept_file"))

    def photos_indexed(self, photos: Sequence[Any], vectors: Any, context: Any) -> None:
        """Tell plugins about a freshly embedded batch."""
        if self._impls("photoclip_photos_indexed"):
            self._call_each(
                "photoclip_photos_indexed", photos=list(photos), vectors=vectors, context=context
            )

    def run_action(
        self, name: str, context: Any, photos: list[Any], options: dict[str, Any]
    ) -> Any:
        """Run an action. A :class:`~photoclip.plugin_api.PluginError` it raises passes through
        (its message is for the user); any other failure is recorded and raised as a
        PluginError naming the plugin."""
        from photoclip.core.types import ActionResult, PluginError

        action = self.actions().get(name)
        if action is None:
            raise KeyError(f"no action named {name!r}")
        try:
            result = action.run(context, photos, options)
        except PluginError:
            raise
        except Exception as exc:
            plugin = self.owner(name) or "?"
            self._failed(plugin, f"action {name}", exc)
            raise PluginError(
                f"the {name} action of plugin {plugin!r} failed: {type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(result, ActionResult):
            result = ActionResult(str(result) if result is not None else "done")
        return result


def _doc(obj: object) -> str:
    doc = (getattr(obj, "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else ""
