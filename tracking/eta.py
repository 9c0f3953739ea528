"""Estimated arrival of a shipment: from its plan, or from the vehicle's live position. Pure.

Owns the estimate and the vehicle's "recent speed"; no I/O, no clock. Every estimate is
dated by `as_of`, the device time of the fix it was computed from, never by when it was
computed: an ETA from an old fix is an old ETA, and readers mark it stale.

Live: great-circle distance to the delivery point times `road_factor` (streets are not
straight; 1.35 is the usual urban detour ratio), over the recent moving speed clamped to
[`min_speed_mps`, `max_speed_mps`], or `default_speed_mps` before the van has moved.
Plan: the planned arrival, pushed later when the live estimate is later (running late),
never earlier (a plan's stops before this one still take their time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from gis.geodesy import haversine_m
from tracking.models import Fix


@dataclass(frozen=True, slots=True)
class EtaParams:
    road_factor: float = 1.35
    default_speed_mps: float = 6.0  # ~22 km/h, a van in market traffic
    min_speed_mps: float = 2.0
    max_speed_mps: float = 25.0
    moving_mps: float = 1.0  # slower fixes are not "driving" and do not lower the speed
    smoothing: float = 0.2  # weight of each new moving fix in the recent speed


@dataclass(frozen=True, slots=True)
class Estimate:
    eta: datetime
    method: str  # "plan" or "live"
    distance_m: float
    as_of: datetime


def recent_speed(
    previous: float | None, fixes: Sequence[Fix], params: EtaParams = EtaParams()
) -> float | None:
    """An exponentially smoothed moving speed over fixes in device-time order."""
    speed = previous
    last: Fix | None = None
    for fix in fixes:
        v = fix.speed_mps
        if v is None and last is not None:
            dt = (fix.device_time - last.device_time).total_seconds()
            v = haversine_m(last.lat, last.lon, fix.lat, fix.lon) / dt if dt > 0 else None
        last = fix
        if v is None or v < params.moving_mps or v > 2 * params.max_speed_mps:
            continue
        speed = v if speed is None else (1 - params.smoothing) * speed + params.smoothing * v
    return speed


def estimate(
    fix: Fix,
    speed_mps: float | None,
    dest_lat: float,
    dest_lon: float,
    planned_arrival_at: datetime | None = None,
    params: EtaParams = EtaParams(),
) -> Estimate:
    distance = haversine_m(fix.lat, fix.lon, dest_lat, dest_lon) * params.road_factor
    speed = params.default_speed_mps if speed_mps is None else speed_mps
    speed = min(max(speed, params.min_speed_mps), params.max_speed_mps)
    live = fix.device_time + timedelta(seconds=distance / speed)
    if planned_arrival_at is not None:
        return Estimate(max(planned_arrival_at, live), "plan", distance, fix.device_time)
    return Estimate(live, "live", distance, fix.device_time)
