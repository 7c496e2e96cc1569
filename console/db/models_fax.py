"""Tables of fax jobs and received faxes.

``fax_job`` is the outgoing queue (one row per document to one number, with its status and
the delivery record), ``fax_attempt`` one row per try of a job, ``fax_in`` the inbox.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from console.db.models import Base, BigId


class FaxJobRow(Base):
    """A fax to send: the document, the rendered pages, where it stands, how it went."""

    __tablename__ = "fax_job"
    __table_args__ = (Index("ix_fax_job_status_next", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(64))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    device: Mapped[str] = mapped_column(String(64), default="")  # "" any fax line
    document_sha256: Mapped[str] = mapped_column(ForeignKey("stored_file.sha256"))
    document_name: Mapped[str] = mapped_column(String(255), default="")
    pages_sha256: Mapped[str] = mapped_column(ForeignKey("stored_file.sha256"))
    pages: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    claimed_at: Mapped[datetime | None] = mapped_column()
    sent_by_device: Mapped[str] = mapped_column(String(64), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    hangup_code: Mapped[str] = mapped_column(String(8), default="")
    remote_id: Mapped[str] = mapped_column(String(64), default="")
    finished_at: Mapped[datetime | None] = mapped_column()
    log_entry_id: Mapped[int | None] = mapped_column(ForeignKey("log_entry.id"))
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))


class FaxAttemptRow(Base):
    """One try at sending a job: when, on which line, and what the modem reported."""

    __tablename__ = "fax_attempt"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("fax_job.id"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    device: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime] = mapped_column()
    ok: Mapped[bool] = mapped_column(Boolean)
    pages_sent: Mapped[int] = mapped_column(Integer, default=0)
    hangup_code: Mapped[str] = mapped_column(String(8), default="")
    remote_id: Mapped[str] = mapped_column(String(64), default="")
    error: Mapped[str] = mapped_column(Text, default="")


class FaxInRow(Base):
    """A received fax: the pages as TIFF and a PDF copy in the file store."""

    __tablename__ = "fax_in"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    device: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[str] = mapped_column(String(64), default="")
    pages: Mapped[int] = mapped_column(Integer)
    tiff_sha256: Mapped[str] = mapped_column(ForeignKey("stored_file.sha256"))
    pdf_sha256: Mapped[str] = mapped_column(ForeignKey("stored_file.sha256"))
    received_at: Mapped[datetime] = mapped_column(index=True)
    read_at: Mapped[datetime | None] = mapped_column()
    read_by: Mapped[str] = mapped_column(String(64), default="")
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intake.id"))
    log_entry_id: Mapped[int | None] = mapped_column(ForeignKey("log_entry.id"))
