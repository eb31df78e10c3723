from pathlib import Path

from photoclip.core.catalog import Catalog
from photoclip.core.types import FileInfo


def _files(root: str, n: int) -> list[FileInfo]:
    return [FileInfo(f"{root}/img{i}.jpg", 100 + i, 1_000 + i) for i in range(n)]


def test_scan_diff_and_states(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite3")
    diff = cat.apply_scan(_files("/p", 3), ["/p"])
    assert (diff.new, diff.changed, diff.unchanged, diff.missing_ids) == (3, 0, 0, frozenset())
    pending = cat.pending("m")
    assert [r.path for r in pending] == ["/p/img0.jpg", "/p/img1.jpg", "/p/img2.jpg"]
    cat.mark_indexed("m", [(pending[0].id, "h0", None)])
    cat.mark_failed(pending[1].id, "truncated file", "h1")
    counts = cat.counts("m")
    assert (counts.photos, counts.indexed, counts.pending, counts.failed) == (3, 1, 1, 1)
    assert cat.counts("other-model").indexed == 0  # models never share state

    changed = [FileInfo("/p/img0.jpg", 999, 5), FileInfo("/p/img1.jpg", 101, 1001)]
    diff = cat.apply_scan(changed, ["/p"])
    assert (diff.new, diff.changed, diff.unchanged) == (0, 1, 1)
    assert diff.missing_ids == {pending[2].id}
    assert pending[0].id in {r.id for r in cat.pending("m")}  # changed content -> pending again


def test_prefix_is_path_aware(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite3")
    cat.apply_scan([FileInfo("/a/b/x.jpg", 1, 1), FileInfo("/a/bc/y.jpg", 1, 1)], ["/a/b", "/a/bc"])
    assert set(cat.stats_by_path(["/a/b"])) == {"/a/b/x.jpg"}
    outside = cat.ids_outside(["/a/b"])
    assert [cat.get(i).path for i in outside] == ["/a/bc/y.jpg"]


def test_move_keeps_id(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite3")
    cat.apply_scan([FileInfo("/p/a.jpg", 1, 1)], ["/p"])
    pid = cat.get_by_path("/p/a.jpg").id
    cat.mark_indexed("m", [(pid, "h", None)])
    cat.move(pid, "/p/sub/b.jpg", 1, 2)
    rec = cat.get(pid)
    assert (rec.path, rec.folder) == ("/p/sub/b.jpg", "/p/sub")
    assert cat.indexed_ids("m") == {pid}


def test_survives_reopen(tmp_path: Path) -> None:
    cat = Catalog(tmp_path / "c.sqlite3")
    cat.apply_scan(_files("/p", 2), ["/p"])
    cat.close()
    again = Catalog(tmp_path / "c.sqlite3")
    assert again.counts("m").photos == 2
