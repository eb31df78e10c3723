"""Recovering a damaged catalog: restore the newest good backup, rebuild the rest.

:func:`recover_catalog` moves the damaged ``catalog.sqlite3`` aside (never deletes it), puts the
newest backup that passes ``PRAGMA integrity_check`` in its place, and adds back from the vector
store every photo indexed since that backup whose file still exists, with its vector: the next
``photoclip index`` finds nothing to embed for them, and reads their keywords (in the files and
their XMP sidecars) again.
What lived only in the damaged catalog since the backup (tags, albums made since) cannot come back.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from photoclip.config import AppPaths, Settings
from photoclip.core import catalog_backup, migrations
from photoclip.core import reasons as R
from photoclip.core.catalog import Catalog
from photoclip.core.catalog_backup import Backup
from photoclip.core.lock import LibraryLock
from photoclip.core.said import N_, Said, said_error

log = logging.getLogger(__name__)

CATALOG_NAME = "catalog.sqlite3"
_KEYWORDS_SKIPPED = "keywords_skipped"  # the meta key of library.py: read keywords on next index


class RecoveryError(ValueError):
    """Recovery cannot (or need not) be done; the message says why."""


_SOUND = N_("the catalog {path} is sound: nothing to recover (`photoclip recover --force` "
            "restores its newest backup anyway)")
_NOTHING = N_("there is no catalog at {path} and nothing to recover it from")
_NO_BACKUP = N_("no good backup of {path} was found: nothing was changed")


def _error(template: str, path: Path) -> BaseException:
    said = Said(template, {"path": path})
    return said_error(RecoveryError(str(said)), said)


@dataclass(frozen=True)
class CatalogContents:
    """What a catalog file holds."""

    photos: int
    user_tags: int  # (photo, tag) pairs the user gave
    rejected_tags: int
    albums: int
    schema_version: int


@dataclass(frozen=True)
class RecoveryPlan:
    """What :func:`recover_catalog` would do (nothing is changed by looking)."""

    catalog_file: str
    problem: str | None  # None: the catalog is sound
    backup: str | None  # the newest good backup
    backup_taken: str | None
    backup_contents: CatalogContents | None
    bad_backups: list[str] = field(default_factory=list)  # newer backups that are damaged too


@dataclass(frozen=True)
class RecoveryReport:
    """What :func:`recover_catalog` did."""

    catalog_file: str
    problem: str | None
    kept_as: list[str]  # the damaged file (and its -wal/-shm) under their new names
    backup: str | None  # the backup restored; None: a new catalog was started
    backup_taken: str | None
    restored: CatalogContents  # as of the backup, before photos were added back
    photos_from_store: int  # photos added back with their vectors
    store_note: str | None  # why the store could not help, if it could not
    photos: int  # photos in the catalog now


def catalog_path(paths: AppPaths) -> Path:
    return paths.library_dir / CATALOG_NAME


def contents(path: Path) -> CatalogContents:
    """Count what a (sound) catalog file holds; it is opened read-only."""
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        one = lambda sql: int(db.execute(sql).fetchone()[0])  # noqa: E731
        version = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return CatalogContents(
            photos=one("SELECT COUNT(*) FROM photos"),
            user_tags=one("SELECT COUNT(*) FROM tags WHERE source='user'"),
            rejected_tags=one("SELECT COUNT(*) FROM rejected_tags"),
            albums=one("SELECT COUNT(*) FROM albums"),
            schema_version=int(version[0]) if version else 0,
        )
    finally:
        db.close()


def inspect_catalog(paths: AppPaths) -> RecoveryPlan:
    """Whether the catalog is damaged, and which backup recovery would restore."""
    path = catalog_path(paths)
    problem = catalog_backup.check(path, full=True)
    backup, bad = catalog_backup.newest_good(catalog_backup.backups_dir(path))
    return RecoveryPlan(
        catalog_file=str(path),
        problem=problem,
        backup=str(backup.path) if backup else None,
        backup_taken=backup.taken_text if backup else None,
        backup_contents=contents(backup.path) if backup else None,
        bad_backups=[f"{b.path} ({why})" for b, why in bad],
    )


def recover_catalog(
    paths: AppPaths, *, settings: Settings | None = None, force: bool = False
) -> RecoveryReport:
    """Replace a damaged catalog by its newest good backup plus what the vector store knows.

    Refuses (:class:`RecoveryError`) when the catalog is sound, unless ``force``. Holds the
    library's lock throughout, so no other photoclip process uses the library meanwhile."""
    lock = LibraryLock(paths.library_dir, "photoclip recover")
    lock.acquire()
    try:
        return _recover(paths, settings or Settings.load(paths.settings_file), force)
    finally:
        lock.release()


def _recover(paths: AppPaths, settings: Settings, force: bool) -> RecoveryReport:
    path = catalog_path(paths)
    problem = catalog_backup.check(path, full=True)
    if problem is None and not force:
        raise _error(_SOUND, path)
    folder = catalog_backup.backups_dir(path)
    if not path.exists() and not catalog_backup.list_backups(folder) and not (
        settings.chroma_server or (paths.library_dir / "chroma").is_dir()
    ):
        raise _error(_NOTHING, path)
    backup, bad = catalog_backup.newest_good(folder)
    for b, why in bad:
        log.warning("Skipping the damaged backup %s: %s", b.path, why)
    if backup is None and problem is None:
        raise _error(_NO_BACKUP, path)
    kept = _move_aside(path, "damaged" if problem else "replaced")
    if backup is not None:
        _restore(backup, path)
        restored = contents(path)
    else:  # a new catalog (made here: Catalog refuses a missing file beside backups)
        _new_catalog(path)
        restored = CatalogContents(0, 0, 0, 0, 0)
    catalog = Catalog(path)  # migrates a backup from an older release
    try:
        added, note = _add_back_from_store(catalog, paths, settings)
        if added:  # their keywords were not read: the next index reads them (library.py's
            catalog.set_meta(_KEYWORDS_SKIPPED, "1")  # catch-up of photos without keywords)
        photos = catalog.counts(settings.model or _default_model()).photos
    finally:
        catalog.close()
    report = RecoveryReport(
        catalog_file=str(path),
        problem=problem,
        kept_as=[str(p) for p in kept],
        backup=str(backup.path) if backup else None,
        backup_taken=backup.taken_text if backup else None,
        restored=restored,
        photos_from_store=added,
        store_note=note,
        photos=photos,
    )
    log.info("Recovered the catalog %s: %s", path, report)  # the caller shows the report
    return report


def _default_model() -> str:
    from photoclip.core.model_catalogue import DEFAULT_MODEL_KEY

    return DEFAULT_MODEL_KEY


def _move_aside(path: Path, why: str) -> list[Path]:
    """Rename the catalog and its WAL files to ``catalog.sqlite3.damaged-<time>[-wal|-shm]``
    (a WAL left beside a restored catalog would be replayed into it)."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    base = path.with_name(f"{path.name}.{why}-{stamp}")
    n = 1
    while base.exists():
        n += 1
        base = path.with_name(f"{path.name}.{why}-{stamp}-{n}")
    kept = []
    for suffix in ("", "-wal", "-shm"):
        src = path.with_name(path.name + suffix)
        if src.exists():
            dest = base.with_name(base.name + suffix)
            os.replace(src, dest)
            kept.append(dest)
    return kept


def _new_catalog(path: Path) -> None:
    db = sqlite3.connect(str(path), isolation_level=None)
    try:
        migrations.migrate(db, path)
    finally:
        db.close()


def _restore(backup: Backup, path: Path) -> None:
    """Copy ``backup`` to ``path`` through SQLite (written beside it, then renamed)."""
    tmp = path.with_name(path.name + ".restoring")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"{backup.path.as_uri()}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(str(tmp))
        try:
            src.backup(dest)
        finally:
            dest.close()
    finally:
        src.close()
    os.replace(tmp, path)
    log.info("Restored the catalog %s from %s (%s)", path, backup.path, backup.taken_text)


def _add_back_from_store(
    catalog: Catalog, paths: AppPaths, settings: Settings
) -> tuple[int, str | None]:
    """Photos whose vectors the store has but the catalog does not: add them back (same id,
    path, facts and content hash, and an embeddings row) when their file still exists."""
    from photoclip.core.vectors import (
        VectorStore,
        VectorStoreError,
        collection_name_for,
        server_address,
        stored_dim,
    )

    model = settings.model or _default_model()
    name = collection_name_for(model)
    where: dict = {"path": paths.library_dir / "chroma"}
    if settings.chroma_server:
        lib_id = catalog.get_meta("library_id")
        if not lib_id:
            return 0, R.UNKNOWN_COLLECTION
        name = f"{name}_{lib_id}"
        where = server_address(settings.chroma_server)
    try:
        dim = stored_dim(name, **where)
        if dim is None:
            return 0, R.reason(R.NO_VECTORS, model=model)
        known = set(catalog.embedded_ids(model))
        rows = []
        with VectorStore(name, dim, **where) as store:
            for ids, _, metas in store.iter_all():
                rows.extend((pid, m) for pid, m in zip(ids, metas) if pid not in known)
    except VectorStoreError as exc:
        return 0, str(exc)
    return _insert(catalog, model, rows), None


def _insert(catalog: Catalog, model: str, rows: list[tuple[int, dict]]) -> int:
    added = 0
    now = time.time()
    with catalog.transaction() as db:
        for pid, meta in rows:
            path, content_hash = meta.get("path"), meta.get("hash")
            if not isinstance(path, str) or not isinstance(content_hash, str):
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue  # gone since: its vector goes on the next open
            if catalog.get(pid) is not None or catalog.get_by_path(path) is not None:
                continue  # id or path taken by a photo the backup knows
            unchanged = st.st_size == meta.get("size") and st.st_mtime_ns // 10**9 == meta.get(
                "mtime"
            )
            # a file changed since it was embedded gets a stale mtime: the next scan re-hashes it
            mtime_ns = st.st_mtime_ns if unchanged else int(meta.get("mtime") or 0) * 10**9
            taken = meta.get("taken")
            db.execute(
                "INSERT INTO photos (id, path, folder, size, mtime_ns, hash, width, height,"
                " taken, camera, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    pid, path, str(meta.get("folder") or Path(path).parent),
                    int(meta.get("size") or st.st_size), mtime_ns, content_hash,
                    meta.get("width"), meta.get("height"),
                    float(taken) if taken is not None else None, meta.get("camera"), now,
                ),
            )
            db.execute(
                "INSERT OR REPLACE INTO embeddings (photo_id, model, hash) VALUES (?, ?, ?)",
                (pid, model, content_hash),
            )
            added += 1
        if rows:  # ids are never reused: count on from the highest id the store has seen
            top = max(pid for pid, _ in rows)
            db.execute(
                "UPDATE sqlite_sequence SET seq=MAX(seq, ?) WHERE name='photos'", (top,)
            )
    return added
