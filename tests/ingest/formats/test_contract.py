"""One contract for every registered format: the same sanity checks on all of them."""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from ingest.formats import FORMATS
from ingest.records import DeviceEvent, Ignored, Position, Rejected, TagRead
from tests.ingest.formats.support import (
    CONFORMANCE,
    NOW,
    decode,
    decode_valid,
    fixture_files,
    topic_for,
)

RECORD_TYPES = (Position, TagRead, DeviceEvent, Ignored, Rejected)
UPPER_HEX = re.compile(r"[0-9A-F]+")
GARBAGE = [b"", b" ", b"\xff\xfe\x00", b"null", b"{}", b"[]", b"[{}]", b'{"a":', b"\n\n", b"?&=&"]


def _ok_payloads() -> list[tuple[str, Path]]:
    cases = [(path.parent.name, path) for path in fixture_files("ok-")]
    for path in sorted(CONFORMANCE.glob("*")):
        prefix = path.name.split("-", 1)[0]
        if prefix in FORMATS and path.suffix != ".rec":
            cases.append((prefix, path))
    return cases


OK_PAYLOADS = _ok_payloads()


def _utc(moment: datetime | None) -> bool:
    return moment is None or moment.utcoffset() == timedelta(0)


@pytest.mark.parametrize("format_name", sorted(FORMATS))
def test_format_has_ok_payloads(format_name: str) -> None:
    """No format is registered without at least one payload it decodes cleanly."""
    assert any(name == format_name for name, _ in OK_PAYLOADS)


@pytest.mark.parametrize(
    ("format_name", "path"), OK_PAYLOADS, ids=[f"{f}:{p.name}" for f, p in OK_PAYLOADS]
)
def test_records_are_canonical(format_name: str, path: Path) -> None:
    """Decoding gives known record types with UTC times, finite numbers and hex EPCs."""
    records = decode(format_name, path.read_bytes())
    assert records
    for record in records:
        assert isinstance(record, RECORD_TYPES)
        if isinstance(record, Position):
            assert _utc(record.device_time) and _utc(record.built_time)
            assert math.isfinite(record.lat) and math.isfinite(record.lon)
        elif isinstance(record, TagRead):
            assert _utc(record.read_time) and _utc(record.built_time)
            assert UPPER_HEX.fullmatch(record.epc_hex)
            assert isinstance(record.antenna, int) and isinstance(record.count, int)
        elif isinstance(record, DeviceEvent):
            assert _utc(record.time)
            assert re.fullmatch(r"[a-z0-9_]+", record.kind)
            assert isinstance(record.detail, dict | str)


@pytest.mark.parametrize(
    ("format_name", "path"), OK_PAYLOADS, ids=[f"{f}:{p.name}" for f, p in OK_PAYLOADS]
)
def test_decoding_is_deterministic(format_name: str, path: Path) -> None:
    """The same bytes decode to equal records, so a re-sent message changes nothing."""
    payload = path.read_bytes()
    first, second = decode(format_name, payload), decode(format_name, payload)
    assert first == second
    details = [r.detail for r in first if isinstance(r, DeviceEvent)]
    assert details == [r.detail for r in second if isinstance(r, DeviceEvent)]


OUR_OK = [(f, p) for f, p in OK_PAYLOADS if not p.is_relative_to(CONFORMANCE)]


@pytest.mark.parametrize(("format_name", "path"), OUR_OK, ids=[f"{f}:{p.name}" for f, p in OUR_OK])
def test_ok_fixtures_validate(format_name: str, path: Path) -> None:
    """Our ok-* fixtures pass validation as well as decoding."""
    assert not [r for r in decode_valid(format_name, path.read_bytes()) if isinstance(r, Rejected)]


@pytest.mark.parametrize("format_name", sorted(FORMATS))
@pytest.mark.parametrize("payload", GARBAGE, ids=repr)
def test_garbage_is_rejected_or_ignored(format_name: str, payload: bytes) -> None:
    """Empty, binary and half-written payloads give a Rejected (or Ignored), not records."""
    try:
        records = FORMATS[format_name](payload, topic_for(format_name), NOW)
    except Rejected:
        return
    assert all(isinstance(record, Rejected | Ignored) for record in records), records
