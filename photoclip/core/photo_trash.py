"""Photos of the library to the system trash and back; the catalog follows both ways.

:meth:`PhotoTrash.move` sends the files to the system trash (:mod:`photoclip.core.trash`,
never a delete) and drops the photos from the catalog and the vector store at once, keeping
what the user gave them (own tags, keywords, rejections, plain albums) in the returned
:class:`TrashRecord`. :meth:`PhotoTrash.restore` brings the files back, records them again,
gives them back those tags and albums and has them indexed again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from photoclip.core import scanner, trash
from photoclip.core.catalog import Catalog
from photoclip.core.tags import TagStore
from photoclip.core.trash import Trashed

log = logging.getLogger(__name__)

__all__ = ["PhotoTrash", "TrashRecord", "TrashedPhoto"]


@dataclass(frozen=True)
class TrashedPhoto:
    """One photo moved to the trash, with the user's tag rows, rejections and plain albums."""

    trashed: Trashed
    tags: tuple[tuple[Any, ...], ...] = ()  # (tag, source, label set, score, model)
    rejected: tuple[str, ...] = ()
    albums: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"trashed": self.trashed.as_dict(), "tags": [list(t) for t in self.tags],
                "rejected": list(self.rejected), "albums": list(self.albums)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrashedPhoto:
        return cls(Trashed.from_dict(d["trashed"]), tuple(tuple(t) for t in d["tags"]),
                   tuple(d["rejected"]), tuple(d["albums"]))


@dataclass
class TrashRecord:
    """What one move to the trash did (``photos``), for :meth:`PhotoTrash.restore`."""

    photos: list[TrashedPhoto] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"photos": [p.as_dict() for p in self.photos]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrashRecord:
        return cls([TrashedPhoto.from_dict(p) for p in d["photos"]])


class PhotoTrash:
    """``drop(ids)`` removes photos from the vector store and the catalog (no heirs: a copy
    left behind keeps its own identity); ``reindex(paths)`` indexes files again (an app with
    an indexing service sets :attr:`reindex` to queue them there instead)."""

    def __init__(self, catalog: Catalog, tags: TagStore, drop: Callable[[list[int]], None],
                 reindex: Callable[[list[str]], Any]) -> None:
        self._catalog = catalog
        self._tags = tags
        self._drop = drop
        self.reindex = reindex

    def move(self, photo_ids: Sequence[int]) -> TrashRecord:
        """Move these photos' files to the system trash; the library forgets them. A file
        that cannot go raises :class:`~photoclip.core.trash.TrashError`; those moved before
        it are forgotten too (and in ``error.record``)."""
        records = self._catalog.get_many(photo_ids)
        ids = [i for i in dict.fromkeys(photo_ids) if i in records]
        kept = {pid: self._keep(pid) for pid in ids}
        record = TrashRecord()
        try:
            for pid in ids:
                (moved,) = trash.move_to_trash([records[pid].path])
                record.photos.append(TrashedPhoto(moved, *kept[pid]))
        except trash.TrashError as exc:
            exc.record = record  # type: ignore[attr-defined]
            raise
        finally:
            gone = [pid for pid, p in zip(ids, record.photos)]
            if gone:
                self._drop(gone)
        return record

    def restore(self, record: TrashRecord) -> list[str]:
        """Bring the photos back (with their tags and albums) and index them again; their
        paths."""
        paths: list[str] = []
        for photo in record.photos:
            (path,) = trash.restore([photo.trashed])
            paths.append(path)
            info = scanner.stat_file(path)
            if info is None:
                continue
            pid, _ = self._catalog.upsert_file(info)
            with self._catalog.transaction() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO tags (photo_id, tag, source, label_set, score, model)"
                    " VALUES (?, ?, ?, ?, ?, ?)", [(pid, *t) for t in photo.tags])
                db.executemany("INSERT OR IGNORE INTO rejected_tags (photo_id, tag) VALUES (?, ?)",
                               [(pid, t) for t in photo.rejected])
                db.executemany(
                    "INSERT OR IGNORE INTO album_photos (album_id, photo_id)"
                    " SELECT id, ? FROM albums WHERE id=?", [(pid, a) for a in photo.albums])
        if paths:
            try:
                self.reindex(paths)
            except Exception as exc:  # e.g. no model yet: the next index run embeds them
                log.info("The restored photos wait for the next index run: %s", exc)
        return paths

    def _keep(self, pid: int) -> tuple[tuple[tuple[Any, ...], ...], tuple[str, ...],
                                       tuple[int, ...]]:
        with self._catalog.transaction() as db:
            tags = db.execute("SELECT tag, source, label_set, score, model FROM tags"
                              " WHERE photo_id=? AND source<>'auto'", (pid,)).fetchall()
            rejected = [r[0] for r in db.execute(
                "SELECT tag FROM rejected_tags WHERE photo_id=?", (pid,))]
            albums = [r[0] for r in db.execute(
                "SELECT album_id FROM album_photos WHERE photo_id=?", (pid,))]
        return tuple(tuple(t) for t in tags), tuple(rejected), tuple(albums)
