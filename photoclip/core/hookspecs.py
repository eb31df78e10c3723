"""The plugin hooks (pluggy specifications). Plugins implement them with ``plugin_api.hookimpl``.

Every hook is optional. Hooks that contribute things take a ``register`` callback, so one plugin
may register any number of label sets, actions or exporters (the llm/pluggy pattern). Each
implementation is called on its own: one that raises is logged, reported against its plugin and
skipped, and the other plugins still run (see :mod:`photoclip.core.plugin_host`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import numpy as np

    from photoclip.core.analysis import Analyzer
    from photoclip.core.labels import LabelSet
    from photoclip.core.model_provider import ModelProvider
    from photoclip.core.people import People
    from photoclip.core.plugin_context import PluginContext
    from photoclip.core.types import (
        Action,
        Exporter,
        Photo,
        Region,
        SearchFilter,
        SearchScorer,
    )

PROJECT = "photoclip"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class PhotoclipSpecs:
    """The hooks a plugin may implement (all optional)."""

    @hookspec
    def photoclip_label_sets(self, register: Callable[[LabelSet], None]) -> None:
        """Register label sets for automatic tags (the user's files of the same name win).

        Example::

            @hookimpl
            def photoclip_label_sets(register):
                register(parse_label_set({"name": "birds", "labels": [{"name": "heron"}]}))
        """

    @hookspec
    def photoclip_actions(self, register: Callable[[Action], None]) -> None:
        """Register actions on selected photos: the GUI shows them in the photos' context menu,
        the CLI makes each one a command (``photoclip NAME [PHOTOS...] [--query ...]``).

        Example::

            @hookimpl
            def photoclip_actions(register):
                register(Action("count", "Count photos", "Say how many", run=count))
        """

    @hookspec
    def photoclip_model_providers(self, register: Callable[[ModelProvider], None]) -> None:
        """Register model providers: code that builds the image and text encoders of another
        model family than open_clip's (see :mod:`photoclip.core.model_provider`). A user model
        file (``<config>/models/KEY.json``) with ``"provider": NAME`` is built by it.

        Example::

            @hookimpl
            def photoclip_model_providers(register):
                register(MyFamily())  # name, config, preprocess_spec, files, build
        """

    @hookspec
    def photoclip_exporters(self, register: Callable[[Exporter], None]) -> None:
        """Register ways to export photos to a destination folder (``photoclip export --as``).

        Example::

            @hookimpl
            def photoclip_exporters(register):
                register(Exporter("copies", "Copy the files", export=copy_files))
        """

    @hookspec
    def photoclip_accept_file(self, path: str) -> bool | None:
        """Whether a file found while scanning belongs in the library. Return False to skip it,
        True or None to have no opinion (any False wins). Called for every file scanned: keep it
        cheap (no file reads).

        Example::

            @hookimpl
            def photoclip_accept_file(path):
                return False if "/screenshots/" in path else None
        """

    @hookspec
    def photoclip_photos_indexed(
        self, photos: Sequence[Photo], vectors: np.ndarray, context: PluginContext
    ) -> None:
        """Photos were just embedded (called once per indexing batch): ``vectors[i]`` is the
        L2-normalised vector of ``photos[i]``. Runs on the indexing thread: keep it short.

        Example::

            @hookimpl
            def photoclip_photos_indexed(photos, vectors, context):
                big = [p.id for p in photos if (p.width or 0) * (p.height or 0) > 40e6]
                context.add_tag("huge", big)
        """

    @hookspec
    def photoclip_analyzers(self, register: Callable[[Analyzer], None]) -> None:
        """Register analyzers: work done on every indexed photo *after* it is searchable and its
        content hash is recorded (faces, text in photos, ...). Each analyzer keeps its own
        per-photo state, so it catches up on an existing library in the background, goes on
        after a crash, and runs again on every photo when its ``version`` changes. A failing
        analyzer is reported and skipped; its photos are marked failed with the reason.

        Example::

            def analyze(context, photos, vectors):
                dark = [p.id for p, v in zip(photos, vectors) if is_dark(p.path)]
                context.add_tag("dark", dark)
                return None  # or {photo_id: "reason"} for photos that failed

            @hookimpl
            def photoclip_analyzers(register):
                register(Analyzer("dark", "Finding dark photos", version="1", analyze=analyze))
        """

    @hookspec
    def photoclip_search_filters(self, register: Callable[[SearchFilter], None]) -> None:
        """Register named search filters: each narrows a search or a browse to the photos it
        returns for a value (``photoclip search "beach" --where person=Anna``, ``text:"wifi"``
        in a query). List them in ``plugin.toml`` as well so the CLI has ``--NAME`` without
        importing the plugin::

            [search_filters]
            person = "only photos with this person (repeat: all of them)"

        Example::

            @hookimpl
            def photoclip_search_filters(register):
                register(SearchFilter("person", "photos with this person", photos=with_person))
        """

    @hookspec
    def photoclip_search_scorers(self, register: Callable[[SearchScorer], None]) -> None:
        """Register scorers that raise photos in a text query's ranking, with a reason shown in
        the results (the text in photos raises a photo that contains the query's words).

        Example::

            def score(context, text, limit):
                return {pid: Match(1.0, f"text: {text}") for pid in photos_saying(text, limit)}

            @hookimpl
            def photoclip_search_scorers(register):
                register(SearchScorer("text", score, weight=0.2))
        """

    @hookspec
    def photoclip_photo_regions(
        self, photo: Photo, context: PluginContext
    ) -> Sequence[Region] | None:
        """The regions of one photo the plugin knows (faces, lines of text): the photo view
        draws them (a toggle shows or hides them) and lets the user act on one (name a face,
        copy a text line). Called when a photo is shown, off the GUI thread: read what an
        analyzer stored, never run a model here. Return None or [] for none.

        Example::

            @hookimpl
            def photoclip_photo_regions(photo, context):
                return [Region("face", (10, 20, 64, 64), "Anna", confidence=0.9, id="17")]
        """

    @hookspec(firstresult=True)
    def photoclip_people(self, context: PluginContext) -> People | None:
        """The library's people (a :class:`~photoclip.core.people.People`), for the GUI's
        People view, its photo view's face actions and search by person; None when the
        plugin has none to give (e.g. People is off). The first plugin that returns one wins.

        Example::

            @hookimpl
            def photoclip_people(context):
                return MyPeople(context)
        """
