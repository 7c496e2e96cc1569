"""Warnings (预警): levels, states and the plain objects services hand to windows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class WarningState(StrEnum):
    """Where a warning stands. Ours: draft → approved → published → updated → cancelled."""

    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    RECEIVED = "received"  # a CAP alert imported from an upper office or a feed


# 一级 (1) is the highest. Colours as boards show them: red, orange, yellow, blue.
LEVEL_COLOURS = {1: "#d32f2f", 2: "#f57c00", 3: "#fbc02d", 4: "#1976d2"}
LEVEL_COLOUR_NAMES = {1: "红色", 2: "橙色", 3: "黄色", 4: "蓝色"}
LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
SCOPES = ("Public", "Restricted", "Private")
CATEGORIES = (
    "Geo",
    "Met",
    "Safety",
    "Security",
    "Rescue",
    "Fire",
    "Health",
    "Env",
    "Transport",
    "Infra",
    "CBRNE",
    "Other",
)


@dataclass(frozen=True, slots=True)
class WarningDraft:
    """What a person writes in the editor. ``polygon`` is [(lon, lat), …] (WGS-84) or None."""

    level: int | None
    event: str
    headline: str
    expires: datetime | None
    description: str = ""
    instruction: str = ""
    area_codes: tuple[str, ...] = ()
    polygon: tuple[tuple[float, float], ...] | None = None
    area_desc: str = ""
    onset: datetime | None = None
    audience: str = ""
    category: str = "Met"
    urgency: str = "Expected"
    certainty: str = "Likely"
    scope: str = "Public"
    restriction: str = ""
    addresses: str = ""
    exercise: bool = False


@dataclass(frozen=True, slots=True)
class WarningNotice:
    """A stored warning (ours or received) as windows and the CLI show it."""

    id: int
    origin: str
    state: WarningState
    level: int | None
    level_basis: str
    event: str
    headline: str
    description: str
    instruction: str
    area_desc: str
    area_codes: tuple[str, ...]
    polygon: tuple[tuple[float, float], ...] | None
    onset: datetime | None
    expires: datetime | None
    audience: str
    category: str
    urgency: str
    certainty: str
    scope: str
    restriction: str
    addresses: str
    exercise: bool
    sender: str
    sender_name: str
    identifier: str | None
    sent: datetime | None
    msg_type: str
    refs: str
    approved_by: str
    approved_at: datetime | None
    published_at: datetime | None
    cancelled_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def colour(self) -> str:
        """The level's colour (grey when the level is not known)."""
        return LEVEL_COLOURS.get(self.level or 0, "#757575")

    def draft(self) -> WarningDraft:
        """The editable part, to edit or update it."""
        return WarningDraft(
            level=self.level,
            event=self.event,
            headline=self.headline,
            expires=self.expires,
            description=self.description,
            instruction=self.instruction,
            area_codes=self.area_codes,
            polygon=self.polygon,
            area_desc=self.area_desc,
            onset=self.onset,
            audience=self.audience,
            category=self.category,
            urgency=self.urgency,
            certainty=self.certainty,
            scope=self.scope,
            restriction=self.restriction,
            addresses=self.addresses,
            exercise=self.exercise,
        )


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What importing a CAP file did: the stored warning, or why the alert was refused."""

    accepted: bool
    reasons: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    warning: WarningNotice | None = None
