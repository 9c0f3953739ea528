"""No spatial index on raw positions: no query needs one, and it was a third of each row.

Every read of `positions` is by device and time (the primary key). A GiST index on every
fix cost 42-56 bytes a row (measured by `waybill bench ingest`: 196 bytes per fix with it);
spatial questions about history are asked of trips and stops, which keep their own
geometry, and of geofences.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS positions_geom_gist")


def downgrade() -> None:
    op.execute("CREATE INDEX positions_geom_gist ON positions USING gist (geom)")
