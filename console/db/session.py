"""The database handle the services share: one engine, short transactions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from console.db.engine import make_engine, upgrade
from console.domain.errors import DatabaseError, PermissionDeniedError


class Database:
    """An opened, migrated database. Every unit of work is one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
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
        try:
            with session.begin():
                yield session
        except OperationalError as exc:
            raise DatabaseError(f"数据库操作失败 (database operation failed): {exc.orig}") from exc
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
            raise DatabaseError(f"数据库读取失败 (database read failed): {exc.orig}") from exc
        finally:
            session.rollback()
            session.close()

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()
