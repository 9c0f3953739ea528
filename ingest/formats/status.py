"""A device's connection status on `waybill/v1/devices/{id}/status`: its last will
(`offline`, published by the broker when the device vanishes) and its own `online` when it
connects. Whatever the device's telemetry format, this topic speaks one small language:

- plain text `online` or `offline`, or
- JSON `{"status": "online" | "offline", "ts"?: ISO-8601 or epoch}`.

The time is `ts` when given, else the time we received it (a last will has no clock of its
own). An empty payload (a retained status being cleared) is ignored.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from ingest.formats import timeparse
from ingest.records import DeviceEvent, Ignored, Reason, Record, Rejected

LINK = "link"
STATES = ("online", "offline")


class _Status(msgspec.Struct):
    status: str
    ts: str | float | None = None


def decode(payload: bytes, topic: str, received_at: datetime) -> list[Record]:
    text = payload.strip()
    if not text:
        return [Ignored("empty status (a retained status cleared)")]
    if text.startswith(b"{"):
        try:
            body = msgspec.json.decode(text, type=_Status)
        except msgspec.ValidationError as exc:
            missing = "missing required field" in str(exc)
            reason = Reason.MISSING_FIELD if missing else Reason.WRONG_TYPE
            raise Rejected(reason, str(exc)[:200]) from exc
        except msgspec.DecodeError as exc:
            raise Rejected(Reason.NOT_JSON, str(exc)[:200]) from exc
        state, ts = body.status.lower(), body.ts
    else:
        try:
            state, ts = text.decode().lower(), None
        except UnicodeDecodeError as exc:
            raise Rejected(Reason.NOT_UTF8, str(exc)[:200]) from exc
    if state not in STATES:
        raise Rejected(
            Reason.VALUE_OUT_OF_RANGE, f"status must be online or offline, not {state[:40]!r}"
        )
    if ts is None:
        time = received_at
    elif isinstance(ts, str):
        time = timeparse.from_iso(ts)
    else:
        time = timeparse.from_epoch(ts)
    return [DeviceEvent(time, LINK, {"status": state})]
