"""Tables of monitoring stations, their parameters, readings, hourly rollups and rejected frames.

Readings are the big table (months of 1-minute data for hundreds of stations): one compact row
per (parameter, second) — the parameter id stands for (station, parameter) — with the value and
the station's data flag, keyed by that pair (on SQLite a WITHOUT ROWID table, so the key *is*
the storage order and a range of one series is one contiguous read). ``reading_hour`` keeps
count/min/max/sum per parameter and hour, recomputed for the hours each batch touched, so a
30-day chart reads 720 rows instead of 43 200.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from console.db.models import Base, BigId


class StationRow(Base):
    """A monitoring station: HJ 212 data logger (MN) or SL 651 telemetry station (address)."""

    __tablename__ = "station"
    __table_args__ = (UniqueConstraint("protocol", "code"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    protocol: Mapped[str] = mapped_column(String(8))  # hj212 | sl651
    code: Mapped[str] = mapped_column(String(32))  # MN or 10-hex-digit address
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32), default="")
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    division_code: Mapped[str] = mapped_column(String(6), default="")
    password: Mapped[str] = mapped_column(String(32), default="")  # "" = not checked
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    last_seen_at: Mapped[datetime | None] = mapped_column()
    frames_ok: Mapped[int] = mapped_column(BigInteger, default=0)
    frames_rejected: Mapped[int] = mapped_column(BigInteger, default=0)


class StationParameterRow(Base):
    """One quantity a station reports; its id keys the readings. Thresholds per warning level."""

    __tablename__ = "station_parameter"
    __table_args__ = (UniqueConstraint("station_id", "code"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("station.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))  # w01018, Z, PJ …
    name: Mapped[str] = mapped_column(String(64), default="")
    unit: Mapped[str] = mapped_column(String(16), default="")
    # [{"level": 1..4, "value": x, "direction": "above"|"below", "hysteresis": h,
    #   "min_duration_s": s}, …]
    thresholds: Mapped[list[Any]] = mapped_column(JSON, default=list)


class ReadingRow(Base):
    """One value of one parameter at one second (UTC epoch seconds)."""

    __tablename__ = "reading"
    __table_args__ = ({"sqlite_with_rowid": False},)
    parameter_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    t: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    value: Mapped[float] = mapped_column(Float)
    flag: Mapped[str] = mapped_column(String(2), default="N")  # HJ 212 表 8 data flag


class ReadingHourRow(Base):
    """Count, min, max and sum of one parameter's readings in one hour (``hour`` = its start)."""

    __tablename__ = "reading_hour"
    __table_args__ = ({"sqlite_with_rowid": False},)
    parameter_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    hour: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(Integer)
    vmin: Mapped[float] = mapped_column(Float)
    vmax: Mapped[float] = mapped_column(Float)
    vsum: Mapped[float] = mapped_column(Float)


class QuarantineRow(Base):
    """A frame that was refused, with the reason; never a reading."""

    __tablename__ = "monitoring_quarantine"
    __table_args__ = (Index("ix_monitoring_quarantine_station_at", "station_id", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    protocol: Mapped[str] = mapped_column(String(8))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("station.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(64), default="")  # MN / address as read
    peer: Mapped[str] = mapped_column(String(64), default="")
    reason: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text, default="")
    raw: Mapped[str] = mapped_column(Text, default="")


class MonitoringAlarmRow(Base):
    """A threshold breach or a silent station: raised, perhaps turned into an intake, cleared."""

    __tablename__ = "monitoring_alarm"
    __table_args__ = (Index("ix_monitoring_alarm_state_raised_at", "state", "raised_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    station_id: Mapped[int] = mapped_column(
        ForeignKey("station.id", ondelete="CASCADE"), index=True
    )
    parameter_code: Mapped[str] = mapped_column(String(32), default="")
    kind: Mapped[str] = mapped_column(String(16))  # threshold | stale | offline
    level: Mapped[int] = mapped_column(Integer, default=0)  # 1–4 for thresholds
    state: Mapped[str] = mapped_column(String(16))  # active | cleared
    value: Mapped[float | None] = mapped_column(Float)
    limit_value: Mapped[float | None] = mapped_column(Float)
    raised_at: Mapped[datetime] = mapped_column()
    cleared_at: Mapped[datetime | None] = mapped_column()
    message: Mapped[str] = mapped_column(Text, default="")
    acknowledged_by: Mapped[str] = mapped_column(String(64), default="")
    intake_id: Mapped[int | None] = mapped_column(ForeignKey("intake.id"))
