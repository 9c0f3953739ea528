"""Fixed-window rate limits shared by every API process, kept in PostgreSQL.

Two ways to use a bucket: `limit` counts every attempt and refuses the one over the limit
(token refresh, public links); `refuse_if_over` with `count_failure` counts only failed
attempts and refuses once there were too many (sign-in: guessing is what is limited, so a
market's office behind one address is not locked out by its own successful sign-ins).
Counters commit on their own, so an attempt that fails afterwards still counts.
"""

from __future__ import annotations

import random
from datetime import timedelta

import psycopg

from core.errors import RateLimited

WINDOW_S = 60
_WINDOW = "date_bin(%(w)s, now(), timestamptz 'epoch')"
_RETRY = "ceil(extract(epoch FROM window_start + %(w)s - now()))::int"


def _count(conn: psycopg.Connection, bucket: str, window_s: int) -> tuple[int, int]:
    with conn.transaction():
        row = conn.execute(
            f"""INSERT INTO rate_limit_hits AS r (bucket, window_start, hits)
                VALUES (%(bucket)s, {_WINDOW}, 1)
                ON CONFLICT (bucket, window_start) DO UPDATE SET hits = r.hits + 1
                RETURNING hits, {_RETRY.replace("window_start", "r.window_start")}""",
            {"bucket": bucket, "w": timedelta(seconds=window_s)},
        ).fetchone()
        if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
            conn.execute(
                "DELETE FROM rate_limit_hits WHERE window_start < now() - interval '1 hour'"
            )
    assert row is not None
    return row[0], max(row[1], 1)


def _refuse(retry_after_s: int) -> RateLimited:
    return RateLimited(
        f"too many attempts; try again in {retry_after_s} s", retry_after_s=retry_after_s
    )


def limit(conn: psycopg.Connection, bucket: str, most: int, window_s: int = WINDOW_S) -> None:
    """Count one attempt; refuse it when the window already held `most`."""
    hits, retry_after = _count(conn, bucket, window_s)
    if hits > most:
        raise _refuse(retry_after)


def refuse_if_over(
    conn: psycopg.Connection, bucket: str, most: int, window_s: int = WINDOW_S
) -> None:
    """Refuse when the window holds `most` counted failures already; counts nothing."""
    row = conn.execute(
        f"SELECT hits, {_RETRY} FROM rate_limit_hits "
        f"WHERE bucket = %(bucket)s AND window_start = {_WINDOW}",
        {"bucket": bucket, "w": timedelta(seconds=window_s)},
    ).fetchone()
    conn.rollback()
    if row is not None and row[0] >= most:
        raise _refuse(max(row[1], 1))


def count_failure(conn: psycopg.Connection, bucket: str, window_s: int = WINDOW_S) -> None:
    _count(conn, bucket, window_s)
