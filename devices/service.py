"""Device use cases. Each public function owns one transaction."""

from __future__ import annotations

import psycopg

from core.errors import Conflict, InvalidInput, NotFound
from devices import store
from devices.models import Device, DeviceKind, check_device_id

FORMATS_BY_KIND: dict[DeviceKind, tuple[str, ...]] = {
    DeviceKind.GPS_UNIT: ("native",),
    DeviceKind.PHONE: ("owntracks", "native"),
    DeviceKind.RFID_READER: ("native",),
}


def register(
    conn: psycopg.Connection,
    *,
    device_id: str,
    kind: DeviceKind,
    format: str,
    name: str = "",
    vehicle_id: str | None = None,
) -> Device:
    check_device_id(device_id)
    if format not in FORMATS_BY_KIND[kind]:
        raise InvalidInput(
            f"a {kind} speaks one of {', '.join(FORMATS_BY_KIND[kind])}, not {format!r}",
            code="bad_format",
        )
    with conn.transaction():
        device = store.insert(
            conn, device_id=device_id, kind=kind, format=format, name=name, vehicle_id=vehicle_id
        )
    if device is None:
        raise Conflict(f"device {device_id!r} exists", code="device_exists")
    return device


def ensure(
    conn: psycopg.Connection,
    *,
    device_id: str,
    kind: DeviceKind,
    format: str,
    name: str = "",
    vehicle_id: str | None = None,
) -> Device:
    """The device, registering it when it is new (used by the simulator and set-up scripts)."""
    try:
        return register(
            conn, device_id=device_id, kind=kind, format=format, name=name, vehicle_id=vehicle_id
        )
    except Conflict:
        return get(conn, device_id)


def get(conn: psycopg.Connection, device_id: str) -> Device:
    with conn.transaction():
        device = store.get(conn, device_id)
    if device is None:
        raise NotFound(f"no device {device_id!r}", code="device_not_found")
    return device


def lookup(conn: psycopg.Connection, device_ids: list[str]) -> dict[str, Device]:
    """Devices by id, for the ingest pipeline; unknown ids are simply absent."""
    with conn.transaction():
        return store.get_many(conn, device_ids)
