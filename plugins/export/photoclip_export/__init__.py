"""The ``export`` plugin: put a search result, an album or selected photos into a folder.

``photoclip export --to DIR --query "beach"`` (or ``--album``, ``--tag``, files) makes a folder
of symbolic links (``--as links``, the default: instant, no space used) or of copies
(``--as copies``, with their timestamps). ``--numbered`` prefixes names with the rank, so a
search result keeps its order in any file browser. Other plugins can add exporters
(``photoclip_exporters``); ``--as`` picks among them all. Existing files are never overwritten.
An exporter exports every photo it is given or raises :class:`PluginError` (the message counts
photos, not the files written: a Chroma store is one folder for any number of photos).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from photoclip.plugin_api import (
    Action,
    ActionResult,
    Count,
    Exporter,
    Option,
    Photo,
    PluginContext,
    PluginError,
    Said,
    free_name,
    hookimpl,
)


def _targets(photos: list[Photo], dest: Path, numbered: bool) -> list[tuple[Photo, Path]]:
    width = len(str(len(photos)))
    out = []
    for rank, photo in enumerate(photos, 1):
        name = Path(photo.path).name
        if numbered:
            name = f"{rank:0{width}d}-{name}"
        out.append((photo, free_name(dest / name)))
    return out


def export_links(context: PluginContext, photos: list[Photo], dest: Path,
                 numbered: bool = False) -> list[Path]:
    """Symbolic links to the photos (absolute, so the folder can move)."""
    written = []
    for photo, target in _targets(photos, dest, numbered):
        os.symlink(os.path.abspath(photo.path), target)
        written.append(target)
    return written


def export_copies(context: PluginContext, photos: list[Photo], dest: Path,
                  numbered: bool = False) -> list[Path]:
    """Copies of the photos, with their modification times."""
    written = []
    for photo, target in _targets(photos, dest, numbered):
        shutil.copy2(photo.path, target)
        written.append(target)
    return written


def run(context: PluginContext, photos: list[Photo], options: dict[str, Any]) -> ActionResult:
    exporters = context.exporters()
    how = options.get("as") or "links"
    if how not in exporters:
        raise PluginError(f"no exporter {how!r}; choose one of: {', '.join(sorted(exporters))}")
    if not options.get("to"):
        raise PluginError("say where to export to (--to FOLDER)")
    dest = Path(options["to"]).expanduser()
    dest.mkdir(parents=True, exist_ok=True)
    exporter = exporters[how]
    numbered = bool(options.get("numbered"))
    if exporter.name in ("links", "copies"):
        written = exporter.export(context, photos, dest, numbered)  # type: ignore[call-arg]
    else:
        written = exporter.export(context, photos, dest)
    return ActionResult(
        Said("exported {photos} to {folder} as {how}",
             {"photos": Count(len(photos), "photo"), "folder": dest, "how": how}),
        [], {"written": [str(p) for p in written], "to": str(dest), "as": how},
    )


@hookimpl
def photoclip_exporters(register: Callable[[Exporter], None]) -> None:
    register(Exporter("links", "a folder of symbolic links to the photos", export_links))
    register(Exporter("copies", "a folder of copies of the photos", export_copies))


@hookimpl
def photoclip_actions(register: Callable[[Action], None]) -> None:
    register(Action(
        "export", "Export to a folder",
        "Put the selected photos (a search result, an album) into a folder of links or copies",
        run,
        options=(
            Option("to", "the destination folder (created if needed)", required=True),
            Option("as", "how: links, copies, or another plugin's exporter", default="links",
                   choices_from="exporters"),
            Option("numbered", "prefix names with the rank (keeps a search's order)",
                   type=bool, default=False),
        ),
    ))
