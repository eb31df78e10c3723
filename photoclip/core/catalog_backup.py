"""Rotating backups of the catalog, and telling a damaged catalog from a good one.

Backups are whole-file copies made with SQLite's online backup API (a consistent snapshot even
while photoclip writes) into ``library/backups/``: one a day (the last :data:`KEEP_DAILY` kept)
and one before every schema migration (the last :data:`KEEP_MIGRATION` kept). A catalog is only
backed up after it passed ``PRAGMA quick_check``, so a damaged catalog never pushes good backups
out of the rotation, and only a catalog with something to keep (:func:`has_content`: a photo or
an album) is backed up, so a first run's empty catalog never takes a useful backup's place.
Names carry the local time they were taken:
``catalog-20260301-141200-daily.sqlite3``, ``catalog-20260301-141200-before-v2.sqlite3``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from photoclip.core import reasons as R

log = logging.getLogger(__name__)

KEEP_DAILY = 7
KEEP_MIGRATION = 3
DAILY_SECONDS = 24 * 3600
DAILY = "daily"

_NAME = re.compile(r"^catalog-(\d{8}-\d{6})(?:-(\d+))?-([a-z0-9-]+)\.sqlite3$")
_DAMAGE_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


@dataclass(frozen=True)
class Backup:
    """One backup file of the catalog."""

    path: Path
    taken: datetime  # local time
    kind: str  # "daily" or "before-vN"

    @property
    def taken_text(self) -> str:
        return self.taken.strftime("%Y-%m-%d %H:%M")


def backups_dir(catalog_path: Path) -> Path:
    """Where the backups of the catalog at ``catalog_path`` live."""
    return catalog_path.parent / "backups"


def is_damage(exc: BaseException) -> bool:
    """Whether an SQLite error means the file is damaged (not busy, locked or unreadable)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _DAMAGE_CODES
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def check(path: Path, *, full: bool = False) -> str | None:
    """None if the SQLite file at ``path`` is sound, else what is wrong with it.

    ``full`` runs ``integrity_check`` (also cross-checks indexes; slower) instead of
    ``quick_check``. The file is opened read-only and never changed."""
    if not path.is_file():
        return R.NO_FILE
    if path.stat().st_size == 0:
        return R.EMPTY_FILE
    try:  # read-only: a damaged catalog's WAL is not checkpointed into it by the check
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return check_connection(db, full=full)
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)


def check_connection(db: sqlite3.Connection, *, full: bool = False) -> str | None:
    """None if the open database is sound and holds a catalog, else what is wrong with it."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        rows = [r[0] for r in db.execute(f"PRAGMA {pragma}(5)")]
        if rows != ["ok"]:
            return "; ".join(str(r) for r in rows)
        if db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='photos'"
        ).fetchone() is None:
            return R.NOT_A_CATALOG
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None


#: The tables whose rows are worth a backup (tags, names and the rest hang off photos).
CONTENT_TABLES = ("photos", "albums")


def has_content(db: sqlite3.Connection) -> bool:
    """Whether the catalog holds anything to keep: a photo or an album (an empty catalog, as on
    a first run, is not backed up: its backup would only rotate a useful one out)."""
    for table in CONTENT_TABLES:
        known = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone()
        if known and db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone():
            return True
    return False


def _reader(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(str(path))
    db.execute("PRAGMA query_only=ON")
    return db


def list_backups(folder: Path) -> list[Backup]:
    """The backups in ``folder``, newest first."""
    out: list[tuple[datetime, int, Backup]] = []
    for p in folder.glob("catalog-*.sqlite3") if folder.is_dir() else ():
        m = _NAME.match(p.name)
        if m is None:
            continue
        taken = datetime.strptime(m.group(1), "%Y%m%d-%H%M%S")
        out.append((taken, int(m.group(2) or 1), Backup(p, taken, m.group(3))))
    return [b for _, _, b in sorted(out, key=lambda t: t[:2], reverse=True)]


def newest_good(folder: Path) -> tuple[Backup | None, list[tuple[Backup, str]]]:
    """The newest backup that passes ``integrity_check``, and the newer ones that did not
    (with what is wrong with each)."""
    bad: list[tuple[Backup, str]] = []
    for b in list_backups(folder):
        problem = check(b.path, full=True)
        if problem is None:
            return b, bad
        bad.append((b, problem))
    return None, bad


def daily_due(folder: Path, now: float | None = None) -> bool:
    """Whether the newest daily backup is older than a day (or there is none)."""
    now = time.time() if now is None else now
    daily = [b for b in list_backups(folder) if b.kind == DAILY]
    return not daily or now - daily[0].taken.timestamp() >= DAILY_SECONDS


def take(source: sqlite3.Connection, folder: Path, kind: str) -> Path:
    """Copy the database behind ``source`` to a new backup of ``kind``; prune old ones.

    Written to a temporary name first, so a crash never leaves a half backup that looks whole."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    final = folder / f"catalog-{stamp}-{kind}.sqlite3"
    n = 1
    while final.exists():  # two in one second (tests, or a migration right after a daily)
        n += 1
        final = folder / f"catalog-{stamp}-{n}-{kind}.sqlite3"
    tmp = final.with_name(final.name + ".partial")
    started = time.perf_counter()
    dest = sqlite3.connect(str(tmp))
    try:
        source.backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dest.close()
    os.replace(tmp, final)
    log.info("Backed up the catalog to %s in %.2f s", final, time.perf_counter() - started)
    prune(folder)
    return final


def prune(folder: Path) -> None:
    """Keep the newest :data:`KEEP_DAILY` daily and :data:`KEEP_MIGRATION` pre-migration
    backups; remove leftovers of interrupted backups."""
    daily = [b for b in list_backups(folder) if b.kind == DAILY]
    other = [b for b in list_backups(folder) if b.kind != DAILY]
    for b in daily[KEEP_DAILY:] + other[KEEP_MIGRATION:]:
        with contextlib.suppress(OSError):
            b.path.unlink()
    for leftover in folder.glob("*.partial"):
        if time.time() - leftover.stat().st_mtime > 3600:  # not one being written right now
            with contextlib.suppress(OSError):
                leftover.unlink()


def take_daily(catalog_path: Path, folder: Path) -> Path | None:
    """A daily backup through a connection of its own (safe beside the catalog's writers:
    WAL readers see one consistent snapshot); None, and nothing taken, for a catalog without
    content (:func:`has_content`). Never raises: a failed backup is logged."""
    try:
        db = _reader(catalog_path)
        try:
            if not has_content(db):
                log.info("Catalog %s holds no photos or albums yet: no daily backup",
                         catalog_path)
                return None
            return take(db, folder, DAILY)
        finally:
            db.close()
    except (OSError, sqlite3.Error) as exc:
        log.warning("Could not back up the catalog %s to %s: %s", catalog_path, folder, exc)
        return None
