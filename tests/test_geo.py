"""console.geo: county lookup by point-in-polygon, great-circle distance, GCJ-02 conversion."""

from __future__ import annotations

import csv
import io
import math
import random
from importlib import resources

import pytest

from console import geo

# Well-known places and the county-level division (GB/T 2260) they are in.
KNOWN_POINTS = [
    ((125.46, 43.79), "220102", "南关区", "220100", "长春市"),  # 净月潭
    ((126.527, 43.836), "220204", "船营区", "220200", "吉林市"),  # 北山公园
    ((129.49, 42.90), "222401", "延吉市", "222400", "延边朝鲜族自治州"),  # 延吉市区
    ((126.42, 41.94), "220602", "浑江区", "220600", "白山市"),  # 白山市区
    ((124.82, 45.14), "220702", "宁江区", "220700", "松原市"),  # 松原市区
    ((124.27, 45.25), "220721", "前郭尔罗斯蒙古族自治县", "220700", "松原市"),  # 查干湖
]

OUTSIDE_JILIN = [
    (116.40, 39.90),  # 北京
    (123.43, 41.80),  # 沈阳 (Liaoning, south of Jilin)
    (126.63, 45.75),  # 哈尔滨 (Heilongjiang, north of Jilin)
    (125.75, 39.03),  # 平壤
    (0.0, 0.0),
]


def shipped_divisions() -> list[dict[str, str]]:
    text = (resources.files("resources") / "geodata" / "jilin_divisions.csv").read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize(("point", "county", "name", "prefecture", "prefecture_name"), KNOWN_POINTS)
def test_locate_known_places(
    point: tuple[float, float], county: str, name: str, prefecture: str, prefecture_name: str
) -> None:
    at = geo.locate(*point)
    assert at is not None
    assert (at.county_code, at.county_name) == (county, name)
    assert (at.prefecture_code, at.prefecture_name) == (prefecture, prefecture_name)
    assert (at.province_code, at.province_name) == ("220000", "吉林省")
    assert at.code == county
    assert at.full_name == "吉林省" + prefecture_name + name


@pytest.mark.parametrize("point", OUTSIDE_JILIN)
def test_locate_outside_jilin_is_none(point: tuple[float, float]) -> None:
    assert geo.locate(*point) is None


def test_locate_refuses_non_finite() -> None:
    assert geo.locate(math.nan, 43.8) is None
    assert geo.locate(125.3, math.inf) is None


def test_every_county_point_locates_to_its_county() -> None:
    rows = shipped_divisions()
    counties = [r for r in rows if r["level"] == "county"]
    assert len(counties) == 60
    parents = {r["code"]: r["parent_code"] for r in rows}
    for row in counties:
        at = geo.locate(float(row["lon"]), float(row["lat"]))
        assert at is not None, row
        assert at.county_code == row["code"]
        assert at.prefecture_code == parents[row["code"]]
    assert len(geo.counties()) == 60


# --------------------------------------------------------------------------- distance


def vincenty_sphere_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Central angle by the Vincenty (atan2) formula on the sphere: an independent reference."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    y = math.hypot(
        math.cos(p2) * math.sin(dl),
        math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl),
    )
    x = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6_371_008.8 * math.atan2(y, x)


def chord_arc_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Arc length from the straight 3-D chord between the points on the sphere."""
    r = 6_371_008.8

    def xyz(lon: float, lat: float) -> tuple[float, float, float]:
        p, lam = math.radians(lat), math.radians(lon)
        return (math.cos(p) * math.cos(lam), math.cos(p) * math.sin(lam), math.sin(p))

    a, b = xyz(lon1, lat1), xyz(lon2, lat2)
    chord = math.dist(a, b)
    return 2 * r * math.asin(chord / 2)


def test_haversine_matches_independent_formulas() -> None:
    rng = random.Random(5)
    pairs = [
        (125.3245, 43.8868, 126.5496, 43.8378),  # 长春 → 吉林
        (125.3245, 43.8868, 129.5090, 42.8913),  # 长春 → 延吉
        (125.0, 43.0, 125.0, 43.0),
        (125.0, 43.0, 125.00001, 43.0),
        *[
            (
                rng.uniform(121.6, 131.3),
                rng.uniform(40.8, 46.3),
                rng.uniform(121.6, 131.3),
                rng.uniform(40.8, 46.3),
            )
            for _ in range(500)
        ],
    ]
    for lon1, lat1, lon2, lat2 in pairs:
        d = geo.haversine_m(lon1, lat1, lon2, lat2)
        assert d == pytest.approx(vincenty_sphere_m(lon1, lat1, lon2, lat2), abs=1.0)
        assert d == pytest.approx(chord_arc_m(lon1, lat1, lon2, lat2), abs=1.0)
    # one degree along a meridian is R·π/180
    assert geo.haversine_m(125, 43, 125, 44) == pytest.approx(6_371_008.8 * math.pi / 180, abs=1e-6)


def test_bbox_around_holds_every_point_within_the_distance() -> None:
    rng = random.Random(7)
    for km in (0.5, 5, 50, 300):
        lon0, lat0 = 125.3, 43.9
        x0, y0, x1, y1 = geo.bbox_around(lon0, lat0, km)
        for _ in range(2000):
            # points on (and just inside) the circle, all bearings
            bearing = rng.uniform(0, 2 * math.pi)
            delta = km * 1000 * 0.999999 / geo.EARTH_RADIUS_M
            p0 = math.radians(lat0)
            lat = math.asin(
                math.sin(p0) * math.cos(delta) + math.cos(p0) * math.sin(delta) * math.cos(bearing)
            )
            lon = math.radians(lon0) + math.atan2(
                math.sin(bearing) * math.sin(delta) * math.cos(p0),
                math.cos(delta) - math.sin(p0) * math.sin(lat),
            )
            lon_d, lat_d = math.degrees(lon), math.degrees(lat)
            assert geo.haversine_m(lon0, lat0, lon_d, lat_d) <= km * 1000
            assert x0 <= lon_d <= x1
            assert y0 <= lat_d <= y1


# --------------------------------------------------------------------------- GCJ-02

# Published test vectors of the GCJ-02 formula (eviltransform's tests): WGS-84 → GCJ-02.
GCJ_VECTORS = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # 上海
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # 深圳
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # 北京
]


@pytest.mark.parametrize(("wgs", "gcj"), GCJ_VECTORS)
def test_gcj02_forward_matches_published_vectors(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    lon, lat = geo.wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-9)
    assert lat == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), GCJ_VECTORS)
def test_gcj02_inverse_recovers_wgs84(wgs: tuple[float, float], gcj: tuple[float, float]) -> None:
    lon, lat = geo.gcj02_to_wgs84(*gcj)
    assert geo.haversine_m(lon, lat, *wgs) < 0.01


def test_gcj02_round_trip_across_jilin_and_unchanged_outside_china() -> None:
    rng = random.Random(3)
    for _ in range(500):
        lon, lat = rng.uniform(121.6, 131.3), rng.uniform(40.8, 46.3)
        glon, glat = geo.wgs84_to_gcj02(lon, lat)
        assert 100 < geo.haversine_m(lon, lat, glon, glat) < 1000  # GCJ-02 shifts by hundreds of m
        back = geo.gcj02_to_wgs84(glon, glat)
        assert geo.haversine_m(lon, lat, *back) < 0.001
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)  # Paris
    assert geo.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)
