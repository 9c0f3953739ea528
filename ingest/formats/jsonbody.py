"""JSON bodies for the decoders: msgspec's errors turned into our reasons, and the
splitting of one payload into the several JSON values some devices pack into it. Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from ingest.records import Reason, Record, Rejected

_RAW = msgspec.json.Decoder(msgspec.Raw)
_RAW_LIST = msgspec.json.Decoder(list[msgspec.Raw])


def decode(payload: bytes | msgspec.Raw, schema: type[Any]) -> Any:
    try:
        return msgspec.json.decode(payload, type=schema)
    except msgspec.ValidationError as exc:
        message = str(exc)
        reason = Reason.MISSING_FIELD if "missing required field" in message else Reason.WRONG_TYPE
        raise Rejected(reason, message) from exc
    except UnicodeDecodeError as exc:
        raise Rejected(Reason.NOT_UTF8, str(exc)) from exc
    except msgspec.DecodeError as exc:
        raise _not_json(bytes(payload), exc) from exc


def each_event(payload: bytes, event: Callable[[msgspec.Raw], Record]) -> list[Record]:
    """Decode every JSON value of a (possibly batched) payload with `event`; one bad value
    becomes a Rejected in its place, unless it is the only one (then the message fails)."""
    found = values(payload)
    if not found:
        raise Rejected(Reason.MISSING_FIELD, "no events in the payload")
    if len(found) == 1:
        return [event(found[0])]
    records: list[Record] = []
    for index, value in enumerate(found):
        try:
            records.append(event(value))
        except Rejected as exc:
            records.append(Rejected(exc.reason, f"[{index}]: {exc.detail}"))
    return records


def values(payload: bytes) -> list[msgspec.Raw]:
    """The JSON values in a payload, each left undecoded.

    Accepted, in this order: one value (an array gives its elements), newline-delimited
    values (the Impinj R700 HTTP stream; a line may itself be an array), and objects
    joined by commas without brackets (what Zebra's IoT Connector sends for a batch, whose
    own sample client wraps the payload in `[` `]` before parsing). Raises `Rejected`.
    """
    try:
        return _split(payload)
    except msgspec.DecodeError as exc:
        first = exc
    lines = [line for line in payload.splitlines() if line.strip()]
    if len(lines) > 1:
        try:
            return [value for line in lines for value in _split(line)]
        except msgspec.DecodeError:
            pass
    if payload.lstrip().startswith(b"{"):
        try:
            return _RAW_LIST.decode(b"[" + payload + b"]")
        except msgspec.DecodeError:
            pass
    raise _not_json(payload, first)


def _split(chunk: bytes) -> list[msgspec.Raw]:
    if chunk.lstrip().startswith(b"["):
        return _RAW_LIST.decode(chunk)
    return [_RAW.decode(chunk)]


def _not_json(payload: bytes, exc: Exception) -> Rejected:
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError as utf_exc:
        return Rejected(Reason.NOT_UTF8, str(utf_exc))
    return Rejected(Reason.NOT_JSON, str(exc))
