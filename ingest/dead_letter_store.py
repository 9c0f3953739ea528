"""Reading and marking `dead_letters`. Takes a connection, never commits.

(Writing them is `ingest/store.py`'s, in the same transaction as the telemetry.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

_COLUMNS = """id, received_at, topic, device_id, reason, detail, octet_length(payload) AS size,
              replayed_at, replay_outcome"""


@dataclass(frozen=True, slots=True)
class DeadLetterRow:
    id: int
    received_at: datetime
    topic: str
    device_id: str | None
    reason: str
    detail: str
    size: int
    replayed_at: datetime | None
    replay_outcome: str | None


@dataclass(frozen=True, slots=True)
class Filter:
    reason: str | None = None
    device_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    pending_only: bool = True


_WHERE = """(%(reason)s::text IS NULL OR reason = %(reason)s)
        AND (%(device)s::text IS NULL OR device_id = %(device)s)
        AND (%(since)s::timestamptz IS NULL OR received_at >= %(since)s)
        AND (%(until)s::timestamptz IS NULL OR received_at < %(until)s)
        AND (NOT %(pending)s OR replayed_at IS NULL)"""


def _params(where: Filter) -> dict[str, object]:
    return {
        "reason": where.reason,
        "device": where.device_id,
        "since": where.since,
        "until": where.until,
        "pending": where.pending_only,
    }


def page(
    conn: psycopg.Connection, where: Filter, before_id: int | None, limit: int
) -> list[DeadLetterRow]:
    """Newest first, keyset-paged by id."""
    with conn.cursor(row_factory=class_row(DeadLetterRow)) as cur:
        cur.execute(
            f"""SELECT {_COLUMNS} FROM dead_letters
                WHERE {_WHERE} AND (%(before)s::bigint IS NULL OR id < %(before)s)
                ORDER BY id DESC LIMIT %(limit)s""",
            _params(where) | {"before": before_id, "limit": limit},
        )
        return cur.fetchall()


def get(conn: psycopg.Connection, letter_id: int) -> tuple[DeadLetterRow, bytes] | None:
    with conn.cursor(row_factory=class_row(DeadLetterRow)) as cur:
        cur.execute(f"SELECT {_COLUMNS} FROM dead_letters WHERE id = %s", (letter_id,))
        row = cur.fetchone()
    if row is None:
        return None
    payload = conn.execute("SELECT payload FROM dead_letters WHERE id = %s", (letter_id,))
    return row, payload.fetchone()[0]


def counts_by_reason(conn: psycopg.Connection, where: Filter) -> dict[str, int]:
    rows = conn.execute(
        f"SELECT reason, count(*) FROM dead_letters WHERE {_WHERE} GROUP BY reason",
        _params(where),
    ).fetchall()
    return dict(rows)


def claim(
    conn: psycopg.Connection, ids: list[int] | None, where: Filter, limit: int
) -> list[tuple[int, str, bytes, datetime]]:
    """Lock pending dead letters for replay: (id, topic, payload, received_at), oldest first."""
    return conn.execute(
        f"""SELECT id, topic, payload, received_at FROM dead_letters
            WHERE replayed_at IS NULL AND (%(ids)s::bigint[] IS NULL OR id = ANY(%(ids)s))
              AND {_WHERE}
            ORDER BY id LIMIT %(limit)s
            FOR UPDATE SKIP LOCKED""",
        _params(where) | {"ids": ids, "limit": limit},
    ).fetchall()


def mark(
    conn: psycopg.Connection, letter_id: int, outcome: str, replayed_at: datetime | None
) -> None:
    conn.execute(
        "UPDATE dead_letters SET replay_outcome = %s, replayed_at = %s WHERE id = %s",
        (outcome, replayed_at, letter_id),
    )
