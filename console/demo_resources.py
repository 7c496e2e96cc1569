"""Demo basic-information database: fictitious resources at real places across Jilin.

Every name ends in （演示） and is invented (a district's real name plus a generic unit: "长春市
朝阳区综合应急救援队（演示）"); people are 王某-style and phones follow the demo's 0431-8NNN0000
pattern. The places are real: each prefecture's urban area gets one resource of every kind around
its centre, and every other county one resource at its representative point.
"""

from __future__ import annotations

import logging
import math

from console import geo
from console.domain.resources import ResourceDraft, ResourceKind
from console.services import Services
from console.services.reference import shipped_divisions

log = logging.getLogger(__name__)

SETUP_ACTOR = "system"

AREA_CODES = {
    "2201": "0431",
    "2202": "0432",
    "2203": "0434",
    "2204": "0437",
    "2205": "0435",
    "2206": "0439",
    "2207": "0438",
    "2208": "0436",
    "2224": "0433",
}

# prefecture code → the centre of its urban area (WGS-84, approximate)
CITY_CENTRES: dict[str, tuple[float, float]] = {
    "220100": (125.3245, 43.8868),  # 长春
    "220200": (126.5496, 43.8378),  # 吉林
    "220300": (124.3505, 43.1664),  # 四平
    "220400": (125.1437, 42.8880),  # 辽源
    "220500": (125.9399, 41.7283),  # 通化
    "220600": (126.4236, 41.9398),  # 白山
    "220700": (124.8251, 45.1411),  # 松原
    "220800": (122.8390, 45.6196),  # 白城
    "222400": (129.5090, 42.8913),  # 延吉
}

# kind, name pattern ({place} = county or district), type, capacity, unit, offset (km east, north)
CITY_SET: list[tuple[ResourceKind, str, str, float | None, str, tuple[float, float]]] = [
    (ResourceKind.RESCUE_TEAM, "{place}综合应急救援队", "综合救援", 60, "人", (1.2, 0.8)),
    (ResourceKind.RESCUE_TEAM, "{place}某消防救援站", "消防救援", 35, "人", (-1.5, 1.1)),
    (ResourceKind.DEPOT, "{place}应急物资储备库", "综合物资", 1200, "件", (3.5, -2.0)),
    (ResourceKind.SHELTER, "{place}某广场应急避难场所", "Ⅰ类避难场所", 8000, "人", (0.3, -0.6)),
    (ResourceKind.HOSPITAL, "{place}某综合医院", "三级综合医院", 900, "张床位", (-0.8, 0.4)),
    (ResourceKind.HAZARD, "{place}某化工园区储罐区", "危化品储存", 3000, "吨", (6.5, 4.2)),
    (ResourceKind.PROTECTION_TARGET, "{place}某中学", "学校", 2400, "人", (1.9, -1.7)),
]

# for the other counties, cycling
COUNTY_SET: list[tuple[ResourceKind, str, str, float | None, str]] = [
    (ResourceKind.RESCUE_TEAM, "{place}应急救援大队", "综合救援", 30, "人"),
    (ResourceKind.SHELTER, "{place}某公园应急避难场所", "Ⅱ类避难场所", 3000, "人"),
    (ResourceKind.HOSPITAL, "{place}某医院", "二级综合医院", 300, "张床位"),
    (ResourceKind.DEPOT, "{place}防汛物资储备点", "防汛物资", 500, "件"),
    (ResourceKind.HAZARD, "{place}某加油站", "成品油储存", 60, "吨"),
    (ResourceKind.PROTECTION_TARGET, "{place}某小学", "学校", 900, "人"),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"


def _offset(lon: float, lat: float, east_km: float, north_km: float) -> tuple[float, float]:
    dlat = math.degrees(north_km * 1000 / geo.EARTH_RADIUS_M)
    dlon = math.degrees(east_km * 1000 / (geo.EARTH_RADIUS_M * math.cos(math.radians(lat))))
    return round(lon + dlon, 5), round(lat + dlat, 5)


def demo_resources() -> list[ResourceDraft]:
    """The demo's resources (about a hundred, every kind, every prefecture)."""
    divisions = shipped_divisions()
    names = {d.code: d.name for d in divisions}
    drafts: list[ResourceDraft] = []
    n = 0

    def add(
        kind: ResourceKind,
        pattern: str,
        place: str,
        type_: str,
        capacity: float | None,
        unit: str,
        lon: float,
        lat: float,
        prefix: str,
    ) -> None:
        nonlocal n
        n += 1
        at = geo.locate(lon, lat)
        district = at.county_name if at is not None else place
        drafts.append(
            ResourceDraft(
                kind=kind,
                name=pattern.format(place=prefix + district) + "（演示）",
                lon=lon,
                lat=lat,
                type=type_,
                capacity=capacity,
                unit=unit,
                contact_name=f"{SURNAMES[n % len(SURNAMES)]}某",
                contact_phone=f"{AREA_CODES.get(place[:4], '0431')}-8{n:03d}0000",
                address=(at.full_name if at is not None else "") + "（示例地址）",
                notes="演示数据，名称与电话均为虚构",
            )
        )

    for code, (clon, clat) in CITY_CENTRES.items():
        prefix = names.get(code, "")
        for kind, pattern, type_, capacity, unit, (east, north) in CITY_SET:
            lon, lat = _offset(clon, clat, east, north)
            add(kind, pattern, code, type_, capacity, unit, lon, lat, prefix)
    urban = {geo.locate(lon, lat) for lon, lat in CITY_CENTRES.values()}
    urban_codes = {a.county_code for a in urban if a is not None}
    i = 0
    for d in divisions:
        if d.level != "county" or d.code in urban_codes or d.lon is None or d.lat is None:
            continue
        kind, pattern, type_, capacity, unit = COUNTY_SET[i % len(COUNTY_SET)]
        i += 1
        prefix = names.get(d.parent_code or "", "") if d.name.endswith("区") else ""
        add(kind, pattern, d.code, type_, capacity, unit, d.lon, d.lat, prefix)
    return drafts


def seed_demo_resources(services: Services) -> int:
    """Fill an empty basic-information database with the demo resources; returns how many.

    Does nothing (returns 0) when any resource exists, so it is safe on every start.
    """
    if services.resources.count() > 0:
        return 0
    drafts = demo_resources()
    services.resources.add_many(SETUP_ACTOR, drafts)
    log.info("demo resources seeded: %d", len(drafts))
    return len(drafts)
