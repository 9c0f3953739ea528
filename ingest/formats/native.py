"""Waybill's native JSON for GPS units and RFID readers (DESIGN.md, "MQTT contract").

One fix: `{"ts": ISO-8601 or epoch ms, "lat", "lon", "speed_kmh"?, "heading"?, "acc_m"?,
"alt_m"?, "battery_pct"?, "seq"?}`; a store-and-forward flush: `{"points": [fix, ...]}`. Tag reads:
`{"reads": [{"epc": hex, "antenna", "rssi"? (dBm), "ts", "count"?, "seq"?}]}`, where
`seq` is the reader's event number of the read, kept for de-duplication.

Beside `points` or `reads`, a top-level `ts` is when the device built the message (the
flush time); a top-level `lat`/`lon` there is rejected rather than silently dropped.

This is the hot path: one msgspec pass into typed Structs, nothing decoded twice. Pure.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from ingest.formats import battery, jsonbody, tagfields, timeparse
from ingest.records import Position, Reason, Record, Rejected, TagRead

KMH_TO_MPS = 1 / 3.6


class Fix(msgspec.Struct):
    ts: str | int | float
    lat: float
    lon: float
    speed_kmh: float | None = None
    heading: float | None = None
    acc_m: float | None = None
    alt_m: float | None = None
    battery_pct: float | None = None
    seq: int | None = None


class Read(msgspec.Struct):
    epc: str
    antenna: int
    ts: str | int | float
    rssi: float | None = None
    count: int = 1
    seq: int | None = None


class Message(msgspec.Struct):
    ts: str | int | float | None = None
    lat: float | None = None
    lon: float | None = None
    speed_kmh: float | None = None
    heading: float | None = None
    acc_m: float | None = None
    alt_m: float | None = None
    battery_pct: float | None = None
    seq: int | None = None
    points: list[Fix] | None = None
    reads: list[Read] | None = None


def _position(fix: Fix | Message, built_time: datetime | None = None) -> Position:
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
        built_time=built_time,
        battery_pct=battery.percent(fix.battery_pct),
    )


def _tag_read(read: Read, built_time: datetime | None) -> TagRead:
    return TagRead(
        read_time=timeparse.parse(read.ts),
        epc_hex=tagfields.epc_from_hex(read.epc),
        antenna=read.antenna,
        rssi_dbm=read.rssi,
        count=read.count,
        event_number=read.seq,
        built_time=built_time,
    )


def decode(payload: bytes, topic: str, received_at: datetime) -> list[Record]:
    message = jsonbody.decode(payload, Message)
    if message.points is None and message.reads is None:
        return [_position(message)]
    if message.lat is not None or message.lon is not None:
        raise Rejected(Reason.WRONG_TYPE, "a single fix (lat/lon) next to points or reads")
    if not message.points and not message.reads:
        raise Rejected(Reason.MISSING_FIELD, "points and reads are empty")
    built_time = None if message.ts is None else timeparse.parse(message.ts)
    records: list[Record] = []
    for index, fix in enumerate(message.points or ()):
        try:
            records.append(_position(fix, built_time))
        except Rejected as exc:
            records.append(Rejected(exc.reason, f"points[{index}]: {exc.detail}"))
    for index, read in enumerate(message.reads or ()):
        try:
            records.append(_tag_read(read, built_time))
        except Rejected as exc:
            records.append(Rejected(exc.reason, f"reads[{index}]: {exc.detail}"))
    return records
