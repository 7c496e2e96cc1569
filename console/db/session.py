"""The database handle the services share: one engine, short transactions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from console.db.engine import make_engine, upgrade
from console.db.seat import SEAT_KEY, seat_name
from console.domain.errors import (
    DatabaseError,
    DatabaseUnavailableError,
    DiskFullError,
    PermissionDeniedError,
)


class Database:
    """An opened, migrated database. Every unit of work is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # This workstation's name, stored with each audit record it writes (console.db.seat).
        self.seat = seat_name()
        # Called after a transaction was rolled back because its action was refused (the
        # services audit the refusal in a transaction of its own: console/services/users.py).
        self.on_denied: Callable[[PermissionDeniedError], None] | None = None

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Database:
        """Open ``url``, run migrations and return the handle.

        Raises:
            DatabaseError: the database cannot be opened or migrated (message says why).
        """
        engine = make_engine(url)
        if migrate:
            try:
                upgrade(engine)
            except Exception:
                engine.dispose()
                raise
        return cls(engine)

    @property
    def url(self) -> str:
        """The URL without a password."""
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        session = self._sessions()
        session.info[SEAT_KEY] = self.seat
        try:
            with session.begin():
                yield session
        except OperationalError as exc:
            raise translate_error(exc, "数据库操作失败 (database operation failed)") from exc
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            raise translate_error(exc, "数据库操作失败 (database operation failed)") from exc
        except PermissionDeniedError as exc:
            session.close()  # rolled back: nothing of the refused action remains
            if not exc.audited and self.on_denied is not None:
                exc.audited = True
                self.on_denied(exc)
            raise
        finally:
            session.close()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only."""
        session = self._sessions()
        try:
            yield session
        except OperationalError as exc:
            raise translate_error(exc, "数据库读取失败 (database read failed)") from exc
        finally:
            session.rollback()
            session.close()

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()


# Words in a driver's error that mean the disk (or the server's disk) is full: SQLite says
# "database or disk is full" (SQLITE_FULL), PostgreSQL raises SQLSTATE 53100 (disk_full) or
# names ENOSPC ("No space left on device").
_DISK_FULL = ("database or disk is full", "no space left on device", "disk full")


def translate_error(exc: DBAPIError, what: str) -> DatabaseError:
    """A driver error in words for the operator: a full disk and a lost server said plainly."""
    orig = exc.orig
    text = str(orig).strip()
    lowered = text.lower()
    if getattr(orig, "sqlstate", None) == "53100" or any(w in lowered for w in _DISK_FULL):
        return DiskFullError(f"磁盘已满 (disk full)：未保存，请腾出磁盘空间后重试 — {text}")
    if exc.connection_invalidated or _connection_lost(orig):
        return DatabaseUnavailableError(
            f"数据库连接中断 (database connection lost)：未保存，连接恢复后请重试 — {text}"
        )
    return DatabaseError(f"{what}: {text}")


def _connection_lost(orig: BaseException | None) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - SQLite-only installation
        return False
    if isinstance(orig, psycopg.OperationalError):
        # Class 08 (connection exception) and 57P01..57P03 (server shutting down / starting).
        state = getattr(orig, "sqlstate", None) or ""
        return not state or state.startswith("08") or state.startswith("57P")
    return False
