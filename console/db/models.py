"""SQLAlchemy 2 typed schema; runs unchanged on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite wants INTEGER PRIMARY KEY for its rowid alias; PostgreSQL gets BIGINT identities.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both databases (SQLite keeps naive UTC text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Store UTC; refuse naive values so local time never sneaks in."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use aware UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return aware UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with one naming convention for every constraint."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class UserRow(Base):
    """A person who works at the console."""

    __tablename__ = "app_user"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    phone: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Accounts (console/services/users.py): an argon2id hash; None = cannot log in.
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)


class CategoryRow(Base):
    """Incident category table (GB/T 35561 names, codes marked when unverified)."""

    __tablename__ = "category"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("category.code"))
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(200), default="")
    sort: Mapped[int] = mapped_column(Integer, default=0)


class DivisionRow(Base):
    """GB/T 2260 administrative divisions with a representative point."""

    __tablename__ = "division"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(String(6), index=True)
    name: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128), default="")
    level: Mapped[str] = mapped_column(String(16))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)


class IncidentRow(Base):
    """An incident being tracked."""

    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category_code: Mapped[str] = mapped_column(ForeignKey("category.code"))
    subcategory_code: Mapped[str | None] = mapped_column(ForeignKey("category.code"))
    grade: Mapped[str | None] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]
    division_code: Mapped[str] = mapped_column(String(6))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(500), default="")
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0)
    trapped: Mapped[int] = mapped_column(Integer, default=0)
    losses: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    source_channel: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(64))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    exercise: Mapped[bool] = mapped_column(Boolean, default=False)
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own mapping
    __table_args__ = (
        # Covering: every board filter column is in the index, so the rows a filter rejects
        # cost no table lookup while the board walks it newest first (benchmarks/README.md).
        Index(
            "ix_incident_board",
            "merged_into_id",
            "occurred_at",
            "id",
            "status",
            "grade",
            "category_code",
            "subcategory_code",
            "division_code",
        ),
        Index("ix_incident_status_occurred", "status", "occurred_at"),
        Index("ix_incident_grade_occurred", "grade", "occurred_at"),
        Index("ix_incident_division", "division_code"),
        Index("ix_incident_category", "category_code"),
    )


class IncidentEventRow(Base):
    """The timeline of an incident."""

    __tablename__ = "incident_event"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IntakeRow(Base):
    """A received report (电话记录 and the like)."""

    __tablename__ = "intake"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)
    channel: Mapped[str] = mapped_column(String(16))
    reporter_unit: Mapped[str] = mapped_column(String(200), default="")
    reporter_name: Mapped[str] = mapped_column(String(64), default="")
    reporter_title: Mapped[str] = mapped_column(String(64), default="")
    reporter_phone: Mapped[str] = mapped_column(String(64), default="")
    title: Mapped[str] = mapped_column(String(200), default="")
    category_code: Mapped[str | None] = mapped_column(ForeignKey("category.code"))
    grade: Mapped[str | None] = mapped_column(String(4))
    occurred_at: Mapped[datetime | None]
    division_code: Mapped[str | None] = mapped_column(String(6))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(500), default="")
    course: Mapped[str] = mapped_column(Text, default="")
    deaths: Mapped[int] = mapped_column(Integer, default=0)
    injuries: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0)
    trapped: Mapped[int] = mapped_column(Integer, default=0)
    losses: Mapped[str] = mapped_column(Text, default="")
    measures: Mapped[str] = mapped_column(Text, default="")
    trend: Mapped[str] = mapped_column(Text, default="")
    notified: Mapped[str] = mapped_column(Text, default="")
    recorder: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime]
    leader_instructions: Mapped[str] = mapped_column(Text, default="")
    handling: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)


class ShiftRow(Base):
    """A duty shift."""

    __tablename__ = "shift"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]


class ShiftMemberRow(Base):
    """A person on a shift and the role they hold on it."""

    __tablename__ = "shift_member"
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))


class LogEntryRow(Base):
    """A duty-log entry (append-only)."""

    __tablename__ = "log_entry"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime]
    author: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("log_entry.id"), index=True)

    __table_args__ = (Index("ix_log_entry_at_id", "at", "id"),)


class InstructionRow(Base):
    """A leader's instruction (批示) and its handling."""

    __tablename__ = "instruction"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    given_by: Mapped[str] = mapped_column(String(64))
    given_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(16), index=True)
    done_note: Mapped[str] = mapped_column(Text, default="")


class HandoverRow(Base):
    """A handover (交接班)."""

    __tablename__ = "handover"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    from_shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    to_shift_id: Mapped[int | None] = mapped_column(ForeignKey("shift.id"))
    outgoing: Mapped[str] = mapped_column(String(64))
    incoming: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    notes: Mapped[str] = mapped_column(Text, default="")

    # One handover at a time, even when two seats start one at the same moment.
    __table_args__ = (
        Index(
            "uq_handover_one_open",
            "status",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )


class HandoverItemRow(Base):
    """One matter handed over, acknowledged by the incoming officer."""

    __tablename__ = "handover_item"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handover.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref_id: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")


class ReportRuleRow(Base):
    """Reporting deadline rule: (jurisdiction, category, grade, stage) → minutes."""

    __tablename__ = "report_rule"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(6))  # division code prefix, "*" = anywhere
    category_code: Mapped[str] = mapped_column(String(16))  # "*" = any
    grade: Mapped[str] = mapped_column(String(4))  # "I".."IV", "none" or "*"
    stage: Mapped[str] = mapped_column(String(16))
    minutes: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(300))


class SentReportRow(Base):
    """A report sent upward for an incident."""

    __tablename__ = "sent_report"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer, default=1)
    sent_at: Mapped[datetime]
    sent_by: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32), default="")
    content: Mapped[str] = mapped_column(Text, default="")


class DeadlineAlarmRow(Base):
    """Remembers which deadline alarms were raised, so each is logged once."""

    __tablename__ = "deadline_alarm"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    stage: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]

    __table_args__ = (UniqueConstraint("incident_id", "stage", "seq", "state"),)


class AuditRow(Base):
    """Audit trail: who, when, what, before and after."""

    __tablename__ = "audit"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # the hash chain (console.services.audit): this record's digest over the previous one's
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")
    # The workstation that wrote it (host/label, console.db.seat; migration 0013). Not part of
    # the digest: the chain covers who, when, what, before and after.
    seat: Mapped[str] = mapped_column(String(128), default="", server_default=text("''"))


class AuditHeadRow(Base):
    """The end of the audit chain: how many records and the last digest (one row, id 1).

    Appending locks this row, so every seat extends the same chain; a record cut off the end
    of the chain no longer matches it.
    """

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")


class DeviceRow(Base):
    """A device the administrator configured (display matrix, PTZ camera, …)."""

    __tablename__ = "device"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    protocol: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(500))
    # baud, bytesize, parity, stopbits, rs485, timeout, address, inputs, outputs
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # input_names, output_names, preset_names: {"number": "name"}
    names: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own mapping


class ContactRow(Base):
    """A person in the dispatch directory (通讯录): unit, post, name and several phones."""

    __tablename__ = "contact"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    unit: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(64), index=True)
    # [{"label": "办公", "number": "0431-88880000"}, …]; the first is dialled first
    phones: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    # " 043188880000 13800138000 ": every number as digits, for caller-ID lookup by LIKE
    numbers: Mapped[str] = mapped_column(String(600), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own mapping


class CallGroupRow(Base):
    """A named list of contacts called together (群呼组)."""

    __tablename__ = "call_group"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CallGroupMemberRow(Base):
    """A contact in a call group, in calling order."""

    __tablename__ = "call_group_member"
    group_id: Mapped[int] = mapped_column(ForeignKey("call_group.id"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class GroupCallRow(Base):
    """One group call (群呼) or roll-call (点名) as it was run."""

    __tablename__ = "group_call"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("call_group.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class CallRecordRow(Base):
    """One phone call, incoming or outgoing, with its outcome and what it belongs to."""

    __tablename__ = "call_record"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    direction: Mapped[str] = mapped_column(String(4))
    number: Mapped[str] = mapped_column(String(64))
    # the number as digits only ("+86 138-0013-8000" → "13800138000"), for history lookups
    number_digits: Mapped[str] = mapped_column(String(64), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    caller_name: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(16))
    pbx_uniqueid: Mapped[str] = mapped_column(String(64), default="", index=True)
    device: Mapped[str] = mapped_column(String(64), default="")
    actor: Mapped[str] = mapped_column(String(64))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    log_entry_id: Mapped[int | None] = mapped_column(ForeignKey("log_entry.id"))
    group_call_id: Mapped[int | None] = mapped_column(ForeignKey("group_call.id"), index=True)


class StoredFileRow(Base):
    """A file in the content-addressed store (console.files): its hash as it was stored."""

    __tablename__ = "stored_file"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))
    # the last check: "ok", "missing" or "changed", and when
    state: Mapped[str] = mapped_column(String(16), default="ok")
    checked_at: Mapped[datetime | None]


class AttachmentRow(Base):
    """A stored file attached to an incident and/or an intake (recording, fax, snapshot, …)."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_file.sha256"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intake.id"), index=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(64))


class SettingRow(Base):
    """Per-installation and per-user settings (layout, language)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --------------------------------------------------------------------------- text search index
#
# SQLite only (PostgreSQL searches with ILIKE): FTS5 tables whose rowid is the row's id and whose
# columns hold the text as overlapping character bigrams ("天池景区" -> "天池 池景 景区"), so
# any needle of 2+ characters maps to a phrase of bigrams. The index only narrows candidates;
# the services still confirm every hit with LIKE. Created and backfilled by migration 0003 and
# kept current by the mapper events below, which fire on every ORM insert/update/delete of the
# rows (services, deadline scans, handovers alike). Core bulk writes bypass them: call
# ``rebuild_search_index`` after those.

SEARCH_INCIDENT = "search_incident"  # rowid = incident.id; columns title, address
SEARCH_LOG = "search_log"  # rowid = log_entry.id; column text
SEARCH_TABLE_PREFIX = "search_"  # the FTS5 tables and their shadow tables

WORD_RUN = re.compile(r"[^\W_]+")


def search_terms(value: str | None) -> str:
    """The text as bigrams of each run of letters/digits, space separated (one run: itself).

    Runs of a single character are left out: 1-character needles are searched with LIKE.
    """
    if not value:
        return ""
    out: list[str] = []
    for run in WORD_RUN.findall(value):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(out)


def create_search_index(conn: Connection) -> None:
    """Create the FTS5 tables (SQLite only; a no-op elsewhere)."""
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql(f"CREATE VIRTUAL TABLE {SEARCH_INCIDENT} USING fts5(title, address)")
    conn.exec_driver_sql(f"CREATE VIRTUAL TABLE {SEARCH_LOG} USING fts5(text)")


def rebuild_search_index(conn: Connection) -> None:
    """Fill the FTS5 tables from incident and log_entry (after Core bulk writes; SQLite only)."""
    if conn.dialect.name != "sqlite":
        return
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.create_function("duty_search_terms", 1, search_terms, deterministic=True)
    conn.exec_driver_sql(f"DELETE FROM {SEARCH_INCIDENT}")
    conn.exec_driver_sql(
        f"INSERT INTO {SEARCH_INCIDENT}(rowid, title, address) "
        "SELECT id, duty_search_terms(title), duty_search_terms(address) FROM incident"
    )
    conn.exec_driver_sql(f"DELETE FROM {SEARCH_LOG}")
    conn.exec_driver_sql(
        f"INSERT INTO {SEARCH_LOG}(rowid, text) SELECT id, duty_search_terms(text) FROM log_entry"
    )


def _index_incident(conn: Connection, row: IncidentRow) -> None:
    conn.execute(
        text(f"INSERT INTO {SEARCH_INCIDENT}(rowid, title, address) VALUES (:id, :t, :a)"),
        {"id": row.id, "t": search_terms(row.title), "a": search_terms(row.address)},
    )


def _unindex(conn: Connection, table: str, row_id: int) -> None:
    conn.execute(text(f"DELETE FROM {table} WHERE rowid = :id"), {"id": row_id})


@event.listens_for(IncidentRow, "after_insert")
def _incident_inserted(_mapper: Mapper[Any], conn: Connection, row: IncidentRow) -> None:
    if conn.dialect.name == "sqlite":
        _index_incident(conn, row)


@event.listens_for(IncidentRow, "after_update")
def _incident_updated(_mapper: Mapper[Any], conn: Connection, row: IncidentRow) -> None:
    if conn.dialect.name != "sqlite":
        return
    attrs = inspect(row).attrs
    if attrs.title.history.has_changes() or attrs.address.history.has_changes():
        _unindex(conn, SEARCH_INCIDENT, row.id)
        _index_incident(conn, row)


@event.listens_for(IncidentRow, "after_delete")
def _incident_deleted(_mapper: Mapper[Any], conn: Connection, row: IncidentRow) -> None:
    if conn.dialect.name == "sqlite":
        _unindex(conn, SEARCH_INCIDENT, row.id)


@event.listens_for(LogEntryRow, "after_insert")
def _log_inserted(_mapper: Mapper[Any], conn: Connection, row: LogEntryRow) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(
            text(f"INSERT INTO {SEARCH_LOG}(rowid, text) VALUES (:id, :t)"),
            {"id": row.id, "t": search_terms(row.text)},
        )


@event.listens_for(LogEntryRow, "after_update")
def _log_updated(_mapper: Mapper[Any], conn: Connection, row: LogEntryRow) -> None:
    # Entries are append-only, but an edit must not leave the index stale.
    if conn.dialect.name == "sqlite" and inspect(row).attrs.text.history.has_changes():
        _unindex(conn, SEARCH_LOG, row.id)
        _log_inserted(_mapper, conn, row)


@event.listens_for(LogEntryRow, "after_delete")
def _log_deleted(_mapper: Mapper[Any], conn: Connection, row: LogEntryRow) -> None:
    if conn.dialect.name == "sqlite":
        _unindex(conn, SEARCH_LOG, row.id)


# --------------------------------------------------------------------------- feature tables
# Each feature keeps its tables in a module of its own; importing them here registers them
# with Base.metadata (migrations are checked against it).
from console.db import (  # noqa: E402, F401
    models_accounts,
    models_fax,
    models_monitoring,
    models_recording,
    models_resources,
    models_warnings,
)
