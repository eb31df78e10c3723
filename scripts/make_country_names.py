"""Build photoclip/data/places/countries_<lang>.tsv: the country names of the gazetteer
(``countries.tsv``, GeoNames' codes) in another language, from the Unicode CLDR.

The names come from CLDR's territory names as the ``babel`` package ships them (Unicode
licence: see photoclip/data/places/README.md). babel is needed only to run this script, not by
photoclip: install it in a scratch environment, e.g.

    python3 -m venv /tmp/babelvenv && /tmp/babelvenv/bin/pip install babel
    /tmp/babelvenv/bin/python scripts/make_country_names.py            # zh_CN

A code CLDR does not name is left out (photoclip shows the English name then).
"""

from __future__ import annotations

import sys
from pathlib import Path

PLACES = Path(__file__).resolve().parent.parent / "photoclip" / "data" / "places"
#: photoclip's language code -> the CLDR locale whose names it uses.
LOCALES = {"zh_CN": "zh_Hans_CN"}


def main(languages: list[str]) -> None:
    import babel
    from babel import Locale

    codes = [line.split("\t", 1)[0] for line in
             (PLACES / "countries.tsv").read_text(encoding="utf-8").splitlines() if "\t" in line]
    for language in languages:
        names = Locale.parse(LOCALES[language]).territories
        rows = [f"{code}\t{names[code]}\n" for code in codes if names.get(code)]
        out = PLACES / f"countries_{language}.tsv"
        out.write_text("".join(rows), encoding="utf-8")
        licence = Path(babel.__file__).parent / "locale-data" / "LICENSE.unicode"
        (PLACES / "UNICODE-LICENSE.txt").write_bytes(licence.read_bytes())  # CLDR's terms
        print(f"{len(rows)} of {len(codes)} country names written to {out} "
              f"(babel {babel.__version__}, CLDR {babel.core.get_cldr_version()})")


if __name__ == "__main__":
    main(sys.argv[1:] or list(LOCALES))
