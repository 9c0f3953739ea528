"""The status topic's small language: online/offline as text or JSON, nothing else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.formats import status
from ingest.records import DeviceEvent, Ignored, Reason, Rejected

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
TOPIC = "waybill/v1/devices/van-1/status"


@pytest.mark.parametrize(
    ("payload", "state", "time"),
    [
        (b"offline", "offline", NOW),
        (b" Online\n", "online", NOW),
        (b'{"status": "offline"}', "offline", NOW),
        (b'{"status": "online", "ts": "2026-11-25T07:59:58Z"}', "online",
         datetime(2026, 11, 25, 7, 59, 58, tzinfo=UTC)),
        (b'{"status": "online", "ts": 1795680000000}', "online",
         datetime.fromtimestamp(1795680000, tz=UTC)),
    ],
)  # fmt: skip
def test_a_status_becomes_a_link_event(payload: bytes, state: str, time: datetime) -> None:
    assert status.decode(payload, TOPIC, NOW) == [DeviceEvent(time, "link", {"status": state})]
    assert status.decode(payload, TOPIC, NOW)[0].detail == {"status": state}


def test_an_empty_retained_status_is_ignored() -> None:
    assert isinstance(status.decode(b"", TOPIC, NOW)[0], Ignored)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"asleep", Reason.VALUE_OUT_OF_RANGE),
        (b'{"status": "maybe"}', Reason.VALUE_OUT_OF_RANGE),
        (b'{"state": "online"}', Reason.MISSING_FIELD),
        (b'{"status": 1}', Reason.WRONG_TYPE),
        (b'{"status": "online", "ts": "yesterday"}', Reason.BAD_TIMESTAMP),
        (b"{not json", Reason.NOT_JSON),
        (b"\xff\xfe", Reason.NOT_UTF8),
    ],
)
def test_anything_else_is_rejected_with_its_reason(payload: bytes, reason: Reason) -> None:
    with pytest.raises(Rejected) as caught:
        status.decode(payload, TOPIC, NOW)
    assert caught.value.reason == reason
