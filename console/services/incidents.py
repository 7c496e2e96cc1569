"""Incidents: creation, grading, status, ownership, merging and the timeline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QCoreApplication
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from console.db import models as m
from console.db.session import Database
from console.domain import (
    ConflictError,
    EventKind,
    Grade,
    Incident,
    IncidentEvent,
    IncidentFilter,
    IncidentStatus,
    NotFoundError,
    ValidationError,
)
from console.domain.drafts import IncidentDraft
from console.records import record_text as _zh
from console.services import audit, convert, search
from console.services.reference import ReferenceService
from console.services.validation import NAME_MAX, TEXT_MAX, TITLE_MAX, Checker
from console.timeutil import utcnow

OPEN_STATUSES = (IncidentStatus.REPORTED, IncidentStatus.VERIFYING, IncidentStatus.RESPONDING)

# Allowed status moves. Reopening a closed incident goes back to 处置中.
TRANSITIONS: dict[IncidentStatus, set[IncidentStatus]] = {
    IncidentStatus.REPORTED: {
        IncidentStatus.VERIFYING,
        IncidentStatus.RESPONDING,
        IncidentStatus.CLOSED,
    },
    IncidentStatus.VERIFYING: {
        IncidentStatus.RESPONDING,
        IncidentStatus.CLOSED,
        IncidentStatus.REPORTED,
    },
    IncidentStatus.RESPONDING: {IncidentStatus.CLOSED, IncidentStatus.VERIFYING},
    IncidentStatus.CLOSED: {IncidentStatus.RESPONDING},
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Incidents", text)


STATUS_WORDS = {
    IncidentStatus.REPORTED: "接报",
    IncidentStatus.VERIFYING: "核实",
    IncidentStatus.RESPONDING: "处置中",
    IncidentStatus.CLOSED: "已结束",
}
GRADE_WORDS = {
    Grade.I: "Ⅰ级 特别重大",
    Grade.II: "Ⅱ级 重大",
    Grade.III: "Ⅲ级 较大",
    Grade.IV: "Ⅳ级 一般",
}


def status_label(status: IncidentStatus, *, record: bool = False) -> str:
    """The status as the duty room calls it (``record``: the Chinese of the shared records)."""
    if record:
        return STATUS_WORDS[status]
    return {
        IncidentStatus.REPORTED: _tr("接报"),
        IncidentStatus.VERIFYING: _tr("核实"),
        IncidentStatus.RESPONDING: _tr("处置中"),
        IncidentStatus.CLOSED: _tr("已结束"),
    }[status]


def grade_label(grade: Grade | None, *, record: bool = False) -> str:
    """Ⅰ级（特别重大） … or 未定级 (``record``: the Chinese of the shared records)."""
    if record:
        return GRADE_WORDS[grade] if grade is not None else _zh("未定级")
    if grade is None:
        return _tr("未定级")
    return {
        Grade.I: _tr("Ⅰ级 特别重大"),
        Grade.II: _tr("Ⅱ级 重大"),
        Grade.III: _tr("Ⅲ级 较大"),
        Grade.IV: _tr("Ⅳ级 一般"),
    }[grade]


def division_prefix(code: str) -> str:
    """The code prefix shared by a division and everything under it (GB/T 2260 levels)."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def apply_filter(
    q: Select[Any],
    f: IncidentFilter,
    r: Any = m.IncidentRow,
    *,
    dialect: str = "",
    fts_query: str | None = None,
) -> Select[Any]:
    """Add the board's filter to a query over ``r`` (IncidentRow or an alias of it).

    ``dialect`` picks the text match (LIKE on "sqlite", else ILIKE); ``fts_query`` (SQLite) also
    limits the rows to the text index's candidates, see ``console.services.search``.
    """
    if not f.include_merged:
        q = q.where(r.merged_into_id.is_(None))
    if f.statuses:
        q = q.where(r.status.in_([s.value for s in f.statuses]))
    if f.grades:
        named = [g for g in f.grades if g != "none"]
        conds = [r.grade.in_(named)] if named else []
        if "none" in f.grades:
            conds.append(r.grade.is_(None))
        q = q.where(or_(*conds))
    if f.category_code:
        # A top category also matches incidents filed directly under one of its subcategories.
        c = m.CategoryRow
        family = select(c.code).where(
            or_(c.code == f.category_code, c.parent_code == f.category_code)
        )
        q = q.where(or_(r.category_code.in_(family), r.subcategory_code.in_(family)))
    if f.division_code:
        prefix = division_prefix(f.division_code)
        q = q.where(r.division_code.startswith(prefix, autoescape=True))
    if f.since:
        q = q.where(r.occurred_at >= f.since)
    if f.until:
        q = q.where(r.occurred_at < f.until)
    if f.text.strip():
        needle = f.text.strip()
        like = or_(
            search.contains(r.title, needle, dialect),
            search.contains(r.address, needle, dialect),
        )
        number = int(needle) if needle.isdigit() else None
        if number is not None:
            like = or_(like, r.id == number)
        q = q.where(like)
        if fts_query is not None:
            q = q.where(r.id.in_(search.candidate_ids(m.SEARCH_INCIDENT, fts_query, number)))
    return q


def _only_open(f: IncidentFilter) -> bool:
    return bool(f.statuses) and set(f.statuses) <= set(OPEN_STATUSES)


def _board_query(s: Session, f: IncidentFilter, *, count: bool) -> tuple[Any, Select[Any]]:
    """The entity to select and the filtered query, with SQLite's plan chosen for the filter.

    On SQLite the board index (newest first) serves most filters; a filter limited to open
    statuses starts from ix_incident_status_occurred instead (a few thousand rows, sorted), and
    a selective text search from the text index's candidates. PostgreSQL's planner decides.
    """
    dialect = s.get_bind().dialect.name
    r: Any = m.IncidentRow
    fts_query = None
    if dialect == "sqlite":
        needle = f.text.strip()
        query = search.match_query(needle) if needle else None
        if query is not None and (count or search.selective(s, m.SEARCH_INCIDENT, query)):
            fts_query = query  # a count reads every match anyway: the index is never worse
        kind: type[search.ByStatus] | type[search.ByRowid] | None = None
        if _only_open(f) and (count or fts_query is None):
            kind = search.ByStatus
        elif fts_query is not None:
            kind = search.ByRowid
        if kind is not None:
            r = aliased(m.IncidentRow, search.hinted(kind, m.IncidentRow.__table__, "incident"))
    q = select(func.count()).select_from(r) if count else select(r)
    return r, apply_filter(q, f, r, dialect=dialect, fts_query=fts_query)


class IncidentService:
    """The only code that writes incidents and their timelines."""

    def __init__(
        self, db: Database, reference: ReferenceService, notify: Callable[[str], None] | None = None
    ) -> None:
        self._db = db
        self._ref = reference
        self._notify = notify or (lambda _topic: None)

    # -- validation ---------------------------------------------------------------------------

    def validate(self, draft: IncidentDraft) -> None:
        """Check a draft; raise ValidationError naming each bad field."""
        c = Checker()
        if c.required("title", draft.title):
            c.length("title", draft.title, TITLE_MAX)
        categories = self._ref.categories()
        if c.required("category", draft.category_code) and draft.category_code not in categories:
            c.fail("category", _tr("未知的事件类别 {code}").format(code=draft.category_code))
        if draft.subcategory_code and draft.subcategory_code not in categories:
            c.fail("subcategory", _tr("未知的事件子类 {code}").format(code=draft.subcategory_code))
        c.time("occurred_at", draft.occurred_at, required=True)
        c.time("received_at", draft.received_at)
        if c.required("division_code", draft.division_code):
            c.division(
                "division_code", draft.division_code, self._ref.division_known(draft.division_code)
            )
        c.coordinates(draft.lon, draft.lat)
        c.length("address", draft.address, 500)
        c.length("losses", draft.losses, TEXT_MAX)
        c.length("description", draft.description, TEXT_MAX)
        c.casualties(draft.casualties)
        if draft.owner is not None:
            c.length("owner", draft.owner, 64)
        if c.errors:
            raise ValidationError(c.errors)

    # -- writes -------------------------------------------------------------------------------

    def create(
        self,
        actor: str,
        draft: IncidentDraft,
        *,
        session: Session | None = None,
        intake_id: int | None = None,
    ) -> Incident:
        """Create an incident owned by ``actor`` unless another owner is named (首问负责制)."""
        self.validate(draft)
        if session is not None:
            return self._create(session, actor, draft, intake_id)
        with self._db.transaction() as s:
            result = self._create(s, actor, draft, intake_id)
        self._notify("incidents")
        return result

    def _create(
        self, s: Session, actor: str, draft: IncidentDraft, intake_id: int | None
    ) -> Incident:
        now = utcnow()
        assert draft.occurred_at is not None
        row = m.IncidentRow(
            title=draft.title.strip(),
            category_code=draft.category_code,
            subcategory_code=draft.subcategory_code,
            grade=draft.grade.value if draft.grade else None,
            status=IncidentStatus.REPORTED.value,
            occurred_at=draft.occurred_at,
            received_at=draft.received_at or now,
            division_code=draft.division_code,
            lon=draft.lon,
            lat=draft.lat,
            address=draft.address.strip(),
            deaths=draft.casualties.deaths,
            injuries=draft.casualties.injuries,
            missing=draft.casualties.missing,
            trapped=draft.casualties.trapped,
            losses=draft.losses,
            description=draft.description,
            source_channel=draft.source_channel.value,
            owner=draft.owner or actor,
            exercise=draft.exercise,
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        s.flush()
        text = _zh("接报立案：{title}").format(title=row.title)
        if intake_id is not None:
            text += _zh("（来自接报记录 #{id}）").format(id=intake_id)
        self._event(s, row.id, actor, EventKind.CREATED, text, {"intake_id": intake_id})
        audit.append(s, actor, "incident.create", "incident", row.id, None, convert.snapshot(row))
        return convert.incident(row)

    def _event(
        self,
        s: Session,
        incident_id: int,
        actor: str,
        kind: EventKind,
        text: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        s.add(
            m.IncidentEventRow(
                incident_id=incident_id,
                at=utcnow(),
                actor=actor,
                kind=kind.value,
                text=text,
                data=data or {},
            )
        )

    def add_event(
        self,
        s: Session,
        incident_id: int,
        actor: str,
        kind: EventKind,
        text: str,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Put an event on a timeline inside another service's transaction."""
        self._event(s, incident_id, actor, kind, text, data)

    def _load(self, s: Session, incident_id: int, expected_version: int | None) -> m.IncidentRow:
        row = s.get(m.IncidentRow, incident_id)
        if row is None:
            raise NotFoundError(_tr("事件 #{id} 不存在").format(id=incident_id))
        if expected_version is not None and row.version != expected_version:
            raise ConflictError(
                _tr(
                    "事件 #{id} 已被他人修改（版本 {theirs}，您看到的是 {mine}），请刷新后再改"
                ).format(id=incident_id, theirs=row.version, mine=expected_version)
            )
        return row

    def _write(
        self,
        actor: str,
        incident_id: int,
        expected_version: int | None,
        action: str,
        change: Callable[[Session, m.IncidentRow], None],
    ) -> Incident:
        try:
            with self._db.transaction() as s:
                row = self._load(s, incident_id, expected_version)
                before = convert.snapshot(row)
                change(s, row)
                if s.is_modified(row):
                    row.updated_at = utcnow()
                    s.flush()
                    audit.append(
                        s, actor, action, "incident", row.id, before, convert.snapshot(row)
                    )
                result = convert.incident(row)
        except StaleDataError as exc:
            raise ConflictError(
                _tr("事件 #{id} 已被他人修改，请刷新后再改").format(id=incident_id)
            ) from exc
        self._notify("incidents")
        return result

    def set_grade(
        self,
        actor: str,
        incident_id: int,
        grade: Grade | None,
        expected_version: int | None = None,
        reason: str = "",
    ) -> Incident:
        """Grade (or ungrade) an incident; the change goes on the timeline."""

        def change(s: Session, row: m.IncidentRow) -> None:
            old = convert.grade_or_none(row.grade)
            if old == grade:
                return
            row.grade = grade.value if grade else None
            text = _zh("定级：{old} → {new}").format(
                old=grade_label(old, record=True), new=grade_label(grade, record=True)
            )
            if reason:
                text += f"（{reason}）"
            self._event(
                s,
                row.id,
                actor,
                EventKind.GRADED,
                text,
                {"from": old.value if old else None, "to": grade.value if grade else None},
            )

        return self._write(actor, incident_id, expected_version, "incident.grade", change)

    def change_status(
        self,
        actor: str,
        incident_id: int,
        status: IncidentStatus,
        expected_version: int | None = None,
        note: str = "",
    ) -> Incident:
        """Move an incident along 接报 → 核实 → 处置中 → 已结束, or reopen it."""

        def change(s: Session, row: m.IncidentRow) -> None:
            old = IncidentStatus(row.status)
            if old == status:
                return
            if row.merged_into_id is not None:
                raise ConflictError(_tr("已合并的事件不能再改状态"))
            if status not in TRANSITIONS[old]:
                raise ConflictError(
                    _tr("不能从“{old}”改为“{new}”").format(
                        old=status_label(old), new=status_label(status)
                    )
                )
            row.status = status.value
            row.closed_at = utcnow() if status is IncidentStatus.CLOSED else None
            kind_text = _zh("重新打开") if old is IncidentStatus.CLOSED else _zh("状态")
            old_text, new_text = status_label(old, record=True), status_label(status, record=True)
            text = f"{kind_text}：{old_text} → {new_text}"
            if note:
                text += f"（{note}）"
            self._event(
                s,
                row.id,
                actor,
                EventKind.STATUS_CHANGED,
                text,
                {"from": old.value, "to": status.value},
            )

        return self._write(actor, incident_id, expected_version, "incident.status", change)

    def set_owner(
        self, actor: str, incident_id: int, owner: str, expected_version: int | None = None
    ) -> Incident:
        """Hand the incident to another owner (首问负责制: until handed on, the taker owns it)."""
        c = Checker()
        if c.required("owner", owner):
            c.length("owner", owner, NAME_MAX)  # the column is String(64)
        if c.errors:
            raise ValidationError(c.errors)

        def change(s: Session, row: m.IncidentRow) -> None:
            if row.owner == owner:
                return
            self._event(
                s,
                row.id,
                actor,
                EventKind.OWNER_CHANGED,
                _zh("责任人：{old} → {new}").format(old=row.owner, new=owner),
            )
            row.owner = owner

        return self._write(actor, incident_id, expected_version, "incident.owner", change)

    def update(
        self,
        actor: str,
        incident_id: int,
        draft: IncidentDraft,
        expected_version: int | None = None,
    ) -> Incident:
        """Replace the descriptive fields; the timeline says which fields changed."""
        self.validate(draft)
        fields = (
            "title",
            "category_code",
            "subcategory_code",
            "occurred_at",
            "division_code",
            "lon",
            "lat",
            "address",
            "losses",
            "description",
        )

        def change(s: Session, row: m.IncidentRow) -> None:
            changed = []
            for name in fields:
                new = getattr(draft, name)
                if getattr(row, name) != new:
                    setattr(row, name, new)
                    changed.append(name)
            for name in ("deaths", "injuries", "missing", "trapped"):
                new = getattr(draft.casualties, name)
                if getattr(row, name) != new:
                    setattr(row, name, new)
                    changed.append(name)
            if changed:
                self._event(
                    s,
                    row.id,
                    actor,
                    EventKind.UPDATED,
                    _zh("修改：{fields}").format(fields=", ".join(changed)),
                    {"fields": changed},
                )

        return self._write(actor, incident_id, expected_version, "incident.update", change)

    def merge(self, actor: str, duplicate_id: int, into_id: int) -> Incident:
        """Merge a duplicate into another incident; both keep their histories."""
        if duplicate_id == into_id:
            raise ValidationError({"incident": _tr("不能与自身合并")})
        with self._db.transaction() as s:
            dup = self._load(s, duplicate_id, None)
            target = self._load(s, into_id, None)
            if dup.merged_into_id is not None:
                raise ConflictError(_tr("事件 #{id} 已合并过").format(id=dup.id))
            if target.merged_into_id is not None:
                raise ConflictError(_tr("目标事件 #{id} 本身已被合并").format(id=target.id))
            before = convert.snapshot(dup)
            dup.merged_into_id = target.id
            dup.updated_at = utcnow()
            self._event(
                s,
                dup.id,
                actor,
                EventKind.MERGED,
                _zh("作为重复事件并入 #{id}").format(id=target.id),
                {"into": target.id},
            )
            self._event(
                s,
                target.id,
                actor,
                EventKind.MERGED_FROM,
                _zh("并入重复事件 #{id}：{title}").format(id=dup.id, title=dup.title),
                {"from": dup.id},
            )
            # Duplicates merged into the duplicate earlier follow it, so the survivor's timeline
            # (which reads one level of merges) keeps their histories too.
            for earlier in s.scalars(
                select(m.IncidentRow).where(m.IncidentRow.merged_into_id == dup.id)
            ):
                earlier.merged_into_id = target.id
            # Intakes of the duplicate now also count for the survivor.
            for intake in s.scalars(select(m.IntakeRow).where(m.IntakeRow.incident_id == dup.id)):
                intake.incident_id = target.id
            s.flush()
            audit.append(
                s, actor, "incident.merge", "incident", dup.id, before, convert.snapshot(dup)
            )
            result = convert.incident(target)
        self._notify("incidents")
        return result

    # -- reads --------------------------------------------------------------------------------

    def get(self, incident_id: int) -> Incident:
        """One incident.

        Raises:
            NotFoundError: there is no such incident.
        """
        with self._db.read() as s:
            return convert.incident(self._load(s, incident_id, None))

    def timeline(self, incident_id: int) -> list[IncidentEvent]:
        """Everything that happened to an incident and to the duplicates merged into it."""
        with self._db.read() as s:
            ids = [
                incident_id,
                *s.scalars(
                    select(m.IncidentRow.id).where(m.IncidentRow.merged_into_id == incident_id)
                ),
            ]
            q = (
                select(m.IncidentEventRow)
                .where(m.IncidentEventRow.incident_id.in_(ids))
                .order_by(m.IncidentEventRow.at, m.IncidentEventRow.id)
            )
            return [convert.event(r) for r in s.scalars(q)]

    def page(
        self, f: IncidentFilter, after: tuple[datetime, int] | None = None, limit: int = 100
    ) -> list[Incident]:
        """One page of the board, newest first; ``after`` is the last (occurred_at, id) seen."""
        with self._db.read() as s:
            r, q = _board_query(s, f, count=False)
            if after is not None:
                at, last_id = after
                q = q.where(or_(r.occurred_at < at, and_(r.occurred_at == at, r.id < last_id)))
            q = q.order_by(r.occurred_at.desc(), r.id.desc()).limit(limit)
            return [convert.incident(row) for row in s.scalars(q)]

    def count(self, f: IncidentFilter) -> int:
        """How many incidents match the filter."""
        with self._db.read() as s:
            _r, q = _board_query(s, f, count=True)
            return int(s.scalar(q) or 0)

    def open_incidents(self, limit: int = 500) -> list[Incident]:
        """Open (not closed, not merged) incidents, newest first."""
        return self.page(IncidentFilter(statuses=OPEN_STATUSES), limit=limit)

    def find_duplicates(
        self,
        category_code: str | None,
        division_code: str | None,
        occurred_at: datetime | None,
        window: timedelta = timedelta(hours=12),
        exclude: Sequence[int] = (),
    ) -> list[Incident]:
        """Open incidents in the same prefecture and top category within ``window`` of the time."""
        if not category_code or not division_code or occurred_at is None:
            return []
        cats = self._ref.categories()
        cat = cats.get(category_code)
        top = category_code
        if cat is not None and cat.parent_code:
            top = cat.parent_code
        family = [c.code for c in cats.values() if c.code == top or c.parent_code == top]
        r = m.IncidentRow
        with self._db.read() as s:
            q = (
                select(r)
                .where(r.merged_into_id.is_(None))
                .where(r.status.in_([st.value for st in OPEN_STATUSES]))
                .where(r.category_code.in_(family))
                .where(r.division_code.startswith(division_code[:4], autoescape=True))
                .where(r.occurred_at >= occurred_at - window)
                .where(r.occurred_at <= occurred_at + window)
                .order_by(r.occurred_at.desc())
                .limit(10)
            )
            if exclude:
                q = q.where(r.id.not_in(list(exclude)))
            return [convert.incident(row) for row in s.scalars(q)]


def with_owner(draft: IncidentDraft, owner: str) -> IncidentDraft:
    """A copy of the draft with an owner set."""
    return replace(draft, owner=owner)
