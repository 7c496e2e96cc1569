"""Unified intake: a received report becomes a new incident or is attached to an open one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QCoreApplication
from sqlalchemy import select
from sqlalchemy.orm import Session

from console.db import models as m
from console.db.session import Database
from console.domain import (
    ConflictError,
    EventKind,
    Incident,
    InstructionStatus,
    Intake,
    IntakeStatus,
    NotFoundError,
    ValidationError,
)
from console.domain.drafts import IncidentDraft, IntakeDraft
from console.records import record_text as _zh
from console.services import audit, convert
from console.services.incidents import IncidentService
from console.services.reference import ReferenceService
from console.services.validation import NAME_MAX, SHORT_MAX, TEXT_MAX, TITLE_MAX, Checker
from console.timeutil import utcnow


def _tr(text: str) -> str:
    return QCoreApplication.translate("Intake", text)


class IntakeService:
    """Records received reports and turns them into incidents."""

    def __init__(
        self,
        db: Database,
        reference: ReferenceService,
        incidents: IncidentService,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self._db = db
        self._ref = reference
        self._incidents = incidents
        self._notify = notify or (lambda _topic: None)

    def validate(self, draft: IntakeDraft) -> None:
        """Check a report; a report needs at least who called and what happened."""
        c = Checker()
        if c.required("title", draft.title):
            c.length("title", draft.title, TITLE_MAX)
        if not (draft.reporter_name.strip() or draft.reporter_unit.strip()):
            c.fail("reporter_name", _tr("请填写报告人或报告单位"))
        # The limits are the column widths: PostgreSQL refuses longer text outright.
        c.length("reporter_unit", draft.reporter_unit, SHORT_MAX)
        c.length("reporter_name", draft.reporter_name, NAME_MAX)
        c.length("reporter_title", draft.reporter_title, NAME_MAX)
        c.phone("reporter_phone", draft.reporter_phone)
        if draft.category_code and draft.category_code not in self._ref.categories():
            c.fail("category", _tr("未知的事件类别 {code}").format(code=draft.category_code))
        c.time("occurred_at", draft.occurred_at)
        c.time("received_at", draft.received_at)
        if draft.division_code:
            c.division(
                "division_code", draft.division_code, self._ref.division_known(draft.division_code)
            )
        c.coordinates(draft.lon, draft.lat)
        c.length("address", draft.address, 500)
        for name in (
            "course",
            "losses",
            "measures",
            "trend",
            "notified",
            "leader_instructions",
            "handling",
        ):
            c.length(name, getattr(draft, name), TEXT_MAX)
        c.casualties(draft.casualties)
        if c.errors:
            raise ValidationError(c.errors)

    @staticmethod
    def _fill(row: m.IntakeRow, draft: IntakeDraft) -> None:
        row.channel = draft.channel.value
        row.reporter_unit = draft.reporter_unit.strip()
        row.reporter_name = draft.reporter_name.strip()
        row.reporter_title = draft.reporter_title.strip()
        row.reporter_phone = draft.reporter_phone.strip()
        row.title = draft.title.strip()
        row.category_code = draft.category_code or None
        row.grade = draft.grade.value if draft.grade else None
        row.occurred_at = draft.occurred_at
        row.division_code = draft.division_code or None
        row.lon = draft.lon
        row.lat = draft.lat
        row.address = draft.address.strip()
        row.course = draft.course
        row.deaths = draft.casualties.deaths
        row.injuries = draft.casualties.injuries
        row.missing = draft.casualties.missing
        row.trapped = draft.casualties.trapped
        row.losses = draft.losses
        row.measures = draft.measures
        row.trend = draft.trend
        row.notified = draft.notified
        row.leader_instructions = draft.leader_instructions
        row.handling = draft.handling

    def _record(self, s: Session, actor: str, draft: IntakeDraft) -> m.IntakeRow:
        now = utcnow()
        row = m.IntakeRow(
            received_at=draft.received_at or now,
            recorder=actor,
            recorded_at=now,
            status=IntakeStatus.OPEN.value,
        )
        self._fill(row, draft)
        s.add(row)
        s.flush()
        audit.append(s, actor, "intake.record", "intake", row.id, None, convert.snapshot(row))
        return row

    def record(self, actor: str, draft: IntakeDraft) -> Intake:
        """Store a received report as it was taken down; ``actor`` is the recorder."""
        self.validate(draft)
        with self._db.transaction() as s:
            result = convert.intake(self._record(s, actor, draft))
        self._notify("intakes")
        return result

    def update(self, actor: str, intake_id: int, draft: IntakeDraft) -> Intake:
        """Correct an intake that is still open (before it became or joined an incident)."""
        self.validate(draft)
        with self._db.transaction() as s:
            row = self._open_row(s, intake_id)
            before = convert.snapshot(row)
            self._fill(row, draft)
            if draft.received_at is not None:
                row.received_at = draft.received_at
            s.flush()
            audit.append(s, actor, "intake.update", "intake", row.id, before, convert.snapshot(row))
            result = convert.intake(row)
        self._notify("intakes")
        return result

    def record_and_convert(self, actor: str, draft: IntakeDraft) -> tuple[Intake, Incident]:
        """Record a report and open an incident from it in one transaction (all or nothing)."""
        self.validate(draft)
        with self._db.transaction() as s:
            row = self._record(s, actor, draft)
            incident = self._convert(s, actor, row)
            intake = convert.intake(row)
        self._notify("incidents")
        self._notify("intakes")
        return intake, incident

    def incident_draft(self, row: m.IntakeRow, owner: str) -> IncidentDraft:
        """The incident an intake becomes; a subcategory is filed under its category."""
        code = row.category_code or ""
        category = self._ref.categories().get(code)
        parent = category.parent_code if category is not None else None
        return IncidentDraft(
            title=row.title,
            category_code=parent or code,
            subcategory_code=code if parent else None,
            grade=convert.grade_or_none(row.grade),
            occurred_at=row.occurred_at or row.received_at,
            received_at=row.received_at,
            division_code=row.division_code or "",
            lon=row.lon,
            lat=row.lat,
            address=row.address,
            casualties=convert.intake(row).casualties,
            losses=row.losses,
            description=_describe(row),
            source_channel=convert.intake(row).channel,
            owner=owner,
        )

    def get(self, intake_id: int) -> Intake:
        """One intake record."""
        with self._db.read() as s:
            row = s.get(m.IntakeRow, intake_id)
            if row is None:
                raise NotFoundError(_tr("接报记录 #{id} 不存在").format(id=intake_id))
            return convert.intake(row)

    def for_incident(self, incident_id: int) -> list[Intake]:
        """Every intake attached to an incident."""
        with self._db.read() as s:
            q = (
                select(m.IntakeRow)
                .where(m.IntakeRow.incident_id == incident_id)
                .order_by(m.IntakeRow.received_at)
            )
            return [convert.intake(r) for r in s.scalars(q)]

    def open_intakes(self, limit: int = 200) -> list[Intake]:
        """Reports not yet turned into or attached to an incident."""
        with self._db.read() as s:
            q = (
                select(m.IntakeRow)
                .where(m.IntakeRow.status == IntakeStatus.OPEN.value)
                .order_by(m.IntakeRow.received_at.desc())
                .limit(limit)
            )
            return [convert.intake(r) for r in s.scalars(q)]

    def suggestions(
        self, intake: Intake | IntakeDraft, window: timedelta = timedelta(hours=12)
    ) -> list[Incident]:
        """Open incidents that may be the same event (same area and category, close in time)."""
        when = intake.occurred_at or intake.received_at or utcnow()
        return self._incidents.find_duplicates(
            intake.category_code, intake.division_code, when, window
        )

    def convert(self, actor: str, intake_id: int) -> Incident:
        """Turn an open intake into a new incident owned by ``actor`` (首问负责制)."""
        with self._db.transaction() as s:
            incident = self._convert(s, actor, self._open_row(s, intake_id))
        self._notify("incidents")
        self._notify("intakes")
        return incident

    def _convert(self, s: Session, actor: str, row: m.IntakeRow) -> Incident:
        draft = self.incident_draft(row, actor)
        self._incidents.validate(draft)
        incident = self._incidents.create(actor, draft, session=s, intake_id=row.id)
        before = convert.snapshot(row)
        row.status = IntakeStatus.CONVERTED.value
        row.incident_id = incident.id
        self._instruction_from(s, row, actor)
        s.flush()
        audit.append(s, actor, "intake.convert", "intake", row.id, before, convert.snapshot(row))
        return incident

    def attach(self, actor: str, intake_id: int, incident_id: int) -> Incident:
        """Attach an open intake to an existing incident; it goes on the incident's timeline."""
        with self._db.transaction() as s:
            row = self._open_row(s, intake_id)
            target = s.get(m.IncidentRow, incident_id)
            if target is None:
                raise NotFoundError(_tr("事件 #{id} 不存在").format(id=incident_id))
            if target.merged_into_id is not None:
                target = s.get(m.IncidentRow, target.merged_into_id)
                assert target is not None
            before = convert.snapshot(row)
            row.status = IntakeStatus.ATTACHED.value
            row.incident_id = target.id
            who = row.reporter_unit or row.reporter_name
            self._incidents.add_event(
                s,
                target.id,
                actor,
                EventKind.INTAKE_ATTACHED,
                _zh("补充接报 #{id}（{who}）：{title}").format(id=row.id, who=who, title=row.title),
                {"intake_id": row.id},
            )
            self._instruction_from(s, row, actor)
            s.flush()
            audit.append(s, actor, "intake.attach", "intake", row.id, before, convert.snapshot(row))
            result = convert.incident(target)
        self._notify("incidents")
        self._notify("intakes")
        return result

    def _open_row(self, s: Session, intake_id: int) -> m.IntakeRow:
        row = s.get(m.IntakeRow, intake_id)
        if row is None:
            raise NotFoundError(_tr("接报记录 #{id} 不存在").format(id=intake_id))
        if row.status != IntakeStatus.OPEN.value:
            raise ConflictError(_tr("接报记录 #{id} 已处理").format(id=intake_id))
        return row

    def _instruction_from(self, s: Session, row: m.IntakeRow, actor: str) -> None:
        """A leader's instruction written on the form becomes a pending instruction."""
        if row.leader_instructions.strip() and row.incident_id is not None:
            s.add(
                m.InstructionRow(
                    incident_id=row.incident_id,
                    text=row.leader_instructions,
                    given_by=_zh("领导批示"),
                    given_at=utcnow(),
                    status=InstructionStatus.PENDING.value,
                )
            )


def _describe(row: m.IntakeRow) -> str:
    parts = [
        (_zh("经过"), row.course),
        (_zh("已采取措施"), row.measures),
        (_zh("发展趋势"), row.trend),
        (_zh("已通报"), row.notified),
    ]
    return "\n".join(f"{label}：{text}" for label, text in parts if text.strip())
