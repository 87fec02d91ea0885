"""An offline gazetteer of Russian towns: a typed town in any of our scripts becomes a place.

"Qozon", "Қазон", "Казань" and "Kazan" all fold to the same matching key (see ``nlu.normalize``),
so one index serves every language. Data: GeoNames, CC BY 4.0 (``gazetteer/ru-places.json``,
rebuilt by ``scripts/build_gazetteer.py``).
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

from musofir.nlu import skeleton

from .geo import PointIndex

# Words people put around a town's name: "г. Казань", "Qozon shahri", "город Москва", "in Kazan".
_NOISE = re.compile(
    r"\b(g|gorod|goroda|gor|v|vo|iz|shahri|shahar|shahrida|shaxri|shahr|dar|in|city|the|kala|"
    r"shaary|shaarynda|sheher|sheheri|qaqasi|raion|rayon)\b"
)


@dataclass(frozen=True, slots=True)
class Place:
    index: int
    name: str  # the English (GeoNames) name
    russian: str
    latitude: float
    longitude: float
    timezone: str
    population: int

    def display(self, language: str | None) -> str:
        """Russian or English spelling: the two every reader of a Russian map can match."""
        return self.name if language in ("en", "uz", "az") else self.russian


def _key(text: str) -> str:
    return " ".join(_NOISE.sub(" ", skeleton(text)).split())


@dataclass(frozen=True)
class Gazetteer:
    places: tuple[Place, ...]
    by_key: dict[str, int]

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        source = path or Path(
            str(resources.files("musofir.knowledge") / "gazetteer" / "ru-places.json")
        )
        data = json.loads(source.read_text(encoding="utf-8"))
        places: list[Place] = []
        by_key: dict[str, int] = {}
        for index, row in enumerate(data["places"]):  # most populous first: it wins a shared name
            places.append(
                Place(
                    index,
                    row["name"],
                    row["ru"],
                    row["lat"],
                    row["lon"],
                    row["tz"],
                    int(row["population"]),
                )
            )
            for name in (row["name"], row["ru"], *row["names"]):
                key = _key(name)
                if key:
                    by_key.setdefault(key, index)
        return cls(tuple(places), by_key)

    @cached_property
    def _index(self) -> PointIndex:
        return PointIndex.build(
            [p.latitude for p in self.places], [p.longitude for p in self.places]
        )

    def find(self, text: str) -> Place | None:
        index = self.by_key.get(_key(text))
        return self.places[index] if index is not None else None

    def suggest(self, text: str, limit: int = 3) -> list[Place]:
        """Close names for a town we did not recognise ("did you mean…")."""
        key = _key(text)
        if len(key) < 3:
            return []
        found: list[Place] = []
        for match in difflib.get_close_matches(key, self.by_key, n=limit * 4, cutoff=0.72):
            place = self.places[self.by_key[match]]
            if place not in found:
                found.append(place)
        return found[:limit]

    def nearest(self, latitude: float, longitude: float) -> Place | None:
        """The town a point belongs to: the most populous place within 30 km, else the nearest.

        GeoNames lists big cities' districts as places of their own ("Fili" in Moscow); a person
        wants to hear "Moscow".
        """
        found = self._index.nearest(latitude, longitude, 12, max_km=30)
        if found:
            return max((self.places[i] for i, _ in found), key=lambda p: p.population)
        closest = self._index.nearest(latitude, longitude, 1)
        return self.places[closest[0][0]] if closest else None


__all__ = ["Gazetteer", "Place"]
