"""Where a device has been: its trips and stops from the projection, and its track for
export (GPX, GeoJSON, simplified for display). Reads only; each function one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg

from devices import service as devices
from tracking import service
from tracking.models import Fix


def segments(
    conn: psycopg.Connection, device_id: str, start: datetime, end: datetime
) -> dict[str, list[dict[str, Any]]]:
    device = devices.get(conn, device_id)
    with conn.transaction():
        trips = conn.execute(
            """SELECT start_time, end_time, distance_m, end_reason, ST_AsGeoJSON(geom)::jsonb
                 FROM trips WHERE device_pk = %s AND end_time >= %s AND start_time < %s
                ORDER BY start_time""",
            (device.pk, start, end),
        ).fetchall()
        stops = conn.execute(
            """SELECT start_time, end_time, fix_count, ST_Y(geom), ST_X(geom)
                 FROM stops WHERE device_pk = %s AND end_time >= %s AND start_time < %s
                ORDER BY start_time""",
            (device.pk, start, end),
        ).fetchall()
        odometer = conn.execute(
            "SELECT coalesce(sum(distance_m), 0) FROM trips WHERE device_pk = %s", (device.pk,)
        ).fetchone()
    return {
        "trips": [
            {"start": a, "end": b, "distance_m": d, "end_reason": r, "geometry": g}
            for a, b, d, r, g in trips
        ],
        "stops": [
            {"start": a, "end": b, "fix_count": n, "lat": lat, "lon": lon}
            for a, b, n, lat, lon in stops
        ],
        "odometer_m": [{"value": float(odometer[0]) if odometer else 0.0}],
    }


def stop_times(
    conn: psycopg.Connection, device_pk: int, start: datetime, end: datetime
) -> set[datetime]:
    rows = conn.execute(
        """SELECT start_time, end_time FROM stops
            WHERE device_pk = %s AND end_time >= %s AND start_time < %s""",
        (device_pk, start, end),
    ).fetchall()
    return {t for pair in rows for t in pair}


def track(
    conn: psycopg.Connection, device_id: str, start: datetime, end: datetime, max_points: int
) -> tuple[list[Fix], set[datetime]]:
    """The fixes of the range and the stop boundaries inside it (kept when simplifying)."""
    t = service.track(conn, device_id, start, end, max_points)
    device = devices.get(conn, device_id)
    with conn.transaction():
        keep = stop_times(conn, device.pk, start, end)
    return t.fixes, keep
