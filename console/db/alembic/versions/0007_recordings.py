"""call recordings

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "recording",
        sa.Column("id", BigId, nullable=False),
        sa.Column("segment_key", sa.String(length=32), nullable=False),
        sa.Column("recorder", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=100), nullable=False),
        sa.Column("sample_rate", sa.Integer(), nullable=False),
        sa.Column("started_at", When, nullable=False),
        sa.Column("ended_at", When, nullable=True),
        sa.Column("frames", sa.BigInteger(), nullable=False),
        sa.Column("duration", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("call_record_id", BigId, nullable=True),
        sa.Column("log_entry_id", BigId, nullable=True),
        sa.Column("incident_id", BigId, nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["sha256"], ["stored_file.sha256"], name=op.f("fk_recording_sha256_stored_file")
        ),
        sa.ForeignKeyConstraint(
            ["call_record_id"],
            ["call_record.id"],
            name=op.f("fk_recording_call_record_id_call_record"),
        ),
        sa.ForeignKeyConstraint(
            ["log_entry_id"], ["log_entry.id"], name=op.f("fk_recording_log_entry_id_log_entry")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_recording_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording")),
        sa.UniqueConstraint("segment_key", name=op.f("uq_recording_segment_key")),
    )
    with op.batch_alter_table("recording", schema=None) as batch_op:
        for column in ("started_at", "sha256", "call_record_id", "incident_id"):
            batch_op.create_index(batch_op.f(f"ix_recording_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("recording")
