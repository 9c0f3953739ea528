"""The dirty-device work queue between ingest and the tracking projections.

Owns `tracking_dirty`. Ingest inserts a mark in the transaction of its rows, so a device
is marked exactly when its fixes commit; a runner `claim`s devices with an advisory lock
(skipping those another runner holds) and calls `done` in the transaction of its output.
Nothing here tails a sequence id: a mark that commits late is simply there when the next
claim looks.
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
"""
# The first key of the two-key advisory locks that stand for "a runner has this device".
_LOCK_SPACE = 0x54524B  # "TRK"


def mark_dirty(conn: psycopg.Connection, oldest: Mapping[int, datetime]) -> None:
    """Mark devices as having fixes to project, from the oldest device time written.

    Marks are only ever inserted, never updated, so concurrent ingest batches for the same
    devices do not wait for each other.
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


# A runner's transaction must be REPEATABLE READ: the marks it sees and the fixes it reads
# are then one snapshot, and since a mark commits together with its fixes, the marks it
# deletes in `done` are exactly those whose fixes it has read; later ones stay.


def begin_step(conn: psycopg.Connection) -> None:
    """First statement of a runner's transaction: one snapshot for marks and fixes."""
    conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def claim(conn: psycopg.Connection, limit: int) -> list[tuple[int, datetime]]:
    """Take up to `limit` dirty devices no other runner holds: (device_pk, since)."""
    rows = conn.execute(
        """SELECT device_pk, min(since) FROM tracking_dirty GROUP BY device_pk
           ORDER BY min(marked_at) LIMIT %s""",
        (limit * 4,),
    ).fetchall()
    taken = []
    for device_pk, since in rows:
        if _lock(conn, device_pk):
            taken.append((device_pk, since))
            if len(taken) == limit:
                break
    return taken


def claim_one(conn: psycopg.Connection, device_pk: int) -> datetime | None:
    """Take this device if it is dirty and free; its `since`, or None."""
    if not _lock(conn, device_pk):
        return None
    row = conn.execute(
        "SELECT min(since) FROM tracking_dirty WHERE device_pk = %s", (device_pk,)
    ).fetchone()
    return None if row is None else row[0]


def _lock(conn: psycopg.Connection, device_pk: int) -> bool:
    row = conn.execute(
        "SELECT pg_try_advisory_xact_lock(%s, %s)", (_LOCK_SPACE, device_pk)
    ).fetchone()
    return bool(row and row[0])


def done(conn: psycopg.Connection, device_pk: int) -> None:
    """Remove the device's marks this transaction has seen (all its fixes were read)."""
    conn.execute("DELETE FROM tracking_dirty WHERE device_pk = %s", (device_pk,))


def resume_at(conn: psycopg.Connection, device_pk: int, since: datetime) -> None:
    """Keep the device dirty from `since` (a runner stopped at its batch limit)."""
    done(conn, device_pk)
    mark_dirty(conn, {device_pk: since})


def depth(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT count(DISTINCT device_pk) FROM tracking_dirty").fetchone()
    return int(row[0]) if row else 0
