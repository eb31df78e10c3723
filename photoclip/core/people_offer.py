"""The one-time question "Find people in your photos?": whether to ask it, and the answer.

People (the first-party ``faces`` plugin) is off until the user turns it on: off, no face is
ever computed or stored. The app asks once, after its first index run, when the plugin is
installed and the user never turned it on or off (in the app, in Settings > Plugins or with
`photoclip plugins enable|disable`): the answer is kept where those keep it, the settings'
``enabled_plugins`` / ``disabled_plugins``, so Settings > Plugins shows it and changes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from photoclip.core.plugin_discovery import discover, set_enabled

if TYPE_CHECKING:
    from photoclip.core.library import Library

__all__ = ["PEOPLE_PLUGIN", "answer", "should_ask"]

#: The plugin the question turns on.
PEOPLE_PLUGIN = "faces"


def should_ask(lib: Library) -> bool | None:
    """Whether to ask: the People plugin is installed and can be loaded, it is off, the user
    never chose (no plugin is imported to tell) and the library has photos; None when only
    the photos are missing (ask after a later index run)."""
    s = lib.settings
    if PEOPLE_PLUGIN in s.enabled_plugins or PEOPLE_PLUGIN in s.disabled_plugins:
        return False
    info = next((i for i in discover(lib.paths, s) if i.name == PEOPLE_PLUGIN), None)
    if info is None or info.enabled or info.error is not None:
        return False
    return True if lib.browse.known_paths() else None


def answer(lib: Library, on: bool) -> str | None:
    """The user's answer, saved in the settings. Yes: the plugins are loaded again, so People
    is on now (the next index run, or sync, finds the faces of every photo in the background);
    returns why it cannot work if its plugin failed to load, else None."""
    saved = set_enabled(PEOPLE_PLUGIN, on, lib.paths)
    lib.settings.enabled_plugins = saved.enabled_plugins
    lib.settings.disabled_plugins = saved.disabled_plugins
    if not on:
        return None
    lib.reload_plugins()
    info = next((i for i in lib.plugin_infos() if i.name == PEOPLE_PLUGIN), None)
    if info is None or info.error is not None or lib.people() is None:
        return info.error if info is not None and info.error else "People did not start"
    return None
