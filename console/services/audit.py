"""The audit trail: every write appends who, when, what, before and after in its transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console.db import models as m
from console.db.session import Database
from console.domain import AuditRecord
from console.timeutil import utcnow


def append(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one audit record to the current transaction."""
    session.add(
        m.AuditRow(
            at=utcnow(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            before=before,
            after=after,
        )
    )


class AuditService:
    """Reading the audit trail."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def latest(self, limit: int = 100, entity: str | None = None) -> list[AuditRecord]:
        """The newest records first."""
        with self._db.read() as s:
            q = select(m.AuditRow).order_by(m.AuditRow.id.desc()).limit(limit)
            if entity:
                q = q.where(m.AuditRow.entity == entity)
            return [
                AuditRecord(r.id, r.at, r.actor, r.action, r.entity, r.entity_id, r.before, r.after)
                for r in s.scalars(q)
            ]

    def count(self) -> int:
        """Number of audit records."""
        with self._db.read() as s:
            return int(s.scalar(select(func.count()).select_from(m.AuditRow)) or 0)
