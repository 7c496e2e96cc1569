"""Small key/value settings in the database: per-user window layout, language and the like."""

from __future__ import annotations

from sqlalchemy import select

from console.db import models as m
from console.db.session import Database


class SettingsService:
    """Settings are keyed ``user/<username>/<name>`` or ``site/<name>``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str) -> str | None:
        """The stored value, or None."""
        with self._db.read() as s:
            return s.scalar(select(m.SettingRow.value).where(m.SettingRow.key == key))

    def put(self, key: str, value: str) -> None:
        """Store a value (settings are preferences, not records: they are not audited)."""
        with self._db.transaction() as s:
            row = s.get(m.SettingRow, key)
            if row is None:
                s.add(m.SettingRow(key=key, value=value))
            else:
                row.value = value

    def user_key(self, username: str, name: str) -> str:
        """The key of a per-user setting."""
        return f"user/{username}/{name}"
