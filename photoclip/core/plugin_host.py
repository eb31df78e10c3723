"""Load the enabled plugins and call their hooks so a broken one never takes the app down
(beets' isolation idea). Where plugins come from, their manifests and enabling them:
:mod:`photoclip.core.plugin_discovery` (its names are importable from here too).

The GUI uses :func:`discover` and :func:`set_enabled` for its settings page and
:meth:`PluginHost.actions` for the photos' context menu.
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pluggy

from photoclip.config import AppPaths, Settings, app_paths
from photoclip.core.hookspecs import PROJECT, PhotoclipSpecs
from photoclip.core.labels import LabelSet
from photoclip.core.plugin_discovery import (
    BUILTIN,
    ENTRY_POINT,
    ENTRY_POINT_GROUP,
    FIRST_PARTY,
    MANIFEST,
    USER,
    Manifest,
    PluginInfo,
    PluginManifestError,
    _check,
    discover,
    find_manifests,
    first_party_dir,
    is_enabled,
    parse_manifest,
    read_manifest,
    set_enabled,
    user_plugins_dir,
)
from photoclip.core.plugin_texts import plugin_said, plugin_text
from photoclip.core.said import Translate, _same
from photoclip.core.types import display_text

__all__ = [
    "BUILTIN", "ENTRY_POINT", "ENTRY_POINT_GROUP", "FIRST_PARTY", "MANIFEST", "USER", "Manifest",
    "PluginHost", "PluginInfo", "PluginManifestError", "discover", "find_manifests",
    "first_party_dir", "is_enabled", "parse_manifest", "read_manifest", "set_enabled",
    "user_plugins_dir",
]

log = logging.getLogger(__name__)

_MAX_ERRORS = 20


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
        builtins: dict[str, object] | None = None,
        **discovery: Any,
    ) -> None:
        self.paths = paths or app_paths()
        self.settings = settings or Settings.load(self.paths.settings_file)
        self._discovery = discovery
        self._objects = dict(objects or {})
        self._builtins = dict(builtins or {})  # photoclip's own per-library plugin objects
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(PhotoclipSpecs)
        self._infos: list[PluginInfo] = []
        self._errors: dict[str, list[str]] = {}
        self._lock = threading.RLock()
        self._loaded = False
        self._label_sets: dict[str, LabelSet] | None = None
        self._model_providers: dict[str, Any] | None = None
        self._actions: dict[str, Any] | None = None
        self._exporters: dict[str, Any] | None = None
        self._analyzers: dict[str, Any] | None = None
        self._search_filters: dict[str, Any] | None = None
        self._search_scorers: dict[str, Any] | None = None
        self._owners: dict[tuple[str, str], str] = {}
        self._lazy: list[tuple[Manifest, int]] = []  # enabled, not imported yet; index in _infos

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
                                  _check(m, seen), m.location, translations=m.translations)
                seen.add(m.name)
                if info.error is None and enabled and m.hooks is not None:
                    self._lazy.append((m, len(self._infos)))  # imported when a hook needs it
                elif info.error is None and enabled:
                    info = self._load_one(m, info)
                elif info.error:
                    log.warning("Plugin %s not loaded: %s", m.name, info.error)
                self._infos.append(info)
            for name, obj in self._builtins.items():
                info = PluginInfo(name, _doc(obj), None, BUILTIN, True, location="photoclip")
                self._infos.append(self._register(name, obj, info))
            for name, obj in self._objects.items():
                info = PluginInfo(name, _doc(obj), None, USER, True, location=repr(obj))
                self._infos.append(self._register(name, obj, info))
        return self

    def _wake(self, hook_name: str | None = None) -> None:
        """Import the lazily loaded plugins that declare ``hook_name`` (None: all of them)."""
        with self._lock:
            due = [(m, i) for m, i in self._lazy
                   if hook_name is None or hook_name in (m.hooks or ())]
            if not due:
                return
            self._lazy = [entry for entry in self._lazy if entry not in due]
            for m, i in due:
                self._infos[i] = self._load_one(m, self._infos[i])
                obj = self.pm.get_plugin(m.name)
                undeclared = sorted(
                    h.name for h in (self.pm.get_hookcallers(obj) or []) if obj is not None
                    and h.name not in (m.hooks or ()))
                if undeclared:
                    log.warning("Plugin %s implements hooks its plugin.toml does not list (%s): "
                                "they may be called late", m.name, ", ".join(undeclared))

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
        """Every plugin found, with whether it loaded and its last error (every enabled plugin
        is imported to say so)."""
        self.load()
        self._wake()
        out = []
        for info in self._infos:
            errors = self._errors.get(info.name)
            if errors and info.error is None:
                info = replace(info, error=errors[-1])
            out.append(info)
        return out

    def text(self, text: str, language: str) -> str:
        """A plugin's ``text`` (an action's title, an option's help, ...) in ``language``, from
        the plugins' manifests (:func:`photoclip.core.plugin_texts.plugin_text`)."""
        self.load()
        for info in self._infos:
            if display_text(text) in info.translations.get(language, {}):
                return plugin_text(info.translations, text, language)
        return display_text(text)

    def said(self, message: object, language: str, fallback: Translate = _same) -> str:
        """A plugin's sentence (an action's result, a :class:`PluginError`'s message) in
        ``language`` (:func:`photoclip.core.plugin_texts.plugin_said`): a text as
        :meth:`text`; a :class:`~photoclip.core.said.Said` with its templates and words from
        the manifests' tables, else ``fallback`` (the front's own catalogue)."""
        self.load()
        return plugin_said([i.translations for i in self._infos], message, language, fallback)

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
        self._wake(hook_name)
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

    def model_providers(self) -> dict[str, Any]:
        """Model providers registered by plugins, by name; each is made known to
        :func:`~photoclip.core.model_provider.provider_for` (a built-in name is not replaced)."""
        from photoclip.core.model_provider import ModelProvider, register_provider

        with self._lock:
            if self._model_providers is None:
                found = self._collect("photoclip_model_providers", ModelProvider,
                                      lambda p: p.name)
                for name, provider in list(found.items()):
                    try:
                        register_provider(provider)
                    except ValueError as exc:
                        found.pop(name)
                        self._failed(self._owners.get(("modelprovider", name), name),
                                     "photoclip_model_providers", exc)
                self._model_providers = found
            return dict(self._model_providers)

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

    def analyzers(self) -> dict[str, Any]:
        """Analyzers (``plugin_api.Analyzer``) by name, in registration order."""
        from photoclip.core.analysis import Analyzer

        with self._lock:
            if self._analyzers is None:
                self._analyzers = self._collect("photoclip_analyzers", Analyzer, lambda a: a.name)
            return dict(self._analyzers)

    def search_filters(self) -> dict[str, Any]:
        """Search filters (``plugin_api.SearchFilter``) by name."""
        from photoclip.core.types import SearchFilter

        with self._lock:
            if self._search_filters is None:
                self._search_filters = self._collect(
                    "photoclip_search_filters", SearchFilter, lambda f: f.name
                )
            return dict(self._search_filters)

    def search_scorers(self) -> dict[str, Any]:
        """Search scorers (``plugin_api.SearchScorer``) by name."""
        from photoclip.core.types import SearchScorer

        with self._lock:
            if self._search_scorers is None:
                self._search_scorers = self._collect(
                    "photoclip_search_scorers", SearchScorer, lambda s: s.name
                )
            return dict(self._search_scorers)

    def owner(self, item_name: str, kind: str = "action") -> str | None:
        """Which plugin registered the action (or ``kind="exporter"``, ``"analyzer"``,
        ``"searchfilter"``, ``"searchscorer"``)."""
        {"action": self.actions, "exporter": self.exporters, "analyzer": self.analyzers,
         "searchfilter": self.search_filters, "searchscorer": self.search_scorers}[kind]()
        return self._owners.get((kind, item_name))

    def analyzer_failed(self, name: str, what: str, exc: BaseException) -> None:
        """Record an analyzer's failure against the plugin that registered it."""
        self._failed(self.owner(name, "analyzer") or name, f"analyzer {name} ({what})", exc)

    def contribution_failed(self, kind: str, name: str, exc: BaseException) -> str:
        """Record a failure of a registered item (``kind`` as for :meth:`owner`) against the
        plugin that registered it; returns that plugin's name."""
        plugin = self.owner(name, kind) or "?"
        self._failed(plugin, f"{kind.replace('search', 'search ')} {name}", exc)
        return plugin

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

    def photo_regions(self, photo: Any, context: Any) -> list[Any]:
        """Every plugin's regions of one photo (``core.types.Region``, ``plugin`` filled in),
        in plugin order; a plugin that raises or returns something else is recorded and
        skipped."""
        from photoclip.core.types import Region

        out: list[Region] = []
        for plugin, result in self._call_each("photoclip_photo_regions", photo=photo,
                                              context=context):
            regions = list(result or ())
            bad = [r for r in regions if not isinstance(r, Region)]
            if bad:
                self._failed(plugin, "photoclip_photo_regions", TypeError(
                    f"expected Regions, got {type(bad[0]).__name__}"))
                continue
            out.extend(replace(r, plugin=plugin) for r in regions)
        return out

    def people(self, context: Any) -> Any:
        """The :class:`~photoclip.core.people.People` a plugin provides for this library, or
        None (no plugin provides one, or it failed: recorded against it)."""
        from photoclip.core.people import People

        for plugin, result in self._call_each("photoclip_people", context=context):
            if result is None:
                continue
            if not isinstance(result, People):
                self._failed(plugin, "photoclip_people", TypeError(
                    f"expected People, got {type(result).__name__}"))
                continue
            return result
        return None

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
