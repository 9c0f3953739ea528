"""Our hand-built fixtures (tests/fixtures/payloads): ok-* decode to their values,
bad-<reason>-* are rejected for that reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.records import DeviceEvent, Ignored, Position, Reason, Record, Rejected, TagRead
from tests.ingest.formats.support import FIXTURES, decode_valid, fixture_files, utc

SGTIN = "3074257BF7194E4000001A85"
SGTIN_2 = "30340242201D8840009EFD2A"
E280 = "E2801160600002054A2C6D8B"

EXPECTED: dict[str, list[Record]] = {
    "zebra/ok-simple-single.json": [
        TagRead(utc("2026-11-24T00:15:02.417Z"), SGTIN, 0, None, 1, 1207),
    ],
    "zebra/ok-inventory-array.json": [
        TagRead(utc("2026-11-24T01:30:00Z"), SGTIN_2, 1, -58.0, 14, 88),
        TagRead(utc("2026-11-24T01:30:00Z"), E280, 2, -71.0, 3, 89),
    ],
    "zebra/ok-batch-comma-joined.json": [
        TagRead(utc("2026-11-24T16:02:11.250Z"), SGTIN, 3, -49.0, 1, 5120),
        TagRead(utc("2026-11-24T16:02:11.302Z"), SGTIN_2, 3, -62.0, 2, 5121),
    ],
    "zebra/ok-replay-after-outage.json": [
        TagRead(utc("2026-11-20T23:58:41.006Z"), E280, 1, -55.0, 6, 40001),
        TagRead(utc("2026-11-20T23:58:41.530Z"), E280, 2, -60.0, 4, 40002),
        TagRead(utc("2026-11-20T23:58:42.114Z"), SGTIN, 1, -52.0, 9, 40003),
    ],
    "zebra/ok-management-gpi.json": [
        DeviceEvent(
            utc("2026-11-23T23:59:58.120Z"),
            "gpi",
            {"component": "RG", "data": {"pin": 1, "state": "HIGH"}, "eventNum": 311},
        )
    ],
    "zebra/ok-management-heartbeat.json": [Ignored("zebra_heartbeat")],
    "impinj/ok-tag-inventory-epchex.json": [
        TagRead(
            utc("2026-11-24T06:41:06.982117Z"),
            SGTIN_2,
            1,
            -56.5,
            built_time=utc("2026-11-24T06:41:07.315402Z"),
        )
    ],
    "impinj/ok-tag-inventory-base64.json": [
        TagRead(
            utc("2026-11-24T06:41:07.812Z"), SGTIN, 2, -61.0, built_time=utc("2026-11-24T06:41:08Z")
        )
    ],
    # Without lastSeenTime the queued time is the best read time there is.
    "impinj/ok-tag-inventory-base64url.json": [
        TagRead(
            utc("2026-11-24T06:41:09Z"),
            "E28068940000501EC0B8A4FF",
            4,
            -73.0,
            built_time=utc("2026-11-24T06:41:09Z"),
        )
    ],
    "impinj/ok-webhook-array.json": [
        TagRead(
            utc("2026-11-24T06:44:59.871Z"),
            E280,
            3,
            -48.75,
            built_time=utc("2026-11-24T06:45:00.120Z"),
        ),
        DeviceEvent(utc("2026-11-24T06:45:00.455Z"), "antenna_disconnected", {"antennaPort": 4}),
    ],
    "impinj/ok-stream-ndjson.jsonl": [
        DeviceEvent(utc("2026-11-24T06:50:00.001Z"), "inventory_status", {"status": "running"}),
        TagRead(
            utc("2026-11-24T06:50:00.640Z"),
            SGTIN,
            1,
            -52.3,
            built_time=utc("2026-11-24T06:50:00.912Z"),
        ),
        DeviceEvent(
            utc("2026-11-24T06:51:30Z"),
            "overflow",
            {
                "firstEventTimestamp": "2026-11-24T06:50:01.000Z",
                "lastEventTimestamp": "2026-11-24T06:51:29.000Z",
                "eventsPurged": 1420,
                "eventsRemaining": 5000,
            },
        ),
        DeviceEvent(utc("2026-11-24T06:52:00Z"), "antenna_connected", {"antennaPort": 4}),
    ],
    "impinj/ok-antenna-activation.json": [Ignored("impinj_antenna_activation")],
    "native/ok-fix.json": [
        Position(utc("2026-11-24T03:12:45.500Z"), 30.2741, 120.1551, 10.0, 270.0, 4.5, 12.0)
    ],
    "native/ok-points-epoch-ms.json": [
        Position(
            utc("2026-11-24T03:12:00Z"),
            30.2741,
            120.1551,
            0.0,
            built_time=utc("2026-11-24T03:20:00Z"),
        ),
        Position(
            utc("2026-11-24T03:12:30Z"),
            30.2745,
            120.156,
            5.0,
            built_time=utc("2026-11-24T03:20:00Z"),
        ),
    ],
    "native/ok-reads.json": [
        TagRead(utc("2026-11-24T03:15:00.250Z"), SGTIN, 1, -58.5, 3, 77),
        TagRead(utc("2026-11-24T03:16:40Z"), E280, 2),
    ],
    "native/ok-reads-flush-with-built-time.json": [
        TagRead(
            utc("2026-11-24T02:55:10Z"), SGTIN_2, 4, -66.0, built_time=utc("2026-11-24T03:20:00Z")
        )
    ],
    "osmand/ok-query-post-body.txt": [
        Position(
            utc("2026-11-24T03:20:00Z"),
            30.2741,
            120.1551,
            10 * 1852 / 3600,
            90.5,
            12.0,
            8.0,
            battery_pct=64,
        )
    ],
    "osmand/ok-query-valid-false.txt": [Ignored("osmand_invalid_fix")],
    "osmand/ok-json-batch.json": [
        Position(
            utc("2026-11-24T03:10:00Z"), 30.2741, 120.1551, 12.5, 45.0, 6.0, 9.0, battery_pct=64
        ),
        # battery.level -1: the platform did not say.
        Position(utc("2026-11-24T03:10:30Z"), 30.2752, 120.1577, None, None, None, 9.0),
    ],
    "osmand/ok-json-no-coords.json": [Ignored("osmand_no_location")],
    "pui/ok-loc.json": [Position(utc("2026-11-24T02:00:05.120Z"), 30.2741, 120.1551, 12.5, 182.0)],
    "pui/ok-other-report-ignored.json": [Ignored("pui_ign")],
}


def _name(path: Path) -> str:
    return path.relative_to(FIXTURES).as_posix()


OK = fixture_files("ok-")
BAD = fixture_files("bad-")


@pytest.mark.parametrize("path", OK, ids=_name)
def test_ok_fixture_decodes_to_its_values(path: Path) -> None:
    """An ok-* fixture decodes and validates to exactly the records written down for it."""
    assert _name(path) in EXPECTED, f"write down what {_name(path)} decodes to"
    actual = decode_valid(path.parent.name, path.read_bytes())
    expected = EXPECTED[_name(path)]
    assert len(actual) == len(expected), actual
    for got, want in zip(actual, expected, strict=True):
        if isinstance(want, Position) and isinstance(got, Position) and want.speed_mps:
            assert got.speed_mps == pytest.approx(want.speed_mps)
            got = Position(**{**_fields(got), "speed_mps": want.speed_mps})
        assert got == want
        if isinstance(want, DeviceEvent):
            assert isinstance(got, DeviceEvent) and got.detail == want.detail


def _fields(position: Position) -> dict[str, object]:
    return {name: getattr(position, name) for name in Position.__slots__}


@pytest.mark.parametrize("path", BAD, ids=_name)
def test_bad_fixture_is_rejected_for_its_reason(path: Path) -> None:
    """A bad-<reason>-* fixture yields a Rejected with that reason, never a silent pass."""
    reason = Reason(path.name.removeprefix("bad-").split("-", 1)[0])
    records = decode_valid(path.parent.name, path.read_bytes())
    reasons = [record.reason for record in records if isinstance(record, Rejected)]
    assert reason in reasons, records


def test_every_format_has_fixtures_and_every_expectation_a_file() -> None:
    """Each expectation names an existing fixture, and the fixture folders are not empty."""
    names = {_name(path) for path in OK}
    assert set(EXPECTED) == names
    assert len(BAD) >= 10


def test_battery_levels_are_whole_percent_or_nothing() -> None:
    """Native `battery_pct`, OwnTracks `batt` and OsmAnd levels become 0-100; out of range
    is no level, and never makes the fix invalid."""
    from ingest.formats import FORMATS

    def level(fmt: str, payload: bytes) -> int | None:
        (record,) = FORMATS[fmt](payload, "t", utc("2026-11-24T03:20:00Z"))
        assert isinstance(record, Position)
        return record.battery_pct

    fix = b'{"ts": "2026-11-24T03:10:00Z", "lat": 30.2, "lon": 120.1, "battery_pct": %s}'
    assert level("native", fix % b"73.4") == 73
    assert level("native", fix % b"140") is None
    assert level("native", fix % b"-1") is None
    owntracks = b'{"_type": "location", "tst": 1795490400, "lat": 30.2, "lon": 120.1, "batt": 9}'
    assert level("owntracks", owntracks) == 9
