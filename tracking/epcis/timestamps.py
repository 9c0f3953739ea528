"""Time stamps as EPCIS 2.0 writes them: RFC 3339 date-times with an explicit offset.

Owns parsing (strict: an offset is required, since a time without one names no instant),
formatting in a read point's own offset, and the event-hash form (UTC, millisecond
precision, `Z`). No clock: every time comes from the caller.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})$"
)
# The offset range EPCIS allows (schema: eventTimeZoneOffset), -14:00 .. +14:00.
TIME_ZONE_OFFSET = re.compile(r"^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$")


class TimestampError(ValueError):
    pass


def _split(text: str) -> tuple[datetime, Decimal]:
    """The instant to the whole second (aware) and the fraction of a second, exactly."""
    m = _RFC3339.match(text)
    if m is None:
        raise TimestampError(f"not an RFC 3339 date-time with offset: {text!r}")
    year, month, day, hour, minute, second, fraction, offset = m.groups()
    try:
        tz = UTC if offset in ("Z", "z") else _offset_tz(offset)
        whole = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=tz
        )
    except ValueError as exc:
        raise TimestampError(f"{text!r}: {exc}") from None
    return whole, Decimal("0." + fraction) if fraction else Decimal(0)


def _offset_tz(offset: str) -> timezone:
    sign = -1 if offset[0] == "-" else 1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    if hours > 23 or minutes > 59:
        raise ValueError(f"bad offset {offset}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def parse_timestamp(text: str) -> datetime:
    """An aware datetime; fractions beyond microseconds are dropped (PostgreSQL keeps µs)."""
    whole, fraction = _split(text)
    micros = int(fraction * 1_000_000)
    return whole + timedelta(microseconds=micros)


def hash_time(text: str) -> str:
    """The event-hash form: UTC, exactly three fraction digits (rounded half-up), `Z`.

    Rounding is done on the decimal digits as written, so `.1415` becomes `.142` and
    `.9995` carries into the next second, as the reference implementation does.
    """
    whole, fraction = _split(text)
    millis = int((fraction * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    instant = (whole + timedelta(milliseconds=millis)).astimezone(UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.") + f"{instant.microsecond // 1000:03d}Z"


def offset_string(moment: datetime) -> str:
    """`+08:00` for an aware datetime (EPCIS eventTimeZoneOffset)."""
    delta = moment.utcoffset()
    if delta is None:
        raise TimestampError("naive datetime: the offset of the read point is unknown")
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 with milliseconds, in the datetime's own offset (`...T10:00:00.000+08:00`)."""
    offset = offset_string(moment)
    base = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
    return base + ("Z" if offset == "+00:00" and moment.tzinfo is UTC else offset)


def in_offset(moment: datetime, offset: str) -> datetime:
    """The same instant, expressed in the given `+HH:MM` offset."""
    if not TIME_ZONE_OFFSET.match(offset):
        raise TimestampError(f"bad time zone offset {offset!r}")
    return moment.astimezone(_offset_tz(offset))
