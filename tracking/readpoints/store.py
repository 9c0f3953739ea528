"""The read-point projection's tables: its per-reader progress (`readpoint_progress`), and
the committed tag reads it consumes (read only; `ingest` writes `tag_reads`).

Takes a connection, never commits. A reader's progress row is the unit of work: claimed
with `FOR UPDATE SKIP LOCKED`, so two runners never project the same reader at once, and
updated in the transaction that writes the events it produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

# Before any read: a new reader starts from its first read.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Progress:
    device_pk: int
    watermark: datetime | None  # reads with read_time <= watermark are consumed
    state: dict[str, Any]
    reads_consumed: int
    events_written: int


@dataclass(frozen=True, slots=True)
class Read:
    read_time: datetime
    antenna: int
    epc: bytes
    rssi_dbm: float | None


def now(conn: psycopg.Connection) -> datetime:
    row = conn.execute("SELECT now()").fetchone()
    assert row is not None
    return row[0]


def ensure_progress(conn: psycopg.Connection, device_pk: int) -> None:
    conn.execute(
        "INSERT INTO readpoint_progress (device_pk) VALUES (%s) ON CONFLICT DO NOTHING",
        (device_pk,),
    )


def claim(conn: psycopg.Connection, device_pk: int) -> Progress | None:
    """The reader's progress, locked until the transaction ends; None when another
    runner holds it."""
    row = conn.execute(
        """SELECT device_pk, watermark, state, reads_consumed, events_written
             FROM readpoint_progress WHERE device_pk = %s
              FOR UPDATE SKIP LOCKED""",
        (device_pk,),
    ).fetchone()
    return Progress(*row) if row else None


def get_progress(conn: psycopg.Connection, device_pk: int) -> Progress | None:
    row = conn.execute(
        """SELECT device_pk, watermark, state, reads_consumed, events_written
             FROM readpoint_progress WHERE device_pk = %s""",
        (device_pk,),
    ).fetchone()
    return Progress(*row) if row else None


def chunk_end(
    conn: psycopg.Connection, device_pk: int, after: datetime, until: datetime, limit: int
) -> datetime | None:
    """The read time of the `limit`-th read in (after, until], if there are that many:
    a step then ends there, taking every read of that instant."""
    row = conn.execute(
        """SELECT read_time FROM tag_reads
            WHERE device_pk = %s AND read_time > %s AND read_time <= %s
            ORDER BY read_time OFFSET %s LIMIT 1""",
        (device_pk, after, until, limit - 1),
    ).fetchone()
    return row[0] if row else None


def reads(conn: psycopg.Connection, device_pk: int, after: datetime, until: datetime) -> list[Read]:
    """The reader's reads in (after, until], in read-time order (ties in key order)."""
    rows = conn.execute(
        """SELECT read_time, antenna, epc, rssi_dbm FROM tag_reads
            WHERE device_pk = %s AND read_time > %s AND read_time <= %s
            ORDER BY read_time, antenna, epc""",
        (device_pk, after, until),
    ).fetchall()
    return [Read(*row) for row in rows]


def save_progress(
    conn: psycopg.Connection,
    device_pk: int,
    *,
    watermark: datetime,
    state: dict[str, Any],
    reads: int,
    events: int,
) -> None:
    conn.execute(
        """UPDATE readpoint_progress
              SET watermark = %s, state = %s, reads_consumed = reads_consumed + %s,
                  events_written = events_written + %s, updated_at = now()
            WHERE device_pk = %s""",
        (watermark, Jsonb(state), reads, events, device_pk),
    )
