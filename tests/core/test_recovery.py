"""Recovering a damaged catalog of a real library (real photos, tiny model, Chroma on disk),
with `photoclip recover` run as a user runs it (issue 14, item 30)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from photoclip.config import AppPaths
from photoclip.core import catalog_backup
from photoclip.core.errors import CatalogDamagedError
from photoclip.core.keywords import write_sidecar
from photoclip.core.library import Library
from photoclip.core.migrations import SCHEMA_VERSION
from photoclip.core.recovery import RecoveryError, inspect_catalog, recover_catalog
from tests.core.test_catalog_backup import flip_page_headers, truncate

MakeLibrary = Callable[[list[Path]], Library]
EXIFTOOL = shutil.which("exiftool")
pytestmark = pytest.mark.skipif(EXIFTOOL is None, reason="exiftool not installed")


def photoclip(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "photoclip", *args], capture_output=True, text=True,
        env={**os.environ}, timeout=600,
    )


@pytest.fixture()
def photos(tmp_path: Path, datasets_dir: Path) -> tuple[Path, list[Path]]:
    """A folder with 4 photos, and 2 more photos to add later."""
    folder = tmp_path / "Pictures"
    folder.mkdir()
    srcs = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:6]
    for src in srcs[:4]:
        shutil.copy2(src, folder / src.name)
    return folder, srcs[4:]


def _library_with_backup(
    make_library: MakeLibrary, photoclip_home: AppPaths, photos: tuple[Path, list[Path]]
) -> dict[str, int]:
    """Index 4 photos, tag and file them, back up; then 2 more photos and a late tag."""
    folder, later = photos
    lib = make_library([folder])
    lib.index_folders()
    ids = {Path(r.path).name: r.id for r in lib._catalog.all_photos()}
    first, second, third, _ = sorted(ids)
    lib._tags.add("grandma", [ids[first], ids[second]])
    lib._tags.reject("dog", [ids[third]])
    lib._tags.create_album("Family")
    lib._tags.add_to_album("Family", [ids[first]])
    lib._tags.create_album("All of grandma", tag="grandma")
    lib.close()
    make_library([folder]).close()  # a later open: the daily backup
    assert len(catalog_backup.list_backups(photoclip_home.library_dir / "backups")) == 1
    for src in later:  # photos added after the backup, with keywords in the file / a sidecar
        shutil.copy2(src, folder / src.name)
    subprocess.run([EXIFTOOL, "-q", "-overwrite_original", "-XMP-dc:Subject=inside",
                    str(folder / later[0].name)], check=True)
    write_sidecar(folder / later[1].name, ["Oma"])
    lib = make_library([folder])
    report = lib.index_folders()
    assert report.embedded == 2
    new_ids = {Path(r.path).name: r.id for r in lib._catalog.all_photos()}
    lib._tags.add("too late", [new_ids[later[0].name]])  # only in the damaged catalog
    lib.close()
    return new_ids


def _check_recovered(
    lib: Library, ids: dict[str, int], later: list[Path]
) -> None:
    names = sorted(n for n in ids if n not in {p.name for p in later})
    first, second, third, _ = names
    assert lib._tags.photos_with("grandma", ["user"]) == {ids[first], ids[second]}
    assert lib._tags.rejected(ids[third]) == {"dog"}
    albums = {a.name: a for a in lib._tags.albums()}
    assert set(albums) == {"Family", "All of grandma"}
    assert lib._tags.plain_members(albums["Family"]) == {ids[first]}
    assert lib._tags.photos_with("too late") == set()  # made after the backup: gone
    # the photos added since the backup are back, same ids, with their vectors
    assert {Path(r.path).name: r.id for r in lib._catalog.all_photos()} == ids
    st = lib.status()
    assert (st.photos, st.indexed) == (6, 6)
    report = lib.index_folders()
    assert (report.embedded, report.new) == (0, 0)  # nothing embedded again
    kw = {name: {(t.tag, t.source) for t in lib._tags.tags_of(ids[name])}
          for name in (later[0].name, later[1].name)}
    assert ("inside", "keyword") in kw[later[0].name]  # read again from the file
    assert ("Oma", "keyword") in kw[later[1].name]  # and from its sidecar
    hits = lib.search("a photo", limit=10)
    assert {h.photo_id for h in hits} == set(ids.values())


@pytest.mark.parametrize("damage", [truncate, flip_page_headers])
def test_recover_command_restores_the_backup_and_the_photos_since(
    make_library: MakeLibrary, photoclip_home: AppPaths, photos: tuple[Path, list[Path]],
    damage,
) -> None:
    ids = _library_with_backup(make_library, photoclip_home, photos)
    catalog = photoclip_home.library_dir / "catalog.sqlite3"
    (backup,) = catalog_backup.list_backups(photoclip_home.library_dir / "backups")
    # a day later (the daily check runs), the catalog is damaged
    backup.path.rename(backup.path.with_name("catalog-20200101-120000-daily.sqlite3"))
    damage(catalog)
    damaged_bytes = catalog.read_bytes()

    with pytest.raises(CatalogDamagedError) as err:
        make_library([photos[0]])
    assert str(catalog) in str(err.value) and "2020-01-01 12:00" in str(err.value)
    failed = photoclip("status")
    assert failed.returncode == 1  # the command could not be done (README's exit statuses)
    assert f"the catalog {catalog} is damaged" in failed.stderr
    assert "photoclip recover" in failed.stderr and "unexpected" not in failed.stderr

    asked = photoclip("recover")  # not a terminal, no --yes: nothing is changed
    assert asked.returncode == 2 and "--yes" in asked.stderr
    asked = photoclip("--json", "recover")  # with --json the refusal is JSON on stdout too
    error = json.loads(asked.stdout)["error"]
    assert asked.returncode == error["exit_code"] == 2 and "--yes" in error["message"]
    assert catalog.read_bytes() == damaged_bytes

    done = photoclip("--json", "recover", "--yes")
    assert done.returncode == 0, done.stderr
    assert "RecoveryReport(" not in done.stderr  # the report is the output, not a log dump
    report = json.loads(done.stdout)["report"]
    assert report["backup_taken"] == "2020-01-01 12:00"
    assert report["restored"] == {"photos": 4, "user_tags": 2, "rejected_tags": 1,
                                  "albums": 2, "schema_version": SCHEMA_VERSION}
    assert (report["photos_from_store"], report["photos"]) == (2, 6)
    kept = Path(report["kept_as"][0])
    assert kept.parent == catalog.parent and kept.name.startswith("catalog.sqlite3.damaged-")
    assert kept.read_bytes() == damaged_bytes  # the damaged file is kept, as it was

    lib = make_library([photos[0]])
    _check_recovered(lib, ids, photos[1])
    lib.close()


def photoclip_answering(answer: str, *args: str) -> subprocess.CompletedProcess:
    """`photoclip ARGS` on a terminal (a pty), typing ``answer`` at its question."""
    import pty

    main, child = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "photoclip", *args], stdin=child, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env={**os.environ},
        )
        os.write(main, answer.encode() + b"\n")
        out, err = proc.communicate(timeout=600)
    finally:
        os.close(main)
        os.close(child)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def test_recover_asks_first_and_says_what_it_did(
    make_library: MakeLibrary, photoclip_home: AppPaths, photos: tuple[Path, list[Path]]
) -> None:
    _library_with_backup(make_library, photoclip_home, photos)
    catalog = photoclip_home.library_dir / "catalog.sqlite3"
    truncate(catalog)
    damaged = catalog.read_bytes()
    no = photoclip_answering("n", "recover")
    assert no.returncode == 1 and "nothing was changed" in no.stdout
    assert f"damaged:   {catalog}" in no.stdout and "4 photos, 2 tags of yours" in no.stdout
    assert catalog.read_bytes() == damaged
    done = photoclip_answering("y", "recover")
    assert done.returncode == 0, done.stderr
    assert "restored:" in done.stdout and "4 photos, 2 tags of yours" in done.stdout
    assert "2 photos indexed since the backup were added back" in done.stdout
    again = photoclip("recover", "--yes")  # now sound: nothing to do
    assert again.returncode == 0 and "nothing to recover" in again.stdout


def test_recover_with_no_library_changes_nothing(photoclip_home: AppPaths) -> None:
    with pytest.raises(RecoveryError, match="nothing to recover it from"):
        recover_catalog(photoclip_home)
    assert not (photoclip_home.library_dir / "catalog.sqlite3").exists()


def test_recover_refuses_a_sound_catalog(
    make_library: MakeLibrary, photoclip_home: AppPaths, photos: tuple[Path, list[Path]]
) -> None:
    make_library([photos[0]]).close()
    assert inspect_catalog(photoclip_home).problem is None
    with pytest.raises(RecoveryError, match="sound"):
        recover_catalog(photoclip_home)


def test_no_good_backup_starts_from_the_store_and_skips_damaged_backups(
    make_library: MakeLibrary, photoclip_home: AppPaths, photos: tuple[Path, list[Path]]
) -> None:
    folder, _ = photos
    lib = make_library([folder])
    lib.index_folders()
    lib._tags.add("mine", [r.id for r in lib._catalog.all_photos()][:1])
    ids = {r.path: r.id for r in lib._catalog.all_photos()}
    lib.close()
    make_library([folder]).close()  # a backup ...
    (backup,) = catalog_backup.list_backups(photoclip_home.library_dir / "backups")
    truncate(backup.path)  # ... damaged too
    truncate(photoclip_home.library_dir / "catalog.sqlite3")
    plan = inspect_catalog(photoclip_home)
    assert plan.problem and plan.backup is None and str(backup.path) in plan.bad_backups[0]
    report = recover_catalog(photoclip_home)
    assert report.backup is None and report.photos_from_store == 4 and report.photos == 4
    lib = make_library([folder])
    assert {r.path: r.id for r in lib._catalog.all_photos()} == ids
    assert lib.index_folders().embedded == 0
    assert lib._tags.photos_with("mine") == set()  # it lived only in the catalog
    lib.close()


def test_recover_report_says_1_photo_not_1_photos(capsys: pytest.CaptureFixture) -> None:
    from photoclip.cli.recover import print_report
    from photoclip.core.recovery import CatalogContents, RecoveryReport

    print_report(RecoveryReport(
        catalog_file="/l/catalog.sqlite3", problem="database disk image is malformed",
        kept_as=["/l/catalog.sqlite3.damaged"], backup="/l/backups/b.sqlite3",
        backup_taken="2026-12-01 15:36", restored=CatalogContents(1, 1, 1, 1, 2),
        photos_from_store=1, store_note=None, photos=1,
    ))
    out = capsys.readouterr().out
    assert "1 photo, 1 tag of yours, 1 rejected tag, 1 album as of" in out
    assert "1 photo indexed since the backup was added back" in out
    assert "now:       1 photo;" in out and "1 photos" not in out
