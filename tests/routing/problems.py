"""Small hand-made problems on a plane: metres between points, 10 m/s everywhere."""

from __future__ import annotations

import math
from collections.abc import Sequence

from gis.matrix import TravelMatrix
from routing.models import Depot, Job, Problem, TimeWindow, Vehicle, Visit

DAY = TimeWindow(0, 36_000)


def plane(points: Sequence[tuple[float, float]], speed_mps: float = 10.0) -> TravelMatrix:
    n = len(points)
    dist = [[round(math.dist(points[i], points[j])) for j in range(n)] for i in range(n)]
    dur = [[round(d / speed_mps) for d in row] for row in dist]
    return TravelMatrix(dist, dur)


def van(vid: str, depot: str = "D", cap: tuple[int, ...] = (100, 1000), **kw) -> Vehicle:
    return Vehicle(id=vid, start_depot=depot, capacity=cap, shift=kw.pop("shift", DAY), **kw)


def delivery(jid: str, loc: int, demand: tuple[int, ...] = (10, 10), *windows, **kw) -> Job:
    service = kw.pop("service_s", 60)
    return Job(id=jid, delivery=Visit(loc, service, tuple(windows)), demand=demand, **kw)


def paired(jid: str, pick: int, drop: int, demand: tuple[int, ...] = (10, 10), **kw) -> Job:
    return Job(
        id=jid,
        pickup=Visit(pick, 120, kw.pop("pick_windows", ())),
        delivery=Visit(drop, 60, kw.pop("drop_windows", ())),
        demand=demand,
        **kw,
    )


# A depot at the origin and eight customers around it, 1-4 km away.
POINTS = [
    (0, 0),
    (1000, 0),
    (2000, 0),
    (0, 1000),
    (0, 2000),
    (-1000, 0),
    (-2000, 0),
    (0, -1000),
    (3000, 3000),
]


def city(jobs: Sequence[Job], vehicles: Sequence[Vehicle], depots=None, points=POINTS) -> Problem:
    return Problem(
        depots=tuple(depots or (Depot("D", 0),)),
        vehicles=tuple(vehicles),
        jobs=tuple(jobs),
        matrix=plane(points),
    )


def eight_deliveries(**kw) -> list[Job]:
    return [delivery(f"j{i}", i, **kw) for i in range(1, 9)]
