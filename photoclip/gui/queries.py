"""What the GUI asks the library, as plain values: searches, photo details, sidebar contents.

Qt-free on purpose: each ``run`` executes on the work lane and returns small immutable values
that Qt item models then show. The answers come from the core (:mod:`photoclip.core.browse`),
the same ones the CLI gets.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from photoclip.core.browse import PhotoDetails, ResultItem, SearchFilters, SidebarData
from photoclip.gui import tag_names

if TYPE_CHECKING:
    from photoclip.core.library import Library

log = logging.getLogger(__name__)

__all__ = ["Browse", "PhotoDetails", "ResultItem", "SidebarData", "load_details", "load_sidebar"]


@dataclass(frozen=True)
class Browse:
    """One request for the grid: a text query, an image, a similar photo, or everything."""

    text: str = ""
    image: str | None = None  # any image file: search by example
    similar_to: int | None = None  # a photo id: "more like this"
    folder: str | None = None
    after: date | None = None
    before: date | None = None  # exclusive
    tag: str | None = None
    album: str | None = None
    where: tuple[tuple[str, str], ...] = ()  # plugins' search filters, e.g. ("person", "12")
    limit: int = 500

    @property
    def is_search(self) -> bool:
        return bool(self.text.strip() or self.image or self.similar_to is not None)

    def filters(self) -> SearchFilters:
        return SearchFilters(
            folder=self.folder, after=self.after, before=self.before, tag=self.tag,
            album=self.album, where=self.where,
        )

    def run(self, lib: Library) -> list[ResultItem]:
        """The photos for this request: by score for a search, newest first otherwise."""
        if not self.is_search:
            return lib.browse.everything(self.filters())
        if self.similar_to is not None:
            hits = lib.similar(self.similar_to, limit=self.limit, filters=self.filters())
        elif self.image:
            hits = lib.similar(self.image, limit=self.limit, filters=self.filters())
        else:
            hits = lib.search(self.text, limit=self.limit, filters=self.filters())
        return lib.browse.items(hits)


def load_details(lib: Library, photo_id: int) -> PhotoDetails:
    """Everything the photo view shows about one photo (with its stars, heart, place, lens)."""
    stars, favourite = lib.ratings.marks([photo_id])[photo_id]
    facts = lib.facts.of(photo_id)
    return dataclasses.replace(lib.browse.details(photo_id), rating=stars, favourite=favourite,
                               place=facts["place"], lens=facts["lens"])


def load_sidebar(lib: Library) -> SidebarData:
    """Folders, tags and albums with their photo counts (and the automatic tags' names in the
    interface's language)."""
    tag_names.load(lib)
    data = lib.browse.sidebar(
        list(lib.settings.folders), lib.model_spec.key,
        model_ok=lib.model_installed(lib.model_spec),
    )
    return dataclasses.replace(data, places=lib.facts.place_counts())
