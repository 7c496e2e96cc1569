"""Row → domain conversions, and row → dict snapshots for the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase

from console.db import models as m
from console.domain import (
    Casualties,
    EventKind,
    Grade,
    Incident,
    IncidentEvent,
    IncidentStatus,
    Instruction,
    InstructionStatus,
    Intake,
    IntakeStatus,
    LogEntry,
    LogKind,
    SourceChannel,
)


def snapshot(row: DeclarativeBase) -> dict[str, Any]:
    """A JSON-safe dict of a row's columns, for audit before/after."""
    out: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        if isinstance(value, datetime):
            value = value.isoformat()
        out[column.key] = value
    return out


def grade_or_none(value: str | None) -> Grade | None:
    """Stored grade text to the enum."""
    return Grade(value) if value else None


def incident(row: m.IncidentRow) -> Incident:
    """Domain view of an incident row."""
    return Incident(
        id=row.id,
        title=row.title,
        category_code=row.category_code,
        subcategory_code=row.subcategory_code,
        grade=grade_or_none(row.grade),
        status=IncidentStatus(row.status),
        occurred_at=row.occurred_at,
        received_at=row.received_at,
        division_code=row.division_code,
        lon=row.lon,
        lat=row.lat,
        address=row.address,
        casualties=Casualties(row.deaths, row.injuries, row.missing, row.trapped),
        losses=row.losses,
        description=row.description,
        source_channel=SourceChannel(row.source_channel),
        owner=row.owner,
        merged_into_id=row.merged_into_id,
        exercise=row.exercise,
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def event(row: m.IncidentEventRow) -> IncidentEvent:
    """Domain view of a timeline row."""
    return IncidentEvent(
        id=row.id,
        incident_id=row.incident_id,
        at=row.at,
        actor=row.actor,
        kind=EventKind(row.kind),
        text=row.text,
        data=dict(row.data or {}),
    )


def intake(row: m.IntakeRow) -> Intake:
    """Domain view of an intake row."""
    return Intake(
        id=row.id,
        received_at=row.received_at,
        channel=SourceChannel(row.channel),
        reporter_unit=row.reporter_unit,
        reporter_name=row.reporter_name,
        reporter_title=row.reporter_title,
        reporter_phone=row.reporter_phone,
        title=row.title,
        category_code=row.category_code,
        grade=grade_or_none(row.grade),
        occurred_at=row.occurred_at,
        division_code=row.division_code,
        lon=row.lon,
        lat=row.lat,
        address=row.address,
        course=row.course,
        casualties=Casualties(row.deaths, row.injuries, row.missing, row.trapped),
        losses=row.losses,
        measures=row.measures,
        trend=row.trend,
        notified=row.notified,
        recorder=row.recorder,
        recorded_at=row.recorded_at,
        leader_instructions=row.leader_instructions,
        handling=row.handling,
        status=IntakeStatus(row.status),
        incident_id=row.incident_id,
    )


def log_entry(row: m.LogEntryRow, corrected_by_id: int | None = None) -> LogEntry:
    """Domain view of a duty-log row."""
    return LogEntry(
        id=row.id,
        at=row.at,
        author=row.author,
        text=row.text,
        kind=LogKind(row.kind),
        shift_id=row.shift_id,
        incident_id=row.incident_id,
        corrects_id=row.corrects_id,
        corrected_by_id=corrected_by_id,
    )


def instruction(row: m.InstructionRow) -> Instruction:
    """Domain view of an instruction row."""
    return Instruction(
        id=row.id,
        incident_id=row.incident_id,
        text=row.text,
        given_by=row.given_by,
        given_at=row.given_at,
        status=InstructionStatus(row.status),
        done_note=row.done_note,
    )
