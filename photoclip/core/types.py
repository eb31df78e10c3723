"""Small immutable values passed between the core's parts, and the plugin API's value types
(:mod:`photoclip.plugin_api` re-exports those; the core never imports the public API)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from photoclip.core.said import N_, Said, Spoken

if TYPE_CHECKING:
    from photoclip.core.plugin_context import PluginContext


@dataclass(frozen=True)
class FileInfo:
    """What a directory walk learns about a file without opening it."""

    path: str  # absolute, resolved
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ImageInfo:
    """Facts read from an image while decoding it."""

    width: int  # as displayed (after EXIF orientation), of the original, not the decoded copy
    height: int
    format: str  # Pillow's format name, e.g. "JPEG", "HEIF", "DNG"
    taken: datetime | None = None  # EXIF DateTimeOriginal (naive local time), if present
    camera: str | None = None  # "Make Model", if present
    lens: str | None = None  # EXIF LensModel (with LensMake), if present
    gps: tuple[float, float] | None = None  # (latitude, longitude) in degrees, if present


@dataclass(frozen=True)
class PreprocessSpec:
    """How a model wants its input pixels (mirrors open_clip's PreprocessCfg)."""

    image_size: tuple[int, int]  # (height, width)
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    interpolation: str = "bicubic"  # bicubic | bilinear
    resize_mode: str = "shortest"  # shortest | longest | squash
    fill_color: int = 0

    @property
    def min_side(self) -> int:
        """The smallest source side that still gives full detail at the model's input size."""
        return max(self.image_size)


@dataclass(frozen=True)
class SearchHit:
    """One search result: a photo and how well it matches."""

    rank: int  # 1-based
    photo_id: int
    path: str
    score: float  # cosine similarity of the (weighted) query and the photo, plus plugin boosts
    reasons: tuple[str, ...] = ()  # why it matched besides the picture: "text: wifi password"


_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")

#: The version of the plugin API. A plugin's manifest names the version it was written for; the
#: host loads it only if that equals this number (re-exported by :mod:`photoclip.plugin_api`).
API_VERSION = 1


class PluginError(Exception):
    """A plugin cannot do what was asked; the message is shown to the user as is."""


_UNKNOWN = N_("no {what} {name!r}; choose one of: {listed}")
_UNKNOWN_SEE = N_("no {what} {name!r}; choose one of: {listed} (see `{see}`)")
_NONE = N_("(none)")
for _what in ("model", "plugin", "analyzer", "label set", "built-in label set"):
    N_(_what)  # what UnknownChoiceError names (a word of the catalogue)


class UnknownChoiceError(ValueError):
    """A name that is not one of those photoclip offers (a model, a plugin, an analyzer, a label
    set, an exporter, an option's choice): a usage error (exit status 2) whose message names
    the choices. (The user's own things, albums and tags, are "not found" instead.)"""

    def __init__(self, what: str, name: str, choices: Iterable[str], see: str = "") -> None:
        self.what, self.name, self.choices = what, name, tuple(choices)
        listed = ", ".join(self.choices)
        self.said = Said(_UNKNOWN_SEE if see else _UNKNOWN,
                         {"what": what, "name": name, "listed": listed or _NONE, "see": see},
                         words=("what",) if listed else ("what", "listed"))
        super().__init__(str(self.said))


@dataclass(frozen=True)
class Photo:
    """A photo in the library, as plugins see it."""

    id: int
    path: str
    size: int  # bytes
    width: int | None = None
    height: int | None = None
    taken: float | None = None  # POSIX time from EXIF, if known
    camera: str | None = None
    content_hash: str | None = None  # identical files have identical hashes


@dataclass(frozen=True)
class Option:
    """A setting of an action: a CLI flag ``--NAME`` and a field in the GUI's action dialog."""

    name: str  # [a-z][a-z0-9-]*
    help: str
    type: type = str  # str | int | float | bool (bool: a switch, default False)
    default: Any = None
    choices: tuple[str, ...] = ()
    required: bool = False
    #: Choices known only when the plugins are loaded: "exporters" (every exporter's name).
    #: The fronts show them as :attr:`choices` (:meth:`PluginActions.options`).
    choices_from: str = ""


@dataclass(frozen=True)
class ActionResult:
    """What an action did: a one-line message, optional detail lines and JSON-able data.

    The message (and each detail line) is a text, or a :class:`~photoclip.core.said.Said`
    (``Said("exported {photos} to {folder}", {"photos": Count(3, "photo"), ...})``) whose
    template and words the plugin's ``[translations]`` table translates: the fronts show it in
    the user's language (:attr:`said`, :attr:`said_details`), while :attr:`message` and
    :attr:`details` hold the English (``--json``, logs)."""

    message: str
    details: list[str] = field(default_factory=list)
    data: Any = None
    said: Spoken | None = field(default=None, compare=False, repr=False)
    said_details: tuple[str | Spoken, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.message, Spoken):
            object.__setattr__(self, "said", self.message)
            object.__setattr__(self, "message", str(self.message))
        if any(isinstance(d, Spoken) for d in self.details):
            object.__setattr__(self, "said_details", tuple(self.details))
            object.__setattr__(self, "details", [str(d) for d in self.details])


ActionRun = Callable[["PluginContext", list[Photo], dict[str, Any]], ActionResult]


@dataclass(frozen=True)
class Action:
    """An action on selected photos (GUI context menu, CLI command ``photoclip NAME``).

    ``selection``: "required" (at least one photo), "optional" (none selected means the whole
    library) or "none" (the action ignores photos). ``run(context, photos, options)`` returns
    an :class:`ActionResult`; it may raise :class:`PluginError` with a message for the user.
    Actions never delete: to remove files use :meth:`PluginContext.move_to_trash`, which asks.
    """

    name: str
    title: str
    description: str
    run: ActionRun
    options: tuple[Option, ...] = ()
    selection: Literal["required", "optional", "none"] = "required"

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise ValueError(f"action name {self.name!r} must match {_NAME_RE.pattern}")
        if self.selection not in ("required", "optional", "none"):
            raise ValueError(f"action {self.name}: bad selection {self.selection!r}")


ExportFn = Callable[["PluginContext", list[Photo], Path], list[Path]]


@dataclass(frozen=True)
class Exporter:
    """A way to export photos into a folder: ``export(context, photos, dest)`` returns the paths
    it wrote. ``dest`` exists when it is called."""

    name: str
    description: str
    export: ExportFn

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise ValueError(f"exporter name {self.name!r} must match {_NAME_RE.pattern}")


@dataclass(frozen=True)
class Match:
    """How one photo matches a search filter's value or a scorer's query.

    ``score`` in [0, 1]: how well (orders a query made only of filters; a scorer's boost is
    ``weight * score``). ``reason``: shown with the result (``"text: wifi password"``).
    """

    score: float = 1.0
    reason: str = ""


#: ``photos(context, value)``: the photos that pass, as ids or {id: Match}.
FilterFn = Callable[["PluginContext", str], "Iterable[int] | Mapping[int, Match]"]
#: ``score(context, text, limit)``: {photo id: Match} for photos the query's text matches.
ScoreFn = Callable[["PluginContext", str, int], "Mapping[int, Match]"]


@dataclass(frozen=True)
class SearchFilter:
    """A named filter that narrows a search or a browse to photos: ``--where NAME=VALUE`` and
    ``NAME:"VALUE"`` in a query (``text:"wifi password"``); given twice, a photo must pass both.
    Declare it in the plugin's ``plugin.toml`` too (``[search_filters]``) so the CLI offers
    ``--NAME`` without importing the plugin."""

    name: str
    help: str
    photos: FilterFn

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise ValueError(f"search filter name {self.name!r} must match {_NAME_RE.pattern}")


@dataclass(frozen=True)
class SearchScorer:
    """Boosts for a text query's ranking: ``score(context, text, limit)`` returns
    {photo id: Match} for photos the query's text matches (``text``: the query's added terms,
    image files left out). A photo's score becomes its CLIP score plus ``weight * match.score``
    and its result says ``match.reason``; boosted photos join the results even when the CLIP
    score alone would leave them out."""

    name: str
    score: ScoreFn
    weight: float = 0.2

    def __post_init__(self) -> None:
        if not _NAME_RE.match(self.name):
            raise ValueError(f"search scorer name {self.name!r} must match {_NAME_RE.pattern}")
        if not 0 <= self.weight <= 1:
            raise ValueError(f"search scorer {self.name}: weight must lie in [0, 1]")


#: The kinds of photo region photoclip's photo view knows how to act on (others are drawn too).
REGION_KINDS = ("face", "text")


@dataclass(frozen=True)
class Region:
    """A part of one photo a plugin knows something about (hook ``photoclip_photo_regions``).

    ``box`` is (left, top, width, height) in the upright photo's pixels (EXIF orientation
    applied, the original's size, not a preview's); ``kind`` says what it is ("face", "text",
    or a plugin's own word), ``label`` what to show with it ("Anna", "Unnamed", a text line).
    ``id`` is the plugin's own key for the region (a face id), handed back when the user acts
    on it; ``plugin`` is filled in by photoclip with the name of the plugin that returned it.
    """

    kind: str
    box: tuple[float, float, float, float]
    label: str = ""
    confidence: float | None = None
    id: str | None = None
    plugin: str = ""

    def __post_init__(self) -> None:
        if not self.kind or not isinstance(self.kind, str):
            raise ValueError("a region needs a kind, e.g. 'face' or 'text'")
        box = tuple(float(v) for v in self.box)
        if len(box) != 4 or box[2] <= 0 or box[3] <= 0 or min(box[0], box[1]) < 0:
            raise ValueError(f"a region's box is (left, top, width > 0, height > 0), "
                             f"not {self.box!r}")
        object.__setattr__(self, "box", box)
        if self.id is not None:
            object.__setattr__(self, "id", str(self.id))


def photo_from_record(rec: Any) -> Photo:
    """A Photo from a catalog record (for photoclip itself; plugins get Photos)."""
    return Photo(
        rec.id, rec.path, rec.size, rec.width, rec.height, rec.taken, rec.camera, rec.hash
    )


#: Plurals that are not the noun + "s" (``plural_of`` knows them without being told).
IRREGULAR_PLURALS = {"copy": "copies", "match": "matches", "this": "these"}


def plural_of(n: int, noun: str, plural: str | None = None) -> str:
    """``noun`` for exactly one, else ``plural`` (default: the known irregular plural, else
    ``noun + "s"``). The one rule for every count photoclip prints or shows."""
    if n == 1:
        return noun
    return plural or IRREGULAR_PLURALS.get(noun, noun + "s")


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``"1 photo"``, ``"8 photos"``, ``"1,250 photos"``: a count with its noun in the right
    number (``plural`` for nouns :data:`IRREGULAR_PLURALS` does not know)."""
    return f"{n:,} {plural_of(n, noun, plural)}"


_LINK_RST = re.compile(r"`([^`<]+?)\s*<[^>`]+>`__?")  # `text <url>`_
_LINK_MD = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")  # [text](url), ![alt](src)
_ROLE = re.compile(r":[a-z][\w.+-]*:`(~?)([^`]+)`")  # :class:`Name`, :func:`~mod.name`
_CODE = re.compile(r"``(.+?)``|`([^`\n]+)`_{0,2}")  # ``code``, `code`, `ref`_
_STRONG = re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=\S)\*(?![\w*])")


def display_text(text: str) -> str:
    """A description written with reST or Markdown inline markup (``code``, `code`,
    **bold**, *emphasis*, :role:`target`, links) as plain text for a label, a list or a
    tooltip: the marks removed, lines joined. The one rule every front uses for plugin text."""
    text = _LINK_RST.sub(r"\1", text)
    text = _LINK_MD.sub(r"\1", text)
    text = _ROLE.sub(lambda m: m.group(2).split(".")[-1] if m.group(1) else m.group(2), text)
    text = _CODE.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    text = _STRONG.sub(r"\1", text)
    text = _EMPHASIS.sub(r"\1", text)
    return " ".join(text.split())
