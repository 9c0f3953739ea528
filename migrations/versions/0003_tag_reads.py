"""RFID tag reads (time-partitioned like positions) and reader events.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op

from migrations.telemetry import create_time_partitioned, drop_time_partitioned

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # One row per (reader, antenna, EPC, read time): a reader replaying its buffer after an
    # outage, or a redelivered message, lands on the same key and changes nothing.
    create_time_partitioned(
        "tag_reads",
        """read_time timestamptz NOT NULL,
           received_at timestamptz NOT NULL,
           built_time timestamptz,
           event_number bigint,
           device_pk integer NOT NULL,
           read_count integer NOT NULL DEFAULT 1,
           rssi_dbm real,
           antenna smallint NOT NULL,
           epc bytea NOT NULL,
           PRIMARY KEY (device_pk, antenna, epc, read_time)""",
        "read_time",
    )
    op.execute("CREATE INDEX tag_reads_epc ON tag_reads (epc, read_time)")
    op.execute(
        """CREATE TABLE device_events (
            device_pk integer NOT NULL REFERENCES devices (pk),
            event_time timestamptz NOT NULL,
            kind text NOT NULL,
            received_at timestamptz NOT NULL,
            detail jsonb NOT NULL DEFAULT '{}',
            PRIMARY KEY (device_pk, event_time, kind)
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE device_events")
    drop_time_partitioned("tag_reads")
