"""Numbered migrations of the catalog's schema.

The catalog records its schema version in ``meta`` (key ``schema_version``, as every release
has done), and :data:`MIGRATIONS` lists the steps from an empty file to :data:`SCHEMA_VERSION`.
Each step runs in one transaction with its version bump, so a failing step leaves the catalog at
the version before it: whole, readable by the release before, and tried again on the next open.
Steps are idempotent (``IF NOT EXISTS``): a catalog that has what a step adds is not harmed.
The catalog is backed up before any step runs (:mod:`photoclip.core.catalog_backup`).

To change the schema, append a step (never edit a released one) and add a test from a catalog made
by the release before it (see ``tests/assets/library-v1``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from photoclip.core import catalog_backup
from photoclip.core.errors import CatalogDamagedError, CatalogTooNewError
from photoclip.core.said import N_, Said, said_error

log = logging.getLogger(__name__)

_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS photos (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused
    path      TEXT NOT NULL UNIQUE,
    folder    TEXT NOT NULL,
    size      INTEGER NOT NULL,
    mtime_ns  INTEGER NOT NULL,
    hash      TEXT,
    width     INTEGER,
    height    INTEGER,
    format    TEXT,
    taken     REAL,
    camera    TEXT,
    error     TEXT,
    added_at  REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS photos_hash ON photos(hash);
CREATE INDEX IF NOT EXISTS photos_folder ON photos(folder);
CREATE TABLE IF NOT EXISTS embeddings (
    photo_id  INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    model     TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (photo_id, model)
);
CREATE TABLE IF NOT EXISTS tags (
    photo_id  INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    tag       TEXT NOT NULL COLLATE NOCASE,  -- "Beach" and "beach" are one tag
    source    TEXT NOT NULL,  -- user | auto | keyword (read from the file's XMP/IPTC)
    label_set TEXT,
    score     REAL,
    model     TEXT,
    PRIMARY KEY (photo_id, tag, source)
);
CREATE INDEX IF NOT EXISTS tags_tag ON tags(tag);
CREATE TABLE IF NOT EXISTS rejected_tags (
    photo_id  INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    tag       TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (photo_id, tag)
);
CREATE TABLE IF NOT EXISTS albums (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    name      TEXT NOT NULL UNIQUE,
    query     TEXT,   -- smart album by a saved search
    min_score REAL,
    tag       TEXT,   -- smart album by a tag
    created   REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS album_photos (
    album_id  INTEGER NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    photo_id  INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    PRIMARY KEY (album_id, photo_id)
);
"""

# Schema 1 gained this table later without a version bump: version 2 makes sure it is there.
_FILE_KEYWORDS = """
CREATE TABLE IF NOT EXISTS file_keywords (  -- where a photo's keyword tags were read from
    photo_id  INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    embedded  TEXT,  -- JSON list of the keywords inside the photo file; NULL: not known
    sidecars  TEXT NOT NULL  -- keywords.sidecar_stamp of its XMP sidecars; "" for none
);
"""

#: Per-photo state of each analyzer (the analysis stage; see docs/architecture.md).
ANALYSIS_TABLE = """
CREATE TABLE IF NOT EXISTS analysis (
    photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
    analyzer TEXT NOT NULL,          -- analyzer name, e.g. 'auto-tags', 'faces', 'text'
    version  TEXT NOT NULL,          -- the analyzer's version when it ran (re-run when it changes)
    status   TEXT NOT NULL,          -- 'done' or 'failed'
    error    TEXT,                   -- reason when failed
    updated  REAL NOT NULL,          -- time.time() when written
    PRIMARY KEY (photo_id, analyzer)
);
CREATE INDEX IF NOT EXISTS analysis_by_analyzer ON analysis(analyzer, status);
"""


def run_script(db: sqlite3.Connection, script: str) -> None:
    """Run ``;``-separated statements one by one (inside the caller's transaction, unlike
    ``executescript``, which commits first)."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement.strip()[:80]!r}")


@dataclass(frozen=True)
class Migration:
    """One numbered step: brings a catalog at ``version - 1`` to ``version``."""

    version: int
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    return lambda db: run_script(db, sql)


#: Version 3: facts read from each photo's EXIF and XMP besides those in ``photos`` (lens, GPS
#: and the place named from it), and ratings and favourites (photoclip.core.photo_facts).
FACTS_TABLES = """
CREATE TABLE IF NOT EXISTS photo_facts (
    photo_id INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    stamp    TEXT NOT NULL,  -- size:mtime:sidecar stamp when read (read again when it changes)
    lens     TEXT,
    lat      REAL,
    lon      REAL,
    country_code TEXT,       -- place named offline from lat/lon (photoclip.core.places)
    country  TEXT,
    city     TEXT,
    region   TEXT
);
CREATE INDEX IF NOT EXISTS photo_facts_place ON photo_facts(country, city);
CREATE TABLE IF NOT EXISTS photo_marks (
    photo_id  INTEGER PRIMARY KEY REFERENCES photos(id) ON DELETE CASCADE,
    rating    INTEGER NOT NULL DEFAULT 0,   -- 0 (none) to 5 stars
    favourite INTEGER NOT NULL DEFAULT 0,
    file_rating    INTEGER,  -- as last read from the photo's XMP (an outside edit when it differs)
    file_favourite INTEGER
);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "photos, vectors, tags and albums", _script(_V1 + _FILE_KEYWORDS)),
    Migration(2, "per-photo analysis state; where keywords were read", _script(
        _FILE_KEYWORDS + ANALYSIS_TABLE
    )),
    Migration(3, "lens, GPS and places; ratings and favourites", _script(FACTS_TABLES)),
)

for _step in MIGRATIONS:
    N_(_step.description)  # said in the failure below (a word of the catalogue)
_FAILED = N_("could not update the catalog {path} to schema version {version} ({description}): "
             "{error}; it stays at version {before}")

#: The schema this release writes (the last migration's number).
SCHEMA_VERSION = MIGRATIONS[-1].version


class MigrationError(RuntimeError):
    """A migration step failed; the catalog stays at the version before it."""


def schema_version(db: sqlite3.Connection) -> int:
    """The catalog's schema version; 0 for an empty file."""
    has_meta = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
    ).fetchone()
    if has_meta is None:
        return 0
    row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return 0 if row is None else int(row[0])


def has_tables(db: sqlite3.Connection) -> bool:
    """Whether the file holds any table at all (a catalog, not a new empty file)."""
    return db.execute("SELECT 1 FROM sqlite_master WHERE type='table'").fetchone() is not None


def migrate(
    db: sqlite3.Connection,
    path: Path,
    steps: tuple[Migration, ...] = MIGRATIONS,
) -> list[int]:
    """Apply every step above the catalog's version, each in its own transaction with its
    version bump. Returns the versions applied. ``db`` must be in autocommit mode
    (``isolation_level=None``), outside a transaction."""
    applied: list[int] = []
    for step in steps:
        if step.version <= schema_version(db):
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            step.apply(db)
            db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                (str(step.version),),
            )
        except BaseException as exc:
            db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.DatabaseError) or not isinstance(exc, Exception):
                raise  # damage (the caller names the file) or an interrupt
            said = Said(_FAILED, {"path": path, "version": step.version,
                                  "description": step.description, "error": str(exc),
                                  "before": step.version - 1}, words=("description",))
            raise said_error(MigrationError(str(said)), said) from exc
        db.execute("COMMIT")
        applied.append(step.version)
        log.info("Catalog %s: schema version %d (%s)", path, step.version, step.description)
    return applied


def upgrade(db: sqlite3.Connection, path: Path, backups: Path, existed: bool) -> bool:
    """Make the just-opened catalog ready for this release; returns whether a daily backup is
    due. Checks the file when a backup is about to be taken (daily, or before migrating),
    refuses a newer schema, backs up before migrating, then migrates."""
    version = schema_version(db)
    if version > SCHEMA_VERSION:
        raise CatalogTooNewError(path, version, SCHEMA_VERSION)
    daily_due = catalog_backup.daily_due(backups)
    if existed and (daily_due or version < SCHEMA_VERSION) and has_tables(db):
        problem = catalog_backup.check_connection(db)  # never back up a damaged file
        if problem is not None:
            raise damaged(path, problem, backups)
    if version < SCHEMA_VERSION and has_tables(db) and catalog_backup.has_content(db):
        catalog_backup.take(db, backups, f"before-v{SCHEMA_VERSION}")
    migrate(db, path)
    return daily_due


def damaged(path: Path, problem: str, backups: Path) -> CatalogDamagedError:
    """The error for a damaged catalog, naming its newest good backup."""
    backup, _ = catalog_backup.newest_good(backups)
    return CatalogDamagedError(
        path, problem, backup.path if backup else None,
        backup.taken_text if backup else None, backups,
    )
