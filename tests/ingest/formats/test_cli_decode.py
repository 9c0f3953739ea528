"""`waybill decode` over every format: the printed keys, and exit 2 on any rejection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from ingest.formats import FORMATS
from tests.ingest.formats.support import CONFORMANCE, FIXTURES

POSITION_KEYS = [
    "kind", "device_time", "lat", "lon", "speed_mps", "heading_deg", "accuracy_m", "altitude_m",
]  # fmt: skip
TAG_READ_KEYS = ["kind", "read_time", "epc_hex", "antenna", "rssi_dbm", "count"]
DEVICE_EVENT_KEYS = ["kind", "time", "event", "detail"]
KEYS = {
    "position": POSITION_KEYS,
    "tag_read": TAG_READ_KEYS,
    "device_event": DEVICE_EVENT_KEYS,
    "ignored": ["kind", "reason"],
    "rejected": ["kind", "reason", "detail"],
}
NOW = "2026-11-25T00:00:00Z"
# The fixtures are from late 2026; the shared samples go back to 2013.
ENV = {"WAYBILL_TELEMETRY__RETENTION_DAYS": str(20 * 365)}


def run(*args: str, stdin: bytes | None = None) -> tuple[int, list[dict[str, object]]]:
    result = CliRunner().invoke(app, ["decode", "--now", NOW, *args], input=stdin, env=ENV)
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, lines


@pytest.mark.parametrize(
    ("format_name", "path", "kinds"),
    [
        ("native", FIXTURES / "native/ok-reads.json", ["tag_read", "tag_read"]),
        ("zebra", FIXTURES / "zebra/ok-inventory-array.json", ["tag_read", "tag_read"]),
        (
            "impinj",
            FIXTURES / "impinj/ok-stream-ndjson.jsonl",
            ["device_event", "tag_read", "device_event", "device_event"],
        ),
        ("osmand", CONFORMANCE / "osmand-query-11.txt", ["position"]),
        ("osmand", CONFORMANCE / "osmand-query-1.txt", ["ignored"]),
        ("pui", CONFORMANCE / "pui-mqtt-1.json", ["position"]),
        ("owntracks", CONFORMANCE / "owntracks-location-1.json", ["position"]),
    ],  # fmt: skip
)
def test_decode_prints_one_line_per_record(format_name: str, path: Path, kinds: list[str]) -> None:
    """Each record prints as one JSON line with exactly its kind's keys; exit 0."""
    code, lines = run("--format", format_name, str(path))
    assert code == 0, lines
    assert [line["kind"] for line in lines] == kinds
    for line in lines:
        assert list(line) == KEYS[str(line["kind"])]


def test_tag_read_line_values() -> None:
    """A tag read prints its UTC read time, upper-case EPC, antenna, dBm and count."""
    _, lines = run("--format", "impinj", str(FIXTURES / "impinj/ok-tag-inventory-base64.json"))
    assert lines == [
        {"kind": "tag_read", "read_time": "2026-11-24T06:41:07.812Z",
         "epc_hex": "3074257BF7194E4000001A85", "antenna": 2, "rssi_dbm": -61.0, "count": 1}
    ]  # fmt: skip


def test_device_event_line_values() -> None:
    """A device event prints its time, its kind under "event", and the vendor detail."""
    _, lines = run("--format", "zebra", str(FIXTURES / "zebra/ok-management-gpi.json"))
    assert lines == [
        {"kind": "device_event", "time": "2026-11-23T23:59:58.120Z", "event": "gpi",
         "detail": {"component": "RG", "data": {"pin": 1, "state": "HIGH"}, "eventNum": 311}}
    ]  # fmt: skip


def test_rejected_exits_2_and_stdin_works() -> None:
    """A rejected payload prints its reason and exits 2; `-` reads standard input."""
    payload = (FIXTURES / "impinj/bad-bad_epc-epc-not-base64.json").read_bytes()
    code, lines = run("--format", "impinj", "-", stdin=payload)
    assert code == 2
    assert [(line["kind"], line["reason"]) for line in lines] == [("rejected", "bad_epc")]


def test_osmand_topic_option_checks_the_device() -> None:
    """With --topic osmand/<id> the payload id is checked as behind the HTTP endpoint."""
    sample = str(CONFORMANCE / "osmand-query-7.txt")
    assert run("--format", "osmand", "--topic", "osmand/123456", sample)[0] == 0
    code, lines = run("--format", "osmand", "--topic", "osmand/654321", sample)
    assert code == 2 and lines[0]["reason"] == "topic_mismatch"


def test_every_format_is_offered() -> None:
    """The command's help lists every registered format."""
    result = CliRunner().invoke(app, ["decode", "--help"], env={"COLUMNS": "200"})
    for name in FORMATS:
        assert name in result.stdout
