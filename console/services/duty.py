"""People, shifts, leaders' instructions and the handover (交接班)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QCoreApplication
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.db import models as m
from console.db.session import Database
from console.domain import (
    ConflictError,
    DueState,
    EventKind,
    Handover,
    HandoverItem,
    HandoverItemKind,
    HandoverStatus,
    IncidentStatus,
    Instruction,
    InstructionStatus,
    LogKind,
    NotFoundError,
    Role,
    Shift,
    ShiftMember,
    User,
    ValidationError,
)
from console.records import record_text as _zh
from console.services import audit, convert
from console.services.deadlines import DeadlineService, stage_label
from console.services.duty_log import shift_id_at
from console.services.incidents import OPEN_STATUSES, status_label
from console.services.validation import TEXT_MAX, Checker
from console.timeutil import format_beijing, utcnow


def _tr(text: str) -> str:
    return QCoreApplication.translate("Duty", text)


class PeopleService:
    """Users of the console and the duty roster."""

    def __init__(self, db: Database, notify: Callable[[str], None] | None = None) -> None:
        self._db = db
        self._notify = notify or (lambda _topic: None)

    def ensure_user(
        self, actor: str, username: str, display_name: str, role: Role, phone: str = ""
    ) -> User:
        """Return the user, creating it if needed."""
        c = Checker()
        if c.required("username", username):
            c.length("username", username, 64)
        if c.required("display_name", display_name):
            c.length("display_name", display_name, 64)
        if c.errors:
            raise ValidationError(c.errors)
        with self._db.transaction() as s:
            row = s.scalar(select(m.UserRow).where(m.UserRow.username == username))
            if row is None:
                row = m.UserRow(
                    username=username,
                    display_name=display_name,
                    role=role.value,
                    phone=phone,
                    active=True,
                )
                s.add(row)
                s.flush()
                audit.append(s, actor, "user.create", "user", row.id, None, convert.snapshot(row))
            return User(row.id, row.username, row.display_name, Role(row.role), row.phone)

    def users(self) -> list[User]:
        """Every active user."""
        with self._db.read() as s:
            q = select(m.UserRow).where(m.UserRow.active.is_(True)).order_by(m.UserRow.id)
            return [
                User(r.id, r.username, r.display_name, Role(r.role), r.phone) for r in s.scalars(q)
            ]

    def add_shift(
        self,
        actor: str,
        starts_at: datetime,
        ends_at: datetime,
        officers: Sequence[int],
        leaders: Sequence[int] = (),
    ) -> Shift:
        """Put a shift on the roster with its officers and leaders on duty."""
        if ends_at <= starts_at:
            raise ValidationError({"ends_at": _tr("结束时间应晚于开始时间")})
        if not officers:
            raise ValidationError({"officers": _tr("每班至少一名值班员")})
        with self._db.transaction() as s:
            row = m.ShiftRow(starts_at=starts_at, ends_at=ends_at)
            s.add(row)
            s.flush()
            for uid in officers:
                s.add(m.ShiftMemberRow(shift_id=row.id, user_id=uid, role=Role.OFFICER.value))
            for uid in leaders:
                s.add(m.ShiftMemberRow(shift_id=row.id, user_id=uid, role=Role.LEADER.value))
            s.flush()
            audit.append(
                s,
                actor,
                "shift.create",
                "shift",
                row.id,
                None,
                {
                    "starts_at": starts_at.isoformat(),
                    "ends_at": ends_at.isoformat(),
                    "officers": list(officers),
                    "leaders": list(leaders),
                },
            )
            result = self._shift(s, row)
        self._notify("roster")
        return result

    def _shift(self, s: Session, row: m.ShiftRow) -> Shift:
        q = (
            select(m.ShiftMemberRow, m.UserRow)
            .join(m.UserRow, m.UserRow.id == m.ShiftMemberRow.user_id)
            .where(m.ShiftMemberRow.shift_id == row.id)
            .order_by(m.UserRow.id)
        )
        members = tuple(
            ShiftMember(u.id, u.display_name, Role(sm.role)) for sm, u in s.execute(q).tuples()
        )
        return Shift(row.id, row.starts_at, row.ends_at, members)

    def shift_at(self, when: datetime | None = None) -> Shift | None:
        """The shift on duty at ``when`` (now by default)."""
        when = when or utcnow()
        with self._db.read() as s:
            row = s.scalar(
                select(m.ShiftRow)
                .where(m.ShiftRow.starts_at <= when, m.ShiftRow.ends_at > when)
                .order_by(m.ShiftRow.starts_at.desc())
                .limit(1)
            )
            return self._shift(s, row) if row else None

    def next_shift(self, after: Shift) -> Shift | None:
        """The shift that follows ``after``."""
        with self._db.read() as s:
            row = s.scalar(
                select(m.ShiftRow)
                .where(m.ShiftRow.starts_at >= after.ends_at)
                .order_by(m.ShiftRow.starts_at)
                .limit(1)
            )
            return self._shift(s, row) if row else None

    def current_shift_id(self) -> int | None:
        """Id of the shift on duty now."""
        shift = self.shift_at()
        return shift.id if shift else None


class InstructionService:
    """Leaders' instructions (批示) and how they were carried out (办理情况)."""

    def __init__(self, db: Database, notify: Callable[[str], None] | None = None) -> None:
        self._db = db
        self._notify = notify or (lambda _topic: None)

    def add(
        self, actor: str, text: str, given_by: str, incident_id: int | None = None
    ) -> Instruction:
        """Record an instruction; it stays pending until marked done."""
        c = Checker()
        if c.required("text", text):
            c.length("text", text, TEXT_MAX)
        if c.required("given_by", given_by):
            c.length("given_by", given_by, 64)
        if c.errors:
            raise ValidationError(c.errors)
        with self._db.transaction() as s:
            row = m.InstructionRow(
                incident_id=incident_id,
                text=text,
                given_by=given_by,
                given_at=utcnow(),
                status=InstructionStatus.PENDING.value,
            )
            s.add(row)
            s.flush()
            if incident_id is not None:
                s.add(
                    m.IncidentEventRow(
                        incident_id=incident_id,
                        at=row.given_at,
                        actor=actor,
                        kind=EventKind.INSTRUCTION.value,
                        text=_zh("{who}批示：{text}").format(who=given_by, text=text),
                        data={"instruction_id": row.id},
                    )
                )
            audit.append(
                s, actor, "instruction.add", "instruction", row.id, None, convert.snapshot(row)
            )
            result = convert.instruction(row)
        self._notify("instructions")
        return result

    def mark_done(self, actor: str, instruction_id: int, note: str) -> Instruction:
        """Record how an instruction was carried out."""
        if not note.strip():
            raise ValidationError({"note": _tr("请填写办理情况")})
        with self._db.transaction() as s:
            row = s.get(m.InstructionRow, instruction_id)
            if row is None:
                raise NotFoundError(_tr("批示 #{id} 不存在").format(id=instruction_id))
            before = convert.snapshot(row)
            row.status = InstructionStatus.DONE.value
            row.done_note = note
            if row.incident_id is not None:
                s.add(
                    m.IncidentEventRow(
                        incident_id=row.incident_id,
                        at=utcnow(),
                        actor=actor,
                        kind=EventKind.INSTRUCTION.value,
                        text=_zh("批示办理：{note}").format(note=note),
                        data={"instruction_id": row.id},
                    )
                )
            s.flush()
            audit.append(
                s, actor, "instruction.done", "instruction", row.id, before, convert.snapshot(row)
            )
            result = convert.instruction(row)
        self._notify("instructions")
        return result

    def pending(self) -> list[Instruction]:
        """Instructions not yet carried out."""
        with self._db.read() as s:
            q = (
                select(m.InstructionRow)
                .where(m.InstructionRow.status == InstructionStatus.PENDING.value)
                .order_by(m.InstructionRow.given_at)
            )
            return [convert.instruction(r) for r in s.scalars(q)]


class HandoverService:
    """交接班: the outgoing officer hands over every open matter; the incoming one acknowledges."""

    def __init__(
        self,
        db: Database,
        people: PeopleService,
        deadlines: DeadlineService,
        instructions: InstructionService,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self._db = db
        self._people = people
        self._deadlines = deadlines
        self._instructions = instructions
        self._notify = notify or (lambda _topic: None)

    def start(self, actor: str, incoming: str, notes: str = "") -> Handover:
        """Open a handover listing open incidents, reports owed and pending instructions."""
        c = Checker()
        if c.required("incoming", incoming):
            c.length("incoming", incoming, 64)
        c.length("notes", notes, TEXT_MAX)
        if incoming.strip() == actor:
            c.fail("incoming", _tr("接班人不能是交班人本人"))
        if c.errors:
            raise ValidationError(c.errors)
        owed = self._deadlines.owed()
        pending = self._instructions.pending()
        current = self._people.shift_at()
        following = self._people.next_shift(current) if current else None
        with self._db.transaction() as s:
            existing = s.scalar(
                select(m.HandoverRow).where(m.HandoverRow.status == HandoverStatus.OPEN.value)
            )
            if existing is not None:
                raise ConflictError(_tr("已有未完成的交接班 #{id}").format(id=existing.id))
            row = m.HandoverRow(
                from_shift_id=current.id if current else None,
                to_shift_id=following.id if following else None,
                outgoing=actor,
                incoming=incoming.strip(),
                started_at=utcnow(),
                status=HandoverStatus.OPEN.value,
                notes=notes,
            )
            s.add(row)
            try:
                s.flush()
            except IntegrityError as exc:  # another seat opened one a moment ago
                raise ConflictError(_tr("已有未完成的交接班")) from exc
            r = m.IncidentRow
            open_rows = s.scalars(
                select(r)
                .where(r.merged_into_id.is_(None), r.status.in_([x.value for x in OPEN_STATUSES]))
                .order_by(r.occurred_at.desc())
            )
            titles: dict[int, str] = {}
            for inc in open_rows:
                titles[inc.id] = inc.title
                grade = convert.grade_or_none(inc.grade)
                s.add(
                    m.HandoverItemRow(
                        handover_id=row.id,
                        kind=HandoverItemKind.INCIDENT.value,
                        ref_id=inc.id,
                        description=_zh(
                            "事件 #{id}「{title}」{grade}，{status}，责任人 {owner}"
                        ).format(
                            id=inc.id,
                            title=inc.title,
                            grade=grade.numeral + _zh("级") if grade else _zh("未定级"),
                            status=status_label(IncidentStatus(inc.status), record=True),
                            owner=inc.owner,
                        ),
                    )
                )
            for due in owed:
                if due.incident_id not in titles:
                    t = s.scalar(select(r.title).where(r.id == due.incident_id))
                    titles[due.incident_id] = t or ""
                late = _zh("（已超时）") if due.state is DueState.OVERDUE else ""
                s.add(
                    m.HandoverItemRow(
                        handover_id=row.id,
                        kind=HandoverItemKind.REPORT.value,
                        ref_id=due.incident_id,
                        description=_zh(
                            "待报送：事件 #{id}「{title}」{stage}，时限 {due}{late}"
                        ).format(
                            id=due.incident_id,
                            title=titles[due.incident_id],
                            stage=stage_label(due.stage, due.seq, record=True),
                            due=format_beijing(due.due_at),
                            late=late,
                        ),
                    )
                )
            for ins in pending:
                where = _zh("（事件 #{id}）").format(id=ins.incident_id) if ins.incident_id else ""
                s.add(
                    m.HandoverItemRow(
                        handover_id=row.id,
                        kind=HandoverItemKind.INSTRUCTION.value,
                        ref_id=ins.id,
                        description=_zh("待办批示：{who}：{text}{where}").format(
                            who=ins.given_by, text=ins.text, where=where
                        ),
                    )
                )
            s.flush()
            audit.append(
                s, actor, "handover.start", "handover", row.id, None, convert.snapshot(row)
            )
            result = self._handover(s, row)
        self._notify("handover")
        return result

    def _handover(self, s: Session, row: m.HandoverRow) -> Handover:
        items = tuple(
            HandoverItem(
                i.id,
                HandoverItemKind(i.kind),
                i.ref_id,
                i.description,
                i.acknowledged_at,
                i.acknowledged_by,
                i.note,
            )
            for i in s.scalars(
                select(m.HandoverItemRow)
                .where(m.HandoverItemRow.handover_id == row.id)
                .order_by(m.HandoverItemRow.id)
            )
        )
        return Handover(
            row.id,
            row.from_shift_id,
            row.to_shift_id,
            row.outgoing,
            row.incoming,
            row.started_at,
            row.completed_at,
            HandoverStatus(row.status),
            row.notes,
            items,
        )

    def get(self, handover_id: int) -> Handover:
        """One handover with its items."""
        with self._db.read() as s:
            row = s.get(m.HandoverRow, handover_id)
            if row is None:
                raise NotFoundError(_tr("交接班 #{id} 不存在").format(id=handover_id))
            return self._handover(s, row)

    def open_handover(self) -> Handover | None:
        """The handover in progress, if any."""
        with self._db.read() as s:
            row = s.scalar(
                select(m.HandoverRow).where(m.HandoverRow.status == HandoverStatus.OPEN.value)
            )
            return self._handover(s, row) if row else None

    def history(self, limit: int = 50) -> list[Handover]:
        """Past handovers, newest first."""
        with self._db.read() as s:
            rows = s.scalars(select(m.HandoverRow).order_by(m.HandoverRow.id.desc()).limit(limit))
            return [self._handover(s, r) for r in rows]

    def acknowledge(self, actor: str, handover_id: int, item_id: int, note: str = "") -> Handover:
        """The incoming officer acknowledges one item."""
        with self._db.transaction() as s:
            row = self._open(s, handover_id)
            if actor != row.incoming:
                raise ConflictError(
                    _tr("只有接班人 {who} 可以确认交接事项").format(who=row.incoming)
                )
            item = s.get(m.HandoverItemRow, item_id)
            if item is None or item.handover_id != row.id:
                raise NotFoundError(_tr("交接事项 #{id} 不存在").format(id=item_id))
            if item.acknowledged_at is None:
                before = convert.snapshot(item)
                item.acknowledged_at = utcnow()
                item.acknowledged_by = actor
                item.note = note
                s.flush()
                audit.append(
                    s,
                    actor,
                    "handover.acknowledge",
                    "handover_item",
                    item.id,
                    before,
                    convert.snapshot(item),
                )
            result = self._handover(s, row)
        self._notify("handover")
        return result

    def complete(self, actor: str, handover_id: int) -> Handover:
        """Complete the handover; refused while any item is unacknowledged."""
        with self._db.transaction() as s:
            row = self._open(s, handover_id)
            if actor != row.incoming:
                raise ConflictError(_tr("只有接班人 {who} 可以完成交接").format(who=row.incoming))
            current = self._handover(s, row)
            missing = current.unacknowledged
            if missing:
                raise ConflictError(_tr("还有 {n} 项未确认，不能完成交接").format(n=len(missing)))
            before = convert.snapshot(row)
            row.status = HandoverStatus.COMPLETED.value
            row.completed_at = utcnow()
            s.add(
                m.LogEntryRow(
                    at=row.completed_at,
                    author=actor,
                    kind=LogKind.HANDOVER.value,
                    shift_id=row.to_shift_id or shift_id_at(s, row.completed_at),
                    text=_zh("交接班完成：{out} → {inc}，共 {n} 项").format(
                        out=row.outgoing, inc=row.incoming, n=len(current.items)
                    ),
                )
            )
            s.flush()
            audit.append(
                s, actor, "handover.complete", "handover", row.id, before, convert.snapshot(row)
            )
            result = self._handover(s, row)
        self._notify("handover")
        self._notify("log")
        return result

    def cancel(self, actor: str, handover_id: int) -> None:
        """Abandon an open handover (for example when the wrong incoming officer was named)."""
        with self._db.transaction() as s:
            row = self._open(s, handover_id)
            before = convert.snapshot(row)
            for item in s.scalars(
                select(m.HandoverItemRow).where(m.HandoverItemRow.handover_id == row.id)
            ):
                s.delete(item)
            s.delete(row)
            audit.append(s, actor, "handover.cancel", "handover", handover_id, before, None)
        self._notify("handover")

    def _open(self, s: Session, handover_id: int) -> m.HandoverRow:
        row = s.get(m.HandoverRow, handover_id)
        if row is None:
            raise NotFoundError(_tr("交接班 #{id} 不存在").format(id=handover_id))
        if row.status != HandoverStatus.OPEN.value:
            raise ConflictError(_tr("交接班 #{id} 已完成").format(id=handover_id))
        return row
