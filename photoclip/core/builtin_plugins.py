"""photoclip's own features that fit the plugin shape, registered through the same hooks as any
plugin (the llm/pluggy idea): the built-in label sets and XMP sidecar writing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from photoclip.core import keywords
from photoclip.core.hookspecs import hookimpl
from photoclip.core.labels import LabelSet, builtin_label_sets
from photoclip.core.plugin_context import PluginContext
from photoclip.core.said import Said
from photoclip.core.types import Action, ActionResult, Option, Photo

#: The xmp action's results (translated in photoclip/data/i18n/builtin_plugins.toml).
_WROTE = "wrote {n} XMP sidecars"
_WROTE_FAILED = "wrote {n} XMP sidecars; {failed} could not be written"

log = logging.getLogger(__name__)


class _LabelSets:
    """The label sets shipped in photoclip/data/labels."""

    @hookimpl
    def photoclip_label_sets(self, register: Callable[[LabelSet], None]) -> None:
        for label_set in builtin_label_sets().values():
            register(label_set)


def write_sidecar(photo: str, tags: list[str], convention: str = "auto") -> Path:
    """Write ``tags`` into ``photo``'s XMP sidecar. ``auto`` updates an existing Lightroom-style
    ``photo.xmp`` in place and otherwise writes ``photo.jpg.xmp`` (darktable, digiKam)."""
    if convention == "auto":
        existing = keywords.existing_sidecars(photo)
        adobe = bool(existing) and existing[0].name.lower() == Path(photo).stem.lower() + ".xmp"
        convention = "adobe" if adobe else "darktable"
    return keywords.write_sidecar(photo, tags, convention)


def _write_xmp(
    context: PluginContext, photos: list[Photo], options: dict[str, Any]
) -> ActionResult:
    written, failed = [], []
    for photo in photos:
        try:
            written.append(str(write_sidecar(photo.path, context.tags(photo.id),
                                             options.get("convention") or "auto")))
        except (OSError, ValueError) as exc:
            log.warning("Cannot write the XMP sidecar of %s: %s", photo.path, exc)
            failed.append(f"{photo.path}: {exc}")
    message = Said(_WROTE_FAILED if failed else _WROTE,
                   {"n": len(written), "failed": len(failed)})
    return ActionResult(message, list(failed), {"written": written, "failed": failed})


class _Xmp:
    """Write the photos' own tags into XMP sidecars (never into the photos)."""

    @hookimpl
    def photoclip_actions(self, register: Callable[[Action], None]) -> None:
        register(Action(
            "xmp-sidecars", "Write tags to XMP sidecars",
            "Write each photo's own tags as the keywords of its XMP sidecar "
            "(the photo itself is never changed)",
            _write_xmp,
            options=(Option("convention", "sidecar name: auto, darktable (photo.jpg.xmp) or "
                            "adobe (photo.xmp)", choices=("auto", "darktable", "adobe"),
                            default="auto"),),
        ))


labels = _LabelSets()
xmp = _Xmp()

#: (plugin name, description, attribute of this module) of every built-in plugin.
BUILTINS: tuple[tuple[str, str, str], ...] = (
    ("labels", "The built-in label sets for automatic tags", "labels"),
    ("xmp", "Write tags into XMP sidecars", "xmp"),
)
