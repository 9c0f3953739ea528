"""Turning msgspec's errors into our reasons, shared by the JSON decoders. Pure."""

from __future__ import annotations

from typing import Any

import msgspec

from ingest.records import Reason, Rejected


def decode(payload: bytes, schema: type[Any]) -> Any:
    try:
        return msgspec.json.decode(payload, type=schema)
    except msgspec.ValidationError as exc:
        message = str(exc)
        reason = Reason.MISSING_FIELD if "missing required field" in message else Reason.WRONG_TYPE
        raise Rejected(reason, message) from exc
    except UnicodeDecodeError as exc:
        raise Rejected(Reason.NOT_UTF8, str(exc)) from exc
    except msgspec.DecodeError as exc:
        try:
            payload.decode("utf-8")
        except UnicodeDecodeError as utf_exc:
            raise Rejected(Reason.NOT_UTF8, str(utf_exc)) from exc
        raise Rejected(Reason.NOT_JSON, str(exc)) from exc
