"""Every real client sample in ../shared/conformance/payloads, decoded with its right values."""

from __future__ import annotations

import pytest

from ingest.records import Ignored, Position, Reason, Record, Rejected
from tests.ingest.formats.support import CONFORMANCE, NOW, conformance, decode_valid, utc

KNOT = 1852 / 3600
KMH = 1 / 3.6

# file -> (format, expected records after decode and validation)
EXPECTED: dict[str, tuple[str, list[Record]]] = {
    "osmand-query-1.txt": ("osmand", [Ignored("osmand_no_location")]),
    "osmand-query-2.txt": ("osmand", [Rejected(Reason.MISSING_FIELD, "")]),
    "osmand-query-3.txt": (
        "osmand",
        [Position(utc("2016-01-27T18:55:47Z"), 42.06288, -88.23412, 0.0, altitude_m=224.0)],
    ),
    "osmand-query-4.txt": (
        "osmand",
        [Position(utc("2015-09-12T14:38:06.579Z"), 42.06288, -88.23412, 0.0, altitude_m=224.0)],
    ),
    "osmand-query-5.txt": (
        "osmand",
        [Position(utc("2014-06-04T09:10:11Z"), 49.60688, 6.15788, 0.0, altitude_m=384.7)],
    ),
    "osmand-query-6.txt": (
        "osmand",
        [Position(utc("2013-08-22T13:14:27Z"), 60.0, 30.0, 0.0, 0.0, altitude_m=0.0)],
    ),
    "osmand-query-7.txt": ("osmand", [Position(utc("2013-08-22T13:14:27Z"), 60.0, 30.0)]),
    # No timestamp: the fix time is the received time.
    "osmand-query-8.txt": ("osmand", [Position(NOW, 60.0, 30.0, 0.0, 0.0, altitude_m=0.0)]),
    "osmand-query-9.txt": (
        "osmand",
        [Position(NOW, 41.666667, -0.883333, 0.0, altitude_m=350.059479, battery_pct=87)],
    ),
    "osmand-query-10.txt": ("osmand", [Position(utc("2013-08-22T13:14:27Z"), 60.0, 30.0)]),
    "osmand-query-11.txt": (
        "osmand",
        [
            Position(
                utc("2017-09-07T05:56:50Z"),
                40.7232948571,
                -74.0061408571,
                speed_mps=40 * KNOT,
                heading_deg=7.19889788244,
            )
        ],
    ),
    # heading -1: unknown; speed m/s as sent.
    "osmand-json-1.json": (
        "osmand",
        # battery.level 1 (0-1): 100 %.
        [
            Position(
                utc("2025-06-15T13:45:12.862Z"),
                37.4219983,
                -122.084,
                0.0,
                None,
                5.0,
                5.0,
                battery_pct=100,
            )
        ],
    ),
    "osmand-json-2-ios-mock.json": ("osmand", [Rejected(Reason.NO_FIX, "")]),
    "osmand-json-3-moving.json": (
        "osmand",
        [
            Position(
                utc("2021-07-21T08:06:34.444Z"),
                -6.1148096,
                106.6837015,
                18.67,
                63.0,
                3.8,
                35.7,
                battery_pct=79,
            )
        ],
    ),
    "owntracks-location-1.json": (
        "owntracks",
        [
            Position(
                utc("2024-02-02T06:44:58Z"),
                48.856826,
                2.292713,
                0.0,
                altitude_m=154.0,
                built_time=utc("2024-02-02T06:44:59Z"),
                battery_pct=53,
            )
        ],
    ),
    "owntracks-location-2-http.json": (
        "owntracks",
        [
            Position(
                utc("2017-06-15T06:37:31Z"),
                48.85833,
                2.29513,
                61 * KMH,
                271.0,
                5.0,
                167.0,
                battery_pct=41,
            )
        ],
    ),
    "owntracks-location-3.json": (
        "owntracks",
        [
            Position(
                utc("2019-03-06T12:21:18Z"),
                46.0681247,
                11.1512805,
                0.0,
                None,
                15.0,
                440.0,
                battery_pct=46,
            )
        ],
    ),
    "owntracks-location-4-ios-created_at.json": (
        "owntracks",
        [
            Position(
                utc("2025-01-06T10:59:29Z"),
                37.0,
                -122.0,
                accuracy_m=5.0,
                altitude_m=0.0,
                built_time=utc("2025-01-06T11:03:35Z"),
            )
        ],
    ),
    "owntracks-location-5-qtripp-queclink.json": (
        "owntracks",
        [Position(utc("2025-01-10T14:26:07Z"), 47.420051, 13.654704, 0.0, 113.0, 10.0, 1113.0)],
    ),
    "owntracks-waypoints-1.otrw.json": ("owntracks", [Ignored("owntracks_waypoints")]),
    "pui-mqtt-1.json": (
        "pui",
        [Position(utc("2023-06-01T03:09:51.362Z"), 33.91233, -84.20784, 24.82, 70.0)],
    ),
}

# The .rec file is a Recorder store, not a payload: each line ends in one OwnTracks body.
RECORDER_LINES = [
    Position(utc("2019-07-26T19:51:55Z"), -0.123, 1.123, 0.0, None, 12.0, 1493.0, battery_pct=55),
    Position(utc("2019-07-26T18:08:47Z"), -0.123, 1.123, 0.0, None, 12.0, 1493.0, battery_pct=53),
]


def same(actual: list[Record], expected: list[Record]) -> bool:
    """Records equal; a Rejected only by reason (its detail is prose)."""
    if len(actual) != len(expected):
        return False
    for got, want in zip(actual, expected, strict=True):
        if isinstance(want, Rejected):
            if not isinstance(got, Rejected) or got.reason != want.reason:
                return False
        elif isinstance(want, Position) and isinstance(got, Position):
            if want != got and not _close(got, want):
                return False
        elif got != want:
            return False
    return True


def _close(got: Position, want: Position) -> bool:
    fields = ("speed_mps", "heading_deg", "accuracy_m", "altitude_m")
    return (got.device_time, got.lat, got.lon, got.built_time, got.battery_pct) == (
        want.device_time,
        want.lat,
        want.lon,
        want.built_time,
        want.battery_pct,
    ) and all(
        (getattr(got, f) is None) == (getattr(want, f) is None)
        and (getattr(got, f) is None or abs(getattr(got, f) - getattr(want, f)) < 1e-9)
        for f in fields
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_decodes_to_its_values(name: str) -> None:
    """A real sample decodes and validates to exactly the records its quirks call for."""
    format_name, expected = EXPECTED[name]
    actual = decode_valid(format_name, conformance(name))
    assert same(actual, expected), actual


def test_recorder_lines_decode_in_store_order() -> None:
    """Each .rec line's OwnTracks body decodes; the older fix stays second, as delivered."""
    lines = conformance("owntracks-recorder-out-of-order-1.rec").splitlines()
    actual = [
        record for line in lines for record in decode_valid("owntracks", line.split(b"\t")[-1])
    ]
    assert actual == RECORDER_LINES


def test_every_sample_is_covered() -> None:
    """No sample in the shared folder goes untested: the table names every file in it."""
    present = {path.name for path in CONFORMANCE.iterdir() if path.name != "README.md"}
    assert present, f"no samples found in {CONFORMANCE}"
    assert present == set(EXPECTED) | {"owntracks-recorder-out-of-order-1.rec"}
