"""The ``faces`` plugin: People. Finds the faces in every indexed photo, groups them into people
and lets the user name, merge and correct them; everything stays on this machine.

- The ``faces`` analyzer (the core's analysis stage) runs after photos are searchable: it
  detects faces with dlib's HOG detector on a reduced image, aligns them with the 5-point
  landmark model and encodes them with dlib's ResNet (128-d), then stores each photo's faces in
  the plugin's own SQLite file (``store``), matched to a known person when confident.
- ``photoclip people`` lists people (largest first), names, merges, shows a person's photos,
  says "not this person" for a face, clusters again, and forgets every face (``--forget``).

Off by default (``photoclip plugins enable faces``); ``photoclip analyzers off faces`` stops
new face analysis, ``photoclip people --forget --yes`` removes every face vector and name.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from photoclip.plugin_api import (
    Action,
    ActionResult,
    Analyzer,
    AnalyzerError,
    Count,
    FaceAnswer,
    FaceName,
    FaceNotPerson,
    Option,
    PersonHide,
    PersonMerge,
    PersonRename,
    PersonSummary,
    Photo,
    PluginContext,
    PluginError,
    Region,
    Said,
    SearchFilter,
    counted,
    hookimpl,
)

from . import api, sidecars, workers
from . import people as people_ops
from . import store as face_store
from .models import MODEL_VERSION, FaceModelsMissing, shared_models

log = logging.getLogger(__name__)

PLUGIN = "faces"


def open_store(context: PluginContext) -> face_store.FaceStore:
    """The plugin's face store of the context's library."""
    return face_store.FaceStore(context.data_dir(PLUGIN))


def analyze(context: PluginContext, photos: list[Photo], vectors: np.ndarray
            ) -> Mapping[int, str] | None:
    """The analyzer: each photo's faces, stored in one transaction per batch."""
    try:
        shared_models()  # here first: a missing model is one clear error, not one per worker
    except FaceModelsMissing as exc:
        raise AnalyzerError(str(exc)) from exc
    jobs = []
    for photo in photos:
        size = (photo.width, photo.height) if photo.width and photo.height else None
        # names the user gave faces in digiKam, Lightroom, Picasa (MWG regions): kept as theirs
        named = [(r.label, r.box) for r in context.named_regions(photo) if r.kind == "face"]
        jobs.append((photo.path, size, named))
    found, failed = {}, {}
    for photo, result in zip(photos, workers.faces_of(jobs)):
        if isinstance(result, str):
            failed[photo.id] = result
        else:
            found[photo.id] = result
    store = open_store(context)
    try:
        store.replace_photos(found)
    finally:
        store.close()
    return failed or None


def _person_line(p: face_store.Person) -> str:
    return (f"{p.id:>5}  {p.name or '(unnamed)':<30} {counted(p.faces, 'face'):>10}  "
            f"{counted(p.photos, 'photo')}")


def _as_dict(p: face_store.Person | PersonSummary) -> dict[str, Any]:
    out = {"id": p.id, "name": p.name, "faces": p.faces, "photos": p.photos}
    if p.hidden:
        out["hidden"] = True
    return out


def run(context: PluginContext, photos: list[Photo], options: dict[str, Any]) -> ActionResult:
    """``photoclip people``: list, or the one change the options ask for."""
    folder = context.data_dir(PLUGIN)
    if options.get("forget"):
        faces, persons = _counts(context)
        if not context.confirm(f"Remove every face ({counted(faces, 'face')}) and every "
                               f"name ({counted(persons, 'person', 'people')})?"):
            return ActionResult(Said("nothing removed"), data={"forgotten": False})
        cleared = _take_out_of_sidecars(context)
        with api._readers_lock:
            api.close_readers()  # no connection keeps the file (Windows could not delete it)
            face_store.forget(folder)
        context.reset_analyzer("faces")  # turned on again, every photo is analysed again
        return ActionResult(
            Said("every face and name is removed (`photoclip analyzers off faces` stops new "
                 "ones)"),
            data={"forgotten": True, "faces": faces, "people": persons, "sidecars": cleared},
        )
    try:
        store = face_store.FaceStore(folder)
        try:
            api.tidy(context, store)
            if options.get("recluster"):
                people_ops.recluster(store)
        finally:
            store.close()
        decided = _decide(context, options)  # undoable: `photoclip undo` takes it back
        if decided is not None:
            return decided
        store = face_store.FaceStore(folder)
        try:
            return _run(context, store, options)
        finally:
            store.close()
    except people_ops.PeopleError as exc:
        raise PluginError(str(exc)) from exc


def _take_out_of_sidecars(context: PluginContext) -> int:
    """The names photoclip wrote into sidecars leave them too (else the next analysis would
    read them back as the user's own)."""
    if not (context.data_dir(PLUGIN) / face_store.FILE_NAME).exists():
        return 0
    store = open_store(context)
    try:
        return sidecars.take_out(context, store)
    finally:
        store.close()


def _counts(context: PluginContext) -> tuple[int, int]:
    if not (context.data_dir(PLUGIN) / face_store.FILE_NAME).exists():
        return 0, 0
    store = open_store(context)
    try:
        return store.counts()
    finally:
        store.close()


def _run(context: PluginContext, store: face_store.FaceStore, options: dict[str, Any]
         ) -> ActionResult:
    person = options.get("person")
    if options.get("suggestions"):
        return _suggestions(store, person)
    if options.get("show") or person:
        p = people_ops.find_person(store, options.get("show") or person)
        shown = context.photos(store.photos_of(p.id))
        faces = store.faces(person_id=p.id)
        lines = [ph.path for ph in shown]
        lines += [f"  face {f.id}: photo {f.photo_id} box "
                  f"{', '.join(str(round(v)) for v in f.box)}" for f in faces]
        return ActionResult(
            Said("{who}: {photos}", {"who": _who(p), "photos": Count(len(shown), "photo")}),
            lines,
            data={**_as_dict(p), "paths": [ph.path for ph in shown],
                  "faces": [{"id": f.id, "photo_id": f.photo_id, "box": list(f.box),
                             "confidence": f.confidence, "locked": f.locked} for f in faces]},
        )
    hidden = bool(options.get("hidden"))
    everyone = store.people(hidden=hidden)
    what = Count(len(everyone), "hidden person" if hidden else "person",
                 "hidden people" if hidden else "people")
    return ActionResult(
        Said("{people}", {"people": what}), [_person_line(p) for p in everyone],
        data={"people": [_as_dict(p) for p in everyone]},
    )


def _who(p: face_store.Person) -> str | Said:
    return p.name or Said("person {id}", {"id": p.id})


def _decide(context: PluginContext, options: dict[str, Any]) -> ActionResult | None:
    """The decision the options ask for (hide, answer a suggestion, not this face, name,
    merge), done as one of the core's undoable edits; None when they ask for none."""
    edit = context.run_edit
    for key, hidden in (("hide", True), ("unhide", False)):
        if options.get(key):
            p = edit(PersonHide(options[key], hidden))
            return ActionResult(Said("{who} is hidden" if hidden else "{who} is shown again",
                                     {"who": _who(p)}), data=_as_dict(p))
    for key, yes in (("accept", True), ("decline", False)):
        if options.get(key) is not None:
            face = int(options[key])
            who = edit(FaceAnswer(face, yes))
            return ActionResult(Said("face {face} joined the suggested person" if yes else
                                     "face {face} stays out of the suggested person",
                                     {"face": face}), data={"face": face, "person": who})
    if options.get("not-face") is not None:
        new = edit(FaceNotPerson(int(options["not-face"])))
        return ActionResult(Said("face {face} moved to person {person}",
                                 {"face": options["not-face"], "person": new}),
                            data={"face": options["not-face"], "person": new})
    person = options.get("person")
    if options.get("name"):
        if options.get("face") is not None:
            p = edit(FaceName(int(options["face"]), options["name"]))
            return ActionResult(Said("face {face} is {name}",
                                     {"face": options["face"], "name": p.name}), data=_as_dict(p))
        if not person:
            raise PluginError("say whose name it is: --person ID --name NAME "
                              "(or --face ID --name NAME)")
        p = edit(PersonRename(person, options["name"]))
        return ActionResult(Said("person {id} is {name}", {"id": p.id, "name": p.name}),
                            data=_as_dict(p))
    if options.get("merge"):
        if not person:
            raise PluginError("say who to merge into: --person A --merge B")
        p = edit(PersonMerge(person, options["merge"]))
        return ActionResult(Said("merged into person {id} ({faces})",
                                 {"id": p.id, "faces": Count(p.faces, "face")}),
                            data=_as_dict(p))
    return None


def _suggestions(store: face_store.FaceStore, person: str | None) -> ActionResult:
    found = people_ops.suggestions(store, person)
    names = store.named()
    faces = [f for f in store.faces() if f.id in found]
    lines = [f"  face {f.id}: photo {f.photo_id} may be {names[found[f.id]]} "
             f"(--accept {f.id} / --decline {f.id})" for f in faces]
    return ActionResult(
        Said("{suggestions}", {"suggestions": Count(len(faces), "suggestion")}), lines,
        data={"suggestions": [{"face": f.id, "photo_id": f.photo_id, "box": list(f.box),
                               "person": found[f.id], "name": names[found[f.id]]}
                              for f in faces]},
    )


@hookimpl
def photoclip_analyzers(register: Callable[[Analyzer], None]) -> None:
    register(Analyzer("faces", "Finding faces", version=MODEL_VERSION, analyze=analyze,
                      batch_size=16))


@hookimpl
def photoclip_actions(register: Callable[[Action], None]) -> None:
    register(Action(
        "people", "People",
        "List the people in your photos (largest first), name, merge, show; --forget removes "
        "every face and name",
        run,
        options=(
            Option("person", "a person's id or name (with --name, --merge; alone: show them)"),
            Option("name", "name --person (a name someone has already merges the two)"),
            Option("merge", "merge this person (id or name) into --person"),
            Option("show", "the photos and faces of a person (id or name)"),
            Option("face", "with --name: this face id is that person's", type=int),
            Option("not-face", "this face id is not its person: never put it back", type=int),
            Option("hide", "hide a person (id or name) from the list"),
            Option("unhide", "show a hidden person again"),
            Option("hidden", "list the hidden people", type=bool),
            Option("suggestions", "faces that may be a named person (--person: theirs only)",
                   type=bool),
            Option("accept", "this suggested face is the suggested person", type=int),
            Option("decline", "this suggested face is not the suggested person", type=int),
            Option("recluster", "group every face again (your decisions are kept)", type=bool),
            Option("forget", "remove every face vector and name (asks; --yes to confirm)",
                   type=bool),
        ),
        selection="none",
    ))


@hookimpl
def photoclip_photo_regions(photo: Photo, context: PluginContext) -> list[Region]:
    return api.photo_regions(context, photo)


@hookimpl
def photoclip_people(context: PluginContext) -> api.FacesPeople:
    return api.FacesPeople(context)


@hookimpl
def photoclip_search_filters(register: Callable[[SearchFilter], None]) -> None:
    register(SearchFilter("person", "only photos with this person, by name or id",
                          photos=api.person_filter))
