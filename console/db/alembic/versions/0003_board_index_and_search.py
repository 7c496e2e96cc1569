"""covering board index; SQLite text search index

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 13:00:00
"""

from __future__ import annotations

from alembic import op

from console.db.models import (
    SEARCH_INCIDENT,
    SEARCH_LOG,
    create_search_index,
    rebuild_search_index,
)

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BOARD_COLUMNS = [
    "merged_into_id",
    "occurred_at",
    "id",
    "status",
    "grade",
    "category_code",
    "subcategory_code",
    "division_code",
]


def upgrade() -> None:
    # The board index also holds every filter column (benchmarks/README.md: rows a filter
    # rejects then cost no table lookup).
    op.drop_index("ix_incident_board", table_name="incident")
    op.create_index("ix_incident_board", "incident", BOARD_COLUMNS)
    # SQLite: FTS5 bigram index of incident title/address and log text, backfilled here and
    # kept current by the mapper events in console.db.models. PostgreSQL searches with ILIKE.
    bind = op.get_bind()
    create_search_index(bind)
    rebuild_search_index(bind)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {SEARCH_LOG}")
        op.execute(f"DROP TABLE IF EXISTS {SEARCH_INCIDENT}")
    op.drop_index("ix_incident_board", table_name="incident")
    op.create_index("ix_incident_board", "incident", ["merged_into_id", "occurred_at", "id"])
