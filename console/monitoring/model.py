"""Stations, parameters and thresholds as values, with the checks the registry applies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QCoreApplication

PROTOCOLS = ("hj212", "sl651")
LEVELS = (1, 2, 3, 4)  # 一级 (red) … 四级 (blue)
_HJ212_CODE = re.compile(r"[0-9A-Za-z_-]{1,32}")
_SL651_CODE = re.compile(r"[0-9A-Fa-f]{10}")
_PARAM_CODE = re.compile(r"[0-9A-Za-z_.-]{1,32}")


def _tr(text: str) -> str:
    return QCoreApplication.translate("Monitoring", text)


class Direction(StrEnum):
    """Which side of the threshold is the alarm."""

    ABOVE = "above"
    BELOW = "below"


@dataclass(frozen=True, slots=True)
class Threshold:
    """A warning level's limit: enter at ``value``, leave only past ``value ∓ hysteresis``.

    The level is raised once the value has been past the limit for ``min_duration_s``.
    """

    level: int
    value: float
    direction: Direction = Direction.ABOVE
    hysteresis: float = 0.0
    min_duration_s: int = 0

    def breached(self, value: float) -> bool:
        """The value is past the limit."""
        if self.direction is Direction.ABOVE:
            return value >= self.value
        return value <= self.value

    def cleared(self, value: float) -> bool:
        """The value is back inside the limit by at least the hysteresis."""
        if self.direction is Direction.ABOVE:
            return value < self.value - self.hysteresis
        return value > self.value + self.hysteresis

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "level": self.level,
            "value": self.value,
            "direction": self.direction.value,
            "hysteresis": self.hysteresis,
            "min_duration_s": self.min_duration_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Threshold:
        """From the stored form."""
        return cls(
            level=int(data["level"]),
            value=float(data["value"]),
            direction=Direction(data.get("direction", "above")),
            hysteresis=float(data.get("hysteresis", 0.0)),
            min_duration_s=int(data.get("min_duration_s", 0)),
        )


@dataclass(frozen=True, slots=True)
class Parameter:
    """A quantity of a station: ``w01018`` COD in mg/L, ``Z`` water level in m."""

    code: str
    name: str = ""
    unit: str = ""
    thresholds: tuple[Threshold, ...] = ()
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Station:
    """A monitoring station and what it reports."""

    protocol: str
    code: str
    name: str
    kind: str = ""
    lon: float | None = None
    lat: float | None = None
    division_code: str = ""
    password: str = ""
    enabled: bool = True
    parameters: tuple[Parameter, ...] = ()
    id: int | None = None
    last_seen_at: datetime | None = None
    frames_ok: int = 0
    frames_rejected: int = 0

    def parameter(self, code: str) -> Parameter | None:
        """The parameter ``code``, or None."""
        return next((p for p in self.parameters if p.code == code), None)

    def normalised(self) -> Station:
        """Codes in their canonical case (SL 651 addresses upper-case hex)."""
        code = self.code.strip()
        if self.protocol == "sl651":
            code = code.upper()
        return replace(self, code=code, name=self.name.strip())

    def problems(self) -> dict[str, str]:
        """Field → message for everything wrong (empty when the station is fine)."""
        errors: dict[str, str] = {}
        if self.protocol not in PROTOCOLS:
            errors["protocol"] = _tr("协议应为 hj212 或 sl651")
        elif self.protocol == "hj212" and not _HJ212_CODE.fullmatch(self.code):
            errors["code"] = _tr("HJ 212 设备编号 MN 应为 1–32 位字母数字")
        elif self.protocol == "sl651" and not _SL651_CODE.fullmatch(self.code):
            errors["code"] = _tr("SL 651 测站地址应为 10 位十六进制数字")
        if not self.name.strip():
            errors["name"] = _tr("请填写站名")
        if self.lon is not None and not -180 <= self.lon <= 180:
            errors["lon"] = _tr("经度应在 -180 到 180 之间")
        if self.lat is not None and not -90 <= self.lat <= 90:
            errors["lat"] = _tr("纬度应在 -90 到 90 之间")
        if (
            self.protocol == "sl651"
            and self.password
            and not re.fullmatch(r"[0-9A-Fa-f]{1,4}", self.password)
        ):
            errors["password"] = _tr("SL 651 密码应为 1–4 位十六进制数字")
        seen: set[str] = set()
        for param in self.parameters:
            key = f"parameter.{param.code}"
            if not _PARAM_CODE.fullmatch(param.code):
                errors[key] = _tr("参数编码应为 1–32 位字母数字")
            elif param.code in seen:
                errors[key] = _tr("参数重复")
            seen.add(param.code)
            levels = [t.level for t in param.thresholds]
            if len(set(levels)) != len(levels):
                errors[key] = _tr("每个预警级别只能有一个阈值")
            for threshold in param.thresholds:
                if threshold.level not in LEVELS:
                    errors[key] = _tr("预警级别应为 1–4")
                elif threshold.hysteresis < 0 or threshold.min_duration_s < 0:
                    errors[key] = _tr("回差和持续时间不能为负")
        return errors


@dataclass(frozen=True, slots=True)
class Series:
    """Points of one parameter for a chart: raw readings or rollup buckets."""

    resolution: str  # "raw" or e.g. "1h", "6h"
    t: list[float] = field(default_factory=list)  # UTC epoch seconds (bucket start)
    mean: list[float] = field(default_factory=list)
    low: list[float] = field(default_factory=list)
    high: list[float] = field(default_factory=list)
    count: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    """One refused frame, as the quarantine log shows it."""

    id: int
    at: datetime
    protocol: str
    station_id: int | None
    code: str
    peer: str
    reason: str
    message: str
    raw: str


@dataclass(slots=True)
class IngestBatch:
    """What the ingest server hands the service in one write.

    ``readings``: (protocol, station code, parameter code, unit, epoch seconds, value, flag);
    ``accepted``: (protocol, station code) → frames accepted; ``rejected``: quarantine records
    (protocol, station code, peer, reason, message, raw); ``seen_at`` the newest frame time.
    """

    readings: list[tuple[str, str, str, str, int, float, str]] = field(default_factory=list)
    accepted: dict[tuple[str, str], int] = field(default_factory=dict)
    rejected: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    seen_at: datetime | None = None

    def __bool__(self) -> bool:
        return bool(self.readings or self.accepted or self.rejected)


LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
#: Warning-level colours (一级 red … 四级 blue), as the board and the charts draw them.
LEVEL_COLOURS = {1: "#d7191c", 2: "#f28e2b", 3: "#e9c600", 4: "#2c7bb6"}


class AlarmKind(StrEnum):
    """What an alarm is about."""

    THRESHOLD = "threshold"
    STALE = "stale"
    OFFLINE = "offline"


@dataclass(frozen=True, slots=True)
class Alarm:
    """A raised (or cleared) monitoring alarm."""

    id: int
    station_id: int
    station_code: str
    station_name: str
    parameter_code: str
    kind: str
    level: int
    state: str  # active | cleared
    value: float | None
    limit_value: float | None
    raised_at: datetime
    cleared_at: datetime | None
    message: str
    acknowledged_by: str = ""
    intake_id: int | None = None

    @property
    def active(self) -> bool:
        """Not cleared yet."""
        return self.state == "active"
