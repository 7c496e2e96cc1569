"""warnings: drafts, approvals, publications and received CAP alerts

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29 15:25:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "warning",
        sa.Column("id", BigId, nullable=False),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("level_basis", sa.String(length=200), nullable=False),
        sa.Column("event", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=False),
        sa.Column("certainty", sa.String(length=16), nullable=False),
        sa.Column("headline", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("area_desc", sa.Text(), nullable=False),
        sa.Column("area_codes", sa.JSON(), nullable=False),
        sa.Column("polygon", sa.JSON(), nullable=True),
        sa.Column("onset", When, nullable=True),
        sa.Column("expires", When, nullable=True),
        sa.Column("audience", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=12), nullable=False),
        sa.Column("restriction", sa.Text(), nullable=False),
        sa.Column("addresses", sa.Text(), nullable=False),
        sa.Column("exercise", sa.Boolean(), nullable=False),
        sa.Column("sender", sa.String(length=255), nullable=False),
        sa.Column("sender_name", sa.String(length=255), nullable=False),
        sa.Column("identifier", sa.String(length=255), nullable=True),
        sa.Column("sent", When, nullable=True),
        sa.Column("msg_type", sa.String(length=8), nullable=False),
        sa.Column("refs", sa.Text(), nullable=False),
        sa.Column("cap_xml", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.String(length=64), nullable=False),
        sa.Column("approved_at", When, nullable=True),
        sa.Column("published_at", When, nullable=True),
        sa.Column("cancelled_at", When, nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning")),
        sa.UniqueConstraint("sender", "identifier", name=op.f("uq_warning_sender")),
    )
    op.create_index("ix_warning_state_expires", "warning", ["state", "expires"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_warning_state_expires", table_name="warning")
    op.drop_table("warning")
