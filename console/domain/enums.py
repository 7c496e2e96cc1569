"""Enumerations of the duty domain. Values are stable identifiers stored in the database."""

from __future__ import annotations

from enum import StrEnum


class IncidentStatus(StrEnum):
    """Life cycle of an incident: 接报 → 核实 → 处置中 → 已结束 (reopen allowed)."""

    REPORTED = "reported"
    VERIFYING = "verifying"
    RESPONDING = "responding"
    CLOSED = "closed"


class Grade(StrEnum):
    """Grade of an incident (Ⅰ 特别重大 … Ⅳ 一般); ungraded is ``None``."""

    I = "I"  # noqa: E741 - the grade is called Ⅰ
    II = "II"
    III = "III"
    IV = "IV"

    @property
    def numeral(self) -> str:
        """The Roman numeral used on boards (Ⅰ–Ⅳ)."""
        return {"I": "Ⅰ", "II": "Ⅱ", "III": "Ⅲ", "IV": "Ⅳ"}[self.value]

    @property
    def colour(self) -> str:
        """Board colour convention: Ⅰ red, Ⅱ orange, Ⅲ yellow, Ⅳ blue."""
        return {"I": "#d32f2f", "II": "#f57c00", "III": "#fbc02d", "IV": "#1976d2"}[self.value]


class SourceChannel(StrEnum):
    """How a report reached the duty room."""

    PHONE = "phone"
    FAX = "fax"
    SUBORDINATE = "subordinate"
    MONITORING = "monitoring"
    WALK_IN = "walk_in"
    OTHER = "other"


class ReportStage(StrEnum):
    """Stages of reporting upward: 首报, 续报, 终报."""

    FIRST = "first"
    FOLLOWUP = "followup"
    FINAL = "final"


class IntakeStatus(StrEnum):
    """What became of a received report."""

    OPEN = "open"
    CONVERTED = "converted"
    ATTACHED = "attached"


class LogKind(StrEnum):
    """Kinds of duty-log entries."""

    NOTE = "note"
    CALL = "call"
    ALARM = "alarm"
    SYSTEM = "system"
    HANDOVER = "handover"
    CORRECTION = "correction"
    FAX = "fax"  # a fax sent or received
    MONITORING = "monitoring"  # a monitoring station's alarm raised or cleared


class EventKind(StrEnum):
    """Kinds of incident timeline events."""

    CREATED = "created"
    INTAKE_ATTACHED = "intake_attached"
    STATUS_CHANGED = "status_changed"
    GRADED = "graded"
    UPDATED = "updated"
    OWNER_CHANGED = "owner_changed"
    MERGED = "merged"
    MERGED_FROM = "merged_from"
    REPORT_SENT = "report_sent"
    LOG = "log"
    INSTRUCTION = "instruction"
    DEADLINE = "deadline"
    DEVICE = "device"  # a command to a display matrix, camera, … issued for the incident
    CALL = "call"  # a phone call (incoming, outgoing, group call, roll-call) for the incident
    ATTACHMENT = "attachment"  # a stored file (recording, fax, snapshot, document) was attached
    FAX = "fax"  # a fax sent (or finally not sent) for the incident


class Role(StrEnum):
    """Roles of people at the console."""

    OFFICER = "officer"
    LEADER = "leader"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    AUDITOR = "auditor"


class HandoverStatus(StrEnum):
    """A handover is open until every item is acknowledged and it is completed."""

    OPEN = "open"
    COMPLETED = "completed"


class HandoverItemKind(StrEnum):
    """What a handover item refers to."""

    INCIDENT = "incident"
    REPORT = "report"
    INSTRUCTION = "instruction"


class InstructionStatus(StrEnum):
    """A leader's instruction (批示) is pending until carried out."""

    PENDING = "pending"
    DONE = "done"
