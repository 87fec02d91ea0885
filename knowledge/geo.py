"""Nearest points on the Earth's surface, fast: a KD-tree over unit vectors.

Points on the unit sphere turn great-circle distance into straight-line (chord) distance, which a
KD-tree answers in microseconds; scipy's ``cKDTree`` is the well-kept implementation of that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088


def unit_vectors(latitudes: Sequence[float], longitudes: Sequence[float]) -> np.ndarray:
    lat = np.radians(np.asarray(latitudes, dtype=float))
    lon = np.radians(np.asarray(longitudes, dtype=float))
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def chord_to_km(chord: float) -> float:
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, chord / 2))


def km_to_chord(km: float) -> float:
    return 2 * math.sin(min(math.pi, km / EARTH_RADIUS_KM) / 2)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class PointIndex:
    """Indices of points, nearest first; empty when built from no points."""

    tree: cKDTree | None
    size: int

    @classmethod
    def build(cls, latitudes: Sequence[float], longitudes: Sequence[float]) -> PointIndex:
        if not latitudes:
            return cls(None, 0)
        # Imported here: scipy.spatial takes half a second to import, which every command-line
        # start (``musofir ask``) would pay for a directory it may never search.
        from scipy.spatial import cKDTree

        return cls(cKDTree(unit_vectors(latitudes, longitudes)), len(latitudes))

    def nearest(
        self, latitude: float, longitude: float, k: int, max_km: float | None = None
    ) -> list[tuple[int, float]]:
        if self.tree is None or k <= 0:
            return []
        k = min(k, self.size)
        bound = km_to_chord(max_km) if max_km is not None else np.inf
        distances, indices = self.tree.query(
            unit_vectors([latitude], [longitude])[0], k=k, distance_upper_bound=bound
        )
        pairs = zip(np.atleast_1d(indices), np.atleast_1d(distances), strict=True)
        return [(int(i), chord_to_km(float(d))) for i, d in pairs if i < self.size]


__all__ = ["EARTH_RADIUS_KM", "PointIndex", "distance_km"]
