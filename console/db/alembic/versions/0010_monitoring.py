"""monitoring stations, readings and alarms

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "station",
        sa.Column("id", BigId, nullable=False),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("password", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("updated_at", When, nullable=False),
        sa.Column("last_seen_at", When, nullable=True),
        sa.Column("frames_ok", sa.BigInteger(), nullable=False),
        sa.Column("frames_rejected", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station")),
        sa.UniqueConstraint("protocol", "code", name=op.f("uq_station_protocol")),
    )
    op.create_table(
        "station_parameter",
        sa.Column("id", BigId, nullable=False),
        sa.Column("station_id", BigId, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["station.id"],
            name=op.f("fk_station_parameter_station_id_station"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_parameter")),
        sa.UniqueConstraint("station_id", "code", name=op.f("uq_station_parameter_station_id")),
    )
    op.create_table(
        "reading",
        sa.Column("parameter_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("t", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("flag", sa.String(length=2), nullable=False),
        sa.PrimaryKeyConstraint("parameter_id", "t", name=op.f("pk_reading")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "reading_hour",
        sa.Column("parameter_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("hour", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("vmin", sa.Float(), nullable=False),
        sa.Column("vmax", sa.Float(), nullable=False),
        sa.Column("vsum", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("parameter_id", "hour", name=op.f("pk_reading_hour")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "monitoring_quarantine",
        sa.Column("id", BigId, nullable=False),
        sa.Column("at", When, nullable=False),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("station_id", BigId, nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("peer", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["station.id"],
            name=op.f("fk_monitoring_quarantine_station_id_station"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_quarantine")),
    )
    with op.batch_alter_table("monitoring_quarantine", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitoring_quarantine_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_monitoring_quarantine_station_at", ["station_id", "at"], unique=False
        )

    op.create_table(
        "monitoring_alarm",
        sa.Column("id", BigId, nullable=False),
        sa.Column("station_id", BigId, nullable=False),
        sa.Column("parameter_code", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("limit_value", sa.Float(), nullable=True),
        sa.Column("raised_at", When, nullable=False),
        sa.Column("cleared_at", When, nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=False),
        sa.Column("intake_id", BigId, nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["station.id"],
            name=op.f("fk_monitoring_alarm_station_id_station"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["intake_id"], ["intake.id"], name=op.f("fk_monitoring_alarm_intake_id_intake")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_alarm")),
    )
    with op.batch_alter_table("monitoring_alarm", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_alarm_station_id"), ["station_id"], unique=False
        )
        batch_op.create_index(
            "ix_monitoring_alarm_state_raised_at", ["state", "raised_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("monitoring_alarm")
    op.drop_table("monitoring_quarantine")
    op.drop_table("reading_hour")
    op.drop_table("reading")
    op.drop_table("station_parameter")
    op.drop_table("station")
