"""The basic-information database (基础信息库): resources with a kind, a place and contacts."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from PySide6.QtCore import QCoreApplication


def _tr(text: str) -> str:
    return QCoreApplication.translate("Resources", text)


class ResourceKind(StrEnum):
    """What a record of the basic-information database is."""

    RESCUE_TEAM = "rescue_team"  # 救援队伍
    DEPOT = "depot"  # 物资储备库
    SHELTER = "shelter"  # 避难场所
    HOSPITAL = "hospital"  # 医疗机构
    HAZARD = "hazard"  # 危险源
    PROTECTION_TARGET = "protection_target"  # 防护目标

    @property
    def label(self) -> str:
        """The kind's name for people (translated)."""
        return {
            ResourceKind.RESCUE_TEAM: _tr("救援队伍"),
            ResourceKind.DEPOT: _tr("物资储备库"),
            ResourceKind.SHELTER: _tr("避难场所"),
            ResourceKind.HOSPITAL: _tr("医疗机构"),
            ResourceKind.HAZARD: _tr("危险源"),
            ResourceKind.PROTECTION_TARGET: _tr("防护目标"),
        }[self]

    @property
    def label_zh(self) -> str:
        """The kind's Chinese name, whatever the UI language (what CSV files carry)."""
        return KIND_ZH[self]


KIND_ZH = {
    ResourceKind.RESCUE_TEAM: "救援队伍",
    ResourceKind.DEPOT: "物资储备库",
    ResourceKind.SHELTER: "避难场所",
    ResourceKind.HOSPITAL: "医疗机构",
    ResourceKind.HAZARD: "危险源",
    ResourceKind.PROTECTION_TARGET: "防护目标",
}


class Crs(StrEnum):
    """The coordinate system of imported coordinates (stored coordinates are WGS-84)."""

    WGS84 = "wgs84"
    CGCS2000 = "cgcs2000"  # equal to WGS-84 at map scale: taken as is
    GCJ02 = "gcj02"  # AMap/Tencent: converted to WGS-84


@dataclass(frozen=True, slots=True)
class ResourceDraft:
    """What a person or a file gives for a resource (WGS-84 coordinates)."""

    kind: ResourceKind
    name: str
    lon: float
    lat: float
    type: str = ""  # e.g. 消防救援, 危化品储存
    capacity: float | None = None
    unit: str = ""  # of capacity: 人, 张床位, 吨
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""
    division_code: str | None = None  # filled by point-in-polygon when None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Resource:
    """A stored resource."""

    id: int
    kind: ResourceKind
    name: str
    type: str
    capacity: float | None
    unit: str
    contact_name: str
    contact_phone: str
    address: str
    division_code: str | None
    lon: float
    lat: float
    notes: str
    version: int

    def draft(self) -> ResourceDraft:
        """Its fields as a draft (to edit)."""
        return ResourceDraft(
            kind=self.kind,
            name=self.name,
            lon=self.lon,
            lat=self.lat,
            type=self.type,
            capacity=self.capacity,
            unit=self.unit,
            contact_name=self.contact_name,
            contact_phone=self.contact_phone,
            address=self.address,
            division_code=self.division_code,
            notes=self.notes,
        )

    @property
    def capacity_text(self) -> str:
        """``500 人`` (integral capacities without decimals), or empty."""
        if self.capacity is None:
            return ""
        value = self.capacity
        text = str(int(value)) if value == int(value) else f"{value:g}"
        return f"{text} {self.unit}".strip()


@dataclass(frozen=True, slots=True)
class NearbyResource:
    """A resource found around a point, with its great-circle distance."""

    resource: Resource
    distance_m: float


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One CSV row or GeoJSON feature that was not imported, and why.

    ``line`` is the CSV line number (the header is line 1); for GeoJSON it is None and ``feature``
    is the index in the ``features`` array (from 0).
    """

    message: str
    line: int | None = None
    feature: int | None = None

    @property
    def where(self) -> str:
        """``第 3 行 (line 3)`` or ``第 2 个要素 (feature 2)``."""
        if self.line is not None:
            return _tr("第 {n} 行 (line {n})").format(n=self.line)
        return _tr("要素 {n} (feature {n})").format(n=self.feature)


@dataclass(slots=True)
class ResourceImportReport:
    """What an import did: ids added/updated/unchanged and the refused rows."""

    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every row was imported."""
        return not self.problems

    @property
    def imported(self) -> int:
        """Good rows (added, updated or unchanged)."""
        return len(self.added) + len(self.updated) + len(self.unchanged)
