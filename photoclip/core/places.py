"""Naming places offline: GPS coordinates to the nearest town and its country.

The gazetteer is GeoNames' towns of 5,000 people or more (``photoclip/data/places``, built by
``scripts/make_places.py``; GeoNames data, CC BY 4.0). It is loaded once, on first use, into a
unit-vector table; a lookup is one matrix product (the nearest town by great-circle distance).
No network is used.
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

__all__ = ["Place", "country_name", "name_places", "valid_gps"]

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
def _countries() -> dict[str, str]:
    text = resources.files("photoclip.data").joinpath("places/countries.tsv").read_text("utf-8")
    return dict(line.split("\t", 1) for line in text.splitlines() if "\t" in line)


def country_name(code: str) -> str:
    """The English name of an ISO country code (the code itself when unknown)."""
    return _countries().get(code.upper(), code)


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
