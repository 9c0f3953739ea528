"""Shared by the decoder tests: where the payloads live, the fixed clock, small helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingest.formats import FORMATS
from ingest.records import Record, Rejected
from ingest.validate import Limits, validate

REPO_ROOT = Path(__file__).resolve().parents[3]
# The shared folder sits next to the repository: ../shared seen from the repo root.
CONFORMANCE = REPO_ROOT.parent / "shared" / "conformance" / "payloads"
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "payloads"

NOW = datetime(2026, 11, 25, tzinfo=UTC)
# Real samples go back to 2013: twenty years of retention keeps them all "recent", while a
# reader whose clock never got set (1970) is still too old.
LIMITS = Limits(max_future=timedelta(minutes=10), max_age=timedelta(days=20 * 365))

TOPICS = {
    "owntracks": "owntracks/jane/phone",
    "osmand": "osmand/",
}


def topic_for(format_name: str) -> str:
    return TOPICS.get(format_name, "waybill/v1/devices/dev-1/telemetry")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def conformance(name: str) -> bytes:
    path = CONFORMANCE / name
    assert path.is_file(), f"missing shared sample {path}: the ../shared folder must be present"
    return path.read_bytes()


def decode(format_name: str, payload: bytes, topic: str | None = None) -> list[Record]:
    """The decoder alone; a `Rejected` raised for the whole message comes back as a record."""
    try:
        return FORMATS[format_name](payload, topic or topic_for(format_name), NOW)
    except Rejected as exc:
        return [exc]


def decode_valid(format_name: str, payload: bytes, topic: str | None = None) -> list[Record]:
    """Decode and validate, as the worker and `waybill decode` do."""
    return validate(decode(format_name, payload, topic), NOW, LIMITS)


def fixture_files(prefix: str) -> list[Path]:
    return sorted(
        path
        for path in FIXTURES.glob(f"*/{prefix}*")
        if path.is_file() and path.parent.name in FORMATS
    )
