"""Table of warnings (预警): our own from draft to cancellation, and CAP alerts received.

One row per warning. A published warning keeps the identifier and time of its latest CAP
message (``identifier``, ``sent``) and, in ``refs``, the CAP ``references`` to the messages
before it, so an Update or Cancel names what it replaces. ``cap_xml`` is the message as last
sent or as received.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from console.db.models import Base, BigId


class WarningRow(Base):
    """A warning: level, area, validity, text, audience, scope, where it stands."""

    __tablename__ = "warning"
    __table_args__ = (
        UniqueConstraint("sender", "identifier"),
        Index("ix_warning_state_expires", "state", "expires"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    origin: Mapped[str] = mapped_column(String(8))  # local | imported
    state: Mapped[str] = mapped_column(String(12))
    level: Mapped[int | None] = mapped_column(Integer)  # 1 一级 red … 4 四级 blue
    level_basis: Mapped[str] = mapped_column(String(200), default="")
    event: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(16), default="Met")
    urgency: Mapped[str] = mapped_column(String(16), default="Expected")
    certainty: Mapped[str] = mapped_column(String(16), default="Likely")
    headline: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    instruction: Mapped[str] = mapped_column(Text, default="")
    area_desc: Mapped[str] = mapped_column(Text, default="")
    area_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    polygon: Mapped[list[Any] | None] = mapped_column(JSON)  # [[lon, lat], …] or None
    onset: Mapped[datetime | None] = mapped_column()
    expires: Mapped[datetime | None] = mapped_column()
    audience: Mapped[str] = mapped_column(String(200), default="")
    scope: Mapped[str] = mapped_column(String(12), default="Public")
    restriction: Mapped[str] = mapped_column(Text, default="")
    addresses: Mapped[str] = mapped_column(Text, default="")
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    sender: Mapped[str] = mapped_column(String(255))
    sender_name: Mapped[str] = mapped_column(String(255), default="")
    identifier: Mapped[str | None] = mapped_column(String(255))
    sent: Mapped[datetime | None] = mapped_column()
    msg_type: Mapped[str] = mapped_column(String(8), default="")
    refs: Mapped[str] = mapped_column(Text, default="")
    cap_xml: Mapped[str] = mapped_column(Text, default="")
    approved_by: Mapped[str] = mapped_column(String(64), default="")
    approved_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()
    cancelled_at: Mapped[datetime | None] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own mapping
