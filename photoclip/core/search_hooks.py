"""Plugins' contributions to searching (hook 1): named filters and scorers.

- A :class:`~photoclip.core.types.SearchFilter` narrows a search or a browse to the photos it
  returns for a value. Users give one as ``--where NAME=VALUE`` (``--NAME VALUE`` where the
  plugin's manifest declares it), or as an operator in the query text: ``NAME:"VALUE"`` or
  ``NAME:word`` (``text:"wifi password"``); given twice, a photo must pass both. A query made
  only of operators lists the photos that pass, best :class:`Match` score first.
- A :class:`~photoclip.core.types.SearchScorer` raises photos in a text query's ranking: a
  photo's score is its CLIP cosine plus ``weight * match.score`` of every scorer that matched
  it, and the result says why (``reasons``).

A filter that raises fails the search (its answer would be wrong), named after its plugin; a
scorer that raises is recorded against its plugin and skipped (the search is only less good).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from photoclip.core.said import N_, Said, said_error
from photoclip.core.types import Match, PluginError, SearchFilter, SearchScorer

log = logging.getLogger(__name__)

__all__ = ["Boost", "SearchContributions", "split_operators"]

_OPERATOR = re.compile(  # an optional sign before it (a "+" joining it to the terms), NAME:VALUE
    r"""(?:(?<=\s)|^)(?:([+-])\s+)?([a-z][a-z0-9-]{0,39}):(?:"([^"]*)"|'([^']*)'|([^\s"']+))"""
)


@dataclass(frozen=True)
class Boost:
    """What the scorers add to one photo's score, and why."""

    score: float
    reasons: tuple[str, ...]


_NO_SUBTRACTING = N_('a filter cannot be subtracted ("- {name}:..."): search for what the photos '
                     "hold")
_NEEDS_VALUE = N_('the {name}: operator needs a value, e.g. {name}:"some words"')
_NO_FILTERS = N_("none (no plugin provides one)")
_NO_FILTER = N_("no search filter named {name!r} (available: {known}); a plugin may need "
                "enabling (`photoclip plugins list`)")


def _error(template: str, **values: object) -> BaseException:
    said = Said(template, values)
    return said_error(ValueError(str(said)), said)


def split_operators(query: str, names: Iterable[str]) -> tuple[str, list[tuple[str, str]]]:
    """``query`` without its ``NAME:"VALUE"`` operators (for the filter ``names`` only), and the
    (name, value) pairs in order. Words like ``time:5pm`` stay when no filter is named ``time``.
    """
    known = set(names)
    found: list[tuple[str, str]] = []

    def take(m: re.Match[str]) -> str:
        sign, name = m.group(1), m.group(2)
        if name not in known:
            return m.group(0)
        if sign == "-":
            raise _error(_NO_SUBTRACTING, name=name)
        value = next(g for g in m.groups()[2:] if g is not None).strip()
        if not value:
            raise _error(_NEEDS_VALUE, name=name)
        found.append((name, value))
        return " "

    rest = _OPERATOR.sub(take, query) if known else query
    if not found:  # the query as typed: a dangling sign stays a QueryError of the parser's
        return query, found
    rest = re.sub(r"\s+", " ", rest).strip()
    if rest[:2] == "+ " or rest == "+":  # the sign that joined a leading operator to the terms
        rest = rest[2:].strip()
    # a dangling sign at the end is the user's: it stays for the query parser to refuse
    return rest, found


class SearchContributions:
    """The plugins' search filters and scorers of one library (see the module docstring).

    Handed in: the plugin host (a callable: plugins load lazily) and the plugin context the
    filters and scorers get.
    """

    def __init__(self, host: Callable[[], Any], context: Callable[[], Any]) -> None:
        self._host = host
        self._context = context

    def filters(self) -> dict[str, SearchFilter]:
        """Every registered search filter by name."""
        return dict(self._host().search_filters())

    def scorers(self) -> dict[str, SearchScorer]:
        """Every registered search scorer by name."""
        return dict(self._host().search_scorers())

    def split(self, query: str) -> tuple[str, list[tuple[str, str]]]:
        """The query without its filter operators, and the operators (see
        :func:`split_operators`)."""
        return split_operators(query, self.filters())

    def matches(self, where: Iterable[tuple[str, str]]) -> dict[int, list[Match]] | None:
        """The photos passing every (filter, value), with their matches (None: no filter).
        An unknown filter is a ValueError naming the known ones."""
        where = list(where)
        if not where:
            return None
        filters = self.filters()
        allowed: dict[int, list[Match]] | None = None
        for name, value in where:
            found = self._run_filter(filters, name, value)
            if allowed is None:
                allowed = {pid: [m] for pid, m in found.items()}
            else:
                allowed = {pid: [*ms, found[pid]] for pid, ms in allowed.items() if pid in found}
        return allowed

    def _run_filter(
        self, filters: dict[str, SearchFilter], name: str, value: str
    ) -> dict[int, Match]:
        f = filters.get(name)
        if f is None:
            known = ", ".join(sorted(filters)) or Said(_NO_FILTERS)
            raise _error(_NO_FILTER, name=name, known=known)
        try:
            result = f.photos(self._context(), value)
        except PluginError:
            raise
        except Exception as exc:
            plugin = self._host().contribution_failed("searchfilter", name, exc)
            raise PluginError(f"the {name} filter of plugin {plugin!r} failed: "
                              f"{type(exc).__name__}: {exc}") from exc
        if isinstance(result, Mapping):
            return {int(pid): m if isinstance(m, Match) else Match() for pid, m in result.items()}
        return {int(pid): Match() for pid in result}

    def boosts(self, text: str, limit: int) -> dict[int, Boost]:
        """What the scorers add to the photos that ``text`` matches (a failing scorer is
        recorded against its plugin and skipped)."""
        out: dict[int, Boost] = {}
        if not text.strip():
            return out
        for name, scorer in self.scorers().items():
            try:
                found = dict(scorer.score(self._context(), text, limit))
            except Exception as exc:
                self._host().contribution_failed("searchscorer", name, exc)
                continue
            for pid, m in found.items():
                add = scorer.weight * min(1.0, max(0.0, float(m.score)))
                prev = out.get(int(pid), Boost(0.0, ()))
                reasons = prev.reasons + ((m.reason,) if m.reason else ())
                out[int(pid)] = Boost(prev.score + add, reasons)
        return out
