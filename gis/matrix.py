"""Travel distance and time matrices between points, behind a small provider interface.

The default provider estimates road distance as great-circle distance times a road factor
and travel time from a speed profile (speed by hop length, a fixed overhead per hop for
parking and access). A road-network engine plugs in by implementing `MatrixProvider`.
`MatrixCache` keeps one matrix per depot and day so re-plans do not recompute it.

This module owns the numbers only: it knows nothing of jobs, vehicles or solvers.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import numpy as np

from core.errors import InvalidInput
from gis.geodesy import haversine_m

LatLon = tuple[float, float]


def _frozen_int_matrix(values: object, name: str) -> np.ndarray:
    raw = np.asarray(values)
    if raw.dtype.kind == "f" and not np.array_equal(raw, np.floor(raw)):
        raise InvalidInput(f"{name} must hold whole numbers", code="matrix_not_integer")
    arr = np.array(raw, dtype=np.int64, copy=True)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise InvalidInput(f"{name} must be a square matrix", code="matrix_shape")
    if (arr < 0).any():
        raise InvalidInput(f"{name} has negative entries", code="matrix_negative")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Whole metres and seconds from row location to column location; read-only arrays."""

    distance_m: np.ndarray
    duration_s: np.ndarray

    def __post_init__(self) -> None:
        dist = _frozen_int_matrix(self.distance_m, "distance_m")
        dur = _frozen_int_matrix(self.duration_s, "duration_s")
        if dist.shape != dur.shape:
            raise InvalidInput("distance and duration matrices differ in size", code="matrix_shape")
        object.__setattr__(self, "distance_m", dist)
        object.__setattr__(self, "duration_s", dur)

    @property
    def size(self) -> int:
        return int(self.distance_m.shape[0])

    def subset(self, indices: Sequence[int]) -> TravelMatrix:
        """The matrix restricted to `indices`, in that order."""
        idx = np.asarray(indices, dtype=np.intp)
        return TravelMatrix(self.distance_m[np.ix_(idx, idx)], self.duration_s[np.ix_(idx, idx)])

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TravelMatrix)
            and np.array_equal(self.distance_m, other.distance_m)
            and np.array_equal(self.duration_s, other.duration_s)
        )

    __hash__ = None  # type: ignore[assignment]


class MatrixProvider(Protocol):
    """Anything that turns points (and the day, for traffic) into a `TravelMatrix`."""

    def matrix(self, points: Sequence[LatLon], day: date) -> TravelMatrix: ...


@dataclass(frozen=True)
class SpeedProfile:
    """Average speed by hop length: the first band whose `up_to_m` covers the hop applies.

    Short hops inside a market crawl; longer ones reach arterial roads. `overhead_s` is
    added to every hop between distinct points (parking, walking to the stall).
    """

    bands: tuple[tuple[float, float], ...] = ((2_000, 15.0), (10_000, 25.0), (math.inf, 40.0))
    overhead_s: int = 60

    def __post_init__(self) -> None:
        if not self.bands or self.bands[-1][0] != math.inf:
            raise InvalidInput("the last speed band must be open-ended", code="speed_profile")
        if any(kmh <= 0 for _, kmh in self.bands) or self.overhead_s < 0:
            raise InvalidInput("speeds must be positive", code="speed_profile")
        limits = [up for up, _ in self.bands]
        if limits != sorted(limits):
            raise InvalidInput("speed bands must be in increasing order", code="speed_profile")

    def seconds(self, road_m: float) -> int:
        if road_m <= 0:
            return 0
        kmh = next(speed for up_to, speed in self.bands if road_m <= up_to)
        return self.overhead_s + round(road_m / (kmh / 3.6))


@dataclass(frozen=True)
class GreatCircleProvider:
    """Great-circle distance × `road_factor`; times from the day's `SpeedProfile`."""

    road_factor: float = 1.3
    profile: SpeedProfile = field(default_factory=SpeedProfile)
    weekday_profiles: Mapping[int, SpeedProfile] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.road_factor < 1.0:
            raise InvalidInput("the road factor cannot be below 1", code="road_factor")

    def profile_for(self, day: date) -> SpeedProfile:
        return self.weekday_profiles.get(day.weekday(), self.profile)

    def matrix(self, points: Sequence[LatLon], day: date) -> TravelMatrix:
        n = len(points)
        profile = self.profile_for(day)
        dist = np.zeros((n, n), dtype=np.int64)
        dur = np.zeros((n, n), dtype=np.int64)
        for i in range(n):
            lat1, lon1 = points[i]
            for j in range(i + 1, n):
                road_m = haversine_m(lat1, lon1, *points[j]) * self.road_factor
                dist[i, j] = dist[j, i] = round(road_m)
                dur[i, j] = dur[j, i] = profile.seconds(road_m)
        return TravelMatrix(dist, dur)


class MatrixCache:
    """One matrix per (depot, day); a request for known points is answered by slicing.

    A request that adds points recomputes the whole set through the provider and replaces
    the entry, so the cache never holds more than one matrix per depot and day. Least
    recently used entries go first once `max_entries` is reached.
    """

    def __init__(self, provider: MatrixProvider, *, max_entries: int = 64) -> None:
        self._provider = provider
        self._max_entries = max_entries
        self._entries: OrderedDict[tuple[str, date], tuple[dict[LatLon, int], TravelMatrix]] = (
            OrderedDict()
        )
        self.hits = 0
        self.misses = 0

    def matrix(self, depot_id: str, day: date, points: Sequence[LatLon]) -> TravelMatrix:
        key = (depot_id, day)
        wanted = [(float(lat), float(lon)) for lat, lon in points]
        entry = self._entries.get(key)
        if entry is not None:
            index, cached = entry
            if all(p in index for p in wanted):
                self._entries.move_to_end(key)
                self.hits += 1
                return cached.subset([index[p] for p in wanted])
        self.misses += 1
        unique = list(dict.fromkeys(wanted))
        computed = self._provider.matrix(unique, day)
        index = {p: i for i, p in enumerate(unique)}
        self._entries[key] = (index, computed)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return computed.subset([index[p] for p in wanted])

    def forget(self, depot_id: str, day: date) -> None:
        self._entries.pop((depot_id, day), None)


def from_rows(
    distance_m: Sequence[Sequence[int]], duration_s: Sequence[Sequence[int]]
) -> TravelMatrix:
    """A matrix from nested lists, for hand-made problems and instance files."""
    return TravelMatrix(np.asarray(distance_m), np.asarray(duration_s))
