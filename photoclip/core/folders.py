"""The rule for the library's folder list: a folder inside another is not a folder of its own.

A library folder already covers every folder below it (scanned, indexed and watched with it), so
adding ``~/Pictures/2024`` beside ``~/Pictures`` changes nothing, and adding ``~/Pictures``
beside ``~/Pictures/2024`` puts the parent in the list in the child's place (its photos stay
indexed). The CLI, the service and the GUI all ask :func:`plan_addition`; :func:`outermost` is
what is watched, for a list saved before this rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath


def contains(folder: str, path: str) -> bool:
    """Whether ``path`` is ``folder`` or lies below it (both absolute and normalised)."""
    return PurePath(path).is_relative_to(PurePath(folder))


def outermost(folders: Iterable[str]) -> list[str]:
    """``folders`` without those inside another of them (order kept, duplicates dropped)."""
    unique = list(dict.fromkeys(folders))
    return [f for f in unique if not any(o != f and contains(o, f) for o in unique)]


@dataclass(frozen=True)
class FolderAddition:
    """What adding a folder does to the library's folder list."""

    path: str  # the folder asked for (normalised)
    folders: tuple[str, ...]  # the library folders afterwards
    within: str | None = None  # the library folder that already holds it: nothing changes
    absorbed: tuple[str, ...] = ()  # library folders inside it: now part of it

    @property
    def added(self) -> bool:
        return self.within is None

    @property
    def text(self) -> str:
        """One sentence for the user (the CLI prints it, the GUI shows it)."""
        return self.describe()

    def describe(self, words: Callable[[str], str] = str) -> str:
        """:attr:`text` in a front's language: ``words`` translates :data:`ADDITION_TEXTS`."""
        if self.within == self.path:
            return words(ALREADY).format(path=self.path)
        if self.within is not None:
            return words(WITHIN).format(path=self.path, within=self.within)
        if self.absorbed:
            template = ABSORBED_ONE if len(self.absorbed) == 1 else ABSORBED_MANY
            return words(template).format(path=self.path, inside=", ".join(self.absorbed))
        return words(ADDED).format(path=self.path)


#: The sentences of :meth:`FolderAddition.describe`, for the fronts' translators
#: (``scripts/update_translations.py`` collects them).
ALREADY = "{path} is already in the library"
WITHIN = ("{path} is already in the library as part of {within}: nothing changed (its photos "
          "are indexed and watched with that folder)")
ABSORBED_ONE = ("added {path}; it holds {inside}, no longer listed or watched on its own but as "
                "part of it (the photos there stay indexed)")
ABSORBED_MANY = ("added {path}; it holds {inside}, no longer listed or watched on their own but "
                 "as part of it (the photos there stay indexed)")
ADDED = "added {path}"
ADDITION_TEXTS = (ALREADY, WITHIN, ABSORBED_ONE, ABSORBED_MANY, ADDED)


def plan_addition(folders: Sequence[str], path: str) -> FolderAddition:
    """What adding the normalised folder ``path`` to ``folders`` gives (nothing is changed)."""
    for folder in folders:
        if contains(folder, path):
            return FolderAddition(path, tuple(folders), within=folder)
    absorbed = tuple(f for f in folders if contains(path, f))
    kept = [f for f in folders if f not in absorbed]
    return FolderAddition(path, (*kept, path), absorbed=absorbed)
