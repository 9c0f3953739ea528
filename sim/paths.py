"""Plausible paths between two points of the city, and a vehicle moving along them.

Hangzhou's main roads run roughly north-south and east-west, so a path is a staircase:
a few legs alternating between the two directions, with the corners placed at random and
nudged off the straight line. Speeds vary by stretch (traffic, junctions) around the
van's cruising speed, with the occasional stop at a light. Pure; the caller owns time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from gis.geodesy import bearing_deg, haversine_m, offset

Point = tuple[float, float]  # lat, lon


def street_path(a: Point, b: Point, rng: random.Random) -> list[Point]:
    """a, corners..., b: legs alternate north-south and east-west."""
    if haversine_m(*a, *b) < 50:
        return [a, b]
    points = [a]
    steps = rng.randint(1, 3)
    lat, lon = a
    cuts = sorted(rng.random() for _ in range(steps - 1))
    fractions = [*cuts, 1.0]
    north_first = rng.random() < 0.5
    done = 0.0
    for share in fractions:
        # each step moves part of the way in one direction, then the same part in the other
        part = share - done
        done = share
        for direction in (0, 1) if north_first else (1, 0):
            if direction == 0:
                lat += (b[0] - a[0]) * part
            else:
                lon += (b[1] - a[1]) * part
            north, east = rng.gauss(0, 40), rng.gauss(0, 40)  # roads are not straight lines
            points.append(offset(lat, lon, north, east) if share < 1.0 else (lat, lon))
    points[-1] = b
    return points


@dataclass
class Mover:
    """Follows a path at a varying speed; `advance(dt)` returns lat, lon, km/h, heading."""

    path: list[Point]
    cruise_kmh: float
    rng: random.Random
    leg: int = 0
    along_m: float = 0.0
    speed_kmh: float = 0.0
    held_s: float = 0.0  # waiting at a light
    _lengths: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lengths = [
            haversine_m(*p, *q) for p, q in zip(self.path, self.path[1:], strict=False)
        ]
        self.speed_kmh = self.cruise_kmh

    @property
    def done(self) -> bool:
        return self.leg >= len(self._lengths)

    @property
    def remaining_m(self) -> float:
        return sum(self._lengths[self.leg :]) - self.along_m

    def advance(self, dt_s: float) -> tuple[float, float, float, float]:
        if self.done:
            lat, lon = self.path[-1]
            return lat, lon, 0.0, 0.0
        if self.held_s > 0:
            self.held_s -= dt_s
            return (*self._where(), 0.0, self._heading())
        # a new speed every so often, and now and then a red light
        if self.rng.random() < min(1.0, dt_s / 60):
            self.speed_kmh = min(60.0, max(8.0, self.rng.gauss(self.cruise_kmh, 8.0)))
        if self.rng.random() < min(1.0, dt_s / 600):
            self.held_s = self.rng.uniform(15, 60)
        self.along_m += self.speed_kmh / 3.6 * dt_s
        while not self.done and self.along_m >= self._lengths[self.leg]:
            self.along_m -= self._lengths[self.leg]
            self.leg += 1
        if self.done:
            self.along_m = 0.0
            lat, lon = self.path[-1]
            return lat, lon, self.speed_kmh, self._heading()
        return (*self._where(), self.speed_kmh, self._heading())

    def _where(self) -> Point:
        if self.done:
            return self.path[-1]
        start, end = self.path[self.leg], self.path[self.leg + 1]
        share = self.along_m / self._lengths[self.leg] if self._lengths[self.leg] else 1.0
        return (start[0] + (end[0] - start[0]) * share, start[1] + (end[1] - start[1]) * share)

    def _heading(self) -> float:
        leg = min(self.leg, len(self._lengths) - 1)
        return bearing_deg(*self.path[leg], *self.path[leg + 1]) if self._lengths else 0.0
