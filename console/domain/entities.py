"""Plain, immutable records handed from services to models and views (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from console.domain.enums import (
    EventKind,
    Grade,
    HandoverItemKind,
    HandoverStatus,
    IncidentStatus,
    InstructionStatus,
    IntakeStatus,
    LogKind,
    ReportStage,
    Role,
    SourceChannel,
)


@dataclass(frozen=True, slots=True)
class User:
    """A person who works at the console."""

    id: int
    username: str
    display_name: str
    role: Role
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Category:
    """An incident category or subcategory (GB/T 35561 names; codes may be unverified)."""

    code: str
    name: str
    name_en: str
    parent_code: str | None
    verified: bool
    source: str


@dataclass(frozen=True, slots=True)
class Division:
    """An administrative division (GB/T 2260) with a representative point."""

    code: str
    name: str
    name_en: str
    parent_code: str | None
    level: str
    lon: float | None
    lat: float | None


@dataclass(frozen=True, slots=True)
class Casualties:
    """Human toll as reported: dead, injured, missing, trapped."""

    deaths: int = 0
    injuries: int = 0
    missing: int = 0
    trapped: int = 0


@dataclass(frozen=True, slots=True)
class Incident:
    """An emergency being tracked, with its current state."""

    id: int
    title: str
    category_code: str
    subcategory_code: str | None
    grade: Grade | None
    status: IncidentStatus
    occurred_at: datetime
    received_at: datetime
    division_code: str
    lon: float | None
    lat: float | None
    address: str
    casualties: Casualties
    losses: str
    description: str
    source_channel: SourceChannel
    owner: str
    merged_into_id: int | None
    exercise: bool
    version: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class IncidentEvent:
    """One entry of an incident's timeline."""

    id: int
    incident_id: int
    at: datetime
    actor: str
    kind: EventKind
    text: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Intake:
    """A phone (or other channel) report record, with every field of the 电话记录 form."""

    id: int
    received_at: datetime
    channel: SourceChannel
    reporter_unit: str
    reporter_name: str
    reporter_title: str
    reporter_phone: str
    title: str
    category_code: str | None
    grade: Grade | None
    occurred_at: datetime | None
    division_code: str | None
    lon: float | None
    lat: float | None
    address: str
    course: str
    casualties: Casualties
    losses: str
    measures: str
    trend: str
    notified: str
    recorder: str
    recorded_at: datetime
    leader_instructions: str
    handling: str
    status: IntakeStatus
    incident_id: int | None


@dataclass(frozen=True, slots=True)
class LogEntry:
    """A duty-log entry. Entries are never edited: a correction points at the entry it corrects."""

    id: int
    at: datetime
    author: str
    text: str
    kind: LogKind
    shift_id: int | None
    incident_id: int | None
    corrects_id: int | None
    corrected_by_id: int | None = None


@dataclass(frozen=True, slots=True)
class ShiftMember:
    """A person on a shift, as officer or as leader on duty (带班领导)."""

    user_id: int
    display_name: str
    role: Role


@dataclass(frozen=True, slots=True)
class Shift:
    """A duty shift with its people."""

    id: int
    starts_at: datetime
    ends_at: datetime
    members: tuple[ShiftMember, ...]

    @property
    def officers(self) -> tuple[ShiftMember, ...]:
        """The duty officers of this shift."""
        return tuple(m for m in self.members if m.role is Role.OFFICER)

    @property
    def leaders(self) -> tuple[ShiftMember, ...]:
        """The leaders on duty of this shift."""
        return tuple(m for m in self.members if m.role is Role.LEADER)


@dataclass(frozen=True, slots=True)
class Instruction:
    """A leader's instruction (批示) and how it was carried out."""

    id: int
    incident_id: int | None
    text: str
    given_by: str
    given_at: datetime
    status: InstructionStatus
    done_note: str


@dataclass(frozen=True, slots=True)
class HandoverItem:
    """One open matter handed over; the incoming officer acknowledges each."""

    id: int
    kind: HandoverItemKind
    ref_id: int
    description: str
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    note: str


@dataclass(frozen=True, slots=True)
class Handover:
    """A handover (交接班) from one shift to the next."""

    id: int
    from_shift_id: int | None
    to_shift_id: int | None
    outgoing: str
    incoming: str
    started_at: datetime
    completed_at: datetime | None
    status: HandoverStatus
    notes: str
    items: tuple[HandoverItem, ...]

    @property
    def unacknowledged(self) -> tuple[HandoverItem, ...]:
        """Items the incoming officer has not yet acknowledged."""
        return tuple(i for i in self.items if i.acknowledged_at is None)


@dataclass(frozen=True, slots=True)
class ReportRule:
    """A reporting deadline rule: (jurisdiction, category, grade, stage) → minutes, with source."""

    id: int
    jurisdiction: str
    category_code: str
    grade: str
    stage: ReportStage
    minutes: int
    source: str


class DueState(StrEnum):
    """Where a report stands against its deadline."""

    PENDING = "pending"
    SOON = "soon"
    OVERDUE = "overdue"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class DueReport:
    """A report owed upward for an incident and when it is due."""

    incident_id: int
    stage: ReportStage
    seq: int
    due_at: datetime
    state: DueState
    rule_source: str
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SentReport:
    """A report sent upward (首报/续报N/终报)."""

    id: int
    incident_id: int
    stage: ReportStage
    seq: int
    sent_at: datetime
    sent_by: str
    channel: str
    content: str


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """Who did what, when, with the record before and after."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class IncidentFilter:
    """What the incident board shows. Empty fields do not filter."""

    statuses: tuple[IncidentStatus, ...] = ()
    grades: tuple[str, ...] = ()  # "I".."IV" or "none" for ungraded
    category_code: str | None = None
    division_code: str | None = None  # prefix match: 2201 matches every county of 长春
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""
    include_merged: bool = False
