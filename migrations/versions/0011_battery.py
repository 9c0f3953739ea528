"""Battery level where a device reports it (OwnTracks `batt`, OsmAnd `batt` and
`battery.level`, native `battery_pct`): a nullable smallint on each fix — nothing on disk
for the fixes without one — and the latest on the vehicle state.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-25
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE positions ADD COLUMN battery_pct smallint")
    op.execute("ALTER TABLE vehicle_state ADD COLUMN battery_pct smallint")


def downgrade() -> None:
    op.execute("ALTER TABLE vehicle_state DROP COLUMN battery_pct")
    op.execute("ALTER TABLE positions DROP COLUMN battery_pct")
