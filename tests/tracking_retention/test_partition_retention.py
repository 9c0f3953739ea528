"""Telemetry retention drops whole partitions and never deletes rows.

Works on a scratch partitioned table of its own, configured for pg_partman exactly as
`migrations/telemetry.py` configures `positions` (daily native partitions, retention that
drops the table), so the real telemetry partitions are never touched.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from ingest import maintenance


@pytest.fixture
def scratch(database: str) -> Iterator[tuple[psycopg.Connection, str]]:
    """A daily-partitioned table under pg_partman with 3 days' retention; dropped after."""
    table = "retention_probe_" + uuid.uuid4().hex[:10]
    with psycopg.connect(database, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_partman'").fetchone():
            pytest.fail("pg_partman is not installed in the test database; run `make test`")
        conn.execute(
            f"""CREATE TABLE {table} (device_time timestamptz NOT NULL, note text)
                PARTITION BY RANGE (device_time)"""
        )
        try:
            conn.execute(
                f"""SELECT partman.create_parent(
                        p_parent_table => 'public.{table}', p_control => 'device_time',
                        p_type => 'native', p_interval => '1 day', p_premake => 2,
                        p_start_partition => (now() - interval '10 days')::text)"""
            )
            conn.execute(
                f"""UPDATE partman.part_config
                       SET retention = '3 days', retention_keep_table = false,
                           infinite_time_partitions = true
                     WHERE parent_table = 'public.{table}'"""
            )
            # Any DELETE reaching a partition fails, and with it the maintenance run.
            conn.execute(
                f"""CREATE FUNCTION {table}_refuse() RETURNS trigger
                   LANGUAGE plpgsql AS $$ BEGIN
                     RAISE EXCEPTION 'retention deleted rows from %', TG_TABLE_NAME;
                   END $$"""
            )
            conn.execute(
                f"""CREATE TRIGGER refuse_delete BEFORE DELETE ON {table}
                    FOR EACH ROW EXECUTE FUNCTION {table}_refuse()"""
            )
            yield conn, table
        finally:
            conn.execute("DELETE FROM partman.part_config WHERE parent_table = %s",
                         (f"public.{table}",))  # fmt: skip
            conn.execute(f"DROP TABLE IF EXISTS partman.template_public_{table}")
            conn.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
            conn.execute(f"DROP FUNCTION IF EXISTS {table}_refuse()")


def _partition_of(conn: psycopg.Connection, table: str, note: str) -> str:
    row = conn.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE note = %s", (note,))
    return row.fetchone()[0]


def _exists(conn: psycopg.Connection, relation: str) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (relation,)).fetchone()[0]


def test_retention_drops_old_partitions_and_keeps_recent_rows(
    scratch: tuple[psycopg.Connection, str],
) -> None:
    """Maintenance drops a partition past retention whole and leaves recent rows alone."""
    conn, table = scratch
    conn.execute(
        f"""INSERT INTO {table} (device_time, note)
            SELECT now() - interval '8 days' + n * interval '1 minute', 'old'
              FROM generate_series(1, 50) n
            UNION ALL
            SELECT now() - n * interval '1 second', 'recent' FROM generate_series(1, 50) n"""
    )
    old, recent = _partition_of(conn, table, "old"), _partition_of(conn, table, "recent")
    assert old != recent and old != f"{table}_default" and recent != f"{table}_default"

    assert maintenance.run(conn), "another process held the maintenance lock"

    assert not _exists(conn, old), f"{old} is past retention and should be dropped"
    assert _exists(conn, recent)
    counts = dict(conn.execute(f"SELECT note, count(*) FROM {table} GROUP BY note").fetchall())
    assert counts == {"recent": 50}
