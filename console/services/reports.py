"""Reports upward as documents: 首报/续报/终报 of an incident rendered to PDF and attached.

:meth:`ReportService.generate` gathers the incident (its divisions, category, grade,
casualties, description and latest timeline lines), the first report received (报告人, 联系电话)
and the shift on duty (值班员, 带班领导), renders the form (:mod:`console.reports`), keeps the PDF
in the content-addressed store and attaches it to the incident (a "附件：…" line on the
timeline). It is checked and audited like every write: the action ``report.render`` needs the
role that records a sent report (``report.``: officer or leader); the stored file and the
attachment are audited by :class:`~console.services.files.FilesService`.

The reporting unit printed on the form is the site setting ``site/report/unit``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import QCoreApplication

from console import security
from console.db import models as m
from console.db.session import Database
from console.domain import EventKind, ReportStage, ValidationError
from console.reports import (
    MAX_COURSE_LINES,
    MEDIA_TYPE,
    ReportData,
    coordinates_text,
    file_name,
    grade_name,
    render_pdf,
    report_number,
    stage_name,
)
from console.services import audit
from console.services.deadlines import DeadlineService
from console.services.duty import PeopleService
from console.services.files import Attachment, FilesService
from console.services.incidents import IncidentService
from console.services.intake import IntakeService
from console.services.reference import ReferenceService
from console.services.settings import SettingsService
from console.timeutil import utcnow

log = logging.getLogger(__name__)

ACTION = "report.render"
UNIT_KEY = "site/report/unit"
UNIT_ACTION = "setting.report_unit"  # the administrator's, like every site setting
DEFAULT_UNIT = "应急值守值班室"
UNIT_MAX = 100
# Timeline lines that are not part of the course of events.
_NOT_COURSE = (EventKind.DEADLINE, EventKind.ATTACHMENT)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Reports", text)


@dataclass(frozen=True, slots=True)
class GeneratedReport:
    """A report rendered, stored and attached to its incident."""

    data: ReportData
    pdf: bytes
    sha256: str
    attachment: Attachment

    @property
    def file_name(self) -> str:
        """The file name the report was stored under."""
        return file_name(self.data)


class ReportService:
    """Renders an incident's report upward and attaches it (checked and audited)."""

    def __init__(
        self,
        db: Database,
        incidents: IncidentService,
        intake: IntakeService,
        people: PeopleService,
        deadlines: DeadlineService,
        reference: ReferenceService,
        settings: SettingsService,
        files: FilesService,
    ) -> None:
        self._db = db
        self._incidents = incidents
        self._intake = intake
        self._people = people
        self._deadlines = deadlines
        self._ref = reference
        self._settings = settings
        self._files = files

    def unit(self) -> str:
        """The reporting unit printed on the form (``site/report/unit``)."""
        return (self._settings.get(UNIT_KEY) or "").strip() or DEFAULT_UNIT

    def set_unit(self, actor: str, unit: str) -> str:
        """Set the reporting unit printed on every report (the administrator's; audited).

        Raises:
            ValidationError: empty or longer than :data:`UNIT_MAX`.
            PermissionDeniedError: the actor is not the administrator (audited).
        """
        unit = " ".join(unit.split())
        if not unit:
            raise ValidationError({"unit": _tr("请填写报送单位")})
        if len(unit) > UNIT_MAX:
            raise ValidationError({"unit": _tr("报送单位最多 {n} 字").format(n=UNIT_MAX)})
        with self._db.transaction() as s:
            row = s.get(m.SettingRow, UNIT_KEY)
            before = row.value if row is not None else None
            if row is None:
                s.add(m.SettingRow(key=UNIT_KEY, value=unit))
            else:
                row.value = unit
            audit.append(
                s, actor, UNIT_ACTION, "setting", UNIT_KEY, {"unit": before}, {"unit": unit}
            )
        log.info("reporting unit set to %r by %s", unit, actor)
        return unit

    def data(
        self,
        incident_id: int,
        stage: ReportStage,
        *,
        unit: str | None = None,
        actor: str = "",
        now: datetime | None = None,
    ) -> ReportData:
        """What the report of ``stage`` would say now (reads only).

        Raises:
            NotFoundError: there is no such incident.
            ValidationError: the unit is too long.
        """
        now = now or utcnow()
        inc = self._incidents.get(incident_id)
        unit = (unit if unit is not None else self.unit()).strip() or DEFAULT_UNIT
        if len(unit) > UNIT_MAX:
            raise ValidationError({"unit": _tr("报送单位最多 {n} 字").format(n=UNIT_MAX)})
        seq = 1
        if stage is ReportStage.FOLLOWUP:
            sent = self._deadlines.sent_reports(incident_id)
            seq = sum(1 for r in sent if r.stage is ReportStage.FOLLOWUP) + 1
        categories = self._ref.categories()
        names = [
            categories[code].name
            for code in (inc.category_code, inc.subcategory_code)
            if code and code in categories
        ]
        divisions = self._ref.divisions()
        chain: list[str] = []
        code: str | None = inc.division_code
        while code and code in divisions and len(chain) < 5:
            chain.insert(0, divisions[code].name)
            code = divisions[code].parent_code
        area = "".join(chain) or inc.division_code
        place = area if not inc.address else f"{area}　{inc.address}"
        events = [e for e in self._incidents.timeline(incident_id) if e.kind not in _NOT_COURSE]
        course = tuple((e.at, e.text) for e in events[-MAX_COURSE_LINES:])
        intakes = self._intake.for_incident(incident_id)
        reporter = phone = ""
        if intakes:
            first = intakes[0]
            who = first.reporter_name
            if first.reporter_title:
                who = f"{who}（{first.reporter_title}）" if who else first.reporter_title
            reporter = " ".join(p for p in (first.reporter_unit, who) if p)
            phone = first.reporter_phone
        shift = self._people.shift_at(now)
        officers = leaders = ""
        if shift is not None:
            officers = "、".join(m.display_name for m in shift.officers)
            leaders = "、".join(m.display_name for m in shift.leaders)
        if not officers and actor:
            users = {u.username: u.display_name for u in self._people.users()}
            officers = users.get(actor, actor)
        return ReportData(
            unit=unit,
            stage=stage,
            seq=seq,
            number=report_number(inc.id, stage, seq, now),
            reported_at=now,
            incident_id=inc.id,
            title=inc.title,
            occurred_at=inc.occurred_at,
            received_at=inc.received_at,
            place=place,
            coordinates=coordinates_text(inc.lon, inc.lat),
            category=" / ".join(names) or inc.category_code,
            grade=grade_name(inc.grade.value if inc.grade else None),
            casualties=inc.casualties,
            losses=inc.losses,
            description=inc.description,
            course=course,
            reporter=reporter,
            reporter_phone=phone,
            officers=officers,
            leaders=leaders,
            exercise=inc.exercise,
        )

    def generate(
        self, actor: str, incident_id: int, stage: ReportStage, *, unit: str | None = None
    ) -> GeneratedReport:
        """Render the report of ``stage``, keep it in the store and attach it to the incident.

        Raises:
            PermissionDeniedError: the actor may not report upward (audited; nothing stored).
            NotFoundError: there is no such incident.
            ValidationError: the unit is too long.
        """
        with self._db.transaction() as s:
            security.check(s, actor, ACTION)  # refused: audited as access.denied, nothing kept
        data = self.data(incident_id, stage, unit=unit, actor=actor)
        pdf = render_pdf(data)
        name = file_name(data)
        stored = self._files.store_bytes(actor, pdf, MEDIA_TYPE, name)
        title = f"{stage_name(stage, data.seq)}报告单（{data.number}）"
        attachment = self._files.attach(
            actor, stored.sha256, "document", title, incident_id=incident_id
        )
        log.info("report %s of incident %s rendered by %s", data.number, incident_id, actor)
        return GeneratedReport(data, pdf, stored.sha256, attachment)
