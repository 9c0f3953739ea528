"""A simulated UHF dock door: cartons pass two antenna zones, the reader misses cycles,
repeats reads, and hears the neighbouring door below the RSSI floor. Seeded, no clock."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tracking.readpoints.smoother import Direction, TagRead

START = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
INSIDE_X, OUTSIDE_X = -0.5, 0.5  # antenna positions across the door, metres
READ_RANGE_M = 1.5
CYCLE_S = 0.05  # one inventory round per antenna per cycle


@dataclass(frozen=True)
class Pass:
    epc: str
    direction: Direction
    start_s: float  # when the carton enters the read field's approach, seconds after START
    speed_mps: float


def simulate(passes: list[Pass], *, miss_rate: float, seed: int, strays: int = 40) -> list[TagRead]:
    """Reads of one reader (antenna 1 inside, 2 outside) for the given carton passes."""
    rng = random.Random(seed)
    reads: list[TagRead] = []
    for p in passes:
        sign = 1 if p.direction is Direction.OUTBOUND else -1
        duration = 6.0 / p.speed_mps  # from x = -3 m to +3 m (or back)
        t = 0.0
        while t <= duration:
            x = sign * (-3.0 + p.speed_mps * t)
            for antenna, ax in ((1, INSIDE_X), (2, OUTSIDE_X)):
                distance = abs(x - ax)
                if distance > READ_RANGE_M or rng.random() < miss_rate:
                    continue
                rssi = -42.0 - 12.0 * distance + rng.gauss(0, 2.0)
                when = START + timedelta(seconds=p.start_s + t + rng.uniform(0, CYCLE_S / 2))
                copies = 1 + (rng.random() < 0.3)  # readers repeat reads within a round
                reads.extend(TagRead("reader-7", antenna, p.epc, when, rssi) for _ in range(copies))
            t += CYCLE_S
    end = max((p.start_s + 6.0 / p.speed_mps for p in passes), default=10.0)
    for i in range(strays):  # tags staged at the next door, heard faintly
        when = START + timedelta(seconds=rng.uniform(0, end))
        epc = f"urn:epc:id:sscc:0614141.9{i % 5:09d}"
        reads.append(TagRead("reader-7", rng.choice((1, 2)), epc, when, rng.uniform(-85, -68)))
    reads.sort(key=lambda r: r.read_time)
    return reads


def carton(n: int) -> str:
    return f"urn:epc:id:sscc:0614141.1{n:09d}"
