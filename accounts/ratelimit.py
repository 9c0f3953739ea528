"""Fixed-window rate limits shared by every API process, kept in PostgreSQL.

Each hit is one upsert that returns the window's count; the counter commits on its own
connection, so a request that fails afterwards still counts.
"""

from __future__ import annotations

import random
from datetime import timedelta

import psycopg

from core.errors import RateLimited

WINDOW_S = 60


def hit(conn: psycopg.Connection, bucket: str, limit: int, window_s: int = WINDOW_S) -> None:
    """Count one attempt in `bucket`; raises RateLimited once the window holds `limit`."""
    with conn.transaction():
        row = conn.execute(
            """INSERT INTO rate_limit_hits AS r (bucket, window_start, hits)
               VALUES (%(bucket)s, date_bin(%(w)s, now(), timestamptz 'epoch'), 1)
               ON CONFLICT (bucket, window_start) DO UPDATE SET hits = r.hits + 1
               RETURNING hits, ceil(extract(epoch FROM r.window_start + %(w)s - now()))::int""",
            {"bucket": bucket, "w": timedelta(seconds=window_s)},
        ).fetchone()
        if random.random() < 0.01:  # noqa: S311 - housekeeping, not security
            conn.execute(
                "DELETE FROM rate_limit_hits WHERE window_start < now() - interval '1 hour'"
            )
    assert row is not None
    hits, retry_after = row
    if hits > limit:
        raise RateLimited(
            f"too many attempts; try again in {max(retry_after, 1)} s",
            retry_after_s=max(retry_after, 1),
        )
