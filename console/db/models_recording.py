"""Tables of call recordings.

``recording`` is one segment of one recorder channel: opened when a call on its line is
answered (status ``recording``), closed when it hangs up (``complete``) or when the input was
lost mid-call (``incomplete``, with what was captured). The audio is a FLAC file in the
content-addressed store (``sha256`` → ``stored_file``); the row ties it to its call, the call's
duty-log entry and the incident.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from console.db.models import Base, BigId


class RecordingRow(Base):
    """One recorded segment of a call (or of a channel recorded by hand)."""

    __tablename__ = "recording"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    segment_key: Mapped[str] = mapped_column(String(32), unique=True)
    recorder: Mapped[str] = mapped_column(String(64))
    channel: Mapped[int] = mapped_column(Integer)
    line: Mapped[str] = mapped_column(String(100), default="")
    sample_rate: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]
    frames: Mapped[int] = mapped_column(BigInteger, default=0)
    duration: Mapped[float] = mapped_column(Float, default=0.0)  # seconds
    # "recording", "complete" or "incomplete" (input lost mid-call; what was captured is kept)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(300), default="")
    number: Mapped[str] = mapped_column(String(64), default="")
    sha256: Mapped[str | None] = mapped_column(ForeignKey("stored_file.sha256"), index=True)
    call_record_id: Mapped[int | None] = mapped_column(ForeignKey("call_record.id"), index=True)
    log_entry_id: Mapped[int | None] = mapped_column(ForeignKey("log_entry.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
