"""The newest shipments not yet delivered or cancelled, in an index of their own: the
console's problems-first list walks it until it has found a page of problems, so a
market's delivered history is never read for it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-25
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """CREATE INDEX shipments_open_page ON shipments (created_at DESC, shipment_id DESC)
           WHERE status NOT IN ('delivered', 'cancelled')"""
    )


def downgrade() -> None:
    op.execute("DROP INDEX shipments_open_page")
