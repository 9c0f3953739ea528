"""Plausibility checks on decoded records, shared by every format. Pure: the clock is passed in."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from ingest.formats import timeparse
from ingest.records import DeviceEvent, Position, Reason, Record, Rejected, TagRead

MAX_SPEED_MPS = 150.0  # 540 km/h: faster than anything on a road; a garbled fix
MAX_ACCURACY_M = 100_000.0
ALTITUDE_RANGE_M = (-1_000.0, 20_000.0)
# Gen2 EPCs are whole 16-bit words, 1 to 31 of them (the PC word's 5-bit length field).
EPC_HEX_DIGITS = (4, 124)
_UPPER_HEX = re.compile(r"[0-9A-F]+", re.ASCII)
# A received signal cannot be stronger than a reader transmits (+33 dBm) nor far below the
# best receive sensitivity (about -90 dBm): outside this it is a unit error (cdBm as dBm?).
RSSI_RANGE_DBM = (-130.0, 33.0)
MAX_ANTENNA = 255  # 0 = not reported; antenna hubs put R700 ports in the tens
MAX_INT64 = 2**63 - 1  # counts and event numbers are stored as bigint


@dataclass(frozen=True, slots=True)
class Limits:
    max_future: timedelta
    max_age: timedelta


def _check_value(name: str, value: float | None, low: float, high: float) -> None:
    if value is None:
        return
    if not math.isfinite(value) or not low <= value <= high:
        raise Rejected(Reason.VALUE_OUT_OF_RANGE, f"{name}={value!r} outside [{low}, {high}]")


def _check_time(moment: datetime, now: datetime, limits: Limits, label: str = "") -> None:
    if moment > now + limits.max_future:
        raise Rejected(
            Reason.TIMESTAMP_IN_FUTURE,
            f"{label}{timeparse.iso_z(moment)} is ahead of {timeparse.iso_z(now)}",
        )
    if moment < now - limits.max_age:
        raise Rejected(
            Reason.TIMESTAMP_TOO_OLD,
            f"{label}{timeparse.iso_z(moment)} is older than the retention period",
        )


def check_position(fix: Position, now: datetime, limits: Limits) -> Position:
    if not math.isfinite(fix.lat) or not -90.0 <= fix.lat <= 90.0:
        raise Rejected(Reason.LAT_OUT_OF_RANGE, f"lat={fix.lat!r}")
    if not math.isfinite(fix.lon) or not -180.0 <= fix.lon <= 180.0:
        raise Rejected(Reason.LON_OUT_OF_RANGE, f"lon={fix.lon!r}")
    if fix.lat == 0.0 and fix.lon == 0.0:
        raise Rejected(Reason.NO_FIX, "lat=0, lon=0 is what receivers send without a fix")
    _check_time(fix.device_time, now, limits)
    _check_value("speed_mps", fix.speed_mps, 0.0, MAX_SPEED_MPS)
    _check_value("heading_deg", fix.heading_deg, 0.0, 360.0)
    _check_value("accuracy_m", fix.accuracy_m, 0.0, MAX_ACCURACY_M)
    _check_value("altitude_m", fix.altitude_m, *ALTITUDE_RANGE_M)
    return fix


def check_tag_read(read: TagRead, now: datetime, limits: Limits) -> TagRead:
    low, high = EPC_HEX_DIGITS
    if not _UPPER_HEX.fullmatch(read.epc_hex):
        raise Rejected(Reason.BAD_EPC, f"epc_hex={read.epc_hex[:64]!r} is not upper-case hex")
    if not low <= len(read.epc_hex) <= high or len(read.epc_hex) % 4:
        raise Rejected(
            Reason.BAD_EPC,
            f"epc_hex has {len(read.epc_hex)} hex digits; an EPC is 1 to 31 16-bit words",
        )
    _check_time(read.read_time, now, limits, "read_time ")
    if not 0 <= read.antenna <= MAX_ANTENNA:
        raise Rejected(
            Reason.VALUE_OUT_OF_RANGE, f"antenna={read.antenna} outside [0, {MAX_ANTENNA}]"
        )
    _check_value("rssi_dbm", read.rssi_dbm, *RSSI_RANGE_DBM)
    if not 1 <= read.count <= MAX_INT64:
        raise Rejected(Reason.VALUE_OUT_OF_RANGE, f"count={read.count} is not a positive count")
    if read.event_number is not None and not 0 <= read.event_number <= MAX_INT64:
        raise Rejected(Reason.VALUE_OUT_OF_RANGE, f"event_number={read.event_number} out of range")
    return read


def check_device_event(event: DeviceEvent, now: datetime, limits: Limits) -> DeviceEvent:
    _check_time(event.time, now, limits, "time ")
    return event


def validate(records: list[Record], now: datetime, limits: Limits) -> list[Record]:
    """Each record as it is, or a Rejected in its place."""
    checked: list[Record] = []
    for record in records:
        try:
            if isinstance(record, Position):
                record = check_position(record, now, limits)
            elif isinstance(record, TagRead):
                record = check_tag_read(record, now, limits)
            elif isinstance(record, DeviceEvent):
                record = check_device_event(record, now, limits)
        except Rejected as exc:
            record = exc
        checked.append(record)
    return checked
