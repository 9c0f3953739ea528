"""Telemetry partition upkeep: premake future partitions, drop those past retention.

With pg_partman this runs `partman.run_maintenance_proc()`; with TimescaleDB its own
background jobs do the same and this is a no-op. One runner at a time (advisory lock).
"""

from __future__ import annotations

import psycopg

_LOCK_KEY = 0x5761_7962  # "Wayb"


def run(conn: psycopg.Connection) -> bool:
    """True when maintenance ran here, False when another process holds the lock."""
    previous = conn.autocommit
    conn.autocommit = True  # run_maintenance_proc commits per table
    try:
        if not conn.execute("SELECT pg_try_advisory_lock(%s)", (_LOCK_KEY,)).fetchone()[0]:
            return False
        try:
            has_partman = conn.execute(
                "SELECT 1 FROM pg_extension WHERE extname = 'pg_partman'"
            ).fetchone()
            if has_partman:
                conn.execute("CALL partman.run_maintenance_proc()")
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
        return True
    finally:
        conn.autocommit = previous
