"""Plausibility checks on decoded records, shared by every format. Pure: the clock is passed in."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ingest.formats import timeparse
from ingest.records import Position, Reason, Record, Rejected

MAX_SPEED_MPS = 150.0  # 540 km/h: faster than anything on a road; a garbled fix
MAX_ACCURACY_M = 100_000.0
ALTITUDE_RANGE_M = (-1_000.0, 20_000.0)


@dataclass(frozen=True, slots=True)
class Limits:
    max_future: timedelta
    max_age: timedelta


def _check_value(name: str, value: float | None, low: float, high: float) -> None:
    if value is None:
        return
    if not math.isfinite(value) or not low <= value <= high:
        raise Rejected(Reason.VALUE_OUT_OF_RANGE, f"{name}={value!r} outside [{low}, {high}]")


def check_position(fix: Position, now: datetime, limits: Limits) -> Position:
    if not math.isfinite(fix.lat) or not -90.0 <= fix.lat <= 90.0:
        raise Rejected(Reason.LAT_OUT_OF_RANGE, f"lat={fix.lat!r}")
    if not math.isfinite(fix.lon) or not -180.0 <= fix.lon <= 180.0:
        raise Rejected(Reason.LON_OUT_OF_RANGE, f"lon={fix.lon!r}")
    if fix.lat == 0.0 and fix.lon == 0.0:
        raise Rejected(Reason.NO_FIX, "lat=0, lon=0 is what receivers send without a fix")
    if fix.device_time > now + limits.max_future:
        raise Rejected(
            Reason.TIMESTAMP_IN_FUTURE,
            f"{timeparse.iso_z(fix.device_time)} is ahead of {timeparse.iso_z(now)}",
        )
    if fix.device_time < now - limits.max_age:
        raise Rejected(
            Reason.TIMESTAMP_TOO_OLD,
            f"{timeparse.iso_z(fix.device_time)} is older than the retention period",
        )
    _check_value("speed_mps", fix.speed_mps, 0.0, MAX_SPEED_MPS)
    _check_value("heading_deg", fix.heading_deg, 0.0, 360.0)
    _check_value("accuracy_m", fix.accuracy_m, 0.0, MAX_ACCURACY_M)
    _check_value("altitude_m", fix.altitude_m, *ALTITUDE_RANGE_M)
    return fix


def validate(records: list[Record], now: datetime, limits: Limits) -> list[Record]:
    """Each record as it is, or a Rejected in its place."""
    checked: list[Record] = []
    for record in records:
        if isinstance(record, Position):
            try:
                record = check_position(record, now, limits)
            except Rejected as exc:
                record = exc
        checked.append(record)
    return checked
