"""Naming places offline: GPS coordinates to the nearest town and its country.

The gazetteer is GeoNames' towns of 5,000 people or more (``photoclip/data/places``, built by
``scripts/make_places.py``; GeoNames data, CC BY 4.0). Country names in other languages come
from the Unicode CLDR (``countries_<lang>.tsv``, ``scripts/make_country_names.py``; Unicode
licence, see ``photoclip/data/places/README.md``); towns keep GeoNames' names. The gazetteer
is loaded once, on first use, into a unit-vector table; a lookup is one matrix product (the
nearest town by great-circle distance). No network is used.
"""

from __future__ import annotations

import functools
import gzip
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np

log = logging.getLogger(__name__)

__all__ = ["Place", "country_code", "country_name", "name_places", "place_label", "valid_gps"]

#: Farther than this from any town in the gazetteer (at sea, in the wilderness): no place.
MAX_TOWN_KM = 50.0
#: The town named is the most populous within this much farther than the nearest one, so a
#: photo by the Eiffel Tower says Paris, not the suburb whose centre happens to be nearer.
TOWN_SLACK_KM = 8.0
_EARTH_KM = 6371.0


@dataclass(frozen=True)
class Place:
    """Where a photo was taken, as people name it."""

    country_code: str  # ISO 3166-1 alpha-2, e.g. "FR"
    country: str  # English name, e.g. "France"
    city: str  # nearest town, e.g. "Paris"; "" when none is near
    region: str  # first-level region, e.g. "Île-de-France"; may be ""

    def label(self) -> str:
        """ "Paris, France" (or just the country)."""
        return f"{self.city}, {self.country}" if self.city else self.country


def valid_gps(lat: float | None, lon: float | None) -> bool:
    """Whether (lat, lon) is a real position (not missing, not out of range, not 0,0 junk)."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return False
    return not (lat == 0.0 and lon == 0.0)  # cameras without a fix write zeros


@functools.cache
def _countries(language: str = "en") -> dict[str, str]:
    """Code -> name: GeoNames' English names; another language's from CLDR
    (``countries_<language>.tsv``, built by ``scripts/make_country_names.py``), {} if none."""
    name = "countries.tsv" if language == "en" else f"countries_{language}.tsv"
    data = resources.files("photoclip.data").joinpath("places", name)
    if not data.is_file():
        return {}
    text = data.read_text("utf-8")
    return dict(line.split("\t", 1) for line in text.splitlines() if "\t" in line)


@functools.cache
def _codes() -> dict[str, str]:
    """Every country name photoclip knows (English and translated, lower case) -> its code."""
    from photoclip.languages import LANGUAGES

    out: dict[str, str] = {}
    for language in LANGUAGES:
        out.update({name.casefold(): code for code, name in _countries(language).items()})
    out.update({name.casefold(): code for code, name in _countries().items()})
    return out


def country_name(code: str, language: str = "en") -> str:
    """The name of an ISO country code in ``language`` (English, GeoNames' names, where there
    is no translation; the code itself when unknown)."""
    code = code.upper()
    return _countries(language).get(code) or _countries().get(code, code)


def country_code(name: str) -> str | None:
    """The ISO code of a country named in any language photoclip speaks ("France", "法国")."""
    return _codes().get(name.strip().casefold())


def place_label(place: str, language: str) -> str:
    """A place as the core stores it ("Paris, France", "France") in ``language``: the country
    translated, the town as GeoNames names it."""
    if language == "en" or not place:
        return place
    town, sep, country = place.rpartition(", ")
    code = country_code(country)
    if code is None:
        return place
    return f"{town}{sep}{country_name(code, language)}"


@functools.cache
def _gazetteer() -> tuple[np.ndarray, np.ndarray, list[tuple[str, str, str]]]:
    raw = resources.files("photoclip.data").joinpath("places/cities.tsv.gz").read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    coords = np.empty((len(lines), 2), dtype=np.float64)
    population = np.empty(len(lines), dtype=np.int64)
    names: list[tuple[str, str, str]] = []
    for i, line in enumerate(lines):
        lat, lon, pop, cc, city, region = line.split("\t")
        coords[i] = (float(lat), float(lon))
        population[i] = int(pop)
        names.append((cc, city, region))
    log.debug("Gazetteer loaded: %d places", len(names))
    return _unit(coords[:, 0], coords[:, 1]).astype(np.float32), population, names


def _unit(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1)


def name_places(points: Sequence[tuple[float, float]]) -> list[Place | None]:
    """The place of each (lat, lon); None for an invalid position or one far from any town."""
    out: list[Place | None] = [None] * len(points)
    valid = [i for i, (lat, lon) in enumerate(points) if valid_gps(lat, lon)]
    if not valid:  # the gazetteer (60k towns, ~0.15 s to load) only for a position to name
        return out
    table, population, names = _gazetteer()
    for lo in range(0, len(valid), 256):  # bounded memory: 256 x 60k floats at a time
        chunk = valid[lo : lo + 256]
        q = _unit(np.array([points[i][0] for i in chunk]), np.array([points[i][1] for i in chunk]))
        sims = q.astype(np.float32) @ table.T  # cosine of the angle to each town
        best = sims.max(axis=1)
        for row, i in enumerate(chunk):
            nearest = _EARTH_KM * math.acos(min(1.0, float(best[row])))
            if nearest > MAX_TOWN_KM:
                continue
            near = np.flatnonzero(sims[row] >= math.cos((nearest + TOWN_SLACK_KM) / _EARTH_KM))
            j = int(near[np.argmax(population[near])])
            cc, city, region = names[j]
            out[i] = Place(cc, country_name(cc), city, region)
    return out
