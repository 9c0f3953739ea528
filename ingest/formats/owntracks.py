"""OwnTracks JSON (https://owntracks.org/booklet/tech/json/), so any phone is a GPS unit.

Only `_type: location` carries a fix; every other type is recognised and ignored.
`tst` is the fix time, `created_at` when the message was built (both epoch seconds);
`vel` is km/h, `cog` degrees, `acc`/`alt` metres. Pure.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from ingest.formats import battery, jsonbody, timeparse
from ingest.records import Ignored, Position, Record

KMH_TO_MPS = 1 / 3.6


class Envelope(msgspec.Struct):
    _type: str = msgspec.field(name="_type")


class Location(msgspec.Struct):
    tst: int | float
    lat: float
    lon: float
    vel: float | None = None
    cog: float | None = None
    acc: float | None = None
    alt: float | None = None
    batt: float | None = None  # percent
    created_at: int | float | None = None


def decode(payload: bytes, topic: str, received_at: datetime) -> list[Record]:
    kind = jsonbody.decode(payload, Envelope)._type
    if kind != "location":
        return [Ignored(f"owntracks_{kind}")]
    loc = jsonbody.decode(payload, Location)
    return [
        Position(
            device_time=timeparse.from_epoch(loc.tst, unit="s"),
            lat=loc.lat,
            lon=loc.lon,
            speed_mps=None if loc.vel is None else loc.vel * KMH_TO_MPS,
            heading_deg=loc.cog,
            accuracy_m=loc.acc,
            altitude_m=loc.alt,
            battery_pct=battery.percent(loc.batt),
            built_time=None
            if loc.created_at is None
            else timeparse.from_epoch(loc.created_at, unit="s"),
        )
    ]
