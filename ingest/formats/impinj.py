"""Impinj R700 (and R510/R720) readers through the Impinj IoT device interface.

Every event is `{"timestamp", "hostname"?, "eventType", "<eventType>Event": {...}}`, where
`timestamp` is when the reader processed and queued the event for delivery. A tag read,
`tagInventoryEvent`, carries `epcHex` or `epc` (base64; both standard and URL-safe
alphabets are seen), `antennaPort`, `peakRssiCdbm` (centi-dBm: -5230 is -52.30 dBm) and
`lastSeenTime`, the moment the tag was read. So the read time is `lastSeenTime` and
`timestamp` the built time; a reader configured without lastSeenTime leaves us the queued
time as the best read time we have. The interface has no per-event sequence number.

Other events become device events: `antennaConnected` -> `antenna_connected`,
`antennaDisconnected`, `inventoryStatus`, `overflow` (the reader's buffer dropped events:
how many and between which times is in the detail), `gpiTransition` and any event type a
later firmware adds. `antennaActivation` fires for every antenna switch of an inventory
cycle, many times a second, and is ignored rather than flooding the event table.

A payload is one event (MQTT), an array (HTTP webhook) or newline-delimited events (the
HTTP stream, or a batch). Field names: Impinj IoT device interface OpenAPI 1.7
(`ReaderEvent`, `TagInventoryEvent`, `OverflowEvent`...). Pure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ingest.formats import jsonbody, tagfields, timeparse
from ingest.records import DeviceEvent, Ignored, Reason, Record, Rejected, TagRead

CDBM_PER_DBM = 100
_TAG_INVENTORY = "tagInventory"
_IGNORED = {"antennaActivation"}


class TagInventory(msgspec.Struct, rename="camel"):
    epc: str | None = None
    epc_hex: str | None = None
    antenna_port: int | None = None
    peak_rssi_cdbm: float | None = None
    last_seen_time: str | None = None


def decode(payload: bytes, topic: str, received_at: datetime) -> list[Record]:
    return jsonbody.each_event(payload, _event)


def _event(value: msgspec.Raw) -> Record:
    fields = jsonbody.decode(value, dict[str, msgspec.Raw])
    event_type = _event_type(fields)
    queued = _optional_time(fields.get("timestamp"), "timestamp")
    body = fields.get(event_type + "Event")
    if event_type == _TAG_INVENTORY:
        if body is None:
            raise Rejected(Reason.MISSING_FIELD, "tagInventoryEvent")
        return _tag_read(jsonbody.decode(body, TagInventory), queued)
    if event_type in _IGNORED:
        return Ignored(f"impinj_{tagfields.event_kind(event_type)}")
    if queued is None:
        raise Rejected(Reason.MISSING_FIELD, "timestamp")
    detail: dict[str, Any] = {} if body is None else jsonbody.decode(body, dict[str, Any])
    return DeviceEvent(time=queued, kind=tagfields.event_kind(event_type), detail=detail)


def _event_type(fields: dict[str, msgspec.Raw]) -> str:
    """`eventType`, or failing that the one `...Event` member (some forwarders drop it)."""
    named = fields.get("eventType")
    if named is not None:
        event_type = jsonbody.decode(named, str)
        if event_type:
            return event_type
    members = [key[: -len("Event")] for key in fields if key.endswith("Event") and len(key) > 5]
    if len(members) != 1:
        raise Rejected(Reason.MISSING_FIELD, "eventType (and not exactly one ...Event member)")
    return members[0]


def _tag_read(tag: TagInventory, queued: datetime | None) -> TagRead:
    if tag.epc_hex is not None:
        epc = tagfields.epc_from_hex(tag.epc_hex, "epcHex")
    elif tag.epc is not None:
        epc = tagfields.epc_from_base64(tag.epc, "epc")
    else:
        raise Rejected(Reason.MISSING_FIELD, "tagInventoryEvent has neither epcHex nor epc")
    read_time = _optional_time(tag.last_seen_time, "lastSeenTime") or queued
    if read_time is None:
        raise Rejected(Reason.MISSING_FIELD, "neither lastSeenTime nor timestamp")
    return TagRead(
        read_time=read_time,
        epc_hex=epc,
        antenna=0 if tag.antenna_port is None else tag.antenna_port,
        rssi_dbm=None if tag.peak_rssi_cdbm is None else tag.peak_rssi_cdbm / CDBM_PER_DBM,
        count=1,  # one event per sighting; the interface reports no seen count
        event_number=None,
        built_time=queued,
    )


def _optional_time(value: msgspec.Raw | str | None, name: str) -> datetime | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else jsonbody.decode(value, str)
    try:
        return timeparse.from_iso(text)
    except Rejected as exc:
        raise Rejected(exc.reason, f"{name}: {exc.detail}") from exc
