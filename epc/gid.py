"""GID-96, the General Identifier: the one handled scheme with neither filter nor partition.

Layout (TDS section 14.5): header 0x35 (8) | general manager number (28) | object class (24) |
serial (36), each an Integer: decimal in the URI, no leading zeros.
"""

from __future__ import annotations

from collections.abc import Sequence

from epc.errors import EpcError, ErrorCode
from epc.models import Epc
from epc.strings import parse_integer

HEADER = 0x35
BITS = 96
SCHEME = "gid-96"
URI_NAME = "gid"
COMPONENTS = 3
_MANAGER_BITS, _CLASS_BITS, _SERIAL_BITS = 28, 24, 36


def decode(value: int) -> Epc:
    """The `Epc` of a 96-bit GID-96 value (header included)."""
    serial = value & ((1 << _SERIAL_BITS) - 1)
    value >>= _SERIAL_BITS
    object_class = value & ((1 << _CLASS_BITS) - 1)
    manager = (value >> _CLASS_BITS) & ((1 << _MANAGER_BITS) - 1)
    body = f"{manager}.{object_class}.{serial}"
    fields = {"manager": str(manager), "object_class": str(object_class), "serial": str(serial)}
    return Epc(SCHEME, None, "urn:epc:id:gid:" + body, "urn:epc:tag:gid-96:" + body, fields)


def encode(filter_value: int | None, parts: Sequence[str]) -> int:
    """The 96-bit GID-96 value of the URI body components (manager, class, serial)."""
    if filter_value is not None:
        raise EpcError(ErrorCode.BAD_FIELD_RANGE, "gid-96 has no filter value")
    manager = parse_integer(parts[0], 1 << _MANAGER_BITS, "gid-96 manager number")
    object_class = parse_integer(parts[1], 1 << _CLASS_BITS, "gid-96 object class")
    serial = parse_integer(parts[2], 1 << _SERIAL_BITS, "gid-96 serial")
    value = (HEADER << _MANAGER_BITS | manager) << _CLASS_BITS | object_class
    return value << _SERIAL_BITS | serial
