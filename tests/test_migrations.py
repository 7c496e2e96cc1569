"""Alembic migrations: they build the whole schema, are idempotent, and match the models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from console.db.engine import check_schema, current_revision, head_revision, make_engine, upgrade
from console.db.models import Base
from console.domain import DatabaseError
from tests._core import alembic_rows

SCHEMA_TABLES = set(Base.metadata.tables)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """An engine on a fresh, empty database (SQLite file or PostgreSQL)."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def test_the_models_describe_the_tables_the_program_uses() -> None:
    # Guards the tests below against an empty metadata passing them vacuously.
    assert {"incident", "incident_event", "intake", "log_entry", "handover", "audit"} <= (
        SCHEMA_TABLES
    )
    assert len(SCHEMA_TABLES) == 17


def test_upgrade_on_an_empty_database_creates_every_table(engine: sa.Engine) -> None:
    assert _tables(engine) == set()
    assert current_revision(engine) is None

    before, after = upgrade(engine)

    assert before is None
    assert after == head_revision(engine) == "0002"
    assert _tables(engine) == SCHEMA_TABLES | {"alembic_version"}
    assert alembic_rows(engine) == ["0002"]
    check_schema(engine)  # our own, current database is accepted


def test_upgrade_twice_is_a_no_op_and_keeps_data(engine: sa.Engine) -> None:
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("insert into setting (key, value) values ('site/name', '省应急厅')"))

    before, after = upgrade(engine)

    assert before == after == head_revision(engine)
    assert _tables(engine) == SCHEMA_TABLES | {"alembic_version"}
    assert alembic_rows(engine) == [after]
    with engine.connect() as conn:
        assert conn.execute(sa.text("select key, value from setting")).all() == [
            ("site/name", "省应急厅")
        ]


def test_migrated_schema_matches_the_models(engine: sa.Engine) -> None:
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_indexes_of_the_models_exist_after_migration(engine: sa.Engine) -> None:
    upgrade(engine)
    inspector = sa.inspect(engine)
    for table in Base.metadata.sorted_tables:
        wanted = {ix.name for ix in table.indexes}
        found = {ix["name"] for ix in inspector.get_indexes(table.name)}
        assert wanted <= found, table.name


def test_a_failed_migration_leaves_the_database_as_it_was(engine: sa.Engine) -> None:
    # A view is no table, so the database looks empty to check_schema; creating the table of
    # the same name, late in the migration, then fails.
    with engine.begin() as conn:
        conn.execute(sa.text("create view sent_report as select 1 as x"))

    with pytest.raises(DatabaseError, match="schema upgrade failed"):
        upgrade(engine)

    assert _tables(engine) == set()
    assert alembic_rows(engine) == []
    assert sa.inspect(engine).get_view_names() == ["sent_report"]
