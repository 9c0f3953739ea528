"""Typed records of the device registry. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from core.errors import InvalidInput

# Device ids appear in MQTT topics and broker user names: no '/', '+', '#', no spaces.
DEVICE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


class DeviceKind(StrEnum):
    GPS_UNIT = "gps_unit"
    PHONE = "phone"
    RFID_READER = "rfid_reader"


class AntennaRole(StrEnum):
    """Where an antenna looks; a dock door has one antenna zone inside and one outside."""

    DOCK_INSIDE = "dock_inside"
    DOCK_OUTSIDE = "dock_outside"
    PACKING_STATION = "packing_station"
    RECEIVING = "receiving"
    STAGING = "staging"
    OTHER = "other"


# The wire formats each kind of device may speak (names of `ingest.formats.FORMATS`).
FORMATS_BY_KIND: dict[DeviceKind, tuple[str, ...]] = {
    DeviceKind.GPS_UNIT: ("native", "osmand", "pui"),
    DeviceKind.PHONE: ("owntracks", "osmand", "native"),
    DeviceKind.RFID_READER: ("native", "zebra", "impinj"),
}


@dataclass(frozen=True, slots=True)
class Antenna:
    antenna: int
    read_point: str  # EPCIS readPoint, an SGLN URN such as urn:epc:id:sgln:0614141.00777.0
    role: AntennaRole
    biz_location: str | None = None


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


@dataclass(frozen=True, slots=True)
class DeviceDetail:
    device: Device
    antennas: list[Antenna] = field(default_factory=list)
    credentials_issued_at: datetime | None = None
    credentials_revoked_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Provisioned:
    """A device with its broker credentials: the password is shown this once."""

    detail: DeviceDetail
    username: str
    password: str


def check_device_id(device_id: str) -> str:
    if not DEVICE_ID_PATTERN.fullmatch(device_id):
        raise InvalidInput(
            f"device id {device_id!r} must be 1-64 of A-Z a-z 0-9 _ . : - and start alphanumeric",
            code="bad_device_id",
        )
    return device_id


def check_format(kind: DeviceKind, format: str) -> str:
    if format not in FORMATS_BY_KIND[kind]:
        raise InvalidInput(
            f"a {kind} speaks one of {', '.join(FORMATS_BY_KIND[kind])}, not {format!r}",
            code="bad_format",
        )
    return format


def check_antennas(kind: DeviceKind, antennas: list[Antenna]) -> list[Antenna]:
    if antennas and kind != DeviceKind.RFID_READER:  # a row from the store holds a str
        raise InvalidInput("only RFID readers have antennas", code="antennas_not_allowed")
    numbers = [a.antenna for a in antennas]
    if len(set(numbers)) != len(numbers):
        raise InvalidInput("antenna numbers must be unique", code="duplicate_antenna")
    for antenna in antennas:
        if not 0 <= antenna.antenna <= 64:
            raise InvalidInput(f"antenna {antenna.antenna} outside 0-64", code="bad_antenna")
        if not antenna.read_point.startswith("urn:"):
            raise InvalidInput(
                f"read point {antenna.read_point!r} must be a URN (e.g. an SGLN)",
                code="bad_read_point",
            )
    return antennas
