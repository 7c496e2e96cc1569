"""tamper-evident audit: a hash chain over every record, its head, and append-only guards

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from console.db.audit_chain import chain_digest

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

GUARDS_SQLITE = (
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END",
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END",
)
GUARDS_POSTGRESQL = (
    "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$",
    "CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
)


def upgrade() -> None:
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("prev_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("hash", sa.String(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.alter_column("prev_hash", server_default=None)
        batch_op.alter_column("hash", server_default=None)
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # Chain the records already there, oldest first, a page at a time.
    conn = op.get_bind()
    audit = sa.table(
        "audit",
        sa.column("id", sa.BigInteger()),
        sa.column("at", sa.DateTime(timezone=True)),
        sa.column("actor", sa.String()),
        sa.column("action", sa.String()),
        sa.column("entity", sa.String()),
        sa.column("entity_id", sa.String()),
        sa.column("before", sa.JSON()),
        sa.column("after", sa.JSON()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
    )
    last, count, after_id = "", 0, 0
    while True:
        rows = conn.execute(
            sa.select(audit).where(audit.c.id > after_id).order_by(audit.c.id).limit(1000)
        ).all()
        if not rows:
            break
        for row in rows:
            digest = chain_digest(
                last,
                row.at,
                row.actor,
                row.action,
                row.entity,
                row.entity_id,
                row.before,
                row.after,
            )
            conn.execute(
                sa.update(audit).where(audit.c.id == row.id).values(prev_hash=last, hash=digest)
            )
            last, count, after_id = digest, count + 1, row.id
    conn.execute(
        sa.text("INSERT INTO audit_head (id, count, last_hash) VALUES (1, :n, :h)"),
        {"n": count, "h": last},
    )
    for statement in GUARDS_POSTGRESQL if conn.dialect.name == "postgresql" else GUARDS_SQLITE:
        conn.exec_driver_sql(statement)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER audit_no_change ON audit")
        conn.exec_driver_sql("DROP FUNCTION audit_append_only()")
    else:
        conn.exec_driver_sql("DROP TRIGGER audit_no_update")
        conn.exec_driver_sql("DROP TRIGGER audit_no_delete")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
