"""Plugin actions as the fronts run them: which photos an action gets (one rule for the CLI and
the GUI) and an isolated run. Built on the plugin host; the fronts never reach into it."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from photoclip.core.plugin_context import PluginContext
from photoclip.core.plugin_host import PluginHost
from photoclip.core.types import (
    Action,
    ActionResult,
    Option,
    Photo,
    PluginError,
    UnknownChoiceError,
    display_text,
)

log = logging.getLogger(__name__)

__all__ = ["PluginActions"]

ContextFactory = Callable[[PluginHost, "Callable[[str], bool] | None"], PluginContext]


class PluginActions:
    """The enabled plugins' actions. ``host()`` gives the library's loaded plugin host;
    ``context(host, confirm)`` makes the :class:`PluginContext` an action gets."""

    def __init__(self, host: Callable[[], PluginHost], context: ContextFactory) -> None:
        self._host = host
        self._context = context

    def host(self) -> PluginHost:
        """The loaded plugins (their infos, errors and owners, for lists and menus)."""
        return self._host()

    def all(self, host: PluginHost | None = None) -> dict[str, Action]:
        """Every action by name, in registration order."""
        return (host or self._host()).actions()

    def options(self, action: Action, host: PluginHost | None = None) -> tuple[Option, ...]:
        """The action's options as the fronts show them: an option whose choices come from
        the loaded plugins (``choices_from``) with those choices filled in."""
        return resolve_options(action.options, host or self._host())

    def context(
        self, confirm: Callable[[str], bool] | None = None, host: PluginHost | None = None
    ) -> PluginContext:
        return self._context(host or self._host(), confirm)

    def targets(
        self,
        action: Action,
        context: PluginContext,
        *,
        ids: Sequence[int] = (),
        query: str | None = None,
        album: str | None = None,
        tag: str | None = None,
        limit: int = 100,
        none_chosen: str = "select some photos first",
    ) -> list[Photo]:
        """The photos an action runs on: the union of the given photos, a search, an album and
        a tag, each once. Nothing given: the whole library for ``selection="optional"``, an
        error (``none_chosen``) for ``"required"``; ``"none"`` actions get no photos."""
        if action.selection == "none":
            return []
        chosen: list[Photo] = []
        if ids:
            chosen += context.photos(ids)
        if query:
            chosen += context.search(query, limit)
        if album:
            chosen += context.album(album)
        if tag:
            chosen += context.with_tag(tag)
        if not (ids or query or album or tag) and action.selection == "optional":
            chosen = context.photos()
        if action.selection == "required" and not chosen:
            raise PluginError(none_chosen)
        return list({p.id: p for p in chosen}.values())

    def check_options(self, name: str, options: dict[str, Any]) -> None:
        """UnknownChoiceError (a usage error naming the choices) for an option value action
        ``name`` does not offer: checked before its photos are chosen."""
        host = self._host()
        if name in host.actions():
            check_choices(resolve_options(host.actions()[name].options, host), options)

    def run(
        self,
        name: str,
        photos: list[Photo],
        options: dict[str, Any],
        *,
        context: PluginContext | None = None,
        host: PluginHost | None = None,
    ) -> ActionResult:
        """Run action ``name``. A :class:`PluginError` is for the user; any other failure of
        the plugin is recorded against it and raised as a PluginError naming it."""
        host = host or self._host()
        if name not in host.actions():
            raise PluginError(f"the action {name!r} is no longer available")
        check_choices(resolve_options(host.actions()[name].options, host), options)
        log.info("Running plugin action %s on %d photos", name, len(photos))
        return host.run_action(name, context or self.context(host=host), photos, options)


def resolve_options(options: Sequence[Option], host: PluginHost, *, fill_choices: bool = True
                    ) -> tuple[Option, ...]:
    """``options`` as the fronts show them: the choices of those with ``choices_from`` filled
    in from ``host`` (unless ``fill_choices`` is false: the CLI's parser leaves them to the
    check when the action runs, so that building it imports no plugin), the help as plain
    text (:func:`display_text`)."""
    sources = {"exporters": host.exporters}
    out = []
    for opt in options:
        opt = replace(opt, help=display_text(opt.help))
        if fill_choices and opt.choices_from and not opt.choices:
            source = sources.get(opt.choices_from)
            if source is None:
                log.warning("Option %s: unknown choices_from %r", opt.name, opt.choices_from)
            else:
                opt = replace(opt, choices=tuple(sorted(source())))
        out.append(opt)
    return tuple(out)


def check_choices(options: Sequence[Option], values: dict[str, Any]) -> None:
    """UnknownChoiceError (a usage error naming the choices) for a value not among its
    option's choices; None (the option not given) is always accepted."""
    for opt in options:
        value = values.get(opt.name)
        if opt.choices and value is not None and str(value) not in opt.choices:
            raise UnknownChoiceError(f"{opt.name} choice", str(value), opt.choices)
