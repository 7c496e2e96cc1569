"""Reporting deadlines (首报/续报/终报) from the rule table, and alarms when they come due."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from PySide6.QtCore import QCoreApplication
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from console.db import models as m
from console.db.session import Database
from console.domain import (
    DueReport,
    DueState,
    EventKind,
    Incident,
    IncidentStatus,
    LogKind,
    NotFoundError,
    ReportRule,
    ReportStage,
    SentReport,
    ValidationError,
)
from console.records import record_text as _zh
from console.services import audit, convert
from console.services.duty_log import shift_id_at
from console.services.reference import ReferenceService
from console.services.validation import TEXT_MAX, Checker
from console.timeutil import format_beijing, utcnow

SOON = timedelta(minutes=15)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Deadlines", text)


def stage_label(stage: ReportStage, seq: int = 1, *, record: bool = False) -> str:
    """首报, 续报N, 终报 (``record``: the Chinese of the shared records, whatever the UI)."""
    if stage is ReportStage.FIRST:
        return _zh("首报") if record else _tr("首报")
    if stage is ReportStage.FINAL:
        return _zh("终报") if record else _tr("终报")
    return (_zh("续报{n}") if record else _tr("续报{n}")).format(n=seq)


STATE_WORDS = {
    DueState.PENDING: "待报",
    DueState.SOON: "即将到期",
    DueState.OVERDUE: "已超时",
    DueState.DONE: "已报",
}


def state_label(state: DueState, *, record: bool = False) -> str:
    """Words for a due state (``record``: the Chinese of the shared records)."""
    if record:
        return STATE_WORDS[state]
    return {
        DueState.PENDING: _tr("待报"),
        DueState.SOON: _tr("即将到期"),
        DueState.OVERDUE: _tr("已超时"),
        DueState.DONE: _tr("已报"),
    }[state]


def match_rule(
    rules: Iterable[ReportRule],
    division_code: str,
    category_code: str,
    parent_category: str | None,
    grade: str | None,
    stage: ReportStage,
) -> ReportRule | None:
    """The most specific rule for the incident: jurisdiction, then category, then grade."""
    best: tuple[int, int, int] | None = None
    chosen = None
    grade_key = grade or "none"
    for rule in rules:
        if rule.stage is not stage:
            continue
        if rule.jurisdiction == "*":
            j = 0
        elif division_code.startswith(rule.jurisdiction):
            j = len(rule.jurisdiction)
        else:
            continue
        if rule.category_code == "*":
            c = 0
        elif rule.category_code == category_code:
            c = 2
        elif parent_category and rule.category_code == parent_category:
            c = 1
        else:
            continue
        if rule.grade == "*":
            g = 0
        elif rule.grade == grade_key:
            g = 1
        else:
            continue
        score = (j, c, g)
        if best is None or score > best:
            best, chosen = score, rule
    return chosen


class DeadlineService:
    """Computes due reports and records reports sent."""

    def __init__(
        self, db: Database, reference: ReferenceService, notify: Callable[[str], None] | None = None
    ) -> None:
        self._db = db
        self._ref = reference
        self._notify = notify or (lambda _topic: None)
        self._rules: list[ReportRule] | None = None

    def rules(self) -> list[ReportRule]:
        """The rule table (cached until ``reload_rules``)."""
        if self._rules is None:
            self._rules = self._ref.rules()
        return self._rules

    def reload_rules(self) -> None:
        """Forget cached rules after the table was edited."""
        self._rules = None

    def _due(self, inc: Incident, sent: list[SentReport], now: datetime) -> list[DueReport]:
        if inc.merged_into_id is not None:
            return []
        cats = self._ref.categories()
        cat = cats.get(inc.subcategory_code or inc.category_code)
        code = cat.code if cat else inc.category_code
        parent = cat.parent_code if cat else None
        grade = inc.grade.value if inc.grade else None
        rules = self.rules()
        out: list[DueReport] = []

        def rule_for(stage: ReportStage) -> ReportRule | None:
            return match_rule(rules, inc.division_code, code, parent, grade, stage)

        def state(due_at: datetime) -> DueState:
            if now >= due_at:
                return DueState.OVERDUE
            if due_at - now <= SOON:
                return DueState.SOON
            return DueState.PENDING

        by_stage = {s: [r for r in sent if r.stage is s] for s in ReportStage}
        first = rule_for(ReportStage.FIRST)
        if first is not None:
            due_at = inc.received_at + timedelta(minutes=first.minutes)
            done = by_stage[ReportStage.FIRST]
            if done:
                out.append(
                    DueReport(
                        inc.id,
                        ReportStage.FIRST,
                        1,
                        due_at,
                        DueState.DONE,
                        first.source,
                        done[0].sent_at,
                    )
                )
            else:
                out.append(
                    DueReport(inc.id, ReportStage.FIRST, 1, due_at, state(due_at), first.source)
                )
        closed = inc.status is IncidentStatus.CLOSED
        followup = rule_for(ReportStage.FOLLOWUP)
        if followup is not None and by_stage[ReportStage.FIRST] and not closed:
            previous = max(r.sent_at for r in sent if r.stage is not ReportStage.FINAL)
            due_at = previous + timedelta(minutes=followup.minutes)
            seq = len(by_stage[ReportStage.FOLLOWUP]) + 1
            out.append(
                DueReport(inc.id, ReportStage.FOLLOWUP, seq, due_at, state(due_at), followup.source)
            )
        final = rule_for(ReportStage.FINAL)
        if final is not None and closed:
            closed_at = self._closed_at(inc.id) or inc.updated_at
            due_at = closed_at + timedelta(minutes=final.minutes)
            done = by_stage[ReportStage.FINAL]
            out.append(
                DueReport(
                    inc.id,
                    ReportStage.FINAL,
                    1,
                    due_at,
                    DueState.DONE if done else state(due_at),
                    final.source,
                    done[0].sent_at if done else None,
                )
            )
        return out

    def _closed_at(self, incident_id: int) -> datetime | None:
        with self._db.read() as s:
            return s.scalar(select(m.IncidentRow.closed_at).where(m.IncidentRow.id == incident_id))

    def due_for(
        self, incidents: list[Incident], now: datetime | None = None
    ) -> dict[int, list[DueReport]]:
        """Due reports of each incident (one query for all of them)."""
        now = now or utcnow()
        ids = [i.id for i in incidents]
        sent: dict[int, list[SentReport]] = {i: [] for i in ids}
        if ids:
            with self._db.read() as s:
                q = (
                    select(m.SentReportRow)
                    .where(m.SentReportRow.incident_id.in_(ids))
                    .order_by(m.SentReportRow.sent_at)
                )
                # Converted inside the session: read() expires its rows when it ends.
                for row in s.scalars(q):
                    sent[row.incident_id].append(_sent_report(row))
        return {i.id: self._due(i, sent[i.id], now) for i in incidents}

    def next_due(self, dues: list[DueReport]) -> DueReport | None:
        """The earliest report still owed."""
        owed = [d for d in dues if d.state is not DueState.DONE]
        return min(owed, key=lambda d: d.due_at) if owed else None

    def record_sent(
        self, actor: str, incident_id: int, stage: ReportStage, channel: str = "", content: str = ""
    ) -> SentReport:
        """Record a report sent upward; the next report's deadline follows from it."""
        c = Checker()
        c.length("content", content, TEXT_MAX)
        c.length("channel", channel, 32)
        if c.errors:
            raise ValidationError(c.errors)
        with self._db.transaction() as s:
            inc = s.get(m.IncidentRow, incident_id)
            if inc is None:
                raise NotFoundError(_tr("事件 #{id} 不存在").format(id=incident_id))
            prior = s.scalars(
                select(m.SentReportRow).where(
                    m.SentReportRow.incident_id == incident_id, m.SentReportRow.stage == stage.value
                )
            ).all()
            if stage is not ReportStage.FOLLOWUP and prior:
                raise ValidationError(
                    {"stage": _tr("{stage}已报送过").format(stage=stage_label(stage))}
                )
            seq = len(prior) + 1
            row = m.SentReportRow(
                incident_id=incident_id,
                stage=stage.value,
                seq=seq,
                sent_at=utcnow(),
                sent_by=actor,
                channel=channel,
                content=content,
            )
            s.add(row)
            s.flush()
            s.add(
                m.IncidentEventRow(
                    incident_id=incident_id,
                    at=row.sent_at,
                    actor=actor,
                    kind=EventKind.REPORT_SENT.value,
                    text=_zh("已报送{stage}").format(stage=stage_label(stage, seq, record=True)),
                    data={"report_id": row.id, "stage": stage.value, "seq": seq},
                )
            )
            audit.append(
                s, actor, "report.sent", "sent_report", row.id, None, convert.snapshot(row)
            )
            result = SentReport(
                row.id, incident_id, stage, seq, row.sent_at, actor, channel, content
            )
        self._notify("incidents")
        return result

    def sent_reports(self, incident_id: int) -> list[SentReport]:
        """Reports already sent for an incident."""
        with self._db.read() as s:
            q = (
                select(m.SentReportRow)
                .where(m.SentReportRow.incident_id == incident_id)
                .order_by(m.SentReportRow.sent_at)
            )
            return [_sent_report(r) for r in s.scalars(q)]

    def owed(self, now: datetime | None = None, limit: int = 1000) -> list[DueReport]:
        """Reports still owed on live incidents (open, or closed within a week), earliest first."""
        now = now or utcnow()
        r = m.IncidentRow
        with self._db.read() as s:
            q = (
                select(r)
                .where(r.merged_into_id.is_(None))
                .where(
                    or_(
                        r.status != IncidentStatus.CLOSED.value,
                        r.closed_at >= now - timedelta(days=7),
                    )
                )
                .order_by(r.received_at.desc())
                .limit(limit)
            )
            incidents = [convert.incident(row) for row in s.scalars(q)]
        dues = self.due_for(incidents, now)
        owed = [d for ds in dues.values() for d in ds if d.state is not DueState.DONE]
        return sorted(owed, key=lambda d: d.due_at)

    def scan(self, now: datetime | None = None) -> list[DueReport]:
        """Find soon-due and overdue reports; log each new alarm once. Returns the alarming ones."""
        now = now or utcnow()
        alarming = [d for d in self.owed(now) if d.state in (DueState.SOON, DueState.OVERDUE)]
        raised = False
        for due in alarming:
            try:
                with self._db.transaction() as s:
                    s.add(
                        m.DeadlineAlarmRow(
                            incident_id=due.incident_id,
                            stage=due.stage.value,
                            seq=due.seq,
                            state=due.state.value,
                            at=now,
                        )
                    )
                    s.flush()
                    title = s.scalar(
                        select(m.IncidentRow.title).where(m.IncidentRow.id == due.incident_id)
                    )
                    text = _zh("报送提醒：事件 #{id}「{title}」{stage}{state}，时限 {due}").format(
                        id=due.incident_id,
                        title=title,
                        stage=stage_label(due.stage, due.seq, record=True),
                        state=state_label(due.state, record=True),
                        due=format_beijing(due.due_at),
                    )
                    s.add(
                        m.LogEntryRow(
                            at=now,
                            author="system",
                            kind=LogKind.ALARM.value,
                            text=text,
                            incident_id=due.incident_id,
                            shift_id=shift_id_at(s, now),
                        )
                    )
                    data = {"stage": due.stage.value, "seq": due.seq, "state": due.state.value}
                    s.add(
                        m.IncidentEventRow(
                            incident_id=due.incident_id,
                            at=now,
                            actor="system",
                            kind=EventKind.DEADLINE.value,
                            text=text,
                            data=data,
                        )
                    )
                    # The alarm writes a log entry and a timeline event: audit it like any write.
                    audit.append(
                        s,
                        "system",
                        "deadline.alarm",
                        "incident",
                        due.incident_id,
                        None,
                        {**data, "due_at": due.due_at.isoformat(), "text": text},
                    )
                raised = True
            except IntegrityError:
                continue  # this alarm was raised before (by this seat or another)
        if raised:
            self._notify("log")
            self._notify("incidents")
        return alarming


def _sent_report(row: m.SentReportRow) -> SentReport:
    return SentReport(
        row.id,
        row.incident_id,
        ReportStage(row.stage),
        row.seq,
        row.sent_at,
        row.sent_by,
        row.channel,
        row.content,
    )
