"""The search filters of photo facts, registered as a built-in plugin (so they work as
``--where NAME=VALUE``, ``NAME:"VALUE"`` in a query, ``--NAME`` in the CLI and the GUI's filter
chips): ``place``, ``camera``, ``lens``, ``rating`` and ``favourite``."""

from __future__ import annotations

from collections.abc import Callable

from photoclip.core.hookspecs import hookimpl
from photoclip.core.photo_facts import PhotoFacts
from photoclip.core.plugin_context import PluginContext
from photoclip.core.ratings import Ratings
from photoclip.core.said import N_, Said, said_error
from photoclip.core.types import PluginError, SearchFilter

__all__ = ["FILTER_HELP", "FactsPlugin"]

#: name -> help, shared with the CLI's options (photoclip.cli.fact_filters)
FILTER_HELP: dict[str, str] = {
    "place": 'only photos taken in this town, region or country ("Paris", "France", '
             '"Paris, France")',
    "camera": 'only photos taken with a camera whose name contains this ("Canon", "X100V")',
    "lens": 'only photos taken with a lens whose name contains this ("24-70")',
    "rating": "only photos with at least this many stars (4; =5 exactly; <=2 at most)",
    "favourite": "only favourites (yes) or only the others (no)",
}

_YES, _NO = {"yes", "true", "1", "y", "on"}, {"no", "false", "0", "n", "off"}
_YES_OR_NO = N_("favourite is yes or no, not {value!r}")
_BAD_VALUE = N_("{filter}: {error}")


class FactsPlugin:
    """Search by place, camera, lens, rating and favourite."""

    def __init__(self, facts: PhotoFacts, ratings: Ratings, all_ids: Callable[[], set[int]]):
        self._facts = facts
        self._ratings = ratings
        self._all_ids = all_ids

    def _favourite(self, _context: PluginContext, value: str) -> set[int]:
        flag = value.strip().lower()
        if flag in _YES:
            return self._ratings.favourites()
        if flag in _NO:
            return self._all_ids() - self._ratings.favourites()
        said = Said(_YES_OR_NO, {"value": value})
        raise said_error(ValueError(str(said)), said)

    @hookimpl
    def photoclip_search_filters(self, register: Callable[[SearchFilter], None]) -> None:
        fns = {
            "place": lambda _c, v: self._facts.with_place(v),
            "camera": lambda _c, v: self._facts.with_camera(v),
            "lens": lambda _c, v: self._facts.with_lens(v),
            "rating": lambda _c, v: self._ratings.with_rating(v),
            "favourite": self._favourite,
        }
        for name, fn in fns.items():
            register(SearchFilter(name, FILTER_HELP[name], photos=_user_errors(name, fn)))


def _user_errors(
    name: str, fn: Callable[[PluginContext, str], set[int]]
) -> Callable[[PluginContext, str], set[int]]:
    """A bad value is the user's mistake, said as is (not a failure of the plugin)."""

    def photos(context: PluginContext, value: str) -> set[int]:
        try:
            return fn(context, value)
        except ValueError as exc:
            said = Said(_BAD_VALUE, {"filter": name, "error": getattr(exc, "said", None)
                                     or str(exc)})
            raise said_error(PluginError(str(said)), said) from exc

    return photos
