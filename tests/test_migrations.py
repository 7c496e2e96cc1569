"""Alembic migrations: they build the whole schema, are idempotent, and match the models."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from console.db.engine import (
    _alembic_config,
    check_schema,
    current_revision,
    head_revision,
    make_engine,
    upgrade,
)
from console.db.models import SEARCH_INCIDENT, SEARCH_LOG, SEARCH_TABLE_PREFIX, Base
from console.domain import DatabaseError
from tests._core import alembic_rows

SCHEMA_TABLES = set(Base.metadata.tables)
# the newest migration file's revision: "0010_monitoring.py" -> "0010"
NEWEST = max(
    p.name.split("_")[0]
    for p in (Path(__file__).parents[1] / "console/db/alembic/versions").glob("0*.py")
)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """An engine on a fresh, empty database (SQLite file or PostgreSQL)."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def _schema_tables(engine: sa.Engine) -> set[str]:
    """The tables the models describe, plus those outside them: SQLite's FTS5 text index."""
    wanted = SCHEMA_TABLES | {"alembic_version"}
    if engine.dialect.name == "sqlite":
        wanted |= {SEARCH_INCIDENT, SEARCH_LOG}
    return wanted


def _not_search_index(name: str | None, type_: str, _parent: object) -> bool:
    # The FTS5 tables (and their shadow tables) are SQLite-only raw DDL, not in the metadata.
    return not (type_ == "table" and (name or "").startswith(SEARCH_TABLE_PREFIX))


def test_the_models_describe_the_tables_the_program_uses() -> None:
    # Guards the tests below against an empty metadata passing them vacuously.
    assert {"incident", "incident_event", "intake", "log_entry", "handover", "audit"} <= (
        SCHEMA_TABLES
    )
    assert {"device", "contact", "call_record", "stored_file", "attachment"} <= SCHEMA_TABLES


def test_upgrade_on_an_empty_database_creates_every_table(engine: sa.Engine) -> None:
    assert _tables(engine) == set()
    assert current_revision(engine) is None

    before, after = upgrade(engine)

    assert before is None
    assert after == head_revision(engine) == NEWEST
    tables = _tables(engine)
    assert {t for t in tables if not t.startswith(SEARCH_TABLE_PREFIX)} == SCHEMA_TABLES | {
        "alembic_version"
    }
    assert _schema_tables(engine) <= tables
    assert alembic_rows(engine) == [NEWEST]
    check_schema(engine)  # our own, current database is accepted


def test_upgrade_twice_is_a_no_op_and_keeps_data(engine: sa.Engine) -> None:
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("insert into setting (key, value) values ('site/name', '省应急厅')"))

    before, after = upgrade(engine)

    assert before == after == head_revision(engine)
    assert _schema_tables(engine) <= _tables(engine)
    assert alembic_rows(engine) == [after]
    with engine.connect() as conn:
        assert conn.execute(sa.text("select key, value from setting")).all() == [
            ("site/name", "省应急厅")
        ]


def test_migrated_schema_matches_the_models(engine: sa.Engine) -> None:
    upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": _not_search_index,
            },
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


def test_0003_covers_the_board_index_and_backfills_the_search_index(engine: sa.Engine) -> None:
    cfg = _alembic_config(engine)
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "insert into category (code, name, name_en, verified, source, sort) "
                "values ('1', '火灾', 'fire', true, '', 0)"
            )
        )
        conn.execute(
            sa.text(
                "insert into incident (id, title, category_code, status, occurred_at, "
                "received_at, division_code, address, deaths, injuries, missing, trapped, losses, "
                "description, source_channel, owner, exercise, created_at, updated_at, version) "
                "values (7, '天池景区山火', '1', 'reported', :t, :t, '220000', '长白山', "
                "0, 0, 0, 0, '', '', 'phone', 'x', false, :t, :t, 1)"
            ),
            {"t": "2026-01-01 00:00:00"},
        )
        conn.execute(
            sa.text(
                "insert into log_entry (id, at, author, kind, text) "
                "values (9, :t, 'x', 'note', '火灾已扑灭')"
            ),
            {"t": "2026-01-01 00:00:00"},
        )

    upgrade(engine)

    board = {ix["name"]: ix["column_names"] for ix in sa.inspect(engine).get_indexes("incident")}
    assert board["ix_incident_board"] == [
        "merged_into_id",
        "occurred_at",
        "id",
        "status",
        "grade",
        "category_code",
        "subcategory_code",
        "division_code",
    ]
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            hit = conn.exec_driver_sql(
                f"select rowid from {SEARCH_INCIDENT} where {SEARCH_INCIDENT} match '\"景区\"'"
            ).all()
            log = conn.exec_driver_sql(
                f"select rowid from {SEARCH_LOG} where {SEARCH_LOG} match '\"火灾\"'"
            ).all()
        assert hit == [(7,)]
        assert log == [(9,)]
