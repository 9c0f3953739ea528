"""The values of trip segmentation: its parameters, the segments it decides, and the state a
projection stores between batches (JSON through `TripState.to_dict`/`from_dict`). Pure.

The rule that turns fixes into these is in `tracking/trips.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple

from core.errors import InvalidInput

Mode = Literal["idle", "moving", "stopped"]
EndReason = Literal["stop", "offline", "relocated"]


@dataclass(frozen=True, slots=True)
class TripParams:
    """Defaults are for delivery vans in a dense city market; see docs/tracking.md.

    stop_radius_m: 50 -- parked GPS wanders 10-30 m in streets between buildings; 50 m
        also holds a van shunting at a loading bay.
    stop_min_duration_s: 180 -- long enough to skip traffic lights and most queues, short
        enough to catch a carton handed over at a stall.
    min_trip_displacement_m: 100 -- two radii of drift; stalls a van really drives
        between are further apart than that.
    gap_s: 600 -- units report every 5-60 s while driving; ten silent minutes is a dead
        unit or no coverage, not a tunnel. Must be >= stop_min_duration_s.
    max_speed_mps: 45 -- about 160 km/h, above any van's legal speed with room for clock
        jitter; urban multipath jumps of hundreds of metres in seconds exceed it.
    max_accuracy_m: 100 -- worse than this is a network fix, too coarse to measure a trip.
    outlier_reset_fixes: 3 -- three agreeing fixes outvote one stale position.
    """

    stop_radius_m: float = 50.0
    stop_min_duration_s: float = 180.0
    min_trip_displacement_m: float = 100.0
    gap_s: float = 600.0
    max_speed_mps: float = 45.0
    max_accuracy_m: float = 100.0
    outlier_reset_fixes: int = 3

    def __post_init__(self) -> None:
        positive = ("stop_radius_m", "stop_min_duration_s", "gap_s", "max_speed_mps")
        for name in (*positive, "max_accuracy_m"):
            if not getattr(self, name) > 0:
                raise InvalidInput(f"{name} must be > 0", code="bad_trip_params")
        if not self.min_trip_displacement_m >= 0:
            raise InvalidInput("min_trip_displacement_m must be >= 0", code="bad_trip_params")
        if self.gap_s < self.stop_min_duration_s:
            raise InvalidInput("gap_s must be >= stop_min_duration_s", code="bad_trip_params")
        if self.outlier_reset_fixes < 2:
            raise InvalidInput("outlier_reset_fixes must be >= 2", code="bad_trip_params")


@dataclass(frozen=True, slots=True)
class Stop:
    start: datetime
    end: datetime
    lat: float  # centroid of the stop's fixes
    lon: float
    fix_count: int
    decided_at: datetime | None  # None while the stop is still open


@dataclass(frozen=True, slots=True)
class Trip:
    start: datetime
    end: datetime
    start_lat: float
    start_lon: float
    end_lat: float
    end_lon: float
    distance_m: float
    end_reason: EndReason | None  # None while the trip is still open
    decided_at: datetime | None


Segment = Stop | Trip


class Point(NamedTuple):
    t: datetime
    lat: float
    lon: float
    accuracy_m: float  # 0 when the unit did not say: no allowance in the speed check
    cum_m: float = 0.0  # path length of the open movement up to this fix
    reach_m: float = 0.0  # farthest the open movement had got from its start, up to here


@dataclass(frozen=True, slots=True)
class OpenStop:
    start: Point
    end: Point
    anchor: Point
    sum_lat: float
    sum_lon: float
    count: int

    def closed(self, decided_at: datetime | None) -> Stop:
        lat, lon = self.sum_lat / self.count, self.sum_lon / self.count
        return Stop(self.start.t, self.end.t, lat, lon, self.count, decided_at)


@dataclass(frozen=True, slots=True)
class TripState:
    """Everything needed to resume one device; JSON-ready through `to_dict`.

    `stop` is the open stop when `mode` is "stopped", and while "moving" the stop just left
    if the movement is still too short to rule out folding back into it.
    """

    mode: Mode = "idle"
    watermark: datetime | None = None
    odometer_m: float = 0.0
    last: Point | None = None
    rejected: tuple[Point, ...] = ()
    stop: OpenStop | None = None
    trip_start: Point | None = None
    trip_m: float = 0.0
    trip_reach_m: float = 0.0
    cluster: tuple[Point, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        def stop(s: OpenStop | None) -> dict[str, Any] | None:
            if s is None:
                return None
            points = {"start": _pt(s.start), "end": _pt(s.end), "anchor": _pt(s.anchor)}
            return {**points, "sum_lat": s.sum_lat, "sum_lon": s.sum_lon, "count": s.count}

        return {
            "mode": self.mode,
            "watermark": None if self.watermark is None else self.watermark.isoformat(),
            "odometer_m": self.odometer_m,
            "last": _pt(self.last),
            "rejected": [_pt(p) for p in self.rejected],
            "stop": stop(self.stop),
            "trip_start": _pt(self.trip_start),
            "trip_m": self.trip_m,
            "trip_reach_m": self.trip_reach_m,
            "cluster": [_pt(p) for p in self.cluster],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TripState:
        s = d["stop"]
        stop = None
        if s is not None:
            ends = (_point(s["start"]), _point(s["end"]), _point(s["anchor"]))
            stop = OpenStop(*ends, s["sum_lat"], s["sum_lon"], s["count"])
        watermark = d["watermark"]
        return cls(
            mode=d["mode"],
            watermark=None if watermark is None else datetime.fromisoformat(watermark),
            odometer_m=d["odometer_m"],
            last=_maybe_point(d["last"]),
            rejected=tuple(_point(p) for p in d["rejected"]),
            stop=stop,
            trip_start=_maybe_point(d["trip_start"]),
            trip_m=d["trip_m"],
            trip_reach_m=d["trip_reach_m"],
            cluster=tuple(_point(p) for p in d["cluster"]),
        )


@dataclass(frozen=True, slots=True)
class Recomputed:
    """A replay's outcome: replace the stored segments with `decided_at` after
    `replaces_after` by `segments`, and store `state`, in one transaction."""

    state: TripState
    segments: list[Segment]
    replaces_after: datetime | None


def _pt(p: Point | None) -> list[Any] | None:
    return None if p is None else [p.t.isoformat(), *p[1:]]


def _point(v: list[Any]) -> Point:
    return Point(datetime.fromisoformat(v[0]), *v[1:])


def _maybe_point(v: list[Any] | None) -> Point | None:
    return None if v is None else _point(v)
