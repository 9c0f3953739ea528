"""Foundation: PostGIS, devices, positions (time-partitioned), dead letters.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from alembic import op

from migrations.telemetry import create_time_partitioned, drop_time_partitioned

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute(
        """CREATE TABLE devices (
            pk integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            device_id text NOT NULL UNIQUE,
            kind text NOT NULL CHECK (kind IN ('gps_unit', 'phone', 'rfid_reader')),
            format text NOT NULL,
            name text NOT NULL DEFAULT '',
            vehicle_id text,
            created_at timestamptz NOT NULL DEFAULT now(),
            retired_at timestamptz
        )"""
    )
    # Column order packs the row: 8-byte fields, then 4-byte ones, then the geometry.
    create_time_partitioned(
        "positions",
        """device_time timestamptz NOT NULL,
           received_at timestamptz NOT NULL,
           built_time timestamptz,
           device_pk integer NOT NULL,
           speed_mps real,
           heading_deg real,
           accuracy_m real,
           altitude_m real,
           geom geometry(Point, 4326) NOT NULL,
           PRIMARY KEY (device_pk, device_time)""",
        "device_time",
    )
    op.execute("CREATE INDEX positions_geom_gist ON positions USING gist (geom)")
    op.execute(
        """CREATE TABLE dead_letters (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            received_at timestamptz NOT NULL,
            topic text NOT NULL,
            device_id text,
            reason text NOT NULL,
            detail text NOT NULL DEFAULT '',
            payload bytea NOT NULL,
            fingerprint bytea NOT NULL UNIQUE,
            replayed_at timestamptz,
            replay_outcome text
        )"""
    )
    op.execute("CREATE INDEX dead_letters_reason_time ON dead_letters (reason, received_at)")
    op.execute("CREATE INDEX dead_letters_device ON dead_letters (device_id, received_at)")


def downgrade() -> None:
    op.execute("DROP TABLE dead_letters")
    drop_time_partitioned("positions")
    op.execute("DROP TABLE devices")
