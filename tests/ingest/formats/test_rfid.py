"""RFID specifics: batches with one bad event, event naming, and tag-read validation."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from msgspec import structs

from ingest.formats import impinj, native, tagfields, zebra
from ingest.records import DeviceEvent, Reason, Rejected, TagRead
from ingest.validate import check_device_event, check_tag_read, validate
from tests.ingest.formats.support import LIMITS, NOW, utc

READ = TagRead(utc("2026-11-24T00:00:00Z"), "3074257BF7194E4000001A85", 1, -60.0, 2, 7)


def _impinj_read(epc_hex: str, when: str = "2026-11-24T00:00:00Z") -> str:
    event = {"timestamp": when, "eventType": "tagInventory",
             "tagInventoryEvent": {"epcHex": epc_hex, "antennaPort": 1}}  # fmt: skip
    return json.dumps(event)


def test_impinj_stream_keeps_good_events_around_a_bad_one() -> None:
    """In a newline-delimited batch, one bad event is rejected alone, with its index."""
    payload = "\n".join([_impinj_read("3074"), _impinj_read("XYZ"), _impinj_read("E280")])
    records = impinj.decode(payload.encode(), "t", NOW)
    assert [type(r) for r in records] == [TagRead, Rejected, TagRead]
    assert isinstance(records[1], Rejected) and records[1].reason is Reason.BAD_EPC
    assert records[1].detail.startswith("[1]")


def test_impinj_event_without_event_type_is_named_by_its_member() -> None:
    """Some forwarders drop eventType; the one ...Event member still names the event."""
    payload = b'{"timestamp":"2026-11-24T00:00:00Z","antennaConnectedEvent":{"antennaPort":2}}'
    assert impinj.decode(payload, "t", NOW) == [
        DeviceEvent(utc("2026-11-24T00:00:00Z"), "antenna_connected", {"antennaPort": 2})
    ]


def test_zebra_array_keeps_good_events_around_a_bad_one() -> None:
    """In a Zebra batch, an event without idHex is rejected alone."""
    good = {"data": {"idHex": "3074", "eventNum": 1}, "timestamp": "2026-11-24T00:00:00Z",
            "type": "SIMPLE"}  # fmt: skip
    bad = {"data": {"eventNum": 2}, "timestamp": "2026-11-24T00:00:00Z", "type": "SIMPLE"}
    records = zebra.decode(json.dumps([good, bad]).encode(), "t", NOW)
    assert isinstance(records[0], TagRead) and records[0].event_number == 1
    assert isinstance(records[1], Rejected) and records[1].reason is Reason.MISSING_FIELD


def test_zebra_format_other_than_epc_is_not_taken_for_an_epc() -> None:
    """An idHex reported in another format (a TID, say) is rejected, not stored as an EPC."""
    event = (
        b'{"data":{"idHex":"E280","format":"tid"},'
        b'"timestamp":"2026-11-24T00:00:00Z","type":"CUSTOM"}'
    )
    with pytest.raises(Rejected) as caught:
        zebra.decode(event, "t", NOW)
    assert caught.value.reason is Reason.BAD_EPC


def test_native_points_and_reads_in_one_flush() -> None:
    """A native flush may carry fixes and reads together; each becomes its record."""
    payload = (b'{"points":[{"ts":"2026-11-24T00:00:00Z","lat":30.1,"lon":120.1}],'
               b'"reads":[{"epc":"3074","antenna":1,"ts":"2026-11-24T00:00:01Z"}]}')  # fmt: skip
    kinds = [type(r).__name__ for r in native.decode(payload, "t", NOW)]
    assert kinds == ["Position", "TagRead"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("antennaConnected", "antenna_connected"),
        ("overflow", "overflow"),
        ("firmwareUpdateProgress", "firmware_update_progress"),
        ("ERROR", "error"),
        ("gpi", "gpi"),
        ("weird name!", "weird_name"),
        ("", "unknown"),
    ],  # fmt: skip
)
def test_event_kinds_are_snake_case(name: str, kind: str) -> None:
    """Vendor event names become snake_case kinds of [a-z0-9_] only."""
    assert tagfields.event_kind(name) == kind


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"epc_hex": "3074257bf7194e4000001a85"}, Reason.BAD_EPC),  # lower case
        ({"epc_hex": "3074257BF7194E4000001A8"}, Reason.BAD_EPC),  # not whole words
        ({"epc_hex": "30" * 64}, Reason.BAD_EPC),  # longer than 31 words
        ({"read_time": utc("2026-11-25T01:00:00Z")}, Reason.TIMESTAMP_IN_FUTURE),
        ({"read_time": utc("1970-01-01T00:00:00Z")}, Reason.TIMESTAMP_TOO_OLD),
        ({"antenna": -1}, Reason.VALUE_OUT_OF_RANGE),
        ({"antenna": 256}, Reason.VALUE_OUT_OF_RANGE),
        ({"rssi_dbm": -5230.0}, Reason.VALUE_OUT_OF_RANGE),  # centi-dBm left unconverted
        ({"rssi_dbm": float("nan")}, Reason.VALUE_OUT_OF_RANGE),
        ({"count": 0}, Reason.VALUE_OUT_OF_RANGE),
        ({"event_number": -1}, Reason.VALUE_OUT_OF_RANGE),
        ({"event_number": 2**63}, Reason.VALUE_OUT_OF_RANGE),
    ],
)
def test_implausible_tag_reads_are_rejected(change: dict[str, object], reason: Reason) -> None:
    """Validation rejects EPCs, times, antennas, RSSI and counts no reader could send."""
    with pytest.raises(Rejected) as caught:
        check_tag_read(structs.replace(READ, **change), NOW, LIMITS)
    assert caught.value.reason is reason


def test_plausible_tag_read_and_device_event_pass() -> None:
    """A sane read and a sane event pass validation unchanged; a future event does not."""
    assert check_tag_read(READ, NOW, LIMITS) is READ
    event = DeviceEvent(utc("2026-11-24T00:00:00Z"), "overflow", {"eventsPurged": 3})
    assert check_device_event(event, NOW, LIMITS) is event
    late = replace(event, time=utc("2027-01-01T00:00:00Z"))
    (result,) = validate([late], NOW, LIMITS)
    assert isinstance(result, Rejected) and result.reason is Reason.TIMESTAMP_IN_FUTURE
