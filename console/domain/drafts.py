"""Inputs to the services: what a form or the CLI hands over before validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from console.domain.entities import Casualties
from console.domain.enums import Grade, SourceChannel


@dataclass(slots=True)
class IntakeDraft:
    """A report as typed into the intake form (电话记录)."""

    channel: SourceChannel = SourceChannel.PHONE
    received_at: datetime | None = None  # defaults to now
    reporter_unit: str = ""
    reporter_name: str = ""
    reporter_title: str = ""
    reporter_phone: str = ""
    title: str = ""
    category_code: str | None = None
    grade: Grade | None = None
    occurred_at: datetime | None = None
    division_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    course: str = ""
    casualties: Casualties = field(default_factory=Casualties)
    losses: str = ""
    measures: str = ""
    trend: str = ""
    notified: str = ""
    leader_instructions: str = ""
    handling: str = ""


@dataclass(slots=True)
class IncidentDraft:
    """A new incident (from an intake or the CLI)."""

    title: str = ""
    category_code: str = ""
    subcategory_code: str | None = None
    grade: Grade | None = None
    occurred_at: datetime | None = None
    received_at: datetime | None = None
    division_code: str = ""
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    casualties: Casualties = field(default_factory=Casualties)
    losses: str = ""
    description: str = ""
    source_channel: SourceChannel = SourceChannel.PHONE
    owner: str | None = None  # defaults to the acting user (首问负责制)
    exercise: bool = False
