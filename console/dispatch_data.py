"""Pages of the dispatch directory and the call history, for the dispatch pane.

Runs in a reader thread (``ctx.runner.read``); nothing here writes or touches widgets. Both
lists are keyset-paged, so the pane never loads a whole table: contacts by (unit, name, id),
calls newest first by (started_at, id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.sql.elements import ColumnElement

from console.db import models as m
from console.domain import CallOutcome, CallRecord, Contact
from console.services import Services
from console.services.contacts import call_record_of, contact_of, digits_of

PAGE_SIZE = 100

ContactKey = tuple[str, str, int]  # unit, name, id of the last contact of a page
CallKey = tuple[datetime, int]  # started_at, id of the last call of a page


@dataclass(frozen=True, slots=True)
class ContactPage:
    """One page of contacts and where the next one starts (None: this was the last)."""

    contacts: tuple[Contact, ...]
    next_key: ContactKey | None


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """A call as the history list shows it: the call and who it was with."""

    call: CallRecord
    who: str  # 王某（县应急局）, the caller's name as the line sent it, or ""


@dataclass(frozen=True, slots=True)
class CallPage:
    """One page of calls, newest first, and where the next one starts."""

    rows: tuple[HistoryRow, ...]
    next_key: CallKey | None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def contact_page(
    services: Services, text: str = "", after: ContactKey | None = None, limit: int = PAGE_SIZE
) -> ContactPage:
    """Active contacts by unit and name matching ``text`` (unit, post, name or a number)."""
    with services.db.read() as s:
        row = m.ContactRow
        q = select(row).where(row.active.is_(True))
        needle = text.strip()
        if needle:
            like = _like(needle)
            conditions: list[ColumnElement[bool]] = [
                row.unit.ilike(like, escape="\\"),
                row.title.ilike(like, escape="\\"),
                row.name.ilike(like, escape="\\"),
            ]
            digits = digits_of(needle)
            if len(digits) >= 3:
                conditions.append(row.numbers.contains(digits))
            q = q.where(or_(*conditions))
        if after is not None:
            unit, name, last = after
            q = q.where(
                or_(
                    row.unit > unit,
                    and_(row.unit == unit, row.name > name),
                    and_(row.unit == unit, row.name == name, row.id > last),
                )
            )
        q = q.order_by(row.unit, row.name, row.id).limit(limit + 1)
        found = [contact_of(r) for r in s.scalars(q)]
    more = len(found) > limit
    found = found[:limit]
    key = (found[-1].unit, found[-1].name, found[-1].id) if more and found else None
    return ContactPage(tuple(found), key)


def call_page(
    services: Services,
    after: CallKey | None = None,
    limit: int = PAGE_SIZE,
    *,
    outcome: CallOutcome | None = None,
) -> CallPage:
    """Calls newest first (optionally of one outcome), with who each one was with."""
    with services.db.read() as s:
        row = m.CallRecordRow
        q = select(row, m.ContactRow).outerjoin(m.ContactRow, m.ContactRow.id == row.contact_id)
        if outcome is not None:
            q = q.where(row.outcome == outcome.value)
        if after is not None:
            at, last = after
            q = q.where(or_(row.started_at < at, and_(row.started_at == at, row.id < last)))
        q = q.order_by(row.started_at.desc(), row.id.desc()).limit(limit + 1)
        rows: list[HistoryRow] = []
        for call_row, contact_row in s.execute(q):
            call = call_record_of(call_row)
            who = contact_of(contact_row).display if contact_row is not None else call.caller_name
            rows.append(HistoryRow(call, who))
    more = len(rows) > limit
    rows = rows[:limit]
    key = (rows[-1].call.started_at, rows[-1].call.id) if more and rows else None
    return CallPage(tuple(rows), key)


def find_incoming_call(
    services: Services, device: str, number: str, uniqueid: str = ""
) -> CallRecord | None:
    """The newest incoming call on ``device`` from ``number`` (by the PBX's id when known)."""
    with services.db.read() as s:
        row = m.CallRecordRow
        q = select(row).where(row.direction == "in", row.device == device[:64])
        if uniqueid:
            q = q.where(row.pbx_uniqueid == uniqueid[:64])
        else:
            q = q.where(row.number_digits == digits_of(number)[:64])
        found = s.scalar(q.order_by(row.started_at.desc(), row.id.desc()).limit(1))
        return call_record_of(found) if found is not None else None
