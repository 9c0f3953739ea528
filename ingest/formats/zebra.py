"""Zebra FX7500 / FX9600 (and ATR7000) readers through Zebra's IoT Connector (ZIOTC).

A tag data event is `{"type": <operating mode: SIMPLE, INVENTORY, PORTAL, CONVEYOR,
DIRECTIONALITY, CUSTOM>, "timestamp": ISO-8601 with an offset such as -0600, "data":
{"idHex", "eventNum", "format": "epc", "antenna"?, "peakRssi"? (dBm), "reads"?, "channel"?,
"phase"?, "PC"?, "CRC"?...}}`. Which of the optional fields appear is the operating mode's
`tagMetaData` choice; a reader that does not report ANTENNA gives antenna 0. `reads` is the
seen count since the tag's previous report; `timestamp` is when the reader reported it,
our read time (ZIOTC has no separate queued time). `eventNum` is the reader's sequence
number and goes with each read for de-duplication: batches (reportingInterval) and
replays after a network outage (data retention, throttled) re-send events as they were.

A payload is one event, an array of them, or several objects joined by commas (ZIOTC's
batch, see `jsonbody.values`). Management events (`type` heartbeat, gpi, error, warning,
firmwareUpdateProgress...) may arrive on the same topic: heartbeats are ignored (the
device status topic says online/offline), the others become device events.

Field model: ZebraDevs/RFID-IoTConnector-MQTT-dotnet-DockDoorSample, Models/TagData/*.cs
and Models/Management/AsyncEvents.cs; https://zebradevs.github.io/rfid-ziotc-docs/. Pure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from ingest.formats import jsonbody, tagfields, timeparse
from ingest.records import DeviceEvent, Ignored, Reason, Record, Rejected, TagRead

_NO_DATA = msgspec.Raw(b"")


class Event(msgspec.Struct):
    type: str | None = None
    timestamp: str | None = None
    data: msgspec.Raw = _NO_DATA  # a tag or a management body: decoded once we know which


class TagData(msgspec.Struct, rename="camel"):
    id_hex: str | None = None
    event_num: int | None = None
    format: str | None = None
    antenna: int | None = None
    peak_rssi: float | None = None
    reads: int | None = None


def decode(payload: bytes, topic: str, received_at: datetime) -> list[Record]:
    return jsonbody.each_event(payload, _event)


def _event(value: msgspec.Raw) -> Record:
    event = jsonbody.decode(value, Event)
    # Tag data events are named after the operating mode, in upper case; management events
    # in camelCase. Deciding on the name keeps a management body that happens to carry an
    # "antenna" of another type from failing the tag schema.
    if event.type is None or event.type.isupper():
        if not bytes(event.data).lstrip().startswith(b"{"):
            raise Rejected(Reason.MISSING_FIELD, "a tag data event needs a data object")
        return _tag_read(event, jsonbody.decode(event.data, TagData))
    kind = tagfields.event_kind(event.type)
    if kind == "heartbeat":
        return Ignored("zebra_heartbeat")
    return DeviceEvent(time=_time(event), kind=kind, detail=_detail(value))


def _tag_read(event: Event, tag: TagData) -> TagRead:
    if tag.id_hex is None:
        raise Rejected(Reason.MISSING_FIELD, f"{event.type or 'tag data'} event without data.idHex")
    if tag.format is not None and tag.format.lower() != "epc":
        raise Rejected(Reason.BAD_EPC, f"data.format={tag.format[:32]!r}: idHex is not an EPC")
    return TagRead(
        read_time=_time(event),
        epc_hex=tagfields.epc_from_hex(tag.id_hex, "data.idHex"),
        antenna=0 if tag.antenna is None else tag.antenna,
        rssi_dbm=tag.peak_rssi,
        count=1 if tag.reads is None else tag.reads,
        event_number=tag.event_num,
    )


def _time(event: Event) -> datetime:
    if event.timestamp is None:
        raise Rejected(Reason.MISSING_FIELD, "timestamp")
    return timeparse.from_iso(event.timestamp)


def _detail(value: msgspec.Raw) -> dict[str, Any]:
    """The management event as sent, minus what the record already holds."""
    body = jsonbody.decode(value, dict[str, Any])
    return {key: item for key, item in body.items() if key not in ("type", "timestamp")}
