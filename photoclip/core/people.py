"""People: the Qt-free interface a faces plugin provides (hook ``photoclip_people``) and the
fronts use (the GUI's People view, its photo view's face actions, search's ``--person``).

The fronts never import a plugin: they ask :meth:`PluginHost.people` for the :class:`People`
of the open library, and get None when no plugin provides one (People is off).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

#: What an unnamed person is called where a name is shown.
UNNAMED = "Unnamed"


class PeopleError(ValueError):
    """A request about people that cannot be done; the message says why (shown as is)."""


@dataclass(frozen=True)
class PersonFace:
    """One face: where it is (box in the upright photo's pixels: left, top, width, height),
    whose it is, and whether it is only a suggestion for ``suggested`` (not yet confirmed)."""

    id: int
    photo_id: int
    box: tuple[float, float, float, float]
    person_id: int | None
    name: str | None
    confidence: float = 0.0
    suggested: int | None = None  # a named person this face may be (the user confirms)
    suggested_name: str | None = None


@dataclass(frozen=True)
class PersonSummary:
    """A person as the People view lists them; ``cover`` is the face to show as their
    thumbnail."""

    id: int
    name: str | None
    faces: int
    photos: int
    hidden: bool = False
    cover: PersonFace | None = None
    suggestions: int = 0

    @property
    def title(self) -> str:
        """The name, or :data:`UNNAMED`."""
        return self.name or UNNAMED


class People(ABC):
    """The people of one library. Every call may read or write the plugin's store: call it off
    a GUI thread. ``person`` arguments are an id (int, or digits) or a name (any case); an
    unknown one raises :class:`PeopleError`."""

    @abstractmethod
    def people(self, *, hidden: bool = False) -> list[PersonSummary]:
        """Everyone, largest first (hidden people only with ``hidden=True``)."""

    @abstractmethod
    def person(self, person: int | str) -> PersonSummary:
        """One person (hidden ones too)."""

    @abstractmethod
    def photos_of(self, person: int | str) -> list[int]:
        """The photo ids with a face of ``person``, ascending."""

    @abstractmethod
    def faces_in(self, photo_id: int) -> list[PersonFace]:
        """The faces of one photo."""

    @abstractmethod
    def name(self, person: int | str, name: str) -> PersonSummary:
        """Name a person (a name someone already has merges the two)."""

    @abstractmethod
    def name_face(self, face_id: int, name: str) -> PersonSummary:
        """Say whose face this is: it moves to the person of that name (made if new)."""

    @abstractmethod
    def merge(self, into: int | str, other: int | str) -> PersonSummary:
        """Move every face of ``other`` into ``into``."""

    @abstractmethod
    def not_person(self, face_id: int) -> int | None:
        """This face is not its person: never put back; returns its new person."""

    @abstractmethod
    def hide(self, person: int | str, hidden: bool = True) -> PersonSummary:
        """Hide a person from the People list (their faces stay and are kept apart)."""

    @abstractmethod
    def suggestions(self, person: int | str | None = None) -> list[PersonFace]:
        """Faces that may be a named person, for the user to confirm or reject."""

    @abstractmethod
    def confirm(self, face_id: int, yes: bool = True) -> int | None:
        """Answer a suggestion: yes joins the suggested person, no never suggests it again;
        returns the face's person."""

    def recorded(self, change: Callable[[], T]) -> tuple[T, dict[str, Any] | None]:
        """Run ``change()`` (decisions through this People) and return its result and what
        it changed, JSON-ready (None: nothing), for :meth:`put_back`: how the core's People
        edits are undone (core/people_edits.py). A provider without undo raises PeopleError."""
        raise PeopleError("these people's decisions cannot be undone")

    def put_back(self, change: dict[str, Any], *, undo: bool = True) -> None:
        """Make what :meth:`recorded` recorded as it was before (``undo``) or after (redo):
        the faces of each person, the "not this person" constraints, names, hidden flags."""
        raise PeopleError("these people's decisions cannot be undone")


def face_crop(path: str | Path, box: tuple[float, float, float, float], size: int = 96,
              margin: float = 0.25) -> object:
    """A square RGB crop of ``box`` (upright photo pixels) with ``margin`` around it, scaled to
    ``size`` px: a person's thumbnail (a PIL image). Raises ValueError for a photo that
    cannot be decoded."""
    from PIL import Image

    from photoclip.core.images import ImageDecodeError, load_image

    try:
        image, info = load_image(Path(path), min_side=max(size * 4, 256))
    except ImageDecodeError as exc:
        raise ValueError(f"cannot decode {path}: {exc.reason}") from exc
    scale = image.width / info.width if info.width else 1.0
    left, top, w, h = (v * scale for v in box)
    side = max(w, h) * (1 + 2 * margin)
    cx, cy = left + w / 2, top + h / 2
    square = (round(cx - side / 2), round(cy - side / 2), round(cx + side / 2),
              round(cy + side / 2))
    return image.convert("RGB").crop(square).resize((size, size), Image.Resampling.BILINEAR)
