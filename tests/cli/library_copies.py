"""An indexed library built once (real `photoclip` processes) and copied for each test.

Indexing the same ten photos again for every test that only needs "a library with these photos
indexed" was most of the CLI tests' time. A :class:`LibraryTemplate` runs the commands once; each
test then gets a copy of the home (catalog, vector store, settings: nothing in them names the
home) and the photo folder put back as it was, at the same path the catalog names, with the
same sizes and modification times (``shutil.copy2``), so the copy is exactly the library those
commands left: ``photoclip index`` on it finds nothing to do.

The photo folder is shared by every copy of one template, so two copies of one template must not
be used at once: tests of one module run one after another on one xdist worker
(``--dist loadfile``), and each worker has its own session temp folder.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from photoclip.config import AppPaths, Settings
from tests.cli.helpers import photoclip
from tests.conftest import TINY_KEY


def fill_library_folder(root: Path, datasets_dir: Path, n: int = 10) -> Path:
    """The first ``n`` coco-mini val photos, every second one in ``root/2023`` (times kept)."""
    (root / "2023").mkdir(parents=True)
    srcs = sorted((datasets_dir / "coco-mini" / "val2017").glob("*.jpg"))[:n]
    for i, src in enumerate(srcs):
        shutil.copy2(src, (root / "2023" if i % 2 else root) / src.name)
    return root


@dataclass(frozen=True)
class LibraryCopy:
    """One test's library: its home (PHOTOCLIP_HOME) and the photo folder it indexes."""

    home: Path
    folder: Path

    def photos(self) -> list[str]:
        """The photos at the folder's top level, sorted (as the tests name them)."""
        return sorted(str(p) for p in self.folder.glob("*.jpg"))


class LibraryTemplate:
    """A home and a photo folder after ``commands`` ran on them, ready to be copied."""

    def __init__(self, root: Path, install_tiny_model: Callable[..., object],
                 datasets_dir: Path, commands: Sequence[Sequence[str]]) -> None:
        self.home = root / "home"
        self.folder = root / "Pictures"
        self._pristine = root / "photos-as-indexed"
        paths = AppPaths(data=self.home / "data", config=self.home / "config",
                         cache=self.home / "cache").ensure()
        install_tiny_model(paths.config / "models")
        Settings(model=TINY_KEY, device="cpu", precision="fp32").save(paths.settings_file)
        fill_library_folder(self.folder, datasets_dir)
        for args in commands:
            photoclip(self.home, *self._expand(args), LANGUAGE="en")
        # what the commands left in the folder (sidecars, if they wrote any), as it is
        shutil.copytree(self.folder, self._pristine, symlinks=True)

    def copy(self, home: Path) -> LibraryCopy:
        """The library copied to ``home`` (replaced if there), its photo folder put back."""
        if home.exists():
            shutil.rmtree(home)
        shutil.copytree(self.home, home, symlinks=True)
        if self.folder.exists():
            shutil.rmtree(self.folder)
        shutil.copytree(self._pristine, self.folder, symlinks=True)  # copy2: times kept
        # what the catalog knows a file by: put back, or every test would index it again
        assert _files(self.folder) == _files(self._pristine), "the photos were not put back"
        return LibraryCopy(home, self.folder)

    def _expand(self, args: Sequence[str]) -> list[str]:
        """``{folder}``: the photo folder; ``{photos}``: its top-level photos (sorted)."""
        out: list[str] = []
        for arg in args:
            if arg == "{photos}":
                out += LibraryCopy(self.home, self.folder).photos()
            else:
                out.append(arg.replace("{folder}", str(self.folder)))
        return out


#: folders add, automatic tags off, index: the library most CLI tests start from
INDEXED = (("folders", "add", "{folder}"), ("labels", "auto", "off"), ("index", "-q"))


def _files(root: Path) -> dict[str, tuple[int, int]]:
    """{relative path: (size, mtime_ns)} of every file under ``root``."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in root.rglob("*") if p.is_file()}
