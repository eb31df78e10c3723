"""Exact before-pictures of tag and album rows, so that an edit can be undone to the row.

A :class:`TagSnapshot` holds every row of one tag (any source, with its score) and its
rejections for some photos; restoring it puts those photos back exactly as they were for that
tag. An :class:`AlbumSnapshot` holds an album's definition and members. Both are plain data
(JSON-ready), so the CLI's undo journal keeps them between runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from photoclip.core.catalog import Catalog
from photoclip.core.tags import (
    AlbumNotFoundError,
    TagError,
    TagStore,
    check_rule,
    normalise_tag,
)

__all__ = ["AlbumSnapshot", "TagSnapshot", "redefine_album", "rename_album", "restore_album",
           "restore_tag", "snapshot_album", "snapshot_tag"]

_CHUNK = 500


@dataclass(frozen=True)
class TagSnapshot:
    """Rows of ``tag`` for ``photo_ids``: (photo, tag, source, label set, score, model), and
    the photos where it was rejected."""

    tag: str
    photo_ids: tuple[int, ...]
    rows: tuple[tuple[Any, ...], ...]
    rejected: tuple[int, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"tag": self.tag, "photo_ids": list(self.photo_ids),
                "rows": [list(r) for r in self.rows], "rejected": list(self.rejected)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TagSnapshot:
        return cls(d["tag"], tuple(d["photo_ids"]), tuple(tuple(r) for r in d["rows"]),
                   tuple(d["rejected"]))


@dataclass(frozen=True)
class AlbumSnapshot:
    """An album as it was: its row (id, name, query, min score, tag, created) and members."""

    row: tuple[Any, ...]
    members: tuple[int, ...]

    @property
    def name(self) -> str:
        return str(self.row[1])

    def as_dict(self) -> dict[str, Any]:
        return {"row": list(self.row), "members": list(self.members)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> AlbumSnapshot:
        return cls(tuple(d["row"]), tuple(d["members"]))


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for lo in range(0, len(ids), _CHUNK):
        yield list(ids[lo : lo + _CHUNK])


def snapshot_tag(catalog: Catalog, tag: str, photo_ids: Iterable[int]) -> TagSnapshot:
    """How ``tag`` stands on these photos now."""
    tag = normalise_tag(tag)
    ids = list(dict.fromkeys(photo_ids))
    rows: list[tuple[Any, ...]] = []
    rejected: list[int] = []
    with catalog.transaction() as db:
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            rows += db.execute(
                "SELECT photo_id, tag, source, label_set, score, model FROM tags"
                f" WHERE tag=? AND photo_id IN ({marks}) ORDER BY photo_id, source",
                (tag, *chunk)).fetchall()
            rejected += [r[0] for r in db.execute(
                f"SELECT photo_id FROM rejected_tags WHERE tag=? AND photo_id IN ({marks})",
                (tag, *chunk))]
    return TagSnapshot(tag, tuple(ids), tuple(tuple(r) for r in rows), tuple(sorted(rejected)))


def restore_tag(store: TagStore, snap: TagSnapshot) -> None:
    """Put ``snap``'s photos back as they were for its tag (photos since removed from the
    library are skipped); the user-tag listeners (XMP sidecars, the vector store) follow."""
    catalog = store.catalog
    with catalog.transaction() as db:
        alive = set()
        for chunk in _chunks(list(snap.photo_ids)):
            marks = ",".join("?" * len(chunk))
            alive |= {r[0] for r in db.execute(
                f"SELECT id FROM photos WHERE id IN ({marks})", chunk)}
        for chunk in _chunks(sorted(alive)):
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM tags WHERE tag=? AND photo_id IN ({marks})",
                       (snap.tag, *chunk))
            db.execute(f"DELETE FROM rejected_tags WHERE tag=? AND photo_id IN ({marks})",
                       (snap.tag, *chunk))
        db.executemany(
            "INSERT INTO tags (photo_id, tag, source, label_set, score, model)"
            " VALUES (?, ?, ?, ?, ?, ?)", [r for r in snap.rows if r[0] in alive])
        db.executemany("INSERT INTO rejected_tags (photo_id, tag) VALUES (?, ?)",
                       [(pid, snap.tag) for pid in snap.rejected if pid in alive])
    store._changed(sorted(alive), {snap.tag})


def snapshot_album(store: TagStore, name: str) -> AlbumSnapshot:
    album = store.album(name)
    with store.catalog.transaction() as db:
        row = db.execute("SELECT id, name, query, min_score, tag, created FROM albums"
                         " WHERE id=?", (album.id,)).fetchone()
        members = [r[0] for r in db.execute(
            "SELECT photo_id FROM album_photos WHERE album_id=? ORDER BY photo_id",
            (album.id,))]
    return AlbumSnapshot(tuple(row), tuple(members))


def restore_album(store: TagStore, snap: AlbumSnapshot) -> None:
    """Make the album exactly ``snap`` again: its definition, id and members (photos since
    removed from the library are skipped). An album of the same name made since is refused
    rather than overwritten."""
    with store.catalog.transaction() as db:
        clash = db.execute("SELECT id FROM albums WHERE name=? COLLATE NOCASE AND id<>?",
                           (snap.row[1], snap.row[0])).fetchone()
        if clash is not None:
            raise TagError(f"another album called {snap.name!r} exists now: rename it first")
        db.execute("INSERT OR REPLACE INTO albums (id, name, query, min_score, tag, created)"
                   " VALUES (?, ?, ?, ?, ?, ?)", snap.row)
        db.execute("DELETE FROM album_photos WHERE album_id=?", (snap.row[0],))
        db.executemany(
            "INSERT INTO album_photos (album_id, photo_id) SELECT ?, id FROM photos WHERE id=?",
            [(snap.row[0], pid) for pid in snap.members])


def rename_album(store: TagStore, name: str, new_name: str) -> str:
    """Rename an album (its photos and rule stay); the new name as stored. Another album of
    that name is refused, never overwritten."""
    album = store.album(name)
    new_name = normalise_tag(new_name, "an album's name")
    for other in store.albums():
        if other.id != album.id and other.name.lower() == new_name.lower():
            raise TagError(f"an album called {other.name!r} exists already")
    with store.catalog.transaction() as db:
        if db.execute("UPDATE albums SET name=? WHERE id=?", (new_name, album.id)).rowcount != 1:
            raise AlbumNotFoundError(f"no album called {name!r}")
    return new_name


def redefine_album(store: TagStore, name: str, *, query: str | None = None,
                   min_score: float | None = None, tag: str | None = None) -> None:
    """Give a smart album another rule (a query and minimum score, or a tag). A plain album
    keeps what the user put in it: refused."""
    album = store.album(name)
    if not album.smart:
        raise TagError(f"{album.name!r} is a plain album: it holds the photos you put in it")
    if query is None and tag is None:
        raise TagError("a smart album needs a query (with a minimum score) or a tag")
    check_rule(query, min_score, tag)
    with store.catalog.transaction() as db:
        db.execute("UPDATE albums SET query=?, min_score=?, tag=? WHERE id=?",
                   (query, min_score, normalise_tag(tag) if tag else None, album.id))
