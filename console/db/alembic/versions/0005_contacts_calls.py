"""contacts, call groups, group calls and call records

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "contact",
        sa.Column("id", BigId, nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phones", sa.JSON(), nullable=False),
        sa.Column("numbers", sa.String(length=600), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
    )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_name"), ["name"], unique=False)

    op.create_table(
        "call_group",
        sa.Column("id", BigId, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_group")),
        sa.UniqueConstraint("name", name=op.f("uq_call_group_name")),
    )
    op.create_table(
        "call_group_member",
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_call_group_member_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"], ["call_group.id"], name=op.f("fk_call_group_member_group_id_call_group")
        ),
        sa.PrimaryKeyConstraint("group_id", "contact_id", name=op.f("pk_call_group_member")),
    )
    op.create_table(
        "group_call",
        sa.Column("id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", When, nullable=False),
        sa.Column("finished_at", When, nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"], ["call_group.id"], name=op.f("fk_group_call_group_id_call_group")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_group_call_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_call")),
    )
    with op.batch_alter_table("group_call", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_group_call_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "call_record",
        sa.Column("id", BigId, nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("number_digits", sa.String(length=64), nullable=False),
        sa.Column(
            "contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("caller_name", sa.String(length=64), nullable=False),
        sa.Column("started_at", When, nullable=False),
        sa.Column("answered_at", When, nullable=True),
        sa.Column("ended_at", When, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("pbx_uniqueid", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column(
            "incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "log_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "group_call_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_call_record_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["group_call_id"],
            ["group_call.id"],
            name=op.f("fk_call_record_group_call_id_group_call"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_call_record_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["log_entry_id"], ["log_entry.id"], name=op.f("fk_call_record_log_entry_id_log_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_record")),
    )
    with op.batch_alter_table("call_record", schema=None) as batch_op:
        for column in (
            "number_digits",
            "contact_id",
            "started_at",
            "pbx_uniqueid",
            "incident_id",
            "group_call_id",
        ):
            batch_op.create_index(batch_op.f(f"ix_call_record_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("call_record")
    op.drop_table("group_call")
    op.drop_table("call_group_member")
    op.drop_table("call_group")
    op.drop_table("contact")
