"""The audit trail: every write appends who, when, what, before and after in its transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCoreApplication
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from console import security
from console.crypto import same
from console.db import models as m
from console.db.audit_chain import chain_digest, normalise
from console.db.seat import SEAT_KEY, SEAT_MAX
from console.db.session import Database
from console.domain import AuditRecord
from console.timeutil import utcnow

log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Audit", text)


def append(
    session: Session,
    actor: str,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add one audit record to the current transaction, chained to the one before it.

    First the acting user's role is checked against :mod:`console.security`: every write
    service calls this inside its transaction, so a refused action raises
    :class:`PermissionDeniedError` and its transaction rolls back.

    The first record of a transaction locks the chain's head row (``SELECT … FOR UPDATE`` on
    PostgreSQL; SQLite has one writer anyway), so records from every seat form one chain in
    the order they commit.
    """
    security.check(session, actor, action)  # refused: PermissionDeniedError, all rolls back
    head = session.info.get(_HEAD_KEY)
    if head is None:
        head = session.scalars(
            select(m.AuditHeadRow).where(m.AuditHeadRow.id == 1).with_for_update()
        ).one()
        session.info[_HEAD_KEY] = head
    at = utcnow()
    before, after = normalise(before), normalise(after)
    entity_text = str(entity_id)
    seat = str(session.info.get(SEAT_KEY) or "")[:SEAT_MAX]  # part of the digest, too
    digest = chain_digest(
        head.last_hash, at, actor, action, entity, entity_text, before, after, seat
    )
    session.add(
        m.AuditRow(
            seat=seat,
            at=at,
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_text,
            before=before,
            after=after,
            prev_hash=head.last_hash,
            hash=digest,
        )
    )
    head.last_hash = digest
    head.count += 1


_HEAD_KEY = "audit_head"


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """What :meth:`AuditService.verify` found.

    ``first_bad_id`` is the first record where the chain breaks (None when intact); ``problem``
    says how: ``edited`` (the record's own content no longer matches its digest), ``broken``
    (it does not follow the record before it: one was deleted, inserted or reordered there),
    ``truncated`` (records were cut off the end) — in Chinese and English in ``message``.
    """

    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""
    message: str = ""


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

    def verify(self, batch: int = 1000) -> ChainCheck:
        """Walk the whole chain, oldest first, a page at a time; report the first break."""
        prev, checked, after_id = "", 0, 0
        with self._db.read() as s:
            while True:
                rows = list(
                    s.scalars(
                        select(m.AuditRow)
                        .where(m.AuditRow.id > after_id)
                        .order_by(m.AuditRow.id)
                        .limit(batch)
                    )
                )
                if not rows:
                    break
                for row in rows:
                    expected = chain_digest(
                        row.prev_hash,
                        row.at,
                        row.actor,
                        row.action,
                        row.entity,
                        row.entity_id,
                        row.before,
                        row.after,
                        row.seat,
                    )
                    if not same(expected, row.hash):
                        return self._broken(checked, row.id, "edited")
                    if not same(row.prev_hash, prev):
                        return self._broken(checked, row.id, "broken")
                    prev, checked, after_id = row.hash, checked + 1, row.id
                s.expunge_all()
            head = s.get(m.AuditHeadRow, 1)
            if head is None or head.count != checked or not same(head.last_hash, prev):
                return self._broken(checked, None, "truncated")
        return ChainCheck(True, checked)

    @staticmethod
    def _broken(checked: int, record_id: int | None, problem: str) -> ChainCheck:
        messages = {
            "edited": _tr("审计记录 #{id} 的内容已被改动 (record #{id} was altered)"),
            "broken": _tr(
                "审计链在记录 #{id} 处断开：其前有记录被删除、插入或调换 "
                "(the chain breaks at record #{id}: a record before it was deleted, inserted "
                "or reordered)"
            ),
            "truncated": _tr(
                "审计链末尾的记录被删除 (records were removed from the end of the chain)"
            ),
        }
        message = messages[problem].format(id=record_id)
        log.error("audit chain check failed after %d records: %s", checked, message)
        return ChainCheck(False, checked, record_id, problem, message)

    def export(self, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every record, oldest first, with its digests (for the auditor), a page at a time."""
        after_id = 0
        while True:
            with self._db.read() as s:
                rows = list(
                    s.scalars(
                        select(m.AuditRow)
                        .where(m.AuditRow.id > after_id)
                        .order_by(m.AuditRow.id)
                        .limit(batch)
                    )
                )
                page = [
                    {
                        "id": r.id,
                        "at": r.at.isoformat(),
                        "actor": r.actor,
                        "action": r.action,
                        "entity": r.entity,
                        "entity_id": r.entity_id,
                        "before": r.before,
                        "after": r.after,
                        "prev_hash": r.prev_hash,
                        "hash": r.hash,
                    }
                    for r in rows
                ]
                last_id = rows[-1].id if rows else after_id
            if not page:
                return
            after_id = last_id
            yield from page
