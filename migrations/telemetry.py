"""How a telemetry table is partitioned by time, decided once, at migration time.

With the `timescaledb` extension available the table becomes a hypertable with a retention
policy; otherwise it is a native range-partitioned table by day, managed by pg_partman
(premade partitions, retention by dropping partitions). Nothing outside migrations and
`ingest/maintenance.py` knows which one was chosen.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text

from core.settings import Settings


def _settings() -> Settings:
    return op.get_context().config.attributes.get("settings") or Settings()


def timescale_available() -> bool:
    bind = op.get_bind()
    return bool(
        bind.execute(
            text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")
        ).scalar()
    )


def create_time_partitioned(table: str, columns_sql: str, time_column: str) -> None:
    """CREATE TABLE `table` (columns_sql) partitioned by day on `time_column`."""
    telemetry = _settings().telemetry
    if timescale_available():
        op.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
        op.execute(f"CREATE TABLE {table} ({columns_sql})")
        op.execute(
            f"SELECT create_hypertable('{table}', '{time_column}', "
            "chunk_time_interval => interval '1 day')"
        )
        op.execute(
            f"SELECT add_retention_policy('{table}', interval '{telemetry.retention_days} days')"
        )
        return
    op.execute("CREATE SCHEMA IF NOT EXISTS partman")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman")
    op.execute(f"CREATE TABLE {table} ({columns_sql}) PARTITION BY RANGE ({time_column})")
    op.execute(
        f"""SELECT partman.create_parent(
                p_parent_table => 'public.{table}',
                p_control => '{time_column}',
                p_type => 'native',
                p_interval => '1 day',
                p_premake => {telemetry.premake_days},
                p_start_partition => (now() - interval '{telemetry.retention_days} days')::text
            )"""
    )
    op.execute(
        f"""UPDATE partman.part_config
               SET retention = '{telemetry.retention_days} days',
                   retention_keep_table = false,
                   infinite_time_partitions = true
             WHERE parent_table = 'public.{table}'"""
    )


def drop_time_partitioned(table: str) -> None:
    if not timescale_available():
        op.execute(f"DELETE FROM partman.part_config WHERE parent_table = 'public.{table}'")
        op.execute(f"DROP TABLE IF EXISTS partman.template_public_{table}")
    op.execute(f"DROP TABLE {table} CASCADE")
