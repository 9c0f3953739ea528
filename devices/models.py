"""Typed records of the device registry. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.errors import InvalidInput

# Device ids appear in MQTT topics and broker user names: no '/', '+', '#', no spaces.
DEVICE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


class DeviceKind(StrEnum):
    GPS_UNIT = "gps_unit"
    PHONE = "phone"
    RFID_READER = "rfid_reader"


@dataclass(frozen=True, slots=True)
class Device:
    pk: int
    device_id: str
    kind: DeviceKind
    format: str
    name: str
    vehicle_id: str | None
    created_at: datetime
    retired_at: datetime | None

    @property
    def active(self) -> bool:
        return self.retired_at is None


def check_device_id(device_id: str) -> str:
    if not DEVICE_ID_PATTERN.fullmatch(device_id):
        raise InvalidInput(
            f"device id {device_id!r} must be 1-64 of A-Z a-z 0-9 _ . : - and start alphanumeric",
            code="bad_device_id",
        )
    return device_id
