"""Waybill's native JSON for GPS units (DESIGN.md, "MQTT contract").

One fix: `{"ts": ISO-8601 or epoch ms, "lat", "lon", "speed_kmh"?, "heading"?, "acc_m"?,
"alt_m"?, "seq"?}`; a store-and-forward flush: `{"points": [fix, ...]}`. Pure.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from ingest.formats import jsonbody, timeparse
from ingest.records import Position, Reason, Record, Rejected

KMH_TO_MPS = 1 / 3.6


class Fix(msgspec.Struct):
    ts: str | int | float
    lat: float
    lon: float
    speed_kmh: float | None = None
    heading: float | None = None
    acc_m: float | None = None
    alt_m: float | None = None
    seq: int | None = None


class Message(msgspec.Struct):
    ts: str | int | float | None = None
    lat: float | None = None
    lon: float | None = None
    speed_kmh: float | None = None
    heading: float | None = None
    acc_m: float | None = None
    alt_m: float | None = None
    seq: int | None = None
    points: list[Fix] | None = None


def _position(fix: Fix | Message) -> Position:
    if fix.ts is None or fix.lat is None or fix.lon is None:
        missing = [name for name in ("ts", "lat", "lon") if getattr(fix, name) is None]
        raise Rejected(Reason.MISSING_FIELD, "Object missing required field " + ", ".join(missing))
    return Position(
        device_time=timeparse.parse(fix.ts),
        lat=fix.lat,
        lon=fix.lon,
        speed_mps=None if fix.speed_kmh is None else fix.speed_kmh * KMH_TO_MPS,
        heading_deg=fix.heading,
        accuracy_m=fix.acc_m,
        altitude_m=fix.alt_m,
    )


def decode(payload: bytes, topic: str, received_at: datetime) -> list[Record]:
    message = jsonbody.decode(payload, Message)
    if message.points is None:
        return [_position(message)]
    if not message.points:
        raise Rejected(Reason.MISSING_FIELD, "points is empty")
    records: list[Record] = []
    for index, fix in enumerate(message.points):
        try:
            records.append(_position(fix))
        except Rejected as exc:
            records.append(Rejected(exc.reason, f"points[{index}]: {exc.detail}"))
    return records
