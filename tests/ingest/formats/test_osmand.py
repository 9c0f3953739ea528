"""OsmAnd specifics: the device check against the endpoint's topic, and Traccar's quirks."""

from __future__ import annotations

import pytest

from ingest.formats import osmand
from ingest.records import Ignored, Position, Reason, Rejected
from tests.ingest.formats.support import NOW, conformance, utc


def _one(payload: bytes, topic: str = "osmand/") -> object:
    try:
        (record,) = osmand.decode(payload, topic, NOW)
    except Rejected as exc:
        return exc
    return record


@pytest.mark.parametrize(
    ("sample", "device"),
    [
        ("osmand-query-7.txt", "123456"),
        ("osmand-query-8.txt", "123456"),
        ("osmand-json-1.json", "48241179"),
    ],  # fmt: skip
)
def test_payload_id_must_name_the_authenticated_device(sample: str, device: str) -> None:
    """The id (query id/deviceid, JSON device_id) must match the topic's device."""
    assert isinstance(_one(conformance(sample), f"osmand/{device}"), Position)
    mismatch = _one(conformance(sample), "osmand/someone-else")
    assert isinstance(mismatch, Rejected) and mismatch.reason is Reason.TOPIC_MISMATCH


def test_a_repeated_id_naming_another_device_is_a_mismatch() -> None:
    """Every id given counts: a second id for another device cannot slip through."""
    record = _one(b"/?id=1&lat=60&lon=30&id=2", "osmand/1")
    assert isinstance(record, Rejected) and record.reason is Reason.TOPIC_MISMATCH


def test_topic_outside_osmand_is_refused() -> None:
    """Only osmand/{device_id} names a device; anything else is an unknown topic."""
    record = _one(conformance("osmand-query-7.txt"), "waybill/v1/devices/123456/telemetry")
    assert isinstance(record, Rejected) and record.reason is Reason.UNKNOWN_TOPIC


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("1377177267", "2013-08-22T13:14:27Z"),  # epoch seconds
        ("1442068686579", "2015-09-12T14:38:06.579Z"),  # epoch ms
        ("2147483646", "2038-01-19T03:14:06Z"),  # just below Traccar's 2^31-1 cut: seconds
        ("2016-01-27T18%3A55%3A47Z", "2016-01-27T18:55:47Z"),
        ("2016-01-27T19%3A55%3A47%2B01%3A00", "2016-01-27T18:55:47Z"),
        ("2014-06-04+09%3A10%3A11", "2014-06-04T09:10:11Z"),  # no zone: UTC
    ],
)
def test_timestamp_forms(timestamp: str, expected: str) -> None:
    """Every timestamp form Traccar reads gives the same UTC instant here."""
    record = _one(f"/?id=1&lat=60&lon=30&timestamp={timestamp}".encode())
    assert isinstance(record, Position) and record.device_time == utc(expected)


def test_last_of_repeated_keys_wins_and_heading_aliases() -> None:
    """A key given twice keeps its last value; heading and bearing are the same field."""
    record = _one(b"/?id=1&lat=10&lat=60&lon=30&heading=12.5&timestamp=1377177267")
    assert isinstance(record, Position) and (record.lat, record.heading_deg) == (60.0, 12.5)


def test_query_speed_is_knots() -> None:
    """Query-form speed is knots: 10 kn is 5.144 m/s."""
    record = _one(b"/?id=1&lat=60&lon=30&speed=10")
    assert isinstance(record, Position) and record.speed_mps == pytest.approx(5.14444, rel=1e-5)


def test_lat_without_lon_is_no_location() -> None:
    """Half a position is no position: ignored, like a cell-only request."""
    assert _one(b"/?id=1&lat=60&timestamp=1377177267") == Ignored("osmand_no_location")


def test_empty_values_are_skipped() -> None:
    """Traccar skips empty values, so an empty speed is no speed, not an error."""
    record = _one(b"/?id=1&lat=60&lon=30&speed=&timestamp=1377177267")
    assert isinstance(record, Position) and record.speed_mps is None


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1_0", "0x1p3", ""])
def test_numbers_are_plain_decimals(value: str) -> None:
    """Only decimal numbers are numbers; NaN, underscores and hex floats are wrong types."""
    record = _one(f"/?id=1&lat={value or '%20'}&lon=30".encode())
    assert isinstance(record, Rejected) and record.reason is Reason.WRONG_TYPE
