"""The tags and albums that the fronts (CLI, GUI, socket clients) change and list: one door
over the tag store, so no front reaches into it or into the catalog."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from photoclip.core import tag_snapshots
from photoclip.core.tag_snapshots import AlbumSnapshot, TagSnapshot
from photoclip.core.tags import Album, PhotoTag, TagChange, TagCount, TagError, TagStore

log = logging.getLogger(__name__)

__all__ = ["Albums", "PhotoTags"]

#: The tag operations a front may run by name (``photoclip tag ACTION``, the GUI's menus).
TAG_ACTIONS = ("add", "remove", "reject", "accept")


class PhotoTags:
    """Tags of photos: the user's own, keywords read from files, automatic ones."""

    def __init__(self, tags: TagStore) -> None:
        self._tags = tags

    def counts(self) -> list[TagCount]:
        """Every tag with how many photos carry it (own and automatic)."""
        return self._tags.counts()

    def of(self, photo_id: int) -> list[PhotoTag]:
        """A photo's tags: own tags first, then automatic ones by score."""
        return self._tags.tags_of(photo_id)

    def own(self, photo_id: int) -> list[str]:
        """The user's own tags of a photo."""
        return self._tags.user_tags(photo_id)

    def rejected(self, photo_id: int) -> set[str]:
        return self._tags.rejected(photo_id)

    def photos_with(self, tag: str) -> set[int]:
        return self._tags.photos_with(tag)

    def apply(self, action: str, tag: str, photo_ids: Iterable[int]) -> TagChange:
        """Run a tag action (``add``, ``remove``, ``reject``, ``accept``); what it did to each
        photo (:class:`~photoclip.core.tags.TagChange`)."""
        if action not in TAG_ACTIONS:
            raise ValueError(f"unknown tag action {action!r} (one of {', '.join(TAG_ACTIONS)})")
        change: TagChange = getattr(self._tags, action)(tag, list(photo_ids))
        return change

    def add(self, tag: str, photo_ids: Iterable[int]) -> TagChange:
        return self.apply("add", tag, photo_ids)

    def snapshot(self, tag: str, photo_ids: Iterable[int]) -> TagSnapshot:
        """How ``tag`` stands on these photos now (for undo: :meth:`restore`)."""
        return tag_snapshots.snapshot_tag(self._tags.catalog, tag, photo_ids)

    def restore(self, snap: TagSnapshot) -> None:
        """Put photos back as they were for a tag (:meth:`snapshot`)."""
        tag_snapshots.restore_tag(self._tags, snap)

    def remove(self, tag: str, photo_ids: Iterable[int]) -> TagChange:
        return self.apply("remove", tag, photo_ids)


class Albums:
    """Plain and smart albums. ``search_ids(query, min_score)`` evaluates a smart album's query
    (the library's search), so smart albums are always up to date."""

    def __init__(
        self, tags: TagStore, search_ids: Callable[[str, float | None], set[int]]
    ) -> None:
        self._tags = tags
        self._search_ids = search_ids

    def list(self) -> list[Album]:
        """Every album, by name."""
        return self._tags.albums()

    def get(self, name: str) -> Album:
        return self._tags.album(name)

    def members(self, name: str) -> set[int]:
        """The photos in an album; smart albums are evaluated now."""
        album = self._tags.album(name)
        if album.tag is not None:
            return self._tags.photos_with(album.tag)
        if album.query is not None:
            return self._search_ids(album.query, album.min_score)
        return self._tags.plain_members(album)

    def of_photo(self, photo_id: int, *, smart: bool = True) -> list[str]:
        """The albums a photo is in (smart ones too unless ``smart=False``)."""
        out = []
        for album in self.list():
            if album.smart and not smart:
                continue
            try:
                if photo_id in self.members(album.name):
                    out.append(album.name)
            except Exception as exc:  # a smart album whose query cannot run now
                log.info("Album %s cannot be evaluated: %s", album.name, exc)
        return out

    def counts(self, *, evaluate_queries: bool = True) -> list[tuple[Album, int]]:
        """Every album with its size. Albums that follow a query count 0 when
        ``evaluate_queries`` is False (no model) or their query cannot run now."""
        rows = []
        for album in self.list():
            if album.query is not None and not evaluate_queries:
                rows.append((album, 0))
                continue
            try:
                rows.append((album, len(self.members(album.name))))
            except Exception as exc:  # a smart album whose query cannot run now
                log.info("Album %s cannot be counted: %s", album.name, exc)
                rows.append((album, 0))
        return rows

    def create(
        self, name: str, *, query: str | None = None, min_score: float | None = None,
        tag: str | None = None,
    ) -> Album:
        return self._tags.create_album(name, query=query, min_score=min_score, tag=tag)

    def preview(
        self, *, query: str | None = None, min_score: float | None = None,
        tag: str | None = None,
    ) -> int:
        """How many photos a smart album with this rule would hold now (nothing is saved)."""
        if tag is not None and tag.strip():
            return len(self._tags.photos_with(tag.strip()))
        if query is not None and query.strip():
            if min_score is None:
                raise TagError("an album that follows a query needs a minimum score")
            return len(self._search_ids(query.strip(), min_score))
        return 0

    def delete(self, name: str) -> None:
        self._tags.delete_album(name)

    def rename(self, name: str, new_name: str) -> str:
        """Rename an album (never over another one); the new name."""
        return tag_snapshots.rename_album(self._tags, name, new_name)

    def redefine(self, name: str, *, query: str | None = None,
                 min_score: float | None = None, tag: str | None = None) -> None:
        """Give a smart album another rule (never a plain one)."""
        tag_snapshots.redefine_album(self._tags, name, query=query, min_score=min_score,
                                     tag=tag)

    def snapshot(self, name: str) -> AlbumSnapshot:
        """An album's definition and members now (for undo: :meth:`restore`)."""
        return tag_snapshots.snapshot_album(self._tags, name)

    def restore(self, snap: AlbumSnapshot) -> None:
        """Make an album exactly as it was (:meth:`snapshot`), also after it was deleted."""
        tag_snapshots.restore_album(self._tags, snap)

    def add(self, name: str, photo_ids: Iterable[int], *, create: bool = False) -> int:
        """Put photos into a plain album (``create``: make it first if it does not exist)."""
        if create and not any(a.name.lower() == name.strip().lower() for a in self.list()):
            self._tags.create_album(name)
        return self._tags.add_to_album(name, photo_ids)

    def remove(self, name: str, photo_ids: Iterable[int]) -> int:
        return self._tags.remove_from_album(name, photo_ids)
