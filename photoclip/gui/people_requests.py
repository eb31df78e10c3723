"""The GUI's named requests about people and photo regions. Each runs on the backend's work
lane (never on the GUI thread) and answers through a callback; a change is followed by
:attr:`PeopleRequests.changed`, so the People list and the photo view's boxes refresh.

The GUI reaches the faces plugin only through the core: :meth:`PluginHost.people` (hook
``photoclip_people``) and :meth:`PluginHost.photo_regions` (hook ``photoclip_photo_regions``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from photoclip.core.people import People, PeopleError, PersonFace, PersonSummary, face_crop
from photoclip.core.people_edits import (
    FaceAnswer,
    FaceName,
    FaceNotPerson,
    PersonHide,
    PersonMerge,
    PersonRename,
)
from photoclip.core.types import Region
from photoclip.gui.i18n import N_, tr
from photoclip.gui.tasks import LOW

if TYPE_CHECKING:
    from photoclip.core.library import Library
    from photoclip.core.undo import Command
    from photoclip.gui.backend import Backend
    from photoclip.gui.undo import Edits

log = logging.getLogger(__name__)

THUMB_PX = 48
NO_PEOPLE = N_("People is off: turn it on in Settings, Plugins (faces), or with "
                "`photoclip plugins enable faces`")


def people_of(lib: Library, optional: bool = False) -> People | None:
    """The library's People; without one, None if ``optional``, else a PeopleError saying
    how to turn People on."""
    people = lib.people()
    if people is None and not optional:
        raise PeopleError(tr(NO_PEOPLE))
    return people


def load_regions(lib: Library, photo_id: int) -> list[Region]:
    """Every plugin's regions of one photo ([] for a photo not in the library)."""
    return lib.photo_regions(photo_id)


def crop_faces(lib: Library, faces: list[PersonFace], size: int) -> dict[int, QImage]:
    """{face id: square crop} of ``faces`` (a null image where the photo cannot be decoded)."""
    records = lib.browse.records(f.photo_id for f in faces)
    return {f.id: _crop(records[f.photo_id].path, f.box, size)
            for f in faces if f.photo_id in records}


def _crop(path: str, box: tuple[float, float, float, float], size: int) -> QImage:
    try:
        crop: Any = face_crop(path, box, size)
    except (OSError, ValueError) as exc:
        log.info("No face thumbnail from %s: %s", path, exc)
        return QImage()
    data = crop.tobytes()
    return QImage(data, crop.width, crop.height, crop.width * 3,
                  QImage.Format.Format_RGB888).copy()


class PeopleRequests(QObject):
    """Named requests about people on the backend's lane; :attr:`changed` after each change,
    :attr:`failed` with a sentence for the user."""

    changed = Signal()
    failed = Signal(str)

    def __init__(self, backend: Backend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self._thumbs: dict[tuple[int, int], QImage] = {}  # (photo id, face id) -> crop
        self.edits: Edits | None = None  # every decision is undoable with it

    def use_edits(self, edits: Edits) -> None:
        """Make every decision (name, merge, not this person, answers, hide) through the
        window's undoable edits (Edit › Undo)."""
        self.edits = edits
        edits.changed.connect(lambda cmd: cmd.kind.startswith("person-") and self.changed.emit())

    # ----- reading ---------------------------------------------------------------------------

    def people(self, on_done: Callable[[list[PersonSummary] | None], None],
               hidden: bool = False) -> None:
        """Everyone (largest first; the hidden ones with ``hidden``), or None when People is
        off (no error shown: the sidebar just has no People)."""
        self.backend.people_request(
            lambda p: None if p is None else p.people(hidden=hidden), on_done,
            key=f"people-{hidden}", priority=LOW, optional=True, on_error=self._error)

    def everyone(self, on_done: Callable[[list[PersonSummary] | None], None]) -> None:
        """Everyone, the hidden people too (None when People is off)."""
        self.backend.people_request(
            lambda p: None if p is None else p.people(hidden=True), on_done,
            key="people-everyone", optional=True, on_error=self._error)

    def suggestions(self, person: int | None,
                    on_done: Callable[[list[PersonFace]], None]) -> None:
        """Suggested faces of one person, or of everyone."""
        self.backend.people_request(lambda p: p.suggestions(person), on_done,
                                    on_error=self._error)

    def thumbnails(self, faces: list[PersonFace],
                   on_done: Callable[[dict[int, QImage]], None]) -> None:
        """Face crops ({face id: image}) of ``faces``, cached by photo and face."""
        cached = {f.id: self._thumbs[(f.photo_id, f.id)] for f in faces
                  if (f.photo_id, f.id) in self._thumbs}
        wanted = [f for f in faces if f.id not in cached]
        if not wanted:
            on_done(cached)
            return
        where = {f.id: f.photo_id for f in wanted}

        def done(found: dict[int, QImage]) -> None:
            self._thumbs.update({(where[fid], fid): img for fid, img in found.items()})
            on_done({**cached, **found})

        self.backend.face_thumbnails(wanted, THUMB_PX, done)

    # ----- changing --------------------------------------------------------------------------

    def _change(self, fn: Callable[[People], Any],
                on_done: Callable[[Any], None] | None = None) -> None:
        def done(result: Any) -> None:
            if on_done is not None:
                on_done(result)
            self.changed.emit()

        self.backend.people_request(fn, done)

    def _decide(self, edit: Command, fallback: Callable[[People], Any]) -> None:
        """An undoable decision through the window's edits, else straight to People."""
        if self.edits is not None:
            self.edits.run(edit)
        else:
            self._change(fallback)

    def name(self, person: int, name: str) -> None:
        self._decide(PersonRename(person, name), lambda p: p.name(person, name))

    def name_face(self, face_id: int, name: str) -> None:
        self._decide(FaceName(face_id, name), lambda p: p.name_face(face_id, name))

    def merge(self, into: int | str, other: int) -> None:
        self._decide(PersonMerge(into, other), lambda p: p.merge(into, other))

    def not_person(self, face_id: int) -> None:
        self._decide(FaceNotPerson(face_id), lambda p: p.not_person(face_id))

    def hide(self, person: int, hidden: bool = True) -> None:
        self._decide(PersonHide(person, hidden), lambda p: p.hide(person, hidden))

    def answer(self, face_id: int, yes: bool) -> None:
        self._decide(FaceAnswer(face_id, yes), lambda p: p.confirm(face_id, yes))

    def _error(self, exc: BaseException) -> None:
        from photoclip.core.errors import describe_error

        self.failed.emit(describe_error(exc, tr))
