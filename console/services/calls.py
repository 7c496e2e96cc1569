"""Calls: every call on record, on the duty log and, when it belongs to one, on the timeline.

The device manager places the calls (``originate``, ``group_call`` on a PBX) and reports how
each went; this service writes what happened: one ``call_record`` per call, a duty-log entry
(kind ``call``) per call, and a timeline line per call of an incident, e.g.
``群呼：王某（县应急局）— 已接通``. Incoming calls are recorded from the manager's call events
(:meth:`CallsService.on_call_event`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.db import models as m
from console.db.session import Database
from console.domain import (
    CallDirection,
    CallEvent,
    CallEventKind,
    CallOutcome,
    CallRecord,
    CallTarget,
    DialResult,
    EventKind,
    GroupCall,
    GroupCallKind,
    LogKind,
    NotFoundError,
    ValidationError,
)
from console.records import record_text as _zh
from console.services import audit, convert
from console.services.contacts import (
    NUMBER_RE,
    call_record_of,
    contact_of,
    contact_row_by_digits,
    digits_of,
)
from console.services.duty_log import shift_id_at
from console.timeutil import utcnow

TOPIC = "calls"
NOT_DIALLED = "未拨打 (not dialled)"
KIND_WORDS = {GroupCallKind.GROUP: "群呼", GroupCallKind.ROLLCALL: "点名"}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Calls", text)


def _who(name: str, unit: str, number: str) -> str:
    who = name or number or _zh("未显示号码")
    return f"{who}（{unit}）" if unit else who


class CallsService:
    """Records calls and group calls, and writes them to the duty log and timelines."""

    def __init__(self, db: Database, notify: Callable[[str], None] | None = None) -> None:
        self._db = db
        self._notify = notify or (lambda _topic: None)

    # -- reading ----------------------------------------------------------------------------------

    def get(self, call_id: int) -> CallRecord:
        """One call (NotFoundError when there is none)."""
        with self._db.read() as s:
            return call_record_of(self._row(s, call_id))

    def recent(self, limit: int = 50, *, incident_id: int | None = None) -> list[CallRecord]:
        """The newest calls first (of one incident when given): the call history list."""
        with self._db.read() as s:
            q = select(m.CallRecordRow)
            if incident_id is not None:
                q = q.where(m.CallRecordRow.incident_id == incident_id)
            q = q.order_by(m.CallRecordRow.started_at.desc(), m.CallRecordRow.id.desc())
            return [call_record_of(r) for r in s.scalars(q.limit(limit))]

    def group_call_record(self, group_call_id: int) -> GroupCall:
        """A group call or roll-call with the call of each member."""
        with self._db.read() as s:
            row = s.get(m.GroupCallRow, group_call_id)
            if row is None:
                raise NotFoundError(_tr("群呼 #{id} 不存在").format(id=group_call_id))
            return _group_call_of(s, row)

    def targets(
        self, *, group_id: int | None = None, contact_ids: Sequence[int] | None = None
    ) -> list[CallTarget]:
        """Who a group call rings and on which number: a group's members or given contacts."""
        with self._db.read() as s:
            return self._targets(s, group_id, contact_ids)

    # -- single calls -----------------------------------------------------------------------------

    def record_outgoing(
        self,
        actor: str,
        number: str,
        *,
        contact_id: int | None = None,
        incident_id: int | None = None,
        device: str = "",
        result: DialResult | None = None,
        started_at: datetime | None = None,
    ) -> CallRecord:
        """Record a call the console placed; with its ``result`` it is finished and logged."""
        if not NUMBER_RE.match(number.strip()):
            raise ValidationError({"number": _tr("电话号码格式不对：{n!r}").format(n=number)})
        with self._db.transaction() as s:
            self._check_incident(s, incident_id)
            row = self._new(
                s,
                actor,
                CallDirection.OUT,
                number,
                contact_id=contact_id,
                incident_id=incident_id,
                device=device,
                started_at=(result.started_at if result else None) or started_at,
                uniqueid=result.uniqueid if result else "",
            )
            if result is not None:
                self._finish(s, actor, row, result.outcome, result.finished_at, _zh("呼出"))
            call = call_record_of(row)
        self._announce(call.incident_id)
        return call

    def record_incoming(
        self,
        actor: str,
        number: str,
        *,
        caller_name: str = "",
        device: str = "",
        pbx_uniqueid: str = "",
        started_at: datetime | None = None,
        incident_id: int | None = None,
    ) -> CallRecord:
        """Record a call that rings now (not on the log until it is finished)."""
        with self._db.transaction() as s:
            self._check_incident(s, incident_id)
            row = self._new(
                s,
                actor,
                CallDirection.IN,
                number,
                caller_name=caller_name,
                incident_id=incident_id,
                device=device,
                started_at=started_at,
                uniqueid=pbx_uniqueid,
            )
            call = call_record_of(row)
        self._notify(TOPIC)
        return call

    def answered(self, actor: str, call_id: int, at: datetime | None = None) -> CallRecord:
        """Note that a call was picked up."""
        with self._db.transaction() as s:
            row = self._row(s, call_id)
            if row.answered_at is None:
                before = convert.snapshot(row)
                row.answered_at = at or utcnow()
                s.flush()
                audit.append(
                    s, actor, "call.answered", "call_record", row.id, before, convert.snapshot(row)
                )
            call = call_record_of(row)
        self._notify(TOPIC)
        return call

    def finish(
        self,
        actor: str,
        call_id: int,
        outcome: CallOutcome,
        *,
        ended_at: datetime | None = None,
        incident_id: int | None = None,
    ) -> CallRecord:
        """End a call with its outcome: onto the duty log and, for an incident, its timeline."""
        with self._db.transaction() as s:
            row = self._row(s, call_id)
            if row.outcome is not None:
                return call_record_of(row)  # finished already (events may come twice)
            if incident_id is not None:
                self._check_incident(s, incident_id)
                row.incident_id = incident_id
            what = _zh("来电") if row.direction == CallDirection.IN.value else _zh("呼出")
            self._finish(s, actor, row, outcome, ended_at, what)
            call = call_record_of(row)
        self._announce(call.incident_id)
        return call

    def attach_incident(self, actor: str, call_id: int, incident_id: int) -> CallRecord:
        """Tie a call to an incident later (an incoming call turned into an intake)."""
        with self._db.transaction() as s:
            row = self._row(s, call_id)
            self._check_incident(s, incident_id)
            if row.incident_id == incident_id:
                return call_record_of(row)
            before = convert.snapshot(row)
            row.incident_id = incident_id
            if row.log_entry_id is not None:
                entry = s.get(m.LogEntryRow, row.log_entry_id)
                if entry is not None and entry.incident_id is None:
                    entry.incident_id = incident_id
                    self._timeline(s, actor, row, entry)
            s.flush()
            audit.append(
                s, actor, "call.attach", "call_record", row.id, before, convert.snapshot(row)
            )
            call = call_record_of(row)
        self._announce(incident_id)
        return call

    def on_call_event(self, actor: str, event: CallEvent) -> CallRecord | None:
        """Record an incoming call from a phone device's event (the manager's signal).

        Ringing starts a record; answered and hung-up events find it by the PBX's call id and
        finish it as answered or missed. A bare ring (analog line, no caller ID) is ignored.
        """
        if event.kind is CallEventKind.RINGING:
            open_call = self._open_incoming(event)
            if open_call is not None:
                return open_call
            return self.record_incoming(
                actor,
                event.number,
                caller_name=event.name,
                device=event.device,
                pbx_uniqueid=event.uniqueid,
                started_at=event.at,
            )
        if event.kind is CallEventKind.RING:
            return None
        call = self._open_incoming(event)
        if call is None:
            return None
        if event.kind is CallEventKind.ANSWERED:
            return self.answered(actor, call.id, event.at)
        outcome = CallOutcome.ANSWERED if event.answered else CallOutcome.MISSED
        return self.finish(actor, call.id, outcome, ended_at=event.at)

    # -- group calls ------------------------------------------------------------------------------

    def group_call(
        self,
        actor: str,
        results: Sequence[DialResult],
        *,
        group_id: int | None = None,
        contact_ids: Sequence[int] | None = None,
        incident_id: int | None = None,
        kind: GroupCallKind = GroupCallKind.GROUP,
        device: str = "",
    ) -> GroupCall:
        """Write a finished group call: one record, log entry and timeline line per member.

        ``results`` are the device's outcomes (the manager's ``group_call`` value); each member
        takes the result for its number, and a member without one is ``failed`` (not dialled).
        """
        if group_id is None and not contact_ids:
            raise ValidationError({"members": _tr("请选择呼叫组或联系人")})
        with self._db.transaction() as s:
            self._check_incident(s, incident_id)
            targets = self._targets(s, group_id, contact_ids)
            if not targets:
                raise ValidationError({"members": _tr("呼叫组没有可拨打的成员")})
            unused = list(results)
            now = utcnow()
            starts = [r.started_at for r in results if r.started_at is not None]
            group = m.GroupCallRow(
                kind=kind.value,
                group_id=group_id,
                incident_id=incident_id,
                started_by=actor,
                started_at=min(starts) if starts else now,
                finished_at=now,
            )
            s.add(group)
            s.flush()
            word = KIND_WORDS[kind]
            for target in targets:
                result = _take(unused, target.number)
                row = self._new(
                    s,
                    actor,
                    CallDirection.OUT,
                    target.number,
                    contact_id=target.contact_id,
                    incident_id=incident_id,
                    device=device,
                    started_at=(result.started_at if result else None) or group.started_at,
                    uniqueid=result.uniqueid if result else "",
                    group_call_id=group.id,
                )
                outcome = result.outcome if result else CallOutcome.FAILED
                ended = (result.finished_at if result else None) or now
                self._finish(s, actor, row, outcome, ended, word, target)
            if kind is GroupCallKind.ROLLCALL:
                self._rollcall_summary(s, actor, group)
            audit.append(
                s,
                actor,
                f"call.{kind.value}",
                "group_call",
                group.id,
                None,
                convert.snapshot(group),
            )
            done = _group_call_of(s, group)
        self._announce(incident_id)
        return done

    def rollcall(self, actor: str, results: Sequence[DialResult], **options: Any) -> GroupCall:
        """A roll-call (点名): like :meth:`group_call`, plus a line saying who answered."""
        return self.group_call(actor, results, kind=GroupCallKind.ROLLCALL, **options)

    # -- inside a transaction ---------------------------------------------------------------------

    @staticmethod
    def _row(s: Session, call_id: int) -> m.CallRecordRow:
        row = s.get(m.CallRecordRow, call_id)
        if row is None:
            raise NotFoundError(_tr("通话记录 #{id} 不存在").format(id=call_id))
        return row

    @staticmethod
    def _check_incident(s: Session, incident_id: int | None) -> None:
        if incident_id is not None and s.get(m.IncidentRow, incident_id) is None:
            raise ValidationError({"incident": _tr("事件 #{id} 不存在").format(id=incident_id)})

    def _open_incoming(self, event: CallEvent) -> CallRecord | None:
        if not event.uniqueid:
            return None
        with self._db.read() as s:
            row = s.scalar(
                select(m.CallRecordRow)
                .where(
                    m.CallRecordRow.direction == CallDirection.IN.value,
                    m.CallRecordRow.device == event.device,
                    m.CallRecordRow.pbx_uniqueid == event.uniqueid,
                    m.CallRecordRow.outcome.is_(None),
                )
                .order_by(m.CallRecordRow.id.desc())
                .limit(1)
            )
            return call_record_of(row) if row is not None else None

    @staticmethod
    def _targets(
        s: Session, group_id: int | None, contact_ids: Sequence[int] | None
    ) -> list[CallTarget]:
        if group_id is not None:
            if s.get(m.CallGroupRow, group_id) is None:
                raise NotFoundError(_tr("呼叫组 #{id} 不存在").format(id=group_id))
            rows = list(
                s.scalars(
                    select(m.ContactRow)
                    .join(m.CallGroupMemberRow, m.CallGroupMemberRow.contact_id == m.ContactRow.id)
                    .where(m.CallGroupMemberRow.group_id == group_id, m.ContactRow.active.is_(True))
                    .order_by(m.CallGroupMemberRow.position, m.ContactRow.id)
                )
            )
        else:
            ids = list(contact_ids or ())
            found = {
                r.id: r for r in s.scalars(select(m.ContactRow).where(m.ContactRow.id.in_(ids)))
            }
            missing = [str(i) for i in ids if i not in found]
            if missing:
                raise NotFoundError(_tr("联系人不存在：{ids}").format(ids=", ".join(missing)))
            rows = [found[i] for i in ids]
        targets = []
        for row in rows:
            contact = contact_of(row)
            if contact.primary:
                targets.append(CallTarget(contact.id, contact.name, contact.unit, contact.primary))
        return targets

    def _new(
        self,
        s: Session,
        actor: str,
        direction: CallDirection,
        number: str,
        *,
        contact_id: int | None = None,
        caller_name: str = "",
        incident_id: int | None = None,
        device: str = "",
        started_at: datetime | None = None,
        uniqueid: str = "",
        group_call_id: int | None = None,
    ) -> m.CallRecordRow:
        digits = digits_of(number)
        if contact_id is None and digits:
            found = contact_row_by_digits(s, digits)
            contact_id = found.id if found is not None else None
        elif contact_id is not None and s.get(m.ContactRow, contact_id) is None:
            raise ValidationError({"contact": _tr("联系人 #{id} 不存在").format(id=contact_id)})
        row = m.CallRecordRow(
            direction=direction.value,
            number=number.strip()[:64],
            number_digits=digits[:64],
            contact_id=contact_id,
            caller_name=caller_name.strip()[:64],
            started_at=started_at or utcnow(),
            outcome=None,
            pbx_uniqueid=uniqueid[:64],
            device=device[:64],
            actor=actor,
            incident_id=incident_id,
            group_call_id=group_call_id,
        )
        s.add(row)
        s.flush()
        audit.append(s, actor, "call.add", "call_record", row.id, None, convert.snapshot(row))
        return row

    def _finish(
        self,
        s: Session,
        actor: str,
        row: m.CallRecordRow,
        outcome: CallOutcome,
        ended_at: datetime | None,
        what: str,
        target: CallTarget | None = None,
    ) -> None:
        """Set the outcome; write the log entry and, for an incident, the timeline line."""
        before = convert.snapshot(row)
        row.outcome = outcome.value
        row.ended_at = ended_at or utcnow()
        if outcome is CallOutcome.ANSWERED and row.answered_at is None:
            row.answered_at = row.ended_at
        if target is not None:
            who = _who(target.name, target.unit, target.number)
        else:
            contact = s.get(m.ContactRow, row.contact_id) if row.contact_id else None
            name = contact.name if contact else row.caller_name
            named = _who(name, contact.unit if contact else "", "") if name else ""
            who = " ".join(p for p in (named, row.number) if p) or _zh("未显示号码")
        # "王某（县应急局）— 已接通": no space after a full-width bracket
        text = f"{what}：{who}{'— ' if who.endswith('）') else ' — '}{outcome.label}"
        entry = m.LogEntryRow(
            at=row.ended_at,
            author=actor,
            kind=LogKind.CALL.value,
            text=text,
            shift_id=shift_id_at(s, row.ended_at),
            incident_id=row.incident_id,
        )
        s.add(entry)
        s.flush()
        audit.append(s, actor, "log.add", "log_entry", entry.id, None, convert.snapshot(entry))
        row.log_entry_id = entry.id
        s.flush()
        audit.append(s, actor, "call.finish", "call_record", row.id, before, convert.snapshot(row))
        if row.incident_id is not None:
            self._timeline(s, actor, row, entry)

    @staticmethod
    def _timeline(s: Session, actor: str, row: m.CallRecordRow, entry: m.LogEntryRow) -> None:
        assert row.incident_id is not None
        s.add(
            m.IncidentEventRow(
                incident_id=row.incident_id,
                at=entry.at,
                actor=actor,
                kind=EventKind.CALL.value,
                text=entry.text,
                data={
                    "call_id": row.id,
                    "log_id": entry.id,
                    "number": row.number,
                    "contact_id": row.contact_id,
                    "outcome": row.outcome,
                    "direction": row.direction,
                    "group_call_id": row.group_call_id,
                },
            )
        )

    def _rollcall_summary(self, s: Session, actor: str, group: m.GroupCallRow) -> None:
        """One more line for a roll-call: how many answered, and who did not."""
        calls = list(
            s.scalars(select(m.CallRecordRow).where(m.CallRecordRow.group_call_id == group.id))
        )
        missing = []
        for call in calls:
            if call.outcome != CallOutcome.ANSWERED.value:
                contact = s.get(m.ContactRow, call.contact_id) if call.contact_id else None
                missing.append(contact.name if contact else call.number)
        answered = len(calls) - len(missing)
        text = _zh("点名结果：应答 {n}/{total}").format(n=answered, total=len(calls))
        if missing:
            text += _zh("；未应答：{names}").format(names="、".join(missing))
        entry = m.LogEntryRow(
            at=group.finished_at or utcnow(),
            author=actor,
            kind=LogKind.CALL.value,
            text=text,
            shift_id=shift_id_at(s, group.finished_at or utcnow()),
            incident_id=group.incident_id,
        )
        s.add(entry)
        s.flush()
        audit.append(s, actor, "log.add", "log_entry", entry.id, None, convert.snapshot(entry))
        if group.incident_id is not None:
            s.add(
                m.IncidentEventRow(
                    incident_id=group.incident_id,
                    at=entry.at,
                    actor=actor,
                    kind=EventKind.CALL.value,
                    text=text,
                    data={"group_call_id": group.id, "log_id": entry.id, "answered": answered},
                )
            )

    def _announce(self, incident_id: int | None) -> None:
        self._notify(TOPIC)
        self._notify("log")
        if incident_id is not None:
            self._notify("incidents")


def _take(results: list[DialResult], number: str) -> DialResult | None:
    """The first unused result for ``number`` (compared as digits), removed from ``results``."""
    digits = digits_of(number)
    for i, result in enumerate(results):
        if digits_of(result.number) == digits:
            return results.pop(i)
    return None


def _group_call_of(s: Session, row: m.GroupCallRow) -> GroupCall:
    calls = s.scalars(
        select(m.CallRecordRow)
        .where(m.CallRecordRow.group_call_id == row.id)
        .order_by(m.CallRecordRow.id)
    )
    return GroupCall(
        id=row.id,
        kind=GroupCallKind(row.kind),
        group_id=row.group_id,
        incident_id=row.incident_id,
        started_by=row.started_by,
        started_at=row.started_at,
        finished_at=row.finished_at,
        calls=tuple(call_record_of(c) for c in calls),
    )
