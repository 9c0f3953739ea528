"""Tracking use cases: where a vehicle is, where it has been. Each owns one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg

from core.errors import InvalidInput, NotFound
from devices import service as devices
from tracking import store
from tracking.models import Fix, Track

MAX_TRACK_SPAN = timedelta(days=31)


def latest_position(conn: psycopg.Connection, device_id: str) -> Fix:
    device = devices.get(conn, device_id)
    with conn.transaction():
        fix = store.latest_fix(conn, device.pk)
    if fix is None:
        raise NotFound(f"device {device_id!r} has reported no position yet", code="no_position")
    return fix


def track(
    conn: psycopg.Connection, device_id: str, start: datetime, end: datetime, max_points: int
) -> Track:
    if end <= start:
        raise InvalidInput("'to' must be later than 'from'", code="bad_time_range")
    if end - start > MAX_TRACK_SPAN:
        raise InvalidInput("a track may span at most 31 days", code="range_too_long")
    device = devices.get(conn, device_id)
    with conn.transaction():
        fixes = store.fixes_between(conn, device.pk, start, end, max_points + 1)
    return Track(device_id, start, end, fixes[:max_points], truncated=len(fixes) > max_points)
