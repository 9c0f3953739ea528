"""Timestamp parsing shared by decoders. Pure."""

from __future__ import annotations

import contextlib
import math
import re
from datetime import UTC, datetime

from ingest.records import Reason, Rejected

# Below this an epoch number is taken as seconds, above as milliseconds
# (1e11 s is the year 5138; 1e11 ms is March 1973).
_EPOCH_MS_THRESHOLD = 1e11
# ASCII only: str.isdigit() also accepts digits float() cannot read ("²").
_EPOCH_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)


def from_epoch(value: float, *, unit: str = "auto") -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Rejected(Reason.BAD_TIMESTAMP, f"not an epoch number: {value!r}")
    seconds = value
    if unit == "ms" or (unit == "auto" and abs(value) >= _EPOCH_MS_THRESHOLD):
        seconds = value / 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise Rejected(Reason.BAD_TIMESTAMP, f"epoch out of range: {value!r}") from exc


def from_iso(text: str) -> datetime:
    """ISO-8601; a time without an offset is taken as UTC."""
    candidate = text.strip()
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError as exc:
        raise Rejected(Reason.BAD_TIMESTAMP, f"not ISO-8601: {text[:64]!r}") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as exc:  # year 1 or 9999 pushed over the edge by its offset
        raise Rejected(Reason.BAD_TIMESTAMP, f"out of range: {text[:64]!r}") from exc


def parse(value: object) -> datetime:
    """An ISO-8601 string or an epoch number (seconds or milliseconds)."""
    if isinstance(value, str):
        if value.endswith("Z"):  # the common case, ISO-8601 in UTC: one C call
            with contextlib.suppress(ValueError):  # the full path below says what is wrong
                return datetime.fromisoformat(value)
        stripped = value.strip()
        if _EPOCH_TEXT.fullmatch(stripped):
            return from_epoch(float(stripped))
        return from_iso(stripped)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return from_epoch(value)
    raise Rejected(Reason.BAD_TIMESTAMP, f"expected ISO-8601 or epoch, got {type(value).__name__}")


def iso_z(moment: datetime) -> str:
    """UTC ISO-8601 ending in Z, with milliseconds only when present."""
    moment = moment.astimezone(UTC)
    text = moment.isoformat(timespec="milliseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")
