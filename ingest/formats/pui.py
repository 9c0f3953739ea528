"""PUI vehicle GPS units, which publish JSON over MQTT (the body Traccar's PUI decoder reads).

`{"id": IMEI, "ts": ISO-8601, "rpt": report type, "location": {"lat", "lon"}, "bear":
degrees, "spd": **cm/s**, "ign": "on"/"off"}`. Report types `hf` and `loc` carry a fix;
others are recognised and ignored. The `id` is the unit's IMEI, not our device id, so it is
not compared with the topic (the broker already ties the topic to the device). Pure.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from ingest.formats import jsonbody, timeparse
from ingest.records import Ignored, Position, Reason, Record, Rejected

CMPS_TO_MPS = 1 / 100
_FIX_REPORTS = ("hf", "loc")


class Location(msgspec.Struct):
    lat: float
    lon: float


class Report(msgspec.Struct):
    rpt: str
    ts: str | None = None
    location: Location | None = None
    bear: float | None = None
    spd: float | None = None


def decode(payload: bytes, topic: str, received_at: datetime) -> list[Record]:
    report = jsonbody.decode(payload, Report)
    if report.rpt not in _FIX_REPORTS:
        return [Ignored(f"pui_{report.rpt[:32]}")]
    if report.ts is None or report.location is None:
        missing = [name for name in ("ts", "location") if getattr(report, name) is None]
        raise Rejected(Reason.MISSING_FIELD, f"{report.rpt} report without {', '.join(missing)}")
    return [
        Position(
            device_time=timeparse.from_iso(report.ts),
            lat=report.location.lat,
            lon=report.location.lon,
            speed_mps=None if report.spd is None else report.spd * CMPS_TO_MPS,
            heading_deg=report.bear,
        )
    ]
