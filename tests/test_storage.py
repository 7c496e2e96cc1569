"""Opening the database: SQLite durability, bad URLs and files, foreign or newer schemas."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from console.db.engine import head_revision, make_engine
from console.db.session import Database
from console.domain import DatabaseError, SchemaTooNewError
from console.services import Services
from tests._core import alembic_rows, incident_draft, table_rows
from tests._services import PostgresServer, free_port


def _path(sqlite_url: str) -> Path:
    return Path(sqlite_url.removeprefix("sqlite:///"))


def test_sqlite_file_is_opened_with_wal_full_sync_and_foreign_keys(sqlite_url: str) -> None:
    db = Database.open(sqlite_url)
    try:
        db.engine.dispose()  # the next connection is a fresh one, set up by the connect hook
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
    finally:
        db.close()
    path = _path(sqlite_url)
    assert path.read_bytes()[:16] == b"SQLite format 3\x00"
    # WAL is a property of the file: a plain connection without our hook sees it too.
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        raw.close()


def test_foreign_keys_are_enforced_on_sqlite(sqlite_url: str) -> None:
    services = Services.open(sqlite_url)
    try:
        with pytest.raises(sa.exc.IntegrityError), services.db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO incident_event (incident_id, at, actor, kind, text, data) "
                "VALUES (4242, '2026-01-01 00:00:00', 'x', 'log', 'orphan', '{}')"
            )
        assert table_rows(services)["incident_event"] == []
    finally:
        services.close()


def test_data_survives_closing_and_reopening(db_url: str) -> None:
    services = Services.open(db_url)
    try:
        created = services.incidents.create("zhangwei", incident_draft())
    finally:
        services.close()
    again = Services.open(db_url)
    try:
        assert again.incidents.get(created.id) == created
        assert alembic_rows(again.db.engine) == [head_revision(again.db.engine)]
    finally:
        again.close()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        pytest.param("not a database url", "unrecognised database URL", id="malformed"),
        pytest.param("", "unrecognised database URL", id="empty"),
        pytest.param("postgresql://duty@127.0.0.1:port/duty", "unrecognised", id="port-not-number"),
        pytest.param("mysql://duty@127.0.0.1/duty", "(unsupported database) 'mysql'", id="mysql"),
        pytest.param(
            "oracle://duty@127.0.0.1/duty", "(unsupported database) 'oracle'", id="oracle"
        ),
        pytest.param("sqlite://", "SQLite needs a file path", id="sqlite-memory"),
        pytest.param("postgresql+nosuchdriver://duty@h/duty", "cannot use database URL", id="drv"),
        pytest.param("postgresql+psycopg2://duty@h/duty", "psycopg2", id="driver-not-installed"),
    ],
)
def test_bad_url_is_refused_with_a_clear_message(url: str, words: str) -> None:
    with pytest.raises(DatabaseError) as info:
        Services.open(url)
    assert words in str(info.value)
    assert not isinstance(info.value, SchemaTooNewError)


def test_sqlite_in_a_missing_directory_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such"
    with pytest.raises(DatabaseError, match="directory does not exist") as info:
        Services.open(f"sqlite:///{missing}/duty.sqlite")
    assert str(missing) in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_postgresql_is_refused_with_a_clear_message() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(DatabaseError, match="cannot connect to the database") as info:
        make_engine(f"postgresql://duty@127.0.0.1:{port}/duty")
    assert str(port) in str(info.value)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            b"\xe5\x80\xbc\xe7\x8f\xad\xe8\xae\xb0\xe5\xbd\x95: plain text\n" * 200, id="text"
        ),
        pytest.param(b"SQLite format 3\x00" + b"\xff" * 4000, id="bad-header"),
    ],
)
def test_a_file_that_is_no_database_is_refused_and_left_as_it_was(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(DatabaseError, match="not a database") as info:
        Services.open(f"sqlite:///{path}")
    assert str(path) in str(info.value)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # no -wal, no -shm


def test_a_database_from_a_newer_program_is_refused_and_left_as_it_was(db_url: str) -> None:
    services = Services.open(db_url)
    try:
        services.incidents.create("zhangwei", incident_draft())
        with services.db.engine.begin() as conn:
            conn.execute(sa.text("update alembic_version set version_num = '0099_future'"))
        before = table_rows(services)
    finally:
        services.close()

    with pytest.raises(SchemaTooNewError, match="0099_future") as info:
        Services.open(db_url)
    assert "newer than this program" in str(info.value)

    engine = sa.create_engine(db_url)
    try:
        assert alembic_rows(engine) == ["0099_future"]
    finally:
        engine.dispose()
    reopened = Services(Database(make_engine(db_url)))  # without migrating
    try:
        assert table_rows(reopened) == before
    finally:
        reopened.close()


def test_a_foreign_database_without_our_revision_is_refused(db_url: str) -> None:
    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("create table customers (id integer primary key, name text)"))
            conn.execute(sa.text("insert into customers values (1, '某公司')"))
    finally:
        engine.dispose()

    with pytest.raises(DatabaseError, match="not a Duty Console database") as info:
        Services.open(db_url)
    assert not isinstance(info.value, SchemaTooNewError)
    assert "customers" in str(info.value)

    engine = sa.create_engine(db_url)
    try:
        assert sa.inspect(engine).get_table_names() == ["customers"]
        with engine.connect() as conn:
            assert conn.execute(sa.text("select id, name from customers")).all() == [(1, "某公司")]
    finally:
        engine.dispose()


def test_database_url_shown_to_the_operator_hides_the_password(pg_server: PostgresServer) -> None:
    url = pg_server.new_database().replace("postgres@", "postgres:s3cret@")  # trust auth
    db = Database.open(url)
    try:
        assert "s3cret" not in db.url
        assert db.url.startswith("postgresql+psycopg://postgres:***@127.0.0.1")
        assert db.dialect == "postgresql"
    finally:
        db.close()
