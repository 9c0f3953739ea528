"""The only module that knows the `devices` table. Takes a connection, never commits."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg.rows import class_row

from devices.models import Device

_COLUMNS = "pk, device_id, kind, format, name, vehicle_id, created_at, retired_at"


def insert(
    conn: psycopg.Connection,
    *,
    device_id: str,
    kind: str,
    format: str,
    name: str,
    vehicle_id: str | None,
) -> Device | None:
    """The new device, or None when the id is taken."""
    with conn.cursor(row_factory=class_row(Device)) as cur:
        cur.execute(
            f"""INSERT INTO devices (device_id, kind, format, name, vehicle_id)
                VALUES (%s, %s, %s, %s, %s)
                ON CONFLICT (device_id) DO NOTHING
                RETURNING {_COLUMNS}""",
            (device_id, kind, format, name, vehicle_id),
        )
        return cur.fetchone()


def get(conn: psycopg.Connection, device_id: str) -> Device | None:
    with conn.cursor(row_factory=class_row(Device)) as cur:
        cur.execute(f"SELECT {_COLUMNS} FROM devices WHERE device_id = %s", (device_id,))
        return cur.fetchone()


def get_many(conn: psycopg.Connection, device_ids: Iterable[str]) -> dict[str, Device]:
    with conn.cursor(row_factory=class_row(Device)) as cur:
        cur.execute(
            f"SELECT {_COLUMNS} FROM devices WHERE device_id = ANY(%s)", (list(device_ids),)
        )
        return {device.device_id: device for device in cur.fetchall()}
