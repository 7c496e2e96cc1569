"""Opening the database: URL checks, SQLite durability settings, migrations and schema checks."""

from __future__ import annotations

import logging
import sqlite3
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from console.domain.errors import DatabaseError, SchemaTooNewError

log = logging.getLogger(__name__)

APP_NAME = "duty-console"


def data_dir() -> Path:
    """The per-user data directory (created on demand)."""
    path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_url(*, demo: bool = False) -> str:
    """The embedded default: a SQLite file in the user data directory."""
    name = "demo.sqlite" if demo else "duty.sqlite"
    return f"sqlite:///{data_dir() / name}"


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # WAL keeps readers and the writer apart; FULL makes every commit survive power loss and
    # SIGKILL; foreign keys are off by default in SQLite.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


def parse_url(text: str) -> URL:
    """Parse and check a database URL, with a message an administrator understands.

    Raises:
        DatabaseError: the URL is malformed or names an unsupported database.
    """
    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        raise DatabaseError(f"无法识别的数据库地址 (unrecognised database URL): {text!r}") from exc
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise DatabaseError(
            f"不支持的数据库类型 (unsupported database) {backend!r}: use sqlite:///PATH "
            "or postgresql://USER@HOST/NAME"
        )
    if backend == "sqlite":
        database = url.database or ""
        if not database or database == ":memory:":
            raise DatabaseError(
                "SQLite 数据库需要文件路径 (SQLite needs a file path): sqlite:///PATH"
            )
        parent = Path(database).expanduser().resolve().parent
        if not parent.is_dir():
            raise DatabaseError(f"目录不存在 (directory does not exist): {parent}")
    return url


def make_engine(url_text: str) -> Engine:
    """Create an engine for ``url_text`` and prove it can connect.

    Raises:
        DatabaseError: the URL is wrong, the server cannot be reached or the file is no database.
    """
    url = parse_url(url_text)
    try:
        if url.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": 10})
            event.listen(engine, "connect", _on_sqlite_connect)
        else:
            engine = create_engine(
                url, pool_pre_ping=True, connect_args={"connect_timeout": 5}, pool_size=5
            )
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        # ImportError: the URL names a driver that is not installed (postgresql+psycopg2://).
        raise DatabaseError(f"无法使用数据库地址 (cannot use database URL): {exc}") from exc
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            if url.get_backend_name() == "sqlite":
                # A non-database file passes connect(); reading the schema exposes it.
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master")
    except DBAPIError as exc:
        engine.dispose()
        orig = exc.orig
        if isinstance(orig, sqlite3.DatabaseError) and "not a database" in str(orig):
            raise DatabaseError(
                f"文件不是数据库 (the file is not a database): {url.database}"
            ) from exc
        raise DatabaseError(f"无法连接数据库 (cannot connect to the database): {orig}") from exc
    return engine


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("console.db") / "alembic"))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision(engine: Engine) -> str:
    """The newest schema revision this program knows."""
    script = ScriptDirectory.from_config(_alembic_config(engine))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision recorded in the database, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Refuse a database written by a newer program, and a foreign database with our table names.

    Raises:
        SchemaTooNewError: the database's revision is unknown to this program.
        DatabaseError: the database holds tables but no schema revision of ours.
    """
    cfg = _alembic_config(engine)
    script = ScriptDirectory.from_config(cfg)
    current = current_revision(engine)
    if current is None:
        tables = set(inspect(engine).get_table_names())
        if tables:
            raise DatabaseError(
                "数据库已有其他数据表，不是本程序的数据库 (the database holds other tables and is "
                f"not a Duty Console database): {', '.join(sorted(tables)[:5])}"
            )
        return
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise SchemaTooNewError(
            f"数据库版本 {current} 比本程序新，请升级程序 (the database schema {current} is newer "
            "than this program; install the newer program)"
        )


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the schema to the newest revision; returns (before, after).

    Raises:
        SchemaTooNewError: the database was written by a newer program (left unchanged).
        DatabaseError: the migration failed (the transaction is rolled back).
    """
    check_schema(engine)
    before = current_revision(engine)
    if before is not None and before == head_revision(engine):
        return before, before  # nothing to do: take no write lock (other seats may be writing)
    cfg = _alembic_config(engine)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # pysqlite opens a transaction only before INSERT/UPDATE/DELETE, so CREATE TABLE
                # would autocommit and a failed migration would leave half a schema behind (which
                # check_schema then refuses for good). Open the transaction ourselves.
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except SQLAlchemyError as exc:
        raise DatabaseError(f"数据库升级失败 (schema upgrade failed): {exc}") from exc
    after = current_revision(engine)
    assert after is not None
    if before != after:
        log.info("database schema upgraded from %s to %s", before, after)
    return before, after
