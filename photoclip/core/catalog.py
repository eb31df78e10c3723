"""The photo catalog: one SQLite file with every known photo and its indexing state.

Chroma holds the vectors; the catalog holds everything else, and is the source of truth for
*which* vectors should exist. A photo is *indexed* for a model when ``embeddings`` has a row for
(photo, model) whose hash equals the photo's current content hash; *failed* when ``error`` is set;
*pending* otherwise. Vectors are written to Chroma before the ``embeddings`` row is committed, so a
crash at any moment leaves at worst a vector without a row, which :meth:`Library.open` sweeps.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from photoclip.core import catalog_backup, migrations, reasons
from photoclip.core.migrations import SCHEMA_VERSION
from photoclip.core.types import FileInfo, ImageInfo

__all__ = ["SCHEMA_VERSION", "Catalog", "CatalogCounts", "PhotoRecord", "ScanDiff"]

_PHOTO_COLUMNS = (
    "id, path, folder, size, mtime_ns, hash, width, height, format, taken, camera, error"
)


@dataclass(frozen=True)
class PhotoRecord:
    """One row of the catalog."""

    id: int
    path: str
    folder: str
    size: int
    mtime_ns: int
    hash: str | None
    width: int | None
    height: int | None
    format: str | None
    taken: float | None
    camera: str | None
    error: str | None

    @property
    def date(self) -> float:
        """Capture time if known, else the file's modification time (epoch seconds)."""
        return self.taken if self.taken is not None else self.mtime_ns / 1e9


@dataclass(frozen=True)
class ScanDiff:
    """How a folder walk compares with the catalog."""

    new: int
    changed: int
    unchanged: int
    missing_ids: frozenset[int]  # catalog photos under the folders whose file was not found


@dataclass(frozen=True)
class CatalogCounts:
    photos: int
    indexed: int
    pending: int
    failed: int


class Catalog:
    """Thread-safe access to the catalog database (one connection, one lock)."""

    def __init__(self, path: Path, *, backups: Path | None = None) -> None:
        """Open (creating, migrating or refusing) the catalog at ``path``.

        Once a day the file is checked (``PRAGMA quick_check``) and, if sound, backed up in the
        background into ``backups`` (default: ``backups/`` beside it); before a migration it is
        backed up first, whatever the day. A damaged file raises ``CatalogDamagedError`` naming
        it and its newest good backup; one from a newer photoclip ``CatalogTooNewError``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.backups = backups if backups is not None else catalog_backup.backups_dir(path)
        self._lock = threading.RLock()
        self._backup_thread: threading.Thread | None = None
        existed = path.exists() and path.stat().st_size > 0
        if not existed and catalog_backup.list_backups(self.backups):  # not a new library
            why = reasons.EMPTY_FILE if path.exists() else reasons.MISSING_FILE
            raise migrations.damaged(path, why, self.backups)
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: survives kills
                self._db.execute("PRAGMA foreign_keys=ON")
                daily_due = migrations.upgrade(self._db, path, self.backups, existed)
            except BaseException:
                self._db.close()
                raise
        except sqlite3.DatabaseError as exc:
            if catalog_backup.is_damage(exc):
                raise migrations.damaged(path, str(exc), self.backups) from exc
            raise
        if existed and daily_due:
            self._backup_thread = threading.Thread(
                target=catalog_backup.take_daily, args=(self.path, self.backups),
                name="catalog-backup", daemon=True,
            )
            self._backup_thread.start()

    def close(self) -> None:
        """Close the database (after a daily backup still being written)."""
        if self._backup_thread is not None:
            self._backup_thread.join()
        with self._lock:
            self._db.close()

    def backup(self, kind: str = catalog_backup.DAILY) -> Path:
        """Back the catalog up now (see :mod:`photoclip.core.catalog_backup`)."""
        if self._backup_thread is not None:
            self._backup_thread.join()
        with self._lock:
            return catalog_backup.take(self._db, self.backups, kind)

    def get_meta(self, key: str) -> str | None:
        """A value the library keeps about itself (e.g. the state automatic tags were made in)."""
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str | None) -> None:
        with self.transaction() as db:
            if value is None:
                db.execute("DELETE FROM meta WHERE key=?", (key,))
            else:
                db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic unit of work; nested use joins the outer transaction."""
        with self._lock:
            if self._db.in_transaction:
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ----- reading ---------------------------------------------------------------------------

    def _records(self, sql: str, params: Sequence[object] = ()) -> list[PhotoRecord]:
        with self._lock:
            return [PhotoRecord(*row) for row in self._db.execute(sql, params)]

    def get(self, photo_id: int) -> PhotoRecord | None:
        rows = self._records(f"SELECT {_PHOTO_COLUMNS} FROM photos WHERE id=?", (photo_id,))
        return rows[0] if rows else None

    def get_by_path(self, path: str) -> PhotoRecord | None:
        rows = self._records(f"SELECT {_PHOTO_COLUMNS} FROM photos WHERE path=?", (path,))
        return rows[0] if rows else None

    def get_many(self, ids: Iterable[int]) -> dict[int, PhotoRecord]:
        out: dict[int, PhotoRecord] = {}
        ids = list(ids)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for rec in self._records(
                f"SELECT {_PHOTO_COLUMNS} FROM photos WHERE id IN ({marks})", chunk
            ):
                out[rec.id] = rec
        return out

    def all_photos(self) -> list[PhotoRecord]:
        return self._records(f"SELECT {_PHOTO_COLUMNS} FROM photos ORDER BY path")

    def paths(self) -> list[str]:
        """Every photo's path."""
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT path FROM photos")]

    def photos_in_folder(self, folder: str) -> dict[str, int]:
        """path -> id for the photos directly in ``folder`` (not in its subfolders)."""
        with self._lock:
            rows = self._db.execute("SELECT path, id FROM photos WHERE folder=?", (folder,))
            return dict(rows.fetchall())

    def sidecar_stamps(self, ids: Iterable[int] | None = None) -> dict[int, str]:
        """{photo id: stamp of the sidecars its keywords were last read from}, for every photo
        or for ``ids``."""
        return {pid: stamp for pid, (_, stamp) in self._file_keywords(ids).items()}

    def embedded_keywords(self, ids: Iterable[int]) -> dict[int, list[str] | None]:
        """{photo id: the keywords last read from inside its file; None where not known}."""
        return {
            pid: None if emb is None else json.loads(emb)
            for pid, (emb, _) in self._file_keywords(ids).items()
        }

    def _file_keywords(self, ids: Iterable[int] | None) -> dict[int, tuple[str | None, str]]:
        query = "SELECT photo_id, embedded, sidecars FROM file_keywords"
        with self._lock:
            if ids is None:
                return {pid: (emb, stamp) for pid, emb, stamp in self._db.execute(query)}
            out: dict[int, tuple[str | None, str]] = {}
            ids = list(ids)
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for pid, emb, stamp in self._db.execute(
                    f"{query} WHERE photo_id IN ({marks})", chunk
                ):
                    out[pid] = (emb, stamp)
            return out

    def ids_without_file_keywords(self) -> list[int]:
        """Photos (not failed) whose own keywords were never read, or not recorded."""
        with self._lock:
            return [r[0] for r in self._db.execute(
                "SELECT p.id FROM photos p LEFT JOIN file_keywords k ON k.photo_id = p.id"
                " WHERE k.embedded IS NULL AND p.error IS NULL ORDER BY p.path"
            )]

    def set_file_keywords(self, rows: dict[int, tuple[list[str] | None, str]]) -> None:
        """Record {photo id: (keywords inside the file or None, sidecar stamp)}."""
        with self.transaction() as db:
            db.executemany(  # a photo removed meanwhile is skipped (no foreign-key error)
                "INSERT OR REPLACE INTO file_keywords (photo_id, embedded, sidecars)"
                " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM photos WHERE id=?)",
                [
                    (pid, None if emb is None else json.dumps(emb), stamp, pid)
                    for pid, (emb, stamp) in rows.items()
                ],
            )

    def pending(self, model: str) -> list[PhotoRecord]:
        """Photos that need work for ``model``: not failed and not indexed with their content."""
        return self._records(
            f"SELECT {_PHOTO_COLUMNS} FROM photos p WHERE p.error IS NULL AND NOT EXISTS ("
            " SELECT 1 FROM embeddings e WHERE e.photo_id=p.id AND e.model=? AND e.hash=p.hash)"
            " ORDER BY p.path",
            (model,),
        )

    def failed(self) -> list[PhotoRecord]:
        return self._records(
            f"SELECT {_PHOTO_COLUMNS} FROM photos WHERE error IS NOT NULL ORDER BY path"
        )

    def indexed_ids(self, model: str) -> set[int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT e.photo_id FROM embeddings e JOIN photos p ON p.id=e.photo_id"
                " WHERE e.model=? AND e.hash=p.hash",
                (model,),
            )
            return {r[0] for r in rows}

    def embedded_ids(self, model: str) -> set[int]:
        """Photos with any vector row for ``model`` (current content or not)."""
        with self._lock:
            rows = self._db.execute("SELECT photo_id FROM embeddings WHERE model=?", (model,))
            return {r[0] for r in rows}

    def embedding_hashes(self, model: str) -> dict[int, str]:
        """{photo id: content hash its stored vector was made from} for ``model``."""
        with self._lock:
            rows = self._db.execute(
                "SELECT photo_id, hash FROM embeddings WHERE model=?", (model,)
            )
            return dict(rows.fetchall())

    def vector_source_by_hash(self, model: str) -> dict[str, int]:
        """Content hash -> a photo whose stored vector for ``model`` was made from that content."""
        with self._lock:
            rows = self._db.execute(
                "SELECT e.hash, e.photo_id FROM embeddings e WHERE e.model=? ORDER BY e.photo_id",
                (model,),
            )
            out: dict[str, int] = {}
            for h, pid in rows:
                out.setdefault(h, pid)
            return out

    def counts(self, model: str) -> CatalogCounts:
        with self._lock:
            total, failed = self._db.execute(
                "SELECT COUNT(*), COUNT(error) FROM photos"
            ).fetchone()
        indexed = len(self.indexed_ids(model))
        return CatalogCounts(total, indexed, total - indexed - failed, failed)

    def stats_by_path(self, folders: Sequence[str]) -> dict[str, tuple[int, int, int]]:
        """path -> (id, size, mtime_ns) for every photo under ``folders``."""
        out: dict[str, tuple[int, int, int]] = {}
        with self._lock:
            for folder in folders:
                lo, hi = _prefix_range(folder)
                for pid, path, size, mtime in self._db.execute(
                    "SELECT id, path, size, mtime_ns FROM photos"
                    " WHERE path = ? OR (path >= ? AND path < ?)",
                    (folder, lo, hi),
                ):
                    out[path] = (pid, size, mtime)
        return out

    def ids_outside(self, folders: Sequence[str]) -> list[int]:
        """Photos that belong to no configured folder (e.g. after a folder was removed)."""
        with self._lock:
            rows = list(self._db.execute("SELECT id, path FROM photos"))
        return [pid for pid, path in rows if not any(_is_under(path, f) for f in folders)]

    # ----- writing ---------------------------------------------------------------------------

    def apply_scan(self, files: Iterable[FileInfo], folders: Sequence[str]) -> ScanDiff:
        """Record new and changed files as pending; report catalog photos whose file is gone."""
        known = self.stats_by_path(folders)
        seen: set[str] = set()
        new = changed = unchanged = 0
        now = time.time()
        with self.transaction() as db:
            for f in files:
                seen.add(f.path)
                old = known.get(f.path)
                if old is None:
                    db.execute(
                        "INSERT INTO photos (path, folder, size, mtime_ns, added_at)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (f.path, str(Path(f.path).parent), f.size, f.mtime_ns, now),
                    )
                    new += 1
                elif (old[1], old[2]) != (f.size, f.mtime_ns):
                    db.execute(
                        "UPDATE photos SET size=?, mtime_ns=?, hash=NULL, error=NULL WHERE id=?",
                        (f.size, f.mtime_ns, old[0]),
                    )
                    changed += 1
                else:
                    unchanged += 1
        missing = frozenset(pid for path, (pid, _, _) in known.items() if path not in seen)
        return ScanDiff(new, changed, unchanged, missing)

    def upsert_file(self, f: FileInfo) -> tuple[int, bool]:
        """Add or refresh one file (watcher path); returns (photo id, whether it needs work)."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT id, size, mtime_ns FROM photos WHERE path=?", (f.path,)
            ).fetchone()
            if row is None:
                cur = db.execute(
                    "INSERT INTO photos (path, folder, size, mtime_ns, added_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (f.path, str(Path(f.path).parent), f.size, f.mtime_ns, time.time()),
                )
                return int(cur.lastrowid or 0), True
            if (row[1], row[2]) == (f.size, f.mtime_ns):
                return row[0], False
            db.execute(
                "UPDATE photos SET size=?, mtime_ns=?, hash=NULL, error=NULL WHERE id=?",
                (f.size, f.mtime_ns, row[0]),
            )
            return row[0], True

    def set_hash(self, photo_id: int, content_hash: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE photos SET hash=? WHERE id=?", (content_hash, photo_id))

    def mark_indexed(
        self, model: str, items: Sequence[tuple[int, str, ImageInfo | None]]
    ) -> None:
        """Record (photo id, content hash, image facts) as embedded with ``model``."""
        with self.transaction() as db:
            for pid, content_hash, info in items:
                if info is not None:
                    db.execute(
                        "UPDATE photos SET hash=?, error=NULL, width=?, height=?, format=?,"
                        " taken=?, camera=? WHERE id=?",
                        (
                            content_hash,
                            info.width,
                            info.height,
                            info.format,
                            info.taken.timestamp() if info.taken else None,
                            info.camera,
                            pid,
                        ),
                    )
                else:
                    db.execute(
                        "UPDATE photos SET hash=?, error=NULL WHERE id=?", (content_hash, pid)
                    )
                db.execute(
                    "INSERT OR REPLACE INTO embeddings (photo_id, model, hash) VALUES (?, ?, ?)",
                    (pid, model, content_hash),
                )

    def copy_facts(self, source_id: int, target_id: int) -> None:
        """Give ``target`` the image facts of ``source`` (same content, no decode needed)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE photos SET (width, height, format, taken, camera) ="
                " (SELECT width, height, format, taken, camera FROM photos WHERE id=?)"
                " WHERE id=?",
                (source_id, target_id),
            )

    def mark_failed(self, photo_id: int, reason: str, content_hash: str | None = None) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE photos SET error=?, hash=COALESCE(?, hash) WHERE id=?",
                (reason or "unknown error", content_hash, photo_id),
            )
            db.execute("DELETE FROM embeddings WHERE photo_id=?", (photo_id,))

    def move(self, photo_id: int, new_path: str, size: int, mtime_ns: int) -> None:
        """A photo's file moved: keep its id (and so its vector, tags and albums)."""
        with self.transaction() as db:
            db.execute("DELETE FROM photos WHERE path=? AND id<>?", (new_path, photo_id))
            db.execute(
                "UPDATE photos SET path=?, folder=?, size=?, mtime_ns=? WHERE id=?",
                (new_path, str(Path(new_path).parent), size, mtime_ns, photo_id),
            )

    def heirs(self, ids: Sequence[int]) -> dict[int, int]:
        """For photos about to be removed: a photo with the same content, added later and not
        itself being removed, that should take over their identity (a move seen as copy and
        delete, e.g. across batches or devices). Returns {removed id: heir id}."""
        gone = set(ids)
        out: dict[int, int] = {}
        taken: set[int] = set()
        with self._lock:
            for pid in ids:
                row = self._db.execute(
                    "SELECT hash, added_at FROM photos WHERE id=?", (pid,)
                ).fetchone()
                if row is None or row[0] is None:
                    continue
                for (heir,) in self._db.execute(
                    "SELECT id FROM photos WHERE hash=? AND added_at>=? AND id<>?"
                    " ORDER BY added_at DESC, id DESC",
                    (row[0], row[1], pid),
                ):
                    if heir not in gone and heir not in taken:
                        out[pid] = heir
                        taken.add(heir)
                        break
        return out

    def inherit(self, photo_id: int, heir_id: int) -> None:
        """``photo_id`` takes over ``heir_id``'s file; the heir's own row goes."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT path, size, mtime_ns FROM photos WHERE id=?", (heir_id,)
            ).fetchone()
            if row is None:
                return
            db.execute("DELETE FROM photos WHERE id=?", (heir_id,))
            db.execute(
                "UPDATE photos SET path=?, folder=?, size=?, mtime_ns=? WHERE id=?",
                (row[0], str(Path(row[0]).parent), row[1], row[2], photo_id),
            )

    def delete(self, ids: Sequence[int]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM photos WHERE id=?", [(i,) for i in ids])

    def forget_embeddings(self, model: str, ids: Iterable[int]) -> None:
        with self.transaction() as db:
            db.executemany(
                "DELETE FROM embeddings WHERE model=? AND photo_id=?", [(model, i) for i in ids]
            )

    def retry_failed(self) -> int:
        """Clear failure marks so the next run tries those files again."""
        with self.transaction() as db:
            return db.execute("UPDATE photos SET error=NULL WHERE error IS NOT NULL").rowcount


def _prefix_range(folder: str) -> tuple[str, str]:
    """SQL range covering every path strictly inside ``folder``."""
    sep = "\\" if "\\" in folder and "/" not in folder else "/"
    base = folder.rstrip(sep) + sep
    return base, base[:-1] + chr(ord(sep) + 1)


def _is_under(path: str, folder: str) -> bool:
    if path == folder:
        return True
    lo, hi = _prefix_range(folder)
    return lo <= path < hi
