"""Make tests/assets/library-v1/catalog.sqlite3: a tiny catalog written by photoclip's schema 1.

It was made with the code of commit fad7288 (the last release before numbered migrations) so
that tests can check a library from that release still opens and keeps everything. Run against
*that* code, never against a newer checkout (which would write a newer schema)::

    git worktree add /tmp/pc-v1 fad7288
    PYTHONPATH=/tmp/pc-v1 python tests/assets/make_library_v1.py tests/assets/library-v1

No vector store is included: the migration tests need the catalog only.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from photoclip.core.catalog import SCHEMA_VERSION, Catalog
from photoclip.core.tags import TagStore
from photoclip.core.types import FileInfo

MODEL = "vit-b-32"


def make(folder: Path) -> Path:
    assert SCHEMA_VERSION == 1, "run this with the schema-1 code (see the docstring)"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "catalog.sqlite3"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    cat = Catalog(path)
    tags = TagStore(cat)
    files = [FileInfo(f"/photos/2024/img{i}.jpg", 1000 + i, 1_700_000_000_000_000_000 + i)
             for i in range(5)]
    files.append(FileInfo("/photos/2024/broken.jpg", 12, 1_700_000_000_000_000_999))
    cat.apply_scan(files, ["/photos/2024"])
    ids = {Path(r.path).name: r.id for r in cat.all_photos()}
    good = [ids[f"img{i}.jpg"] for i in range(5)]
    cat.mark_indexed(MODEL, [(pid, f"hash{k}", None) for k, pid in enumerate(good)])
    cat.mark_failed(ids["broken.jpg"], "cannot identify image file", "hashbroken")
    tags.add("beach", good[:2])
    tags.add("Grandma", [good[2]])
    tags.reject("dog", [good[0]])
    tags.set_keywords_many({good[3]: ["holiday", "Italy"]})
    cat.set_file_keywords({good[3]: (["holiday"], "sidecar-stamp-3"), good[4]: ([], "")})
    tags.replace_auto(MODEL, {good[1]: [("sand", "everyday", 0.31)]})
    tags.create_album("Favourites")
    tags.add_to_album("Favourites", [good[0], good[4]])
    tags.create_album("Beach days", tag="beach")
    tags.create_album("Sunsets", query="a sunset over the sea", min_score=0.25)
    cat.set_meta("library_id", "fixture00001")
    cat.set_meta("sidecars_known", "1")
    cat.close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    db.execute("PRAGMA page_size=1024")  # keep the committed file small
    db.execute("VACUUM")
    db.close()
    return path


if __name__ == "__main__":
    print(make(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/assets/library-v1")))
