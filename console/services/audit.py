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
class ChainCheckpoint:
    """How far the chain was found intact (for :meth:`AuditService.verify_since`).

    The last record's id and digest, and how many records there were up to it.
    """

    last_id: int
    last_hash: str
    count: int


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """What :meth:`AuditService.verify` (or :meth:`AuditService.verify_since`) found.

    ``first_bad_id`` is the first record where the chain breaks (None when intact); ``problem``
    says how: ``edited`` (the record's own content no longer matches its digest), ``broken``
    (it does not follow the record before it: one was deleted, inserted or reordered there),
    ``truncated`` (records were cut off the end), ``count`` (an incremental check: the records
    up to the last one checked are not the ones the earlier check and the chain's head counted —
    one was deleted, inserted or changed there; a full walk names it) — in Chinese and English
    in ``message``.

    ``checked`` is how many records were read and verified (all of them in a full walk, only
    those after the checkpoint in an incremental check); ``records`` the chain's length and
    ``last_id``/``last_hash`` its last record when the chain was found intact.
    """

    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""
    message: str = ""
    records: int = 0
    last_id: int = 0
    last_hash: str = ""
    full: bool = True

    @property
    def checkpoint(self) -> ChainCheckpoint | None:
        """Where the next incremental check can start (None when the chain is not intact)."""
        if not self.ok:
            return None
        return ChainCheckpoint(self.last_id, self.last_hash, self.records)


_HEAD_ROUNDS = 5  # records appended while a check ran are walked too, this many times at most


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
        with self._db.read() as s:
            return self._check(s, ChainCheckpoint(0, "", 0), batch, full=True)

    def verify_since(self, checkpoint: ChainCheckpoint | None, batch: int = 1000) -> ChainCheck:
        """Verify only the records after ``checkpoint`` (None: the whole chain).

        The records after it are walked as in :meth:`verify`; the rest of the chain is checked
        without reading it: the checkpoint's record is still there with its digest, the number
        of records up to the last one equals the chain head's count, and the head's digest is
        the last record's. A record deleted or inserted anywhere is found so (``count``), as is
        a changed digest at the checkpoint; a record before the checkpoint whose *content*
        alone was changed is found only by a full walk (:meth:`verify`), which the status bar
        runs at start-up and once a day.
        """
        if checkpoint is None:
            return self.verify(batch)
        with self._db.read() as s:
            if checkpoint.last_id:
                anchor = s.scalar(
                    select(m.AuditRow.hash).where(m.AuditRow.id == checkpoint.last_id)
                )
                if anchor is None or not same(anchor, checkpoint.last_hash):
                    return self._broken(0, None, "count", full=False)
            return self._check(s, checkpoint, batch, full=False)

    def _check(self, s: Session, start: ChainCheckpoint, batch: int, *, full: bool) -> ChainCheck:
        """Walk the records after ``start`` and compare the end with the chain's head.

        Records committed by another seat while the walk runs are walked too (the head is read
        again), so a busy chain is not mistaken for a truncated one.
        """
        prev, checked, after_id = start.last_hash, 0, start.last_id
        head: tuple[int, str] | None = None
        for _round in range(_HEAD_ROUNDS):
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
                        return self._broken(checked, row.id, "edited", full=full)
                    if not same(row.prev_hash, prev):
                        return self._broken(checked, row.id, "broken", full=full)
                    prev, checked, after_id = row.hash, checked + 1, row.id
                s.expunge_all()
            found = s.execute(
                select(m.AuditHeadRow.count, m.AuditHeadRow.last_hash).where(m.AuditHeadRow.id == 1)
            ).one_or_none()
            head = (int(found[0]), str(found[1])) if found is not None else None
            if head is None or head[0] <= start.count + checked:
                break  # nothing was appended since the walk ended
        records = start.count + checked
        if not full:
            # The records up to the last one are the ones counted before, and no more.
            rows_up_to = int(
                s.scalar(
                    select(func.count()).select_from(m.AuditRow).where(m.AuditRow.id <= after_id)
                )
                or 0
            )
            if rows_up_to != records:
                return self._broken(checked, None, "count", full=full)
        if head is None or head[0] != records or not same(head[1], prev):
            problem = "truncated" if full or (head is not None and head[0] > records) else "count"
            return self._broken(checked, None, problem, full=full)
        return ChainCheck(
            True, checked, records=records, last_id=after_id, last_hash=prev, full=full
        )

    @staticmethod
    def _broken(
        checked: int, record_id: int | None, problem: str, *, full: bool = True
    ) -> ChainCheck:
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
            "count": _tr(
                "审计记录数或链头与上次检查不符：有记录被删除、插入或改动，完整检查可定位 "
                "(the records do not match the last check and the chain's head: one was "
                "deleted, inserted or changed; a full check names it)"
            ),
        }
        message = messages[problem].format(id=record_id)
        log.error("audit chain check failed after %d records: %s", checked, message)
        return ChainCheck(False, checked, record_id, problem, message, full=full)

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
