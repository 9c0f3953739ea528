"""The only module that knows the device tables. Takes a connection, never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import psycopg
from psycopg.rows import class_row

from devices.models import Antenna, AntennaRole, Device

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


def update(
    conn: psycopg.Connection, pk: int, *, format: str, name: str, vehicle_id: str | None
) -> Device:
    with conn.cursor(row_factory=class_row(Device)) as cur:
        cur.execute(
            f"""UPDATE devices SET format = %s, name = %s, vehicle_id = %s WHERE pk = %s
                RETURNING {_COLUMNS}""",
            (format, name, vehicle_id, pk),
        )
        device = cur.fetchone()
    assert device is not None
    return device


def retire(conn: psycopg.Connection, pk: int, when: datetime) -> None:
    conn.execute(
        "UPDATE devices SET retired_at = %s WHERE pk = %s AND retired_at IS NULL", (when, pk)
    )


def get(conn: psycopg.Connection, device_id: str, *, lock: bool = False) -> Device | None:
    with conn.cursor(row_factory=class_row(Device)) as cur:
        cur.execute(
            f"SELECT {_COLUMNS} FROM devices WHERE device_id = %s"
            + (" FOR UPDATE" if lock else ""),
            (device_id,),
        )
        return cur.fetchone()


def get_many(conn: psycopg.Connection, device_ids: Iterable[str]) -> dict[str, Device]:
    with conn.cursor(row_factory=class_row(Device)) as cur:
        cur.execute(
            f"SELECT {_COLUMNS} FROM devices WHERE device_id = ANY(%s)", (list(device_ids),)
        )
        return {device.device_id: device for device in cur.fetchall()}


def page(
    conn: psycopg.Connection,
    *,
    kind: str | None,
    include_retired: bool,
    after: str | None,
    limit: int,
) -> list[Device]:
    """Devices ordered by id, starting after `after` (keyset pagination)."""
    with conn.cursor(row_factory=class_row(Device)) as cur:
        cur.execute(
            f"""SELECT {_COLUMNS} FROM devices
                WHERE (%(kind)s::text IS NULL OR kind = %(kind)s)
                  AND (%(retired)s OR retired_at IS NULL)
                  AND (%(after)s::text IS NULL OR device_id > %(after)s)
                ORDER BY device_id LIMIT %(limit)s""",
            {"kind": kind, "retired": include_retired, "after": after, "limit": limit},
        )
        return cur.fetchall()


def antennas(conn: psycopg.Connection, device_pk: int) -> list[Antenna]:
    rows = conn.execute(
        """SELECT antenna, read_point, role, biz_location FROM reader_antennas
           WHERE device_pk = %s ORDER BY antenna""",
        (device_pk,),
    ).fetchall()
    return [Antenna(number, point, AntennaRole(role), biz) for number, point, role, biz in rows]


def replace_antennas(conn: psycopg.Connection, device_pk: int, items: list[Antenna]) -> None:
    conn.execute("DELETE FROM reader_antennas WHERE device_pk = %s", (device_pk,))
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO reader_antennas (device_pk, antenna, read_point, role, biz_location)
               VALUES (%s, %s, %s, %s, %s)""",
            [(device_pk, a.antenna, a.read_point, a.role.value, a.biz_location) for a in items],
        )


def credentials(
    conn: psycopg.Connection, device_pk: int
) -> tuple[bytes, datetime, datetime | None] | None:
    """(secret digest, issued at, revoked at) of the device's credentials, if any."""
    return conn.execute(
        """SELECT secret_sha256, issued_at, revoked_at FROM device_credentials
           WHERE device_pk = %s""",
        (device_pk,),
    ).fetchone()


def set_credentials(conn: psycopg.Connection, device_pk: int, digest: bytes) -> None:
    conn.execute(
        """INSERT INTO device_credentials (device_pk, secret_sha256) VALUES (%s, %s)
           ON CONFLICT (device_pk) DO UPDATE
             SET secret_sha256 = excluded.secret_sha256, issued_at = now(), revoked_at = NULL""",
        (device_pk, digest),
    )


def revoke_credentials(conn: psycopg.Connection, device_pk: int, when: datetime) -> None:
    conn.execute(
        """UPDATE device_credentials SET revoked_at = %s
           WHERE device_pk = %s AND revoked_at IS NULL""",
        (when, device_pk),
    )
