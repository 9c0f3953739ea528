"""The dirty-device work queue between ingest and the tracking projections.

Owns `tracking_dirty`. Ingest calls `mark_dirty` in the transaction of its rows, so a
device is marked exactly when its fixes commit; a runner `claim`s devices with
`FOR UPDATE SKIP LOCKED` and calls `done` in the transaction of its output. Nothing here
tails a sequence id: a mark that commits late is simply there when the next claim looks.
Takes a connection, never commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import psycopg

_MARK = """
INSERT INTO tracking_dirty (device_pk, since)
SELECT * FROM unnest(%s::integer[], %s::timestamptz[])
ON CONFLICT (device_pk) DO UPDATE SET since = LEAST(tracking_dirty.since, excluded.since)
"""


def mark_dirty(conn: psycopg.Connection, oldest: Mapping[int, datetime]) -> None:
    """Mark devices as having fixes to project, from the oldest device time written.

    Rows are locked in device order so that concurrent ingest batches cannot deadlock.
    """
    if not oldest:
        return
    pks = sorted(oldest)
    conn.execute(_MARK, (pks, [oldest[pk] for pk in pks]))


def mark_positions(conn: psycopg.Connection, positions: Iterable[tuple[int, Any, Any]]) -> None:
    """`mark_dirty` for an ingest batch: (device_pk, received_at, position) triples."""
    oldest: dict[int, datetime] = {}
    for pk, _, fix in positions:
        if pk not in oldest or fix.device_time < oldest[pk]:
            oldest[pk] = fix.device_time
    mark_dirty(conn, oldest)


def claim(conn: psycopg.Connection, limit: int) -> list[tuple[int, datetime]]:
    """Lock up to `limit` dirty devices no other runner holds: (device_pk, since)."""
    rows = conn.execute(
        """SELECT device_pk, since FROM tracking_dirty ORDER BY marked_at
           LIMIT %s FOR UPDATE SKIP LOCKED""",
        (limit,),
    ).fetchall()
    return [(pk, since) for pk, since in rows]


def claim_one(conn: psycopg.Connection, device_pk: int) -> datetime | None:
    """Lock this device's mark if it is dirty and free; its `since`, or None."""
    row = conn.execute(
        "SELECT since FROM tracking_dirty WHERE device_pk = %s FOR UPDATE SKIP LOCKED",
        (device_pk,),
    ).fetchone()
    return None if row is None else row[0]


def done(conn: psycopg.Connection, device_pk: int) -> None:
    conn.execute("DELETE FROM tracking_dirty WHERE device_pk = %s", (device_pk,))


def resume_at(conn: psycopg.Connection, device_pk: int, since: datetime) -> None:
    """Keep the device dirty from `since` (a runner stopped at its batch limit)."""
    conn.execute("UPDATE tracking_dirty SET since = %s WHERE device_pk = %s", (since, device_pk))


def depth(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT count(*) FROM tracking_dirty").fetchone()
    return int(row[0]) if row else 0
