"""What a plugin may see and change of the open library (re-exported by ``plugin_api``)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from photoclip.config import AppPaths
from photoclip.core.albums import PhotoTags
from photoclip.core.browse import Browsing
from photoclip.core.types import (
    Exporter,
    Photo,
    Region,
    SearchHit,
    counted,
    photo_from_record,
)
from photoclip.core.vector_space import VectorSpace

if TYPE_CHECKING:
    from photoclip.core.undo import Command

log = logging.getLogger(__name__)


class LibraryView(Protocol):
    """What a context needs of the library (the :class:`~photoclip.core.library.Library`
    provides it; the core below the facade never imports the facade)."""

    paths: AppPaths
    browse: Browsing
    analysis: Any  # core.analysis.AnalysisStage
    settings: Any  # config.Settings
    tagging: PhotoTags
    vectors: VectorSpace
    trash: Any  # core.photo_trash.PhotoTrash (move_to_trash)

    @property
    def model_spec(self) -> Any: ...

    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]: ...

    def album_members(self, name: str) -> set[int]: ...


class PluginContext:
    """What a plugin may read and change in the open library (given to actions and events).

    ``confirm(question) -> bool`` is supplied by the front end (a dialog in the GUI, a y/N
    prompt or ``--yes`` in the CLI); without one, every question is answered "no".
    """

    def __init__(
        self,
        library: LibraryView,
        *,
        confirm: Callable[[str], bool] | None = None,
        exporters: dict[str, Exporter] | None = None,
    ) -> None:
        self._lib = library
        self._confirm = confirm
        self._exporters = dict(exporters or {})

    # ----- reading -----------------------------------------------------------------------------

    @property
    def model(self) -> str:
        """The key of the model the library's vectors come from (``photoclip models``)."""
        return str(self._lib.model_spec.key)

    def photos(self, ids: Iterable[int] | None = None) -> list[Photo]:
        """Photos by id (unknown ids are left out), or every indexed photo; in id order."""
        if ids is None:
            ids = self._lib.vectors.index().ids().tolist()
        records = self._lib.browse.records(ids)
        return [photo_from_record(records[i]) for i in sorted(records)]

    def photo(self, target: int | str | Path) -> Photo | None:
        """One photo by id or path; None if it is not in the library."""
        if isinstance(target, int):
            rec = self._lib.browse.record(target)
        else:
            rec = self._lib.browse.record_at(target)
        return photo_from_record(rec) if rec is not None else None

    def vectors(self, ids: Sequence[int] | None = None) -> tuple[list[int], np.ndarray]:
        """Stored L2-normalised vectors (float32, one row per photo) of ``ids`` that have one,
        or of every indexed photo."""
        index = self._lib.vectors.index()
        if ids is None:
            all_ids, vecs = index.snapshot()
            return [int(i) for i in all_ids], np.asarray(vecs, dtype=np.float32)
        pairs = [(int(i), index.vector(int(i))) for i in ids]
        pairs = [(i, v) for i, v in pairs if v is not None]
        if not pairs:
            return [], np.zeros((0, index.dim), dtype=np.float32)
        return [i for i, _ in pairs], np.stack([v for _, v in pairs]).astype(np.float32)

    def search(self, query: str, limit: int = 20) -> list[Photo]:
        """The best matches of a text query (the same syntax as ``photoclip search``)."""
        hits = self._lib.search(query, limit=limit)
        return self._photos_in_order([h.photo_id for h in hits])

    def album(self, name: str) -> list[Photo]:
        """The photos in an album (smart albums are evaluated now)."""
        return self.photos(self._lib.album_members(name))

    def with_tag(self, tag: str) -> list[Photo]:
        """The photos carrying a tag (the user's, a keyword or an automatic one)."""
        return self.photos(self._lib.tagging.photos_with(tag))

    def tags(self, photo_id: int) -> list[str]:
        """The user's own tags of a photo."""
        return self._lib.tagging.own(photo_id)

    def exporters(self) -> dict[str, Exporter]:
        """Every registered exporter, by name."""
        return dict(self._exporters)

    # ----- changing ----------------------------------------------------------------------------

    def add_tag(self, tag: str, photo_ids: Iterable[int]) -> int:
        """Give photos a tag of the user's (as `photoclip tag add`); returns how many changed."""
        ids = list(photo_ids)
        return self._lib.tagging.add(tag, ids).changed if ids else 0

    def confirm(self, question: str) -> bool:
        """Ask the user a yes/no question; False when nobody can answer."""
        if self._confirm is None:
            return False
        try:
            return bool(self._confirm(question))
        except (EOFError, KeyboardInterrupt):
            return False

    def move_to_trash(
        self, paths: Sequence[str | Path], *, reason: str = "", review: str = ""
    ) -> list[Path]:
        """After the user confirms, move files to the system trash (nothing is ever deleted;
        :mod:`photoclip.core.trash`); returns where they lie there (a file's old path where
        the platform does not say) or [] if the user said no. ``review`` is shown with the
        question (what will move and why). The library forgets them at once; `photoclip undo`
        brings them back with their tags and albums where the platform allows."""
        if not paths:
            return []
        why = f" ({reason})" if reason else ""
        shown = f"{review.rstrip()}\n\n" if review else ""
        if not self.confirm(f"{shown}Move {counted(len(paths), 'file')}{why} to the system "
                            "trash?"):
            return []
        from photoclip.core.edits import TrashPhotos
        from photoclip.core.trash import move_to_trash

        known = {str(p): self._lib.browse.record_at(p) for p in paths}
        ids = [rec.id for rec in known.values() if rec is not None]
        moved = [t for p, rec in known.items() if rec is None for t in move_to_trash([p])]
        if ids:
            record = self.run_edit(TrashPhotos(ids))
            moved += [p.trashed for p in record.photos]
        return [Path(t.in_trash or t.original) for t in moved]

    def run_edit(self, edit: Command) -> Any:
        """Do one of the core's undoable edits (the People decisions of ``plugin_api``:
        PersonRename, PersonMerge, FaceName, FaceNotPerson, FaceAnswer, PersonHide) so that
        `photoclip undo` takes it back (the CLI's journal); what the edit returned."""
        from photoclip.core.undo import journal

        return journal(self._lib.paths.library_dir).run(edit, self._lib)

    def named_regions(self, photo: Photo) -> list[Region]:
        """The named MWG regions (``mwg-rs:Regions``: digiKam's, Lightroom's, Picasa's people)
        of a photo's sidecar, else of the photo file: the user's own names. ``kind`` is "face"
        for MWG's Face type, else MWG's type in lower case; ``label`` is the name."""
        from photoclip.core.xmp_regions import read_named_regions

        size = self._upright_size(photo)
        if size is None:
            return []
        return [Region(r.kind.lower(), r.box, r.name) for r in
                read_named_regions(photo.path, size) if r.box[2] > 0 and r.box[3] > 0]

    def write_named_regions(self, photo: Photo, regions: Sequence[Region]) -> bool:
        """Write these named face regions (``label``: the person's name) into the photo's XMP
        sidecar as MWG regions, in place of the face regions there (other kinds stay), if the
        user turned on ``write_xmp``; the photo file is never written. True if the sidecar
        was written; a sidecar that cannot be is logged and left alone."""
        from photoclip.core.xmp_regions import NamedRegion, write_face_regions

        size = self._upright_size(photo)
        if not self._lib.settings.write_xmp or size is None:
            return False
        try:
            return write_face_regions(photo.path, [NamedRegion(r.label, r.box)
                                                   for r in regions if r.label], size) is not None
        except (OSError, ValueError) as exc:
            log.warning("Cannot write the face regions of %s: %s", photo.path, exc)
            return False

    @staticmethod
    def _upright_size(photo: Photo) -> tuple[int, int] | None:
        return (photo.width, photo.height) if photo.width and photo.height else None

    def reset_analyzer(self, name: str) -> int:
        """Start analyzer ``name`` over: every photo is analysed again at the next index run
        while it is on (after the plugin removed its results, e.g. "forget every face").
        Returns the photos that were done; KeyError for an unknown analyzer."""
        return int(self._lib.analysis.reset(name))

    def data_dir(self, plugin: str) -> Path:
        """A folder where plugin ``plugin`` may keep files (caches, state); created if needed."""
        path = self._lib.paths.data / "plugin-data" / plugin
        path.mkdir(parents=True, exist_ok=True)
        return path

    def _photos_in_order(self, ids: list[int]) -> list[Photo]:
        records = self._lib.browse.records(ids)
        return [photo_from_record(records[i]) for i in ids if i in records]

