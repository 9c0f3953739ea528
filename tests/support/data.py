"""Committed test data with unique ids, and small queries tests assert on."""

from __future__ import annotations

import psycopg

from core.settings import Settings
from devices import broker
from devices import service as devices
from devices.models import Device, DeviceKind


def register(url: str, device_id: str, kind: DeviceKind = DeviceKind.GPS_UNIT,
             format: str = "native") -> Device:  # fmt: skip
    with psycopg.connect(url) as conn:
        return devices.register(conn, device_id=device_id, kind=kind, format=format)


def provision(settings: Settings, device_id: str, kind: DeviceKind = DeviceKind.GPS_UNIT,
              format: str = "native") -> str:  # fmt: skip
    """Register the device with broker credentials; returns its password."""
    with psycopg.connect(settings.db.url) as conn:
        result = devices.provision(
            conn, broker.control_account(settings), device_id=device_id, kind=kind, format=format
        )
    return result.password


def position_count(url: str, device_id: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            """SELECT count(*) FROM positions p JOIN devices d ON d.pk = p.device_pk
               WHERE d.device_id = %s""",
            (device_id,),
        ).fetchone()
        return row[0]


def dead_letter_reasons(url: str, topic_like: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT reason FROM dead_letters WHERE topic LIKE %s ORDER BY id", (topic_like,)
        ).fetchall()
        return [row[0] for row in rows]
