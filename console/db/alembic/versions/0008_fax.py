"""fax jobs and received faxes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "fax_job",
        sa.Column("id", BigId, nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("contact_id", BigId, nullable=True),
        sa.Column("incident_id", BigId, nullable=True),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("document_name", sa.String(length=255), nullable=False),
        sa.Column("pages_sha256", sa.String(length=64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", When, nullable=True),
        sa.Column("claimed_at", When, nullable=True),
        sa.Column("sent_by_device", sa.String(length=64), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("hangup_code", sa.String(length=8), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=False),
        sa.Column("finished_at", When, nullable=True),
        sa.Column("log_entry_id", BigId, nullable=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_fax_job_contact_id_contact")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_fax_job_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["document_sha256"],
            ["stored_file.sha256"],
            name=op.f("fk_fax_job_document_sha256_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["pages_sha256"],
            ["stored_file.sha256"],
            name=op.f("fk_fax_job_pages_sha256_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["log_entry_id"], ["log_entry.id"], name=op.f("fk_fax_job_log_entry_id_log_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fax_job")),
    )
    with op.batch_alter_table("fax_job", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fax_job_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            "ix_fax_job_status_next", ["status", "next_attempt_at"], unique=False
        )
    op.create_table(
        "fax_attempt",
        sa.Column("id", BigId, nullable=False),
        sa.Column("job_id", BigId, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("started_at", When, nullable=False),
        sa.Column("finished_at", When, nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("pages_sent", sa.Integer(), nullable=False),
        sa.Column("hangup_code", sa.String(length=8), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["fax_job.id"], name=op.f("fk_fax_attempt_job_id_fax_job")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fax_attempt")),
    )
    with op.batch_alter_table("fax_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fax_attempt_job_id"), ["job_id"], unique=False)
    op.create_table(
        "fax_in",
        sa.Column("id", BigId, nullable=False),
        sa.Column("device", sa.String(length=64), nullable=False),
        sa.Column("remote_id", sa.String(length=64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("tiff_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", When, nullable=False),
        sa.Column("read_at", When, nullable=True),
        sa.Column("read_by", sa.String(length=64), nullable=False),
        sa.Column("intake_id", BigId, nullable=True),
        sa.Column("log_entry_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ["tiff_sha256"],
            ["stored_file.sha256"],
            name=op.f("fk_fax_in_tiff_sha256_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["pdf_sha256"],
            ["stored_file.sha256"],
            name=op.f("fk_fax_in_pdf_sha256_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intake.id"], name=op.f("fk_fax_in_intake_id_intake")
        ),
        sa.ForeignKeyConstraint(
            ["log_entry_id"], ["log_entry.id"], name=op.f("fk_fax_in_log_entry_id_log_entry")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fax_in")),
    )
    with op.batch_alter_table("fax_in", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fax_in_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    op.drop_table("fax_in")
    op.drop_table("fax_attempt")
    op.drop_table("fax_job")
