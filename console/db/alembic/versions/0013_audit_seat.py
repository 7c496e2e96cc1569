"""audit seat: the workstation (host/label) that wrote each audit record.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 16:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``audit.seat`` (empty for the records written before)."""
    # The audit table is append-only (triggers of 0011 refuse UPDATE): adding a column with a
    # constant default rewrites no record, and no table is recreated, so the guards stay.
    op.add_column(
        "audit",
        sa.Column("seat", sa.String(length=128), nullable=False, server_default=sa.text("''")),
    )


def downgrade() -> None:
    """Drop ``audit.seat``."""
    # Not in batch mode: recreating the table would drop its append-only triggers.
    op.drop_column("audit", "seat")
