"""Rotating catalog backups, and a damaged catalog named as such (issue 14, item 30)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from photoclip.config import AppPaths
from photoclip.core import catalog_backup
from photoclip.core.catalog import Catalog
from photoclip.core.errors import CatalogDamagedError, user_message
from photoclip.core.lock import LibraryLock
from photoclip.core.tags import TagStore
from photoclip.core.types import FileInfo


def make_catalog(path: Path, n: int = 300) -> None:
    """A catalog with ``n`` photos (enough pages to damage), user tags and an album."""
    cat = Catalog(path)
    cat.apply_scan(
        [FileInfo(f"/photos/{i // 50}/img{i:05d}-{'x' * 40}.jpg", 1000 + i, 10**18 + i)
         for i in range(n)], [f"/photos/{k}" for k in range(n // 50 + 1)],
    )
    ids = [r.id for r in cat.all_photos()]
    cat.mark_indexed("m", [(pid, f"{pid:064x}", None) for pid in ids])
    tags = TagStore(cat)
    tags.add("mine", ids[:10])
    tags.create_album("Best")
    tags.add_to_album("Best", ids[:3])
    cat.close()


def truncate(path: Path) -> None:
    with open(path, "r+b") as f:
        f.truncate(path.stat().st_size // 2)


def _page_size(data: bytes) -> int:
    return int.from_bytes(data[16:18], "big") or 65536


def _pages(path: Path) -> int:
    data = path.read_bytes()
    return len(data) // _page_size(data)


def flip_page_headers(path: Path, first: int = 1) -> None:
    """Flip the first bytes of every page from page ``first`` (0-based; the b-tree headers)."""
    data = bytearray(path.read_bytes())
    page = _page_size(data)
    for start in range(page * first, len(data), page):
        for k in range(start, start + 8):
            data[k] ^= 0xFF
    path.write_bytes(bytes(data))


def garble_header(path: Path) -> None:
    """Overwrite SQLite's file header (as a copy from another program might)."""
    with open(path, "r+b") as f:
        f.write(b"\x00" * 100)


def backups(folder: Path, kind: str | None = None) -> list[catalog_backup.Backup]:
    return [b for b in catalog_backup.list_backups(folder) if kind in (None, b.kind)]


def test_daily_backup_once_a_day_of_a_consistent_catalog(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    make_catalog(path)  # a new library: nothing to back up yet
    assert backups(tmp_path / "backups") == []
    Catalog(path).close()  # the next open backs it up (in the background; close waits)
    daily = backups(tmp_path / "backups", "daily")
    assert len(daily) == 1
    assert catalog_backup.check(daily[0].path, full=True) is None
    db = sqlite3.connect(daily[0].path)
    assert db.execute("SELECT COUNT(*) FROM photos").fetchone()[0] == 300
    assert db.execute("SELECT COUNT(*) FROM tags WHERE source='user'").fetchone()[0] == 10
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one whole file
    db.close()
    Catalog(path).close()
    assert len(backups(tmp_path / "backups", "daily")) == 1  # not again the same day

    # a day later, another one
    old = daily[0].path
    stamp = (datetime.now() - timedelta(days=1, minutes=1)).strftime("%Y%m%d-%H%M%S")
    old.rename(old.with_name(f"catalog-{stamp}-daily.sqlite3"))
    Catalog(path).close()
    assert len(backups(tmp_path / "backups", "daily")) == 2


def test_rotation_keeps_the_newest(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    make_catalog(path, 10)
    folder = tmp_path / "backups"
    folder.mkdir()
    sample = Catalog(path)
    first = sample.backup()
    sample.close()
    now = datetime.now()
    for days in range(1, 11):
        stamp = (now - timedelta(days=days)).strftime("%Y%m%d-%H%M%S")
        shutil.copy(first, folder / f"catalog-{stamp}-daily.sqlite3")
        shutil.copy(first, folder / f"catalog-{stamp}-before-v{days}.sqlite3")
    partial = folder / "catalog-20000101-000000-daily.sqlite3.partial"
    partial.write_bytes(b"half")  # left by a crash two hours ago
    os.utime(partial, (time.time() - 7200, time.time() - 7200))
    catalog_backup.prune(folder)
    daily = backups(folder, "daily")
    assert len(daily) == catalog_backup.KEEP_DAILY == 7
    assert daily[0].path == first  # the newest are kept
    assert [b.kind for b in backups(folder) if b.kind != "daily"] == [
        "before-v1", "before-v2", "before-v3"]
    assert not list(folder.glob("*.partial"))


@pytest.mark.parametrize("damage", [truncate, flip_page_headers, garble_header])
def test_damaged_catalog_names_the_file_and_the_newest_good_backup(
    tmp_path: Path, damage
) -> None:
    path = tmp_path / "catalog.sqlite3"
    make_catalog(path)
    Catalog(path).close()
    (good,) = backups(tmp_path / "backups")
    # a day later the catalog is damaged: the daily check on open finds it
    stamp = (datetime.now() - timedelta(days=1, minutes=1))
    older = good.path.with_name(f"catalog-{stamp:%Y%m%d-%H%M%S}-daily.sqlite3")
    good.path.rename(older)
    damage(path)
    with pytest.raises(CatalogDamagedError) as err:
        Catalog(path)
    message = user_message(err.value)
    assert message == str(err.value)
    assert f"the catalog {path} is damaged" in message
    assert str(older) in message and f"{stamp:%Y-%m-%d %H:%M}" in message
    assert "photoclip recover" in message
    assert backups(tmp_path / "backups") == [catalog_backup.Backup(older, stamp.replace(
        microsecond=0), "daily")]  # a damaged catalog is never backed up


def test_damage_found_later_still_names_the_catalog(photoclip_home: AppPaths) -> None:
    path = photoclip_home.library_dir / "catalog.sqlite3"
    path.parent.mkdir(parents=True)
    make_catalog(path)
    Catalog(path).close()  # backed up today: the next opens skip the full check
    flip_page_headers(path, first=_pages(path) // 2)  # pages the open itself never reads
    cat = Catalog(path)
    try:
        with pytest.raises(sqlite3.DatabaseError) as err:
            cat.all_photos()
            cat.embedding_hashes("m")
            TagStore(cat).counts()
    finally:
        cat.close()
    message = user_message(err.value)
    assert message is not None and f"the catalog {path} is damaged" in message
    assert "photoclip recover" in message


@pytest.mark.parametrize("how", ["empty", "missing"])
def test_an_empty_or_missing_catalog_with_backups_is_not_a_new_library(
    tmp_path: Path, how: str
) -> None:
    path = tmp_path / "catalog.sqlite3"
    make_catalog(path)
    Catalog(path).close()
    if how == "empty":
        path.write_bytes(b"")
    else:
        path.unlink()
    with pytest.raises(CatalogDamagedError, match=r"empty|missing"):
        Catalog(path)
    assert not path.exists() or path.stat().st_size == 0  # nothing new written over it


def test_no_good_backup_says_so(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    make_catalog(path)
    truncate(path)
    with pytest.raises(CatalogDamagedError, match="No good backup was found"):
        Catalog(path)


def test_library_open_on_a_damaged_catalog_releases_its_lock(
    photoclip_home: AppPaths,
) -> None:
    from photoclip.core.library import Library

    path = photoclip_home.library_dir / "catalog.sqlite3"
    path.parent.mkdir(parents=True)
    make_catalog(path)
    truncate(path)
    for _ in range(2):  # the second time too: the same message, not "in use"
        with pytest.raises(CatalogDamagedError, match=re.escape(str(path))):
            Library(photoclip_home)
    lock = LibraryLock(photoclip_home.library_dir)
    lock.acquire()
    lock.release()


def test_daily_backup_beside_writes_is_a_consistent_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "catalog.sqlite3"
    make_catalog(path)
    cat = Catalog(path)  # the backup runs in the background while we write
    cat.apply_scan([FileInfo(f"/more/{i}.jpg", 1, 1) for i in range(2000)], ["/more"])
    cat.close()
    (daily,) = backups(tmp_path / "backups", "daily")
    assert catalog_backup.check(daily.path, full=True) is None
    db = sqlite3.connect(daily.path)
    assert db.execute("SELECT COUNT(*) FROM photos").fetchone()[0] in (300, 2300)  # not half
    db.close()


def test_an_empty_catalog_is_not_backed_up(tmp_path: Path) -> None:
    """First run: the catalog is opened again before anything is in it (`folders add`, then
    `index`): no daily backup of nothing, which would stand for the day and count in the
    rotation; the first one is taken once there is a photo. A library emptied later (every
    folder removed) does not rotate its useful backups out either."""
    path, folder = tmp_path / "catalog.sqlite3", tmp_path / "backups"
    Catalog(path).close()  # created
    Catalog(path).close()  # opened again, still empty
    assert backups(folder) == []
    cat = Catalog(path)
    with cat.transaction() as db:
        assert not catalog_backup.has_content(db)
    cat.close()
    make_catalog(path, 5)
    Catalog(path).close()  # the next open backs up what is there now
    daily = backups(folder, "daily")
    assert len(daily) == 1  # the first backup holds the photos
    db = sqlite3.connect(daily[0].path)
    assert db.execute("SELECT COUNT(*) FROM photos").fetchone()[0] == 5
    db.close()

    # the library is emptied; a week of days pass: the useful backups stay
    db = sqlite3.connect(path)
    with db:
        for table in ("album_photos", "albums", "tags", "embeddings", "photos"):
            db.execute(f"DELETE FROM {table}")
    db.close()
    now = datetime.now()
    useful = daily[0].path.rename(daily[0].path.with_name(
        f"catalog-{(now - timedelta(days=8)).strftime('%Y%m%d-%H%M%S')}-daily.sqlite3"))
    for days in range(2, 8):  # with the useful one, as many as the rotation keeps
        stamp = (now - timedelta(days=days)).strftime("%Y%m%d-%H%M%S")
        shutil.copy(useful, folder / f"catalog-{stamp}-daily.sqlite3")
    Catalog(path).close()
    kept = backups(folder, "daily")
    assert len(kept) == catalog_backup.KEEP_DAILY and useful in [b.path for b in kept]
    assert catalog_backup.take_daily(path, folder) is None
