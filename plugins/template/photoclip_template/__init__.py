"""A template photoclip plugin: copy this folder, rename it, and keep the hooks you need.

Import only from ``photoclip.plugin_api``. Every hook is optional; delete the ones you do not
use. See docs/plugins.md for the guide.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from photoclip.plugin_api import (
    Action,
    ActionResult,
    Count,
    LabelSet,
    Option,
    Photo,
    PluginContext,
    Said,
    hookimpl,
    parse_label_set,
)


@hookimpl
def photoclip_label_sets(register: Callable[[LabelSet], None]) -> None:
    """Extra label sets for automatic tags."""
    register(parse_label_set({
        "name": "template-pets",
        "description": "An example label set",
        "labels": [{"name": "cat"}, {"name": "dog", "prompts": ["a dog", "a puppy"]}],
    }))


def hello(context: PluginContext, photos: list[Photo], options: dict[str, Any]) -> ActionResult:
    """An action: gets the selected photos and the options the user gave. Its message is a
    Said: its template (and the nouns counted) translated in the plugin.toml's table."""
    greeting = options.get("greeting") or "hello"
    return ActionResult(Said("{greeting}, {photos}",
                             {"greeting": greeting, "photos": Count(len(photos), "photo")}),
                        [p.path for p in photos[:5]], {"count": len(photos)})


@hookimpl
def photoclip_actions(register: Callable[[Action], None]) -> None:
    """Actions on selected photos: a GUI menu entry and a CLI command each."""
    register(Action("template-hello", "Say hello", "Greets the selected photos", hello,
                    options=(Option("greeting", "what to say", default="hello"),),
                    selection="optional"))


@hookimpl
def photoclip_accept_file(path: str) -> bool | None:
    """Skip files: return False to keep one out of the library (None: no opinion)."""
    return False if "/.thumbnails/" in path else None


@hookimpl
def photoclip_photos_indexed(
    photos: Sequence[Photo], vectors: np.ndarray, context: PluginContext
) -> None:
    """React to freshly indexed photos, e.g. tag the panoramas."""
    wide = [p.id for p in photos if p.width and p.height and p.width >= 2.5 * p.height]
    context.add_tag("panorama", wide)
