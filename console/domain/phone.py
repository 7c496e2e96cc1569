"""Phone dispatch in the domain's words: contacts, call groups, calls and their outcomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class CallOutcome(StrEnum):
    """How a call ended (stored in ``call_record.outcome``)."""

    ANSWERED = "answered"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    CONGESTION = "congestion"
    FAILED = "failed"
    MISSED = "missed"  # an incoming call nobody picked up

    @property
    def label(self) -> str:
        """The duty room's word for it (timeline and log text)."""
        return OUTCOME_LABELS[self]

    @property
    def reached(self) -> bool:
        """The other side picked up."""
        return self is CallOutcome.ANSWERED


OUTCOME_LABELS: dict[CallOutcome, str] = {
    CallOutcome.ANSWERED: "已接通",
    CallOutcome.BUSY: "忙",
    CallOutcome.NO_ANSWER: "无应答",
    CallOutcome.CONGESTION: "线路拥塞",
    CallOutcome.FAILED: "呼叫失败",
    CallOutcome.MISSED: "未接",
}


class CallDirection(StrEnum):
    """Incoming or outgoing."""

    IN = "in"
    OUT = "out"


class GroupCallKind(StrEnum):
    """群呼 (everyone hears the same notice) or 点名 (roll-call: who answered)."""

    GROUP = "group"
    ROLLCALL = "rollcall"


class CallEventKind(StrEnum):
    """What a phone device reported about a call."""

    RINGING = "ringing"  # an incoming call rings (caller ID known when the line sends it)
    ANSWERED = "answered"
    HUNG_UP = "hung_up"
    RING = "ring"  # an analog line rang once (no caller ID yet)


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    """One number of a contact, with what it is (办公, 手机, 值班 …)."""

    label: str
    number: str


@dataclass(frozen=True, slots=True)
class Contact:
    """A person in the dispatch directory."""

    id: int
    unit: str
    title: str
    name: str
    phones: tuple[PhoneNumber, ...]
    notes: str = ""
    active: bool = True
    version: int = 1

    @property
    def primary(self) -> str:
        """The number dialled first."""
        return self.phones[0].number if self.phones else ""

    @property
    def display(self) -> str:
        """``王某（县应急局）`` as on the timeline."""
        return f"{self.name}（{self.unit}）" if self.unit else self.name


@dataclass(frozen=True, slots=True)
class ContactDraft:
    """What a form or a CSV row gives to create or change a contact."""

    name: str
    phones: tuple[PhoneNumber, ...]
    unit: str = ""
    title: str = ""
    notes: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class CallGroup:
    """A named list of contacts called together."""

    id: int
    name: str
    notes: str
    member_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class CallTarget:
    """One party of a group call: who, and the number to dial."""

    contact_id: int | None
    name: str
    unit: str
    number: str

    @property
    def display(self) -> str:
        """``王某（县应急局）`` (or the bare number)."""
        who = self.name or self.number
        return f"{who}（{self.unit}）" if self.unit else who


@dataclass(frozen=True, slots=True)
class DialResult:
    """How one dial went, as the phone device reports it."""

    number: str
    outcome: CallOutcome
    reason: str = ""
    uniqueid: str = ""
    channel: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call, incoming or outgoing, as stored."""

    id: int
    direction: CallDirection
    number: str
    contact_id: int | None
    caller_name: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    outcome: CallOutcome | None  # None while the call is going on
    pbx_uniqueid: str
    device: str
    actor: str
    incident_id: int | None
    log_entry_id: int | None
    group_call_id: int | None


@dataclass(frozen=True, slots=True)
class GroupCall:
    """One group call or roll-call and the call of each member."""

    id: int
    kind: GroupCallKind
    group_id: int | None
    incident_id: int | None
    started_by: str
    started_at: datetime
    finished_at: datetime | None
    calls: tuple[CallRecord, ...] = ()

    def count(self, outcome: CallOutcome) -> int:
        """How many members ended with ``outcome``."""
        return sum(1 for c in self.calls if c.outcome is outcome)


@dataclass(frozen=True, slots=True)
class IncidentRef:
    """An incident as the incoming-call pop-up lists it."""

    id: int
    title: str
    occurred_at: datetime
    status: str


@dataclass(frozen=True, slots=True)
class CallerHistory:
    """What the console knows about a number: who it is, earlier calls, incidents."""

    number: str
    contact: Contact | None
    calls: tuple[CallRecord, ...]
    incidents: tuple[IncidentRef, ...]


@dataclass(frozen=True, slots=True)
class CallEvent:
    """A call event from a phone device (PBX or modem line), forwarded by the manager."""

    device: str
    kind: CallEventKind
    number: str = ""  # the caller's number ("" when withheld or not yet known)
    name: str = ""
    exten: str = ""  # where it rings (PBX)
    channel: str = ""
    uniqueid: str = ""  # the call's id at the PBX (its Linkedid)
    cause: str = ""  # why it ended (hung-up events)
    answered: bool = False  # hung-up events: whether it had been answered
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CsvProblem:
    """One CSV row that was not imported, and why."""

    line: int
    message: str


@dataclass(slots=True)
class ContactImportReport:
    """What a CSV import did."""

    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    problems: list[CsvProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every row was imported."""
        return not self.problems
