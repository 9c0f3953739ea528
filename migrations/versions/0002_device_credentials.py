"""Device credentials (hash only) and RFID reader antennas with their read points.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE TABLE device_credentials (
            device_pk integer PRIMARY KEY REFERENCES devices (pk),
            secret_sha256 bytea NOT NULL,
            issued_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz
        )"""
    )
    op.execute(
        """CREATE TABLE reader_antennas (
            device_pk integer NOT NULL REFERENCES devices (pk),
            antenna smallint NOT NULL CHECK (antenna BETWEEN 0 AND 64),
            read_point text NOT NULL,
            biz_location text,
            role text NOT NULL CHECK (role IN ('dock_inside', 'dock_outside', 'packing_station',
                                               'receiving', 'staging', 'other')),
            PRIMARY KEY (device_pk, antenna)
        )"""
    )


def downgrade() -> None:
    op.execute("DROP TABLE reader_antennas")
    op.execute("DROP TABLE device_credentials")
