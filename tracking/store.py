"""Reads of the telemetry log for tracking. Takes a connection, never commits.

`positions` is written only by ingest; here it is read, always by device and time range
so the primary key (device_pk, device_time) serves every query.
"""

from __future__ import annotations

from datetime import datetime

import psycopg
from psycopg.rows import class_row

from tracking.models import Fix

_FIX = """device_time, received_at, ST_Y(geom) AS lat, ST_X(geom) AS lon,
          speed_mps, heading_deg, accuracy_m, altitude_m"""


def latest_fix(conn: psycopg.Connection, device_pk: int) -> Fix | None:
    """The fix with the greatest device time: a late, older fix never replaces it."""
    with conn.cursor(row_factory=class_row(Fix)) as cur:
        cur.execute(
            f"""SELECT {_FIX} FROM positions WHERE device_pk = %s
                ORDER BY device_time DESC LIMIT 1""",
            (device_pk,),
        )
        return cur.fetchone()


def fixes_between(
    conn: psycopg.Connection, device_pk: int, start: datetime, end: datetime, limit: int
) -> list[Fix]:
    with conn.cursor(row_factory=class_row(Fix)) as cur:
        cur.execute(
            f"""SELECT {_FIX} FROM positions
                WHERE device_pk = %s AND device_time >= %s AND device_time < %s
                ORDER BY device_time LIMIT %s""",
            (device_pk, start, end, limit),
        )
        return cur.fetchall()
