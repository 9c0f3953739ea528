"""The tracking queue becomes append-only marks, so ingest never waits on it.

With one row per device upserted by every ingest batch, two workers writing fixes of the
same devices took turns on those rows' locks until each other's commit (measured: the
ingest benchmark fell from ~17k to ~10-12k rows/s). Now ingest only inserts marks; a
projection runner takes a device with an advisory lock and, reading in one snapshot, deletes
exactly the marks whose fixes it has read (see `tracking/queue.py`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE tracking_dirty DROP CONSTRAINT tracking_dirty_pkey")
    op.execute("CREATE INDEX tracking_dirty_device ON tracking_dirty (device_pk, since)")


def downgrade() -> None:
    op.execute(
        """DELETE FROM tracking_dirty a USING tracking_dirty b
           WHERE a.device_pk = b.device_pk AND a.ctid > b.ctid"""
    )
    op.execute("DROP INDEX tracking_dirty_device")
    op.execute("ALTER TABLE tracking_dirty ADD PRIMARY KEY (device_pk)")
