"""Numbered catalog migrations, tested from a catalog written by the schema-1 release
(``tests/assets/library-v1``, made by ``tests/assets/make_library_v1.py``)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from photoclip.core import catalog_backup, migrations
from photoclip.core.catalog import SCHEMA_VERSION, Catalog
from photoclip.core.errors import CatalogTooNewError, user_message
from photoclip.core.migrations import MIGRATIONS, Migration, MigrationError
from photoclip.core.tags import TagStore

FIXTURE = Path(__file__).resolve().parent.parent / "assets" / "library-v1" / "catalog.sqlite3"
TABLES = ("photos", "embeddings", "tags", "rejected_tags", "file_keywords", "albums",
          "album_photos", "meta")


def _rows(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}
    finally:
        db.close()


def _schema(db: sqlite3.Connection) -> list[tuple]:
    return db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()


@pytest.fixture()
def v1_catalog(tmp_path: Path) -> Path:
    target = tmp_path / "library" / "catalog.sqlite3"
    target.parent.mkdir()
    shutil.copy(FIXTURE, target)
    return target


def test_fixture_is_schema_1() -> None:
    assert dict(_rows(FIXTURE)["meta"])["schema_version"] == "1"
    assert FIXTURE.stat().st_size < 64 * 1024


def test_v1_library_opens_migrated_and_keeps_everything(v1_catalog: Path) -> None:
    before = _rows(v1_catalog)
    cat = Catalog(v1_catalog)
    try:
        assert cat.get_meta("schema_version") == str(SCHEMA_VERSION) == "3"
        tags = TagStore(cat)
        ids = {Path(r.path).name: r.id for r in cat.all_photos()}
        assert len(ids) == 6 and cat.counts("vit-b-32").failed == 1
        assert cat.counts("vit-b-32").indexed == 5
        assert tags.photos_with("beach", ["user"]) == {ids["img0.jpg"], ids["img1.jpg"]}
        assert tags.photos_with("grandma", ["user"]) == {ids["img2.jpg"]}
        assert tags.rejected(ids["img0.jpg"]) == {"dog"}
        assert {t.tag for t in tags.tags_of(ids["img3.jpg"])} == {"holiday", "Italy"}
        assert {t.origin for t in tags.tags_of(ids["img3.jpg"])} == {"file", "sidecar"}
        assert cat.sidecar_stamps([ids["img3.jpg"]]) == {ids["img3.jpg"]: "sidecar-stamp-3"}
        albums = {a.name: a for a in tags.albums()}
        assert set(albums) == {"Favourites", "Beach days", "Sunsets"}
        assert tags.plain_members(albums["Favourites"]) == {ids["img0.jpg"], ids["img4.jpg"]}
        assert albums["Beach days"].tag == "beach"
        assert (albums["Sunsets"].query, albums["Sunsets"].min_score) == (
            "a sunset over the sea", 0.25)
        assert cat.get_meta("library_id") == "fixture00001"
        # the new table from migration 2 is there and usable
        with cat.transaction() as db:
            db.execute(
                "INSERT INTO analysis (photo_id, analyzer, version, status, updated)"
                " VALUES (?, 'faces', '1', 'done', 0)", (ids["img0.jpg"],)
            )
    finally:
        cat.close()
    after = _rows(v1_catalog)
    expected_meta = [r for r in before["meta"] if r[0] != "schema_version"]
    assert [r for r in after["meta"] if r[0] != "schema_version"] == expected_meta
    for table in TABLES[:-1]:  # every photo, tag, rejection, keyword and album row, unchanged
        assert after[table] == before[table], table

    # the catalog as it was before the migration was backed up first
    pre = [b for b in catalog_backup.list_backups(v1_catalog.parent / "backups")
           if b.kind == f"before-v{SCHEMA_VERSION}"]
    assert len(pre) == 1 and _rows(pre[0].path) == before


def test_migrated_catalog_reopens_without_migrating_again(v1_catalog: Path) -> None:
    Catalog(v1_catalog).close()
    Catalog(v1_catalog).close()
    kinds = [b.kind for b in catalog_backup.list_backups(v1_catalog.parent / "backups")]
    assert kinds.count(f"before-v{SCHEMA_VERSION}") == 1


def test_a_new_catalog_is_made_by_the_migrations(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite3")
    cat.close()
    db = sqlite3.connect(tmp_path / "c.sqlite3")
    names = {r[1] for r in _schema(db)}
    assert {"analysis", "analysis_by_analyzer", "file_keywords", "photos"} <= names
    assert migrations.schema_version(db) == SCHEMA_VERSION
    db.close()
    assert not (tmp_path / "backups").exists()  # nothing to back up in a new, empty file


def test_analysis_table_is_the_agreed_one(tmp_path: Path) -> None:
    Catalog(tmp_path / "c.sqlite3").close()
    db = sqlite3.connect(tmp_path / "c.sqlite3")
    cols = [(r[1], r[2], r[3], r[5]) for r in db.execute("PRAGMA table_info(analysis)")]
    assert cols == [("photo_id", "INTEGER", 1, 1), ("analyzer", "TEXT", 1, 2),
                    ("version", "TEXT", 1, 0), ("status", "TEXT", 1, 0),
                    ("error", "TEXT", 0, 0), ("updated", "REAL", 1, 0)]
    fks = db.execute("PRAGMA foreign_key_list(analysis)").fetchall()
    assert [(f[2], f[3], f[4], f[6]) for f in fks] == [("photos", "photo_id", "id", "CASCADE")]
    index = [r[2] for r in db.execute("PRAGMA index_info(analysis_by_analyzer)")]
    assert index == ["analyzer", "status"]
    db.close()


def test_schema_1_catalog_from_before_file_keywords_gets_the_table(v1_catalog: Path) -> None:
    db = sqlite3.connect(v1_catalog)
    db.execute("DROP TABLE file_keywords")  # as early schema-1 releases wrote it
    db.commit()
    db.close()
    cat = Catalog(v1_catalog)
    assert cat.ids_without_file_keywords()  # the table exists again (and is empty)
    cat.close()


def test_newer_catalog_is_refused_naming_the_versions(v1_catalog: Path) -> None:
    db = sqlite3.connect(v1_catalog)
    db.execute("UPDATE meta SET value='7' WHERE key='schema_version'")
    db.commit()
    db.close()
    before = _rows(v1_catalog)
    with pytest.raises(CatalogTooNewError) as err:
        Catalog(v1_catalog)
    message = user_message(err.value)
    assert message is not None
    assert str(v1_catalog) in message and "version 7" in message
    assert f"up to {SCHEMA_VERSION}" in message
    assert _rows(v1_catalog) == before  # untouched


@pytest.mark.parametrize("step", MIGRATIONS, ids=lambda m: f"v{m.version}")
def test_each_step_is_idempotent(tmp_path: Path, step: Migration) -> None:
    Catalog(tmp_path / "c.sqlite3").close()
    db = sqlite3.connect(tmp_path / "c.sqlite3", isolation_level=None)
    schema = _schema(db)
    db.execute("BEGIN")
    step.apply(db)  # again, on a catalog that has it all
    db.execute("COMMIT")
    assert _schema(db) == schema
    db.close()


def _boom_after(sql: str):  # a step that changes something, then fails
    def apply(db: sqlite3.Connection) -> None:
        db.execute(sql)
        raise RuntimeError("disk said no")

    return apply


def test_a_failing_step_leaves_the_previous_version_usable(v1_catalog: Path) -> None:
    before = _rows(v1_catalog)
    broken = (MIGRATIONS[0], Migration(2, "the analysis table", _boom_after(
        "CREATE TABLE analysis (photo_id INTEGER)")))
    db = sqlite3.connect(v1_catalog, isolation_level=None)
    with pytest.raises(MigrationError, match="stays at version 1"):
        migrations.migrate(db, v1_catalog, broken)
    assert migrations.schema_version(db) == 1
    assert "analysis" not in {r[1] for r in _schema(db)}  # the step's change rolled back
    db.close()
    assert _rows(v1_catalog) == before
    cat = Catalog(v1_catalog)  # this release tries again, and gets there
    assert cat.get_meta("schema_version") == "3" and len(cat.all_photos()) == 6
    cat.close()


def test_a_failing_later_step_keeps_the_steps_before_it(v1_catalog: Path) -> None:
    steps = (*MIGRATIONS, Migration(4, "a future step", _boom_after(
        "ALTER TABLE photos ADD COLUMN rating INTEGER")))
    db = sqlite3.connect(v1_catalog, isolation_level=None)
    with pytest.raises(MigrationError) as err:
        migrations.migrate(db, v1_catalog, steps)
    assert str(v1_catalog) in str(err.value) and "version 4" in str(err.value)
    assert user_message(err.value) == str(err.value)
    assert migrations.schema_version(db) == 3
    assert "rating" not in {r[1] for r in db.execute("PRAGMA table_info(photos)")}
    db.close()
    cat = Catalog(v1_catalog)
    assert len(cat.all_photos()) == 6
    cat.close()


def test_run_script_keeps_the_callers_transaction(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.sqlite3", isolation_level=None)
    db.execute("BEGIN")
    migrations.run_script(db, "CREATE TABLE a (x); -- a comment; with a ;\nCREATE TABLE b (y);")
    db.execute("ROLLBACK")
    assert _schema(db) == []
    db.close()
