"""The per-message stages of the ingest pipeline, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from devices.models import Device, DeviceKind
from ingest import pipeline
from ingest.formats import FORMATS
from ingest.pipeline import Message, process
from ingest.records import Reason
from ingest.validate import Limits

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LIMITS = Limits(max_future=timedelta(minutes=10), max_age=timedelta(days=90))
VAN = Device(1, "van-1", DeviceKind.GPS_UNIT, "native", "", None, NOW, None)
RETIRED = Device(2, "old-1", DeviceKind.GPS_UNIT, "native", "", None, NOW, NOW)
PHONE = Device(3, "ph-1", DeviceKind.PHONE, "owntracks", "", None, NOW, None)
DEVICES = {d.device_id: d for d in (VAN, RETIRED, PHONE)}


def run(topic: str, payload: bytes | dict, max_bytes: int = 4096) -> pipeline.Outcome:
    raw = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    return process(Message(topic, raw, NOW), DEVICES.get, LIMITS, max_bytes)


def fix(**changes: object) -> dict:
    return {"ts": "2026-11-25T11:59:00Z", "lat": 30.26, "lon": 120.2} | changes


def test_accepted_fix_becomes_a_position() -> None:
    """A valid native fix on a known device's topic yields one position and no dead letter."""
    outcome = run("waybill/v1/devices/van-1/telemetry", fix(speed_kmh=36))
    assert outcome.dead_letter is None
    assert outcome.device == VAN
    assert [(p.lat, p.lon, p.speed_mps) for p in outcome.positions] == [(30.26, 120.2, 10.0)]


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("waybill/v1/devices/van-1/telemetry", b"x" * 5000, Reason.PAYLOAD_TOO_LARGE),
        ("waybill/v1/devices/van-1/other", fix(), Reason.UNKNOWN_TOPIC),
        ("something/else", fix(), Reason.UNKNOWN_TOPIC),
        ("waybill/v1/devices/ghost/telemetry", fix(), Reason.UNKNOWN_DEVICE),
        ("waybill/v1/devices/old-1/telemetry", fix(), Reason.DEVICE_RETIRED),
        ("waybill/v1/devices/van-1/telemetry", b"{not json", Reason.NOT_JSON),
        ("waybill/v1/devices/van-1/telemetry", b'{"ts": "\xff\xfe"}', Reason.NOT_UTF8),
        ("waybill/v1/devices/van-1/telemetry", fix(lat="north"), Reason.WRONG_TYPE),
        ("waybill/v1/devices/van-1/telemetry", {"lat": 1, "lon": 2}, Reason.MISSING_FIELD),
        ("waybill/v1/devices/van-1/telemetry", fix(lat=91), Reason.LAT_OUT_OF_RANGE),
        ("waybill/v1/devices/van-1/telemetry", fix(lon=-180.5), Reason.LON_OUT_OF_RANGE),
        ("waybill/v1/devices/van-1/telemetry", fix(lat=0, lon=0), Reason.NO_FIX),
        ("waybill/v1/devices/van-1/telemetry", fix(ts="2026-11-25T13:00:00Z"),
         Reason.TIMESTAMP_IN_FUTURE),
        ("waybill/v1/devices/van-1/telemetry", fix(ts="2020-01-01T00:00:00Z"),
         Reason.TIMESTAMP_TOO_OLD),
        ("waybill/v1/devices/van-1/telemetry", fix(ts="yesterday"), Reason.BAD_TIMESTAMP),
        ("waybill/v1/devices/van-1/telemetry", fix(speed_kmh=-5), Reason.VALUE_OUT_OF_RANGE),
        ("waybill/v1/devices/van-1/telemetry", fix(heading=400), Reason.VALUE_OUT_OF_RANGE),
    ],
)  # fmt: skip
def test_bad_input_gets_a_named_reason(topic: str, payload: bytes | dict, reason: Reason) -> None:
    """Every kind of bad input becomes a dead letter with its own reason and the raw bytes."""
    outcome = run(topic, payload)
    assert outcome.positions == []
    assert outcome.dead_letter is not None
    assert outcome.dead_letter.reason == reason
    raw = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    assert outcome.dead_letter.payload == raw
    assert outcome.dead_letter.topic == topic


def test_nan_is_not_json() -> None:
    """NaN coordinates cannot sneak in: JSON has no NaN, so the message is not JSON."""
    outcome = run("waybill/v1/devices/van-1/telemetry", b'{"ts": 1, "lat": NaN, "lon": 1}')
    assert outcome.dead_letter is not None and outcome.dead_letter.reason == Reason.NOT_JSON


def test_flush_keeps_good_points_and_dead_letters_the_rest() -> None:
    """A store-and-forward flush with one bad point stores the others and keeps the message."""
    points = [fix(ts=f"2026-11-25T11:5{i}:00Z") for i in range(3)] + [fix(lat=123)]
    outcome = run("waybill/v1/devices/van-1/telemetry", {"points": points})
    assert len(outcome.positions) == 3
    assert outcome.dead_letter is not None
    assert outcome.dead_letter.reason == Reason.LAT_OUT_OF_RANGE


def test_owntracks_topic_uses_owntracks_whatever_the_registry_says() -> None:
    """The OwnTracks topic family is decoded as OwnTracks; non-location types are ignored."""
    location = {"_type": "location", "tst": int(NOW.timestamp()) - 5, "lat": 30.2, "lon": 120.1}
    assert len(run("owntracks/ph-1/phone", location).positions) == 1
    ignored = run("owntracks/ph-1/phone", {"_type": "card", "name": "Li"})
    assert ignored.dead_letter is None and ignored.ignored == ["owntracks_card"]


def test_a_decoder_bug_becomes_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception inside a decoder is kept as internal_error, not raised."""

    def broken(payload: bytes, topic: str, received_at: datetime) -> list:
        raise KeyError("boom")

    monkeypatch.setitem(FORMATS, "native", broken)
    outcome = run("waybill/v1/devices/van-1/telemetry", fix())
    assert outcome.dead_letter is not None
    assert outcome.dead_letter.reason == Reason.INTERNAL_ERROR
    assert "KeyError" in outcome.dead_letter.detail


def test_same_bytes_same_topic_same_fingerprint() -> None:
    """A dead letter's fingerprint depends on topic and bytes only, so redelivery dedupes."""
    a = run("waybill/v1/devices/ghost/telemetry", fix()).dead_letter
    b = run("waybill/v1/devices/ghost/telemetry", fix()).dead_letter
    c = run("waybill/v1/devices/ghost2/telemetry", fix()).dead_letter
    assert a and b and c
    assert a.fingerprint == b.fingerprint != c.fingerprint
