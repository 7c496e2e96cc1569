"""Errors the core raises; views turn them into messages next to the field or in a banner."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the services raise on purpose."""


class ValidationError(DomainError):
    """Input failed validation; ``errors`` maps a field name to a message for that field."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {msg}" for field, msg in self.errors.items()))


class NotFoundError(DomainError):
    """The requested record does not exist."""


class ConflictError(DomainError):
    """Somebody changed the record first (optimistic locking), or the action is not allowed now."""


class DatabaseError(DomainError):
    """The database cannot be opened or used; the message says why in words an operator reads."""


class SchemaTooNewError(DatabaseError):
    """The database was written by a newer version of the program."""


class DiskFullError(DatabaseError):
    """The disk holding the database is full: the write was rolled back, nothing half-saved."""


class DatabaseUnavailableError(DatabaseError):
    """The database server cannot be reached: the write was not saved (the window is read-only)."""


class PermissionDeniedError(DomainError):
    """The acting user's role may not do ``action``; nothing was changed, the refusal audited."""

    def __init__(self, actor: str, action: str, role: str | None, message: str) -> None:
        self.actor = actor
        self.action = action
        self.role = role
        self.audited = False  # set once the refusal has its "access.denied" record
        super().__init__(message)


class AuthenticationError(DomainError):
    """A login failed: wrong name or password, locked, deactivated, or a bad token."""
