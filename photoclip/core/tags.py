"""Tags and albums: the user's own, read from files, and automatic ones kept strictly apart.

Rules that protect what users did by hand:
- automatic tags live in their own rows (``source = 'auto'``, with label set, score and model) and
  re-tagging replaces only those;
- a rejected automatic tag is remembered per photo and never suggested for it again;
- accepting an automatic tag turns it into the user's own;
- keywords read from a photo's XMP/IPTC (``source = 'keyword'``) count as the user's;
- everything is keyed by photo id, which survives moves, renames, re-indexing and model switches.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from photoclip.core.catalog import Catalog

USER, AUTO, KEYWORD = "user", "auto", "keyword"

log = logging.getLogger(__name__)

# Called after the user's tags of these photos changed: (photo ids, tags removed from them).
UserTagsChanged = Callable[[list[int], set[str]], None]
_CHUNK = 500  # photos per transaction when replacing automatic tags (also SQLite's bound limit)


@dataclass(frozen=True)
class PhotoTag:
    tag: str
    source: str  # user | auto | keyword
    label_set: str | None = None
    score: float | None = None
    model: str | None = None
    origin: str | None = None  # for keywords: "file" (inside the photo) or "sidecar" (XMP)


# What a tag operation did to one photo (TagChange.outcomes); CHANGES are those that changed it.
ADDED, ALREADY_YOURS = "added", "already yours"
REMOVED, KEYWORD_REMOVED, KEYWORD_KEPT, NOT_TAGGED = (
    "removed", "keyword removed", "keyword kept", "not tagged")
REJECTED, RECORDED, ALREADY_REJECTED, OWN_KEPT = (
    "rejected", "recorded", "already rejected", "own kept")
ACCEPTED, NOT_SUGGESTED = "accepted", "not suggested"
CHANGES = frozenset({ADDED, REMOVED, KEYWORD_REMOVED, REJECTED, RECORDED, ACCEPTED})


@dataclass(frozen=True)
class TagChange:
    """What ``add``/``remove``/``reject``/``accept`` did: photos counted by outcome, e.g.
    ``{"accepted": 2, "not suggested": 1}``. A rejection of a tag that is not suggested is
    recorded (it will not be suggested); ``own kept``: a rejected tag that is the user's own
    stays; ``keyword kept``: a keyword read from the file or sidecar that is still there."""

    action: str
    tag: str
    outcomes: dict[str, int]

    @property
    def photos(self) -> int:
        return sum(self.outcomes.values())

    @property
    def changed(self) -> int:
        """Photos whose tags (or rejections) changed."""
        return sum(n for k, n in self.outcomes.items() if k in CHANGES)

    def count(self, outcome: str) -> int:
        return self.outcomes.get(outcome, 0)


@dataclass(frozen=True)
class TagCount:
    tag: str
    own: int  # the user's tags and keywords from files
    auto: int
    auto_score: float | None = None  # mean confidence of the automatic ones


@dataclass(frozen=True)
class Album:
    id: int
    name: str
    query: str | None
    min_score: float | None
    tag: str | None

    @property
    def smart(self) -> bool:
        return self.query is not None or self.tag is not None


class TagError(ValueError):
    """A tag or album operation that cannot be done; the message says why."""


class AlbumNotFoundError(TagError, LookupError):
    """No album by that name: a name not found (exit status 1), not a malformed command."""


def normalise_tag(tag: str, what: str = "a tag") -> str:
    tag = " ".join(tag.strip().split())
    if not tag:
        raise TagError(f"{what} cannot be empty")
    return tag


def check_rule(query: str | None, min_score: float | None, tag: str | None) -> None:
    """TagError unless this is a valid album rule (none: a plain album)."""
    if query is not None and tag is not None:
        raise TagError("a smart album follows a query or a tag, not both")
    if min_score is not None and query is None:
        raise TagError("--min-score needs --query")
    if min_score is not None and not -1.0 <= min_score <= 1.0:
        raise TagError(
            f"a minimum score is a cosine similarity between -1 and 1, not {min_score:g} "
            "(try `photoclip search` with the query to see the scores)"
        )
    if query is not None and min_score is None:
        raise TagError(
            "an album that follows a query needs a minimum score (--min-score): "
            "try `photoclip search` with the query first to see the scores"
        )


class TagStore:
    """Tags and albums in the catalog database."""

    def __init__(self, catalog: Catalog, on_user_change: UserTagsChanged | None = None) -> None:
        self.catalog = catalog
        self.on_user_change = on_user_change

    def _changed(self, photo_ids: list[int], removed: Iterable[str] = ()) -> None:
        if self.on_user_change is None or not photo_ids:
            return
        try:
            self.on_user_change(photo_ids, set(removed))
        except Exception:  # e.g. a read-only sidecar: the tag change itself stands
            log.exception("Reacting to a tag change failed")

    def user_tags(self, photo_id: int) -> list[str]:
        """The user's own tags and the keywords from the photo's files, sorted."""
        with self.catalog.transaction() as db:
            rows = db.execute(
                "SELECT DISTINCT tag FROM tags WHERE photo_id=? AND source<>'auto' ORDER BY tag",
                (photo_id,),
            )
            return [r[0] for r in rows]

    def forget_keywords(self, photo_id: int, tags: Iterable[str]) -> None:
        """Drop keyword rows (when the sidecar they came from is rewritten without them)."""
        with self.catalog.transaction() as db:
            db.executemany(
                "DELETE FROM tags WHERE photo_id=? AND tag=? AND source='keyword'",
                [(photo_id, t) for t in tags],
            )

    # ----- reading ---------------------------------------------------------------------------

    def tags_of(self, photo_id: int) -> list[PhotoTag]:
        """A photo's tags: the user's first, then by score; keywords say where they were read."""
        with self.catalog.transaction() as db:
            rows = db.execute(
                "SELECT tag, source, label_set, score, model FROM tags WHERE photo_id=?"
                " ORDER BY source <> 'user', score DESC, tag",
                (photo_id,),
            ).fetchall()
        embedded = self.catalog.embedded_keywords([photo_id]).get(photo_id)
        inside = None if embedded is None else {" ".join(k.split()).lower() for k in embedded}
        out = []
        own = {tag.casefold() for tag, source, *_ in rows if source == USER}
        for tag, source, label_set, score, model in rows:
            if source == KEYWORD and tag.casefold() in own:
                continue  # the user's tag, also read back from a sidecar: listed once
            origin = None
            if source == KEYWORD and inside is not None:
                origin = "file" if tag.lower() in inside else "sidecar"
            out.append(PhotoTag(tag, source, label_set, score, model, origin))
        return out

    def counts(self) -> list[TagCount]:
        with self.catalog.transaction() as db:
            rows = db.execute(
                "SELECT tag, COUNT(DISTINCT CASE WHEN source <> 'auto' THEN photo_id END),"
                " SUM(source = 'auto'),"
                " AVG(CASE WHEN source = 'auto' THEN score END) FROM tags"
                " GROUP BY tag ORDER BY COUNT(DISTINCT photo_id) DESC, tag"
            ).fetchall()
        return [TagCount(t, int(own), int(auto), score) for t, own, auto, score in rows]

    def photos_with(self, tag: str, sources: Sequence[str] = (USER, AUTO, KEYWORD)) -> set[int]:
        marks = ",".join("?" * len(sources))
        with self.catalog.transaction() as db:
            rows = db.execute(
                f"SELECT DISTINCT photo_id FROM tags WHERE tag=? COLLATE NOCASE"
                f" AND source IN ({marks})",
                (normalise_tag(tag), *sources),
            )
            return {r[0] for r in rows}

    def rejected(self, photo_id: int) -> set[str]:
        with self.catalog.transaction() as db:
            rows = db.execute("SELECT tag FROM rejected_tags WHERE photo_id=?", (photo_id,))
            return {r[0] for r in rows}

    # ----- the user's own --------------------------------------------------------------------

    def _sources(self, db: sqlite3.Connection, tag: str, ids: list[int]) -> dict[int, set[str]]:
        """The sources of ``tag`` on each photo, plus ``"rejected"`` where it was rejected."""
        found: dict[int, set[str]] = {pid: set() for pid in ids}
        for lo in range(0, len(ids), _CHUNK):
            chunk = ids[lo : lo + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for pid, source in db.execute(
                f"SELECT photo_id, source FROM tags WHERE tag=? AND photo_id IN ({marks})"
                f" UNION SELECT photo_id, 'rejected' FROM rejected_tags"
                f" WHERE tag=? AND photo_id IN ({marks})", (tag, *chunk, tag, *chunk),
            ):
                found[pid].add(source)
        return found

    def add(self, tag: str, photo_ids: Iterable[int]) -> TagChange:
        """Add the user's own tag (it also lifts an earlier rejection of that tag)."""
        tag = normalise_tag(tag)
        ids = list(dict.fromkeys(photo_ids))
        outcomes: Counter[str] = Counter()
        with self.catalog.transaction() as db:
            for pid in ids:
                n = db.execute(
                    "INSERT OR IGNORE INTO tags (photo_id, tag, source) VALUES (?, ?, 'user')",
                    (pid, tag),
                ).rowcount
                db.execute("DELETE FROM rejected_tags WHERE photo_id=? AND tag=?", (pid, tag))
                outcomes[ADDED if n else ALREADY_YOURS] += 1
        self._changed(ids)
        return TagChange("add", tag, dict(outcomes))

    def remove(self, tag: str, photo_ids: Iterable[int]) -> TagChange:
        """Remove the user's tag, or a keyword read from the photo's file or sidecar. A removed
        keyword is remembered like a rejection (the files are not changed here), so reading the
        file again never brings it back; ``add`` lifts it. The result says what each photo had."""
        tag = normalise_tag(tag)
        ids = list(dict.fromkeys(photo_ids))
        with self.catalog.transaction() as db:
            before = self._sources(db, tag, ids)
            for pid in ids:
                db.execute(
                    "DELETE FROM tags WHERE photo_id=? AND tag=? AND source IN ('user', 'keyword')",
                    (pid, tag),
                )
                if KEYWORD in before[pid]:
                    db.execute(
                        "INSERT OR IGNORE INTO rejected_tags (photo_id, tag) VALUES (?, ?)",
                        (pid, tag),
                    )
        self._changed(ids, {tag})
        with self.catalog.transaction() as db:
            after = self._sources(db, tag, ids)
        outcomes: Counter[str] = Counter()
        for pid in ids:
            if KEYWORD in before[pid]:
                outcomes[KEYWORD_KEPT if KEYWORD in after[pid] else KEYWORD_REMOVED] += 1
            else:
                outcomes[REMOVED if USER in before[pid] else NOT_TAGGED] += 1
        return TagChange("remove", tag, dict(outcomes))

    def unreject(self, photo_id: int, tags: Iterable[str]) -> None:
        """Forget that these tags were rejected or removed (e.g. a removed keyword that is
        gone from the sidecar: if another tool puts it back, it is the user's word again)."""
        with self.catalog.transaction() as db:
            db.executemany(
                "DELETE FROM rejected_tags WHERE photo_id=? AND tag=?",
                [(photo_id, t) for t in tags],
            )

    def reject(self, tag: str, photo_ids: Iterable[int]) -> TagChange:
        """An automatic tag is wrong for these photos: drop it and never suggest it again
        (recorded even where it is not suggested now)."""
        tag = normalise_tag(tag)
        ids = list(dict.fromkeys(photo_ids))
        outcomes: Counter[str] = Counter()
        with self.catalog.transaction() as db:
            before = self._sources(db, tag, ids)
            for pid in ids:
                db.execute(
                    "INSERT OR IGNORE INTO rejected_tags (photo_id, tag) VALUES (?, ?)", (pid, tag)
                )
                db.execute(
                    "DELETE FROM tags WHERE photo_id=? AND tag=? AND source='auto'", (pid, tag)
                )
                had = before[pid]
                if AUTO in had:
                    outcomes[REJECTED] += 1
                elif had & {USER, KEYWORD}:
                    outcomes[OWN_KEPT] += 1
                else:
                    outcomes[ALREADY_REJECTED if "rejected" in had else RECORDED] += 1
        return TagChange("reject", tag, dict(outcomes))

    def accept(self, tag: str, photo_ids: Iterable[int]) -> TagChange:
        """Turn automatic tags into the user's own; a photo where the tag is not suggested is
        left alone (``add`` gives a photo a tag of the user's)."""
        tag = normalise_tag(tag)
        ids = list(dict.fromkeys(photo_ids))
        outcomes: Counter[str] = Counter()
        accepted = []
        with self.catalog.transaction() as db:
            before = self._sources(db, tag, ids)
            for pid in ids:
                had = before[pid]
                if AUTO in had:
                    db.execute(
                        "DELETE FROM tags WHERE photo_id=? AND tag=? AND source='auto'",
                        (pid, tag),
                    )
                    db.execute(
                        "INSERT OR IGNORE INTO tags (photo_id, tag, source) VALUES (?, ?, 'user')",
                        (pid, tag),
                    )
                    db.execute("DELETE FROM rejected_tags WHERE photo_id=? AND tag=?", (pid, tag))
                    accepted.append(pid)
                    outcomes[ACCEPTED] += 1
                else:
                    outcomes[ALREADY_YOURS if had & {USER, KEYWORD} else NOT_SUGGESTED] += 1
        self._changed(accepted)
        return TagChange("accept", tag, dict(outcomes))

    def set_keywords(self, photo_id: int, keywords: Sequence[str]) -> None:
        """The keywords currently in a photo's file (replacing what was read before)."""
        self.set_keywords_many({photo_id: keywords})

    def set_keywords_many(self, found: dict[int, Sequence[str]]) -> None:
        """``set_keywords`` for many photos in one transaction. A keyword also drops any
        automatic tag of the same name (the file's keyword is the user's word); a keyword the
        user removed from the photo (see ``remove``) is skipped."""
        with self.catalog.transaction() as db:
            for pid, keywords in found.items():
                db.execute("DELETE FROM tags WHERE photo_id=? AND source='keyword'", (pid,))
                removed = {  # keywords the user removed from this photo stay removed
                    r[0].casefold() for r in db.execute(
                        "SELECT tag FROM rejected_tags WHERE photo_id=?", (pid,))
                }
                rows = [(pid, normalise_tag(k)) for k in keywords
                        if k.strip() and normalise_tag(k).casefold() not in removed]
                db.executemany(
                    "INSERT OR IGNORE INTO tags (photo_id, tag, source) VALUES (?, ?, 'keyword')",
                    rows,
                )
                db.executemany(
                    "DELETE FROM tags WHERE photo_id=? AND tag=? AND source='auto'", rows
                )

    # ----- automatic -------------------------------------------------------------------------

    def replace_auto(
        self,
        model: str,
        suggestions: dict[int, Sequence[tuple[str, str, float]]],
    ) -> int:
        """New automatic tags for these photos: {photo id: [(tag, label set, score)]}.

        Rejected tags and tags the user already has are skipped; other sources are untouched.
        """
        written = 0
        items = list(suggestions.items())
        for lo in range(0, len(items), _CHUNK):  # one short transaction per chunk of photos
            chunk = items[lo : lo + _CHUNK]
            ids = [pid for pid, _ in chunk]
            marks = ",".join("?" * len(ids))
            with self.catalog.transaction() as db:
                db.execute(f"DELETE FROM tags WHERE source='auto' AND photo_id IN ({marks})", ids)
                blocked = {
                    (pid, tag.lower()) for pid, tag in db.execute(
                        f"SELECT photo_id, tag FROM rejected_tags WHERE photo_id IN ({marks})"
                        f" UNION SELECT photo_id, tag FROM tags WHERE source<>'auto'"
                        f" AND photo_id IN ({marks})", ids + ids)
                }
                rows = [
                    (pid, tag, label_set, float(score), model)
                    for pid, tags in chunk for tag, label_set, score in tags
                    if (pid, tag.lower()) not in blocked
                ]
                db.executemany(
                    "INSERT OR REPLACE INTO tags (photo_id, tag, source, label_set, score, model)"
                    " VALUES (?, ?, 'auto', ?, ?, ?)", rows,
                )
                written += len(rows)
        return written

    # ----- albums ----------------------------------------------------------------------------

    def albums(self) -> list[Album]:
        with self.catalog.transaction() as db:
            rows = db.execute(
                "SELECT id, name, query, min_score, tag FROM albums ORDER BY name"
            ).fetchall()
        return [Album(*r) for r in rows]

    def album(self, name: str) -> Album:
        albums = self.albums()
        for album in albums:
            if album.name.lower() == name.strip().lower():
                return album
        have = ("; your albums: " + ", ".join(a.name for a in albums)) if albums else \
            " (there are no albums yet)"
        raise AlbumNotFoundError(f"no album called {name!r}{have}")

    def create_album(
        self, name: str, *, query: str | None = None, min_score: float | None = None,
        tag: str | None = None,
    ) -> Album:
        name = normalise_tag(name, "an album's name")
        check_rule(query, min_score, tag)
        if any(a.name.lower() == name.lower() for a in self.albums()):
            raise TagError(f"an album called {name!r} exists already")
        with self.catalog.transaction() as db:
            db.execute(
                "INSERT INTO albums (name, query, min_score, tag, created) VALUES (?, ?, ?, ?, ?)",
                (name, query, min_score, normalise_tag(tag) if tag else None, time.time()),
            )
        return self.album(name)

    def delete_album(self, name: str) -> None:
        album = self.album(name)
        with self.catalog.transaction() as db:
            db.execute("DELETE FROM albums WHERE id=?", (album.id,))

    def add_to_album(self, name: str, photo_ids: Iterable[int]) -> int:
        album = self._plain(name)
        with self.catalog.transaction() as db:
            return sum(
                db.execute(
                    "INSERT OR IGNORE INTO album_photos (album_id, photo_id) VALUES (?, ?)",
                    (album.id, pid),
                ).rowcount
                for pid in photo_ids
            )

    def remove_from_album(self, name: str, photo_ids: Iterable[int]) -> int:
        album = self._plain(name)
        with self.catalog.transaction() as db:
            return sum(
                db.execute(
                    "DELETE FROM album_photos WHERE album_id=? AND photo_id=?", (album.id, pid)
                ).rowcount
                for pid in photo_ids
            )

    def plain_members(self, album: Album) -> set[int]:
        with self.catalog.transaction() as db:
            rows = db.execute("SELECT photo_id FROM album_photos WHERE album_id=?", (album.id,))
            return {r[0] for r in rows}

    def _plain(self, name: str) -> Album:
        album = self.album(name)
        if album.smart:
            raise TagError(f"{album.name!r} is a smart album: it fills itself")
        return album
