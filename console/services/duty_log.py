"""The duty log: append-only entries; a correction is a new entry pointing at the old one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from console.db import models as m
from console.db.session import Database
from console.domain import EventKind, LogEntry, LogKind, NotFoundError, ValidationError
from console.records import record_text as _zh
from console.services import audit, convert, search
from console.services.validation import TEXT_MAX, Checker
from console.timeutil import utcnow


def _tr(text: str) -> str:
    return QCoreApplication.translate("DutyLog", text)


def shift_id_at(s: Session, when: datetime) -> int | None:
    """The shift on duty at ``when``, inside the caller's transaction."""
    return s.scalar(
        select(m.ShiftRow.id)
        .where(m.ShiftRow.starts_at <= when, m.ShiftRow.ends_at > when)
        .order_by(m.ShiftRow.starts_at.desc())
        .limit(1)
    )


class DutyLogService:
    """Writes and pages the duty log."""

    def __init__(
        self,
        db: Database,
        current_shift_id: Callable[[], int | None],
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self._db = db
        self._current_shift_id = current_shift_id
        self._notify = notify or (lambda _topic: None)

    def add(
        self,
        actor: str,
        text: str,
        *,
        incident_id: int | None = None,
        kind: LogKind = LogKind.NOTE,
        corrects_id: int | None = None,
        at: datetime | None = None,
        session: Session | None = None,
    ) -> LogEntry:
        """Append an entry (time-stamped now unless ``at`` is given by an import)."""
        c = Checker()
        if c.required("text", text):
            c.length("text", text, TEXT_MAX)
        if c.errors:
            raise ValidationError(c.errors)
        if session is not None:
            return self._add(session, actor, text, incident_id, kind, corrects_id, at)
        with self._db.transaction() as s:
            entry = self._add(s, actor, text, incident_id, kind, corrects_id, at)
        self._notify("log")
        if incident_id is not None:
            self._notify("incidents")
        return entry

    def _add(
        self,
        s: Session,
        actor: str,
        text: str,
        incident_id: int | None,
        kind: LogKind,
        corrects_id: int | None,
        at: datetime | None,
    ) -> LogEntry:
        if incident_id is not None and s.get(m.IncidentRow, incident_id) is None:
            raise ValidationError({"incident": _tr("事件 #{id} 不存在").format(id=incident_id)})
        if corrects_id is not None and s.get(m.LogEntryRow, corrects_id) is None:
            raise NotFoundError(_tr("值班日志 #{id} 不存在").format(id=corrects_id))
        row = m.LogEntryRow(
            at=at or utcnow(),
            author=actor,
            kind=kind.value,
            text=text.strip(),
            shift_id=self._current_shift_id(),
            incident_id=incident_id,
            corrects_id=corrects_id,
        )
        s.add(row)
        s.flush()
        if incident_id is not None:
            s.add(
                m.IncidentEventRow(
                    incident_id=incident_id,
                    at=row.at,
                    actor=actor,
                    kind=EventKind.LOG.value,
                    text=_zh("值班日志：{text}").format(text=row.text),
                    data={"log_id": row.id},
                )
            )
        audit.append(s, actor, "log.add", "log_entry", row.id, None, convert.snapshot(row))
        return convert.log_entry(row)

    def correct(self, actor: str, entry_id: int, text: str) -> LogEntry:
        """Correct an entry by writing a new one that points at it; the old one stays."""
        with self._db.read() as s:
            old = s.get(m.LogEntryRow, entry_id)
            if old is None:
                raise NotFoundError(_tr("值班日志 #{id} 不存在").format(id=entry_id))
            incident_id = old.incident_id
        return self.add(
            actor, text, incident_id=incident_id, kind=LogKind.CORRECTION, corrects_id=entry_id
        )

    def page(
        self,
        after: tuple[datetime, int] | None = None,
        limit: int = 200,
        incident_id: int | None = None,
        text: str = "",
    ) -> list[LogEntry]:
        """One page, newest first; ``after`` is the last (at, id) already shown.

        ``text`` matches case-blind with ``%``/``_`` literal; on SQLite a selective needle is
        looked up in the text index first (``console.services.search``).
        """
        needle = text.strip()
        with self._db.read() as s:
            dialect = s.get_bind().dialect.name
            r: Any = m.LogEntryRow
            fts_query = None
            if dialect == "sqlite" and needle:
                query = search.match_query(needle)
                if query is not None and search.selective(s, m.SEARCH_LOG, query):
                    fts_query = query
                    table = m.LogEntryRow.__table__
                    r = aliased(m.LogEntryRow, search.hinted(search.ByRowid, table, "log_entry"))
            fix = aliased(m.LogEntryRow)
            corrected_by = (
                select(func.max(fix.id))
                .where(fix.corrects_id == r.id)
                .correlate(r)
                .scalar_subquery()
            )
            q = select(r, corrected_by)
            if incident_id is not None:
                q = q.where(r.incident_id == incident_id)
            if needle:
                q = q.where(search.contains(r.text, needle, dialect))
                if fts_query is not None:
                    q = q.where(r.id.in_(search.candidate_ids(m.SEARCH_LOG, fts_query)))
            if after is not None:
                at, last = after
                q = q.where(or_(r.at < at, and_(r.at == at, r.id < last)))
            q = q.order_by(r.at.desc(), r.id.desc()).limit(limit)
            return [convert.log_entry(row, by) for row, by in s.execute(q).tuples()]

    def count(self) -> int:
        """Number of entries."""
        with self._db.read() as s:
            return int(s.scalar(select(func.count()).select_from(m.LogEntryRow)) or 0)
