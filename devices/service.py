"""Device use cases. Each public function owns one transaction.

Provisioning writes the registry and the broker together: the broker is told inside the
database transaction, so a broker that refuses rolls the registry back, and a database
that fails after the broker accepted leaves a broker client that the next attempt
replaces. The device's secret is returned once and kept only as a digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import psycopg

from core.errors import Conflict, NotFound
from devices import credentials, dynsec, store
from devices.models import (
    Antenna,
    Device,
    DeviceDetail,
    DeviceKind,
    Provisioned,
    check_antennas,
    check_device_id,
    check_format,
)


@dataclass(frozen=True, slots=True)
class DeviceChanges:
    format: str | None = None
    name: str | None = None
    vehicle_id: str | None = None
    clear_vehicle: bool = False
    antennas: list[Antenna] | None = None


def register(
    conn: psycopg.Connection,
    *,
    device_id: str,
    kind: DeviceKind,
    format: str,
    name: str = "",
    vehicle_id: str | None = None,
    antennas: list[Antenna] | None = None,
) -> Device:
    """Add a device to the registry without broker credentials (see `provision`)."""
    with conn.transaction():
        return _insert(conn, device_id, kind, format, name, vehicle_id, antennas or [])


def _insert(
    conn: psycopg.Connection,
    device_id: str,
    kind: DeviceKind,
    format: str,
    name: str,
    vehicle_id: str | None,
    antennas: list[Antenna],
) -> Device:
    check_device_id(device_id)
    check_format(kind, format)
    check_antennas(kind, antennas)
    device = store.insert(
        conn, device_id=device_id, kind=kind, format=format, name=name, vehicle_id=vehicle_id
    )
    if device is None:
        raise Conflict(f"device {device_id!r} exists", code="device_exists")
    store.replace_antennas(conn, device.pk, antennas)
    return device


def provision(
    conn: psycopg.Connection,
    control: dynsec.ControlAccount,
    *,
    device_id: str,
    kind: DeviceKind,
    format: str,
    name: str = "",
    vehicle_id: str | None = None,
    antennas: list[Antenna] | None = None,
) -> Provisioned:
    """Register a device and issue its broker credentials, shown this once."""
    secret = credentials.new_secret()
    with conn.transaction():
        device = _insert(conn, device_id, kind, format, name, vehicle_id, antennas or [])
        store.set_credentials(conn, device.pk, credentials.digest(secret))
        _broker_client(control, device_id, secret)
        detail = _detail(conn, device)
    return Provisioned(detail, device_id, secret)


def _broker_client(control: dynsec.ControlAccount, device_id: str, secret: str) -> None:
    dynsec.execute(
        control,
        [
            {"command": "deleteClient", "username": device_id},
            *dynsec.provision_commands(device_id, secret),
        ],
        tolerate=("not found", "already exists"),
    )


def rotate(conn: psycopg.Connection, control: dynsec.ControlAccount, device_id: str) -> Provisioned:
    """New credentials for an active device; the old secret stops working at once."""
    secret = credentials.new_secret()
    with conn.transaction():
        device = _active(conn, device_id)
        store.set_credentials(conn, device.pk, credentials.digest(secret))
        _broker_client(control, device_id, secret)
        detail = _detail(conn, device)
    return Provisioned(detail, device_id, secret)


def revoke(conn: psycopg.Connection, control: dynsec.ControlAccount, device_id: str) -> None:
    """The device can no longer connect or publish; a connected session is dropped."""
    with conn.transaction():
        device = _locked(conn, device_id)
        store.revoke_credentials(conn, device.pk, datetime.now(UTC))
        dynsec.execute(
            control, [{"command": "deleteClient", "username": device_id}], tolerate=("not found",)
        )


def retire(conn: psycopg.Connection, control: dynsec.ControlAccount, device_id: str) -> Device:
    """Take a device out of service: credentials revoked, its messages dead-lettered."""
    with conn.transaction():
        device = _locked(conn, device_id)
        now = datetime.now(UTC)
        store.revoke_credentials(conn, device.pk, now)
        store.retire(conn, device.pk, now)
        dynsec.execute(
            control, [{"command": "deleteClient", "username": device_id}], tolerate=("not found",)
        )
        retired = store.get(conn, device_id)
    assert retired is not None
    return retired


def update(conn: psycopg.Connection, device_id: str, changes: DeviceChanges) -> DeviceDetail:
    with conn.transaction():
        device = _active(conn, device_id)
        format = check_format(device.kind, changes.format or device.format)
        vehicle = None if changes.clear_vehicle else (changes.vehicle_id or device.vehicle_id)
        name = device.name if changes.name is None else changes.name
        device = store.update(conn, device.pk, format=format, name=name, vehicle_id=vehicle)
        if changes.antennas is not None:
            store.replace_antennas(conn, device.pk, check_antennas(device.kind, changes.antennas))
        return _detail(conn, device)


def get(conn: psycopg.Connection, device_id: str) -> Device:
    with conn.transaction():
        return _locked(conn, device_id, lock=False)


def detail(conn: psycopg.Connection, device_id: str) -> DeviceDetail:
    with conn.transaction():
        return _detail(conn, _locked(conn, device_id, lock=False))


def page(
    conn: psycopg.Connection,
    *,
    kind: DeviceKind | None,
    include_retired: bool,
    after: str | None,
    limit: int,
) -> list[DeviceDetail]:
    with conn.transaction():
        devices = store.page(
            conn, kind=kind, include_retired=include_retired, after=after, limit=limit
        )
        return [_detail(conn, device) for device in devices]


def lookup(conn: psycopg.Connection, device_ids: list[str]) -> dict[str, Device]:
    """Devices by id, for the ingest pipeline; unknown ids are simply absent."""
    with conn.transaction():
        return store.get_many(conn, device_ids)


def authenticate(conn: psycopg.Connection, device_id: str, secret: str) -> Device | None:
    """The active device whose current secret this is, else None (HTTP ingest)."""
    with conn.transaction():
        device = store.get(conn, device_id)
        if device is None or not device.active:
            return None
        stored = store.credentials(conn, device.pk)
    if stored is None or stored[2] is not None or not credentials.matches(secret, stored[0]):
        return None
    return device


def _locked(conn: psycopg.Connection, device_id: str, lock: bool = True) -> Device:
    device = store.get(conn, device_id, lock=lock)
    if device is None:
        raise NotFound(f"no device {device_id!r}", code="device_not_found")
    return device


def _active(conn: psycopg.Connection, device_id: str) -> Device:
    device = _locked(conn, device_id)
    if not device.active:
        raise Conflict(f"device {device_id!r} is retired", code="device_retired")
    return device


def _detail(conn: psycopg.Connection, device: Device) -> DeviceDetail:
    cred = store.credentials(conn, device.pk)
    return DeviceDetail(
        device,
        store.antennas(conn, device.pk),
        credentials_issued_at=cred[1] if cred else None,
        credentials_revoked_at=cred[2] if cred else None,
    )
