"""The dispatch directory (通讯录): contacts with several phones, call groups, CSV in and out.

Every write is validated, audited and announced as the ``contacts`` topic. A CSV import takes
the good rows and reports each bad one with its line number; :meth:`ContactsService.history`
answers "who is calling, and what did we have with them before" for the incoming-call pop-up.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.elements import ColumnElement

from console.db import models as m
from console.db.session import Database
from console.domain import (
    CallDirection,
    CallerHistory,
    CallGroup,
    CallOutcome,
    CallRecord,
    ConflictError,
    Contact,
    ContactDraft,
    ContactImportReport,
    CsvProblem,
    IncidentRef,
    NotFoundError,
    PhoneNumber,
    ValidationError,
)
from console.services import audit, convert
from console.services.validation import NAME_MAX, SHORT_MAX, TEXT_MAX, Checker
from console.timeutil import utcnow

TOPIC = "contacts"
MAX_PHONES = 8
LABEL_MAX = 16
NUMBER_RE = re.compile(r"^\+?[0-9][0-9\- ]{2,31}$")
MAX_CSV_BYTES = 5_000_000

#: CSV header → field; phone columns are 电话1, 电话2 … or phone1, phone2 …
CSV_HEADERS = {
    "单位": "unit",
    "职务": "title",
    "姓名": "name",
    "备注": "notes",
    "unit": "unit",
    "title": "title",
    "post": "title",
    "name": "name",
    "notes": "notes",
}
PHONE_HEADER_RE = re.compile(r"^(?:电话|phone)\s*(\d{1,2})$", re.IGNORECASE)
EXPORT_HEADERS = ("单位", "职务", "姓名")


def _tr(text: str) -> str:
    return QCoreApplication.translate("Contacts", text)


# --------------------------------------------------------------------------- numbers


def digits_of(number: str) -> str:
    """A number as digits only, without China's country code: what caller ID is matched on.

    ``+86 138-0013-8000`` and ``0086 13800138000`` → ``13800138000``; ``0431-8888 0000`` →
    ``043188880000``.
    """
    text = number.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+86"):
        return digits[2:]
    if digits.startswith("0086"):
        return digits[4:]
    return digits


def _numbers_column(phones: Iterable[PhoneNumber]) -> str:
    digits = [digits_of(p.number) for p in phones]
    return " " + " ".join(d for d in digits if d) + " "


def check_draft(draft: ContactDraft) -> dict[str, str]:
    """Field → message for everything wrong with a contact (empty when fine)."""
    c = Checker()
    if c.required("name", draft.name):
        c.length("name", draft.name.strip(), NAME_MAX)
    c.length("unit", draft.unit.strip(), SHORT_MAX)
    c.length("title", draft.title.strip(), NAME_MAX)
    c.length("notes", draft.notes, TEXT_MAX)
    if not draft.phones:
        c.fail("phones", _tr("至少需要一个电话号码 (at least one phone number)"))
    elif len(draft.phones) > MAX_PHONES:
        c.fail("phones", _tr("电话号码最多 {n} 个").format(n=MAX_PHONES))
    for i, phone in enumerate(draft.phones, start=1):
        number = phone.number.strip()
        if not NUMBER_RE.match(number) or len(digits_of(number)) < 3:
            c.fail(
                f"phone{i}",
                _tr("电话{i}格式不对：{number!r}（只能有数字、+、- 和空格）").format(
                    i=i, number=number
                ),
            )
        if len(phone.label.strip()) > LABEL_MAX:
            c.fail(f"phone{i}", _tr("电话{i}的说明太长（最多 {n} 字）").format(i=i, n=LABEL_MAX))
    return c.errors


def _clean(draft: ContactDraft) -> ContactDraft:
    return ContactDraft(
        name=draft.name.strip(),
        phones=tuple(
            PhoneNumber(p.label.strip() or f"电话{i}", p.number.strip())
            for i, p in enumerate(draft.phones, start=1)
        ),
        unit=draft.unit.strip(),
        title=draft.title.strip(),
        notes=draft.notes.strip(),
        active=draft.active,
    )


# --------------------------------------------------------------------------- row → domain


def contact_of(row: m.ContactRow) -> Contact:
    """Domain view of a contact row."""
    return Contact(
        id=row.id,
        unit=row.unit,
        title=row.title,
        name=row.name,
        phones=tuple(PhoneNumber(str(p["label"]), str(p["number"])) for p in row.phones or []),
        notes=row.notes,
        active=row.active,
        version=row.version,
    )


def call_record_of(row: m.CallRecordRow) -> CallRecord:
    """Domain view of a call record row."""
    return CallRecord(
        id=row.id,
        direction=CallDirection(row.direction),
        number=row.number,
        contact_id=row.contact_id,
        caller_name=row.caller_name,
        started_at=row.started_at,
        answered_at=row.answered_at,
        ended_at=row.ended_at,
        outcome=CallOutcome(row.outcome) if row.outcome else None,
        pbx_uniqueid=row.pbx_uniqueid,
        device=row.device,
        actor=row.actor,
        incident_id=row.incident_id,
        log_entry_id=row.log_entry_id,
        group_call_id=row.group_call_id,
    )


def _group_of(s: Session, row: m.CallGroupRow) -> CallGroup:
    ids = s.scalars(
        select(m.CallGroupMemberRow.contact_id)
        .where(m.CallGroupMemberRow.group_id == row.id)
        .order_by(m.CallGroupMemberRow.position, m.CallGroupMemberRow.contact_id)
    )
    return CallGroup(row.id, row.name, row.notes, tuple(ids))


# --------------------------------------------------------------------------- CSV


def _parse_phone(cell: str, n: int) -> PhoneNumber:
    """``办公:0431-88880000`` (or ``办公：…``) keeps its label; a bare number gets ``电话N``."""
    label, sep, number = cell.replace("：", ":").partition(":")
    if sep and not re.search(r"\d", label):
        return PhoneNumber(label.strip(), number.strip())
    return PhoneNumber(f"电话{n}", cell.strip())


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on a Chinese Windows saves "CSV" as GB18030/GBK.
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                {"file": _tr("文件不是 UTF-8 或 GB18030 编码的文本 (not UTF-8 text)")}
            ) from exc


def _columns(header: Sequence[str]) -> dict[int, str]:
    """Column index → field ("phone3" for 电话3); ValidationError for an unusable header."""
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for i, raw in enumerate(header):
        name = raw.strip()
        if not name:
            continue
        key = CSV_HEADERS.get(name) or CSV_HEADERS.get(name.lower())
        phone = PHONE_HEADER_RE.match(name)
        if key is None and phone is not None:
            key = f"phone{int(phone.group(1))}"
        if key is None:
            unknown.append(name)
        elif key in columns.values():
            raise ValidationError({"file": _tr("第 1 行：列名重复 {name}").format(name=name)})
        else:
            columns[i] = key
    if unknown:
        raise ValidationError(
            {
                "file": _tr(
                    "第 1 行：未知的列 {names}；应为 单位,职务,姓名,电话1,电话2,备注"
                ).format(names="、".join(unknown))
            }
        )
    if "name" not in columns.values() or not any(v.startswith("phone") for v in columns.values()):
        raise ValidationError(
            {"file": _tr("第 1 行：缺少 姓名 或 电话1 列 (header needs name and phone1)")}
        )
    return columns


def _draft_from_row(columns: dict[int, str], cells: Sequence[str]) -> ContactDraft:
    values: dict[str, str] = {}
    for i, cell in enumerate(cells):
        key = columns.get(i)
        if key is None:
            if cell.strip():
                raise ValidationError({"row": _tr("多出的列：{cell!r}").format(cell=cell)})
            continue
        values[key] = cell
    phone_keys = sorted((k for k in values if k.startswith("phone")), key=lambda k: int(k[5:]))
    phones = tuple(_parse_phone(values[k], int(k[5:])) for k in phone_keys if values[k].strip())
    return ContactDraft(
        name=values.get("name", ""),
        phones=phones,
        unit=values.get("unit", ""),
        title=values.get("title", ""),
        notes=values.get("notes", ""),
    )


# --------------------------------------------------------------------------- the service


class ContactsService:
    """Writes and reads the dispatch directory and its call groups."""

    def __init__(self, db: Database, notify: Callable[[str], None] | None = None) -> None:
        self._db = db
        self._notify = notify or (lambda _topic: None)

    # -- contacts: reading ------------------------------------------------------------------------

    def search(self, text: str = "", *, include_inactive: bool = False) -> list[Contact]:
        """Contacts by unit and name; ``text`` matches unit, post, name or a number."""
        with self._db.read() as s:
            q = select(m.ContactRow).order_by(m.ContactRow.unit, m.ContactRow.name, m.ContactRow.id)
            if not include_inactive:
                q = q.where(m.ContactRow.active.is_(True))
            needle = text.strip()
            if needle:
                like = "%" + needle.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
                like += "%"
                conditions: list[ColumnElement[bool]] = [
                    m.ContactRow.unit.ilike(like, escape="\\"),
                    m.ContactRow.title.ilike(like, escape="\\"),
                    m.ContactRow.name.ilike(like, escape="\\"),
                ]
                digits = digits_of(needle)
                if digits and len(digits) >= 3:
                    conditions.append(m.ContactRow.numbers.contains(digits))
                q = q.where(or_(*conditions))
            return [contact_of(r) for r in s.scalars(q)]

    def get(self, contact_id: int) -> Contact:
        """One contact (NotFoundError when there is none)."""
        with self._db.read() as s:
            return contact_of(self._row(s, contact_id))

    def find_by_number(self, number: str) -> Contact | None:
        """The active contact one of whose numbers is ``number`` (compared as digits)."""
        digits = digits_of(number)
        if not digits:
            return None
        with self._db.read() as s:
            row = contact_row_by_digits(s, digits)
            return contact_of(row) if row is not None else None

    def history(self, number: str, limit: int = 20) -> CallerHistory:
        """Who ``number`` is, their earlier calls (newest first) and the incidents they concern.

        Incidents are those of earlier calls and those whose intake gave this number as the
        reporter's phone.
        """
        digits = digits_of(number)
        with self._db.read() as s:
            contact_row = contact_row_by_digits(s, digits) if digits else None
            calls: list[CallRecord] = []
            incident_ids: list[int] = []
            if digits:
                rows = s.scalars(
                    select(m.CallRecordRow)
                    .where(m.CallRecordRow.number_digits == digits)
                    .order_by(m.CallRecordRow.started_at.desc(), m.CallRecordRow.id.desc())
                    .limit(limit)
                )
                calls = [call_record_of(r) for r in rows]
                incident_ids = [c.incident_id for c in calls if c.incident_id is not None]
                bare = func.replace(
                    func.replace(func.replace(m.IntakeRow.reporter_phone, "-", ""), " ", ""),
                    "+",
                    "",
                )
                incident_ids += [
                    i
                    for i in s.scalars(
                        select(m.IntakeRow.incident_id)
                        .where(
                            m.IntakeRow.incident_id.is_not(None),
                            or_(bare == digits, bare == "86" + digits),
                        )
                        .order_by(m.IntakeRow.received_at.desc())
                        .limit(limit)
                    )
                    if i is not None
                ]
            incidents: list[IncidentRef] = []
            if incident_ids:
                rows_i = s.scalars(
                    select(m.IncidentRow)
                    .where(m.IncidentRow.id.in_(set(incident_ids)))
                    .order_by(m.IncidentRow.occurred_at.desc())
                    .limit(limit)
                )
                incidents = [IncidentRef(r.id, r.title, r.occurred_at, r.status) for r in rows_i]
            return CallerHistory(
                number=number,
                contact=contact_of(contact_row) if contact_row is not None else None,
                calls=tuple(calls),
                incidents=tuple(incidents),
            )

    # -- contacts: writing ------------------------------------------------------------------------

    def add(self, actor: str, draft: ContactDraft) -> Contact:
        """Store a new contact (ValidationError with the field's message when something is off)."""
        errors = check_draft(draft)
        if errors:
            raise ValidationError(errors)
        with self._db.transaction() as s:
            contact = self._add(s, actor, _clean(draft))
        self._notify(TOPIC)
        return contact

    def update(
        self,
        actor: str,
        contact_id: int,
        draft: ContactDraft,
        expected_version: int | None = None,
    ) -> Contact:
        """Replace a contact's fields (ConflictError when someone changed it first)."""
        errors = check_draft(draft)
        if errors:
            raise ValidationError(errors)
        try:
            with self._db.transaction() as s:
                row = self._row(s, contact_id)
                if expected_version is not None and row.version != expected_version:
                    raise ConflictError(
                        _tr("联系人 #{id} 已被他人修改，请刷新后再改").format(id=contact_id)
                    )
                self._update(s, actor, row, _clean(draft))
                contact = contact_of(row)
        except StaleDataError as exc:
            raise ConflictError(
                _tr("联系人 #{id} 已被他人修改，请刷新后再改").format(id=contact_id)
            ) from exc
        self._notify(TOPIC)
        return contact

    def remove(self, actor: str, contact_id: int) -> bool:
        """Delete a contact; one with calls on record is only made inactive (history stays).

        Returns True when it was deleted, False when it was deactivated.
        """
        with self._db.transaction() as s:
            row = self._row(s, contact_id)
            before = convert.snapshot(row)
            called = s.scalar(
                select(func.count())
                .select_from(m.CallRecordRow)
                .where(m.CallRecordRow.contact_id == contact_id)
            )
            for member in s.scalars(
                select(m.CallGroupMemberRow).where(m.CallGroupMemberRow.contact_id == contact_id)
            ):
                s.delete(member)
            if called:
                row.active = False
                row.updated_at = utcnow()
                s.flush()
                after = convert.snapshot(row)
                audit.append(s, actor, "contact.deactivate", "contact", row.id, before, after)
                deleted = False
            else:
                s.delete(row)
                audit.append(s, actor, "contact.remove", "contact", contact_id, before, None)
                deleted = True
        self._notify(TOPIC)
        return deleted

    # -- CSV --------------------------------------------------------------------------------------

    def import_csv(self, actor: str, data: bytes | str) -> ContactImportReport:
        """Import a CSV (header 单位,职务,姓名,电话1,电话2,备注 or unit,title,name,phone1,…).

        Good rows are added, or update the active contact of the same name and unit; each bad
        row is reported with its line number and nothing of it is written. A phone cell may
        carry a label: ``办公:0431-88880000``.

        Raises:
            ValidationError: the file is too big, not text, or its header is unusable
                (field ``file``); nothing was written.
        """
        if len(data) > MAX_CSV_BYTES:
            raise ValidationError(
                {"file": _tr("文件太大 (file too large): 最多 {n} 字节").format(n=MAX_CSV_BYTES)}
            )
        reader = csv.reader(io.StringIO(_decode(data), newline=""))
        report = ContactImportReport()
        good: list[tuple[int, ContactDraft]] = []
        seen: dict[tuple[str, str], int] = {}
        header = next(reader, None)
        if header is None:
            raise ValidationError({"file": _tr("文件是空的 (empty file)")})
        columns = _columns(header)
        line = reader.line_num
        try:
            for cells in reader:
                start, line = line + 1, reader.line_num
                problem = self._check_row(columns, cells, seen, start)
                if isinstance(problem, str):
                    report.problems.append(CsvProblem(start, problem))
                elif problem is not None:
                    good.append((start, problem))
        except csv.Error as exc:  # an unclosed quote: the rest of the file is one bad field
            report.problems.append(CsvProblem(line + 1, _tr("CSV 格式错误：{e}").format(e=exc)))
        if good:
            with self._db.transaction() as s:
                for _line, draft in good:
                    row = s.scalar(
                        select(m.ContactRow)
                        .where(
                            m.ContactRow.active.is_(True),
                            m.ContactRow.name == draft.name,
                            m.ContactRow.unit == draft.unit,
                        )
                        .order_by(m.ContactRow.id)
                        .limit(1)
                    )
                    if row is None:
                        report.added.append(self._add(s, actor, draft, action="contact.import").id)
                    elif self._update(s, actor, row, draft, action="contact.import"):
                        report.updated.append(row.id)
                    else:
                        report.unchanged.append(row.id)
            self._notify(TOPIC)
        return report

    @staticmethod
    def _check_row(
        columns: dict[int, str],
        cells: Sequence[str],
        seen: dict[tuple[str, str], int],
        line: int,
    ) -> ContactDraft | str | None:
        """The row's clean draft, the problem with it, or None for an empty row."""
        if not any(cell.strip() for cell in cells):
            return None
        try:
            draft = _draft_from_row(columns, cells)
        except ValidationError as exc:
            return "; ".join(exc.errors.values())
        errors = check_draft(draft)
        if errors:
            return "; ".join(errors.values())
        draft = _clean(draft)
        key = (draft.unit, draft.name)
        if key in seen:
            return _tr("与第 {line} 行重复（同一单位同名）").format(line=seen[key])
        seen[key] = line
        return draft

    def export_csv(self, *, bom: bool = False) -> str:
        """Every active contact as CSV in the form :meth:`import_csv` reads (BOM for Excel)."""
        contacts = self.search()
        width = max([2, *(len(c.phones) for c in contacts)])
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*EXPORT_HEADERS, *(f"电话{i}" for i in range(1, width + 1)), "备注"])
        for c in contacts:
            phones = [
                p.number if p.label == f"电话{i}" else f"{p.label}:{p.number}"
                for i, p in enumerate(c.phones, start=1)
            ]
            phones += [""] * (width - len(phones))
            writer.writerow([c.unit, c.title, c.name, *phones, c.notes])
        return ("\ufeff" if bom else "") + out.getvalue()

    # -- groups -----------------------------------------------------------------------------------

    def groups(self) -> list[CallGroup]:
        """Every call group, by name."""
        with self._db.read() as s:
            rows = s.scalars(select(m.CallGroupRow).order_by(m.CallGroupRow.name))
            return [_group_of(s, r) for r in rows]

    def group(self, group_id: int) -> CallGroup:
        """One call group (NotFoundError when there is none)."""
        with self._db.read() as s:
            return _group_of(s, self._group_row(s, group_id))

    def members(self, group_id: int) -> list[Contact]:
        """The active contacts of a group, in calling order."""
        with self._db.read() as s:
            self._group_row(s, group_id)
            rows = s.scalars(
                select(m.ContactRow)
                .join(m.CallGroupMemberRow, m.CallGroupMemberRow.contact_id == m.ContactRow.id)
                .where(m.CallGroupMemberRow.group_id == group_id, m.ContactRow.active.is_(True))
                .order_by(m.CallGroupMemberRow.position, m.ContactRow.id)
            )
            return [contact_of(r) for r in rows]

    def add_group(
        self, actor: str, name: str, member_ids: Sequence[int] = (), notes: str = ""
    ) -> CallGroup:
        """Create a call group of ``member_ids`` (in that calling order)."""
        with self._db.transaction() as s:
            self._check_group(s, name, member_ids, None)
            now = utcnow()
            row = m.CallGroupRow(
                name=name.strip(), notes=notes.strip(), created_at=now, updated_at=now
            )
            s.add(row)
            s.flush()
            self._set_members(s, row.id, member_ids)
            group = _group_of(s, row)
            audit.append(s, actor, "call_group.add", "call_group", row.id, None, _group_dict(group))
        self._notify(TOPIC)
        return group

    def update_group(
        self,
        actor: str,
        group_id: int,
        name: str,
        member_ids: Sequence[int],
        notes: str = "",
    ) -> CallGroup:
        """Rename a group and replace its members."""
        with self._db.transaction() as s:
            row = self._group_row(s, group_id)
            before = _group_dict(_group_of(s, row))
            self._check_group(s, name, member_ids, group_id)
            row.name, row.notes, row.updated_at = name.strip(), notes.strip(), utcnow()
            for member in s.scalars(
                select(m.CallGroupMemberRow).where(m.CallGroupMemberRow.group_id == group_id)
            ):
                s.delete(member)
            s.flush()
            self._set_members(s, group_id, member_ids)
            group = _group_of(s, row)
            audit.append(
                s, actor, "call_group.update", "call_group", group_id, before, _group_dict(group)
            )
        self._notify(TOPIC)
        return group

    def remove_group(self, actor: str, group_id: int) -> None:
        """Delete a call group (its members stay in the directory; past group calls stay)."""
        with self._db.transaction() as s:
            row = self._group_row(s, group_id)
            before = _group_dict(_group_of(s, row))
            for member in s.scalars(
                select(m.CallGroupMemberRow).where(m.CallGroupMemberRow.group_id == group_id)
            ):
                s.delete(member)
            for done in s.scalars(
                select(m.GroupCallRow).where(m.GroupCallRow.group_id == group_id)
            ):
                done.group_id = None
            s.flush()
            s.delete(row)
            audit.append(s, actor, "call_group.remove", "call_group", group_id, before, None)
        self._notify(TOPIC)

    # -- inside a transaction ---------------------------------------------------------------------

    @staticmethod
    def _row(s: Session, contact_id: int) -> m.ContactRow:
        row = s.get(m.ContactRow, contact_id)
        if row is None:
            raise NotFoundError(_tr("联系人 #{id} 不存在").format(id=contact_id))
        return row

    @staticmethod
    def _group_row(s: Session, group_id: int) -> m.CallGroupRow:
        row = s.get(m.CallGroupRow, group_id)
        if row is None:
            raise NotFoundError(_tr("呼叫组 #{id} 不存在").format(id=group_id))
        return row

    def _add(
        self, s: Session, actor: str, draft: ContactDraft, *, action: str = "contact.add"
    ) -> Contact:
        now = utcnow()
        row = m.ContactRow(created_at=now, updated_at=now, **_contact_columns(draft))
        s.add(row)
        s.flush()
        audit.append(s, actor, action, "contact", row.id, None, convert.snapshot(row))
        return contact_of(row)

    def _update(
        self,
        s: Session,
        actor: str,
        row: m.ContactRow,
        draft: ContactDraft,
        *,
        action: str = "contact.update",
    ) -> bool:
        """Apply ``draft``; False (and no audit record) when nothing changed."""
        columns = _contact_columns(draft)
        if all(getattr(row, k) == v for k, v in columns.items()):
            return False
        before = convert.snapshot(row)
        for key, value in columns.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        s.flush()
        audit.append(s, actor, action, "contact", row.id, before, convert.snapshot(row))
        return True

    def _check_group(
        self, s: Session, name: str, member_ids: Sequence[int], group_id: int | None
    ) -> None:
        c = Checker()
        if c.required("name", name):
            c.length("name", name.strip(), NAME_MAX)
        taken = s.scalar(select(m.CallGroupRow.id).where(m.CallGroupRow.name == name.strip()))
        if taken is not None and taken != group_id:
            c.fail("name", _tr("已有同名呼叫组：{name}").format(name=name.strip()))
        if len(set(member_ids)) != len(member_ids):
            c.fail("members", _tr("成员重复"))
        if member_ids:
            found = set(
                s.scalars(
                    select(m.ContactRow.id).where(
                        m.ContactRow.id.in_(member_ids), m.ContactRow.active.is_(True)
                    )
                )
            )
            missing = [str(i) for i in member_ids if i not in found]
            if missing:
                c.fail("members", _tr("联系人不存在：{ids}").format(ids=", ".join(missing)))
        if c.errors:
            raise ValidationError(c.errors)

    @staticmethod
    def _set_members(s: Session, group_id: int, member_ids: Sequence[int]) -> None:
        for position, contact_id in enumerate(member_ids):
            s.add(m.CallGroupMemberRow(group_id=group_id, contact_id=contact_id, position=position))
        s.flush()


def contact_row_by_digits(s: Session, digits: str) -> m.ContactRow | None:
    """The first active contact with a number of these digits (inside a transaction)."""
    return s.scalar(
        select(m.ContactRow)
        .where(m.ContactRow.active.is_(True), m.ContactRow.numbers.contains(f" {digits} "))
        .order_by(m.ContactRow.id)
        .limit(1)
    )


def _contact_columns(draft: ContactDraft) -> dict[str, Any]:
    return {
        "unit": draft.unit,
        "title": draft.title,
        "name": draft.name,
        "phones": [{"label": p.label, "number": p.number} for p in draft.phones],
        "numbers": _numbers_column(draft.phones),
        "notes": draft.notes,
        "active": draft.active,
    }


def _group_dict(group: CallGroup) -> dict[str, Any]:
    return {"name": group.name, "notes": group.notes, "members": list(group.member_ids)}
