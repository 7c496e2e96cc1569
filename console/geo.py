"""Geometry for the map and the basic-information database: where a point is, how far, GCJ-02.

- :func:`locate` answers "which county, prefecture and province is this WGS-84 point in" by
  point-in-polygon against the county polygons shipped in ``resources/geodata`` (loaded once,
  lazily, thread-safe; each polygon ring carries its bounding box, so a lookup tests only the
  one or two counties whose box holds the point).
- :func:`haversine_m` is the great-circle distance on the sphere of mean radius R = 6 371 008.8 m
  (IUGG), the distance every "within N km" in the program means.
- :func:`wgs84_to_gcj02` / :func:`gcj02_to_wgs84` convert to and from the obfuscated GCJ-02
  system of Chinese web maps (AMap, Tencent). The forward formula is the widely published one;
  the inverse iterates the forward formula until it reproduces the input (better than 1e-9°,
  about 0.1 mm). Outside China both return the point unchanged, as GCJ-02 does.

Pure Python and QtCore-free: usable from services, the CLI, workers and widgets alike.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import threading
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

log = logging.getLogger(__name__)

EARTH_RADIUS_M = 6_371_008.8  # mean radius R1 of the IUGG/GRS80 ellipsoid

# --------------------------------------------------------------------------- distance


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two lon/lat points (degrees), R = 6 371 008.8 m."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def bbox_around(lon: float, lat: float, km: float) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of a box that holds every point within ``km``.

    The box is a prefilter for a database query: every point within the distance is inside it
    (it may hold some farther ones, which the exact distance then drops). Near the poles or for
    huge radii the longitude span is the whole circle.
    """
    metres = max(km, 0.0) * 1000.0
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    min_lat, max_lat = max(lat - dlat, -90.0), min(lat + dlat, 90.0)
    # the widest longitude span is at the box's latitude farthest from the equator
    widest = max(abs(min_lat), abs(max_lat))
    cos_lat = math.cos(math.radians(widest))
    ratio = math.sin(metres / EARTH_RADIUS_M) / cos_lat if cos_lat > 1e-12 else 2.0
    if ratio >= 1.0 or metres / EARTH_RADIUS_M >= math.pi / 2:
        return (-180.0, min_lat, 180.0, max_lat)
    dlon = math.degrees(math.asin(ratio))
    return (lon - dlon, min_lat, lon + dlon, max_lat)


# --------------------------------------------------------------------------- GCJ-02

_GCJ_A = 6_378_245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 formula uses it
_GCJ_EE = 0.00669342162296594323  # its first eccentricity squared


def in_china(lon: float, lat: float) -> bool:
    """The rough rectangle inside which GCJ-02 shifts coordinates (as the published code)."""
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 (or CGCS2000) lon/lat → GCJ-02 lon/lat; unchanged outside China."""
    if not in_china(lon, lat):
        return lon, lat
    dlat = _shift_lat(lon - 105.0, lat - 35.0)
    dlon = _shift_lon(lon - 105.0, lat - 35.0)
    radlat = math.radians(lat)
    magic = 1.0 - _GCJ_EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrtmagic) * math.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrtmagic * math.cos(radlat) * math.pi)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 lon/lat → WGS-84 lon/lat (iterative inverse, error < 1e-9°); unchanged outside China.

    Starts from the GCJ-02 point and moves the guess by the residual of the forward formula until
    the guess maps onto the input; the shift varies slowly, so this converges in a few steps.
    """
    if not in_china(lon, lat):
        return lon, lat
    wlon, wlat = lon, lat
    for _ in range(30):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        dlon, dlat = lon - glon, lat - glat
        wlon += dlon
        wlat += dlat
        if abs(dlon) < 1e-10 and abs(dlat) < 1e-10:
            break
    return wlon, wlat


# --------------------------------------------------------------------------- point in polygon


@dataclass(frozen=True, slots=True)
class DivisionAt:
    """The divisions (GB/T 2260) a point lies in: county-level, prefecture-level, province."""

    county_code: str
    county_name: str
    prefecture_code: str
    prefecture_name: str
    province_code: str
    province_name: str
    county_name_en: str = ""
    prefecture_name_en: str = ""
    province_name_en: str = ""

    @property
    def code(self) -> str:
        """The most precise code: the county's (what an incident's division_code holds)."""
        return self.county_code

    @property
    def full_name(self) -> str:
        """``吉林省长春市南关区``."""
        return self.province_name + self.prefecture_name + self.county_name

    def to_dict(self) -> dict[str, str]:
        """Plain dict (for JSON)."""
        return asdict(self)


Ring = tuple[tuple[float, float, float, float], list[tuple[float, float]]]


@dataclass(frozen=True, slots=True)
class _County:
    at: DivisionAt
    box: tuple[float, float, float, float]
    # polygons: each is (outer ring, holes); a ring is (its bbox, its vertices)
    polygons: tuple[tuple[Ring, tuple[Ring, ...]], ...]


_lock = threading.Lock()
_counties: tuple[_County, ...] | None = None
_GRID = 0.5  # degrees per cell of the lookup grid
_grid: dict[tuple[int, int], tuple[_County, ...]] = {}


def _ring(coords: list[list[float]]) -> Ring:
    points = [(float(p[0]), float(p[1])) for p in coords]
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys)), points


def _in_ring(x: float, y: float, ring: Ring) -> bool:
    (x0, y0, x1, y1), pts = ring
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    inside = False
    n = len(pts)
    jx, jy = pts[n - 1]
    for ix, iy in pts:
        if (iy > y) != (jy > y) and x < (jx - ix) * (y - iy) / (jy - iy) + ix:
            inside = not inside
        jx, jy = ix, iy
    return inside


def _contains(county: _County, x: float, y: float) -> bool:
    bx0, by0, bx1, by1 = county.box
    if x < bx0 or x > bx1 or y < by0 or y > by1:
        return False
    for outer, holes in county.polygons:
        if _in_ring(x, y, outer) and not any(_in_ring(x, y, h) for h in holes):
            return True
    return False


def _read_resource(name: str) -> str:
    return (resources.files("resources") / "geodata" / name).read_text(encoding="utf-8")


def _load() -> tuple[_County, ...]:
    global _counties
    with _lock:
        if _counties is not None:
            return _counties
        divisions: dict[str, dict[str, str]] = {}
        try:
            for row in csv.DictReader(io.StringIO(_read_resource("jilin_divisions.csv"))):
                divisions[row["code"]] = row
            collection: dict[str, Any] = json.loads(_read_resource("jilin_counties.geojson"))
        except (OSError, ValueError, KeyError) as exc:
            log.error("shipped county polygons unreadable: %s", exc)
            _counties = ()
            return _counties
        counties: list[_County] = []
        for feature in collection.get("features", []):
            props = feature.get("properties") or {}
            code = str(props.get("code", ""))
            county = divisions.get(code, {"name": str(props.get("name", "")), "parent_code": ""})
            prefecture = divisions.get(county.get("parent_code") or "", {})
            province = divisions.get(prefecture.get("parent_code") or "", {})
            at = DivisionAt(
                county_code=code,
                county_name=county.get("name", ""),
                prefecture_code=prefecture.get("code", ""),
                prefecture_name=prefecture.get("name", ""),
                province_code=province.get("code", ""),
                province_name=province.get("name", ""),
                county_name_en=county.get("name_en", ""),
                prefecture_name_en=prefecture.get("name_en", ""),
                province_name_en=province.get("name_en", ""),
            )
            geometry = feature.get("geometry") or {}
            if geometry.get("type") == "Polygon":
                parts = [geometry["coordinates"]]
            elif geometry.get("type") == "MultiPolygon":
                parts = geometry["coordinates"]
            else:
                continue
            polygons = tuple(
                (_ring(rings[0]), tuple(_ring(h) for h in rings[1:])) for rings in parts if rings
            )
            if not polygons:
                continue
            box = (
                min(p[0][0][0] for p in polygons),
                min(p[0][0][1] for p in polygons),
                max(p[0][0][2] for p in polygons),
                max(p[0][0][3] for p in polygons),
            )
            counties.append(_County(at, box, polygons))
        grid: dict[tuple[int, int], list[_County]] = {}
        for c in counties:
            x0, y0, x1, y1 = c.box
            for i in range(math.floor(x0 / _GRID), math.floor(x1 / _GRID) + 1):
                for j in range(math.floor(y0 / _GRID), math.floor(y1 / _GRID) + 1):
                    grid.setdefault((i, j), []).append(c)
        _grid.clear()
        _grid.update({k: tuple(v) for k, v in grid.items()})
        _counties = tuple(counties)
        return _counties


def locate(lon: float, lat: float) -> DivisionAt | None:
    """The county-level division (with its prefecture and province) at a WGS-84 point.

    None outside the shipped polygons (outside Jilin, or on a sliver the simplified borders
    leave out) and for non-finite input.
    """
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return None
    _load()
    for county in _grid.get((math.floor(lon / _GRID), math.floor(lat / _GRID)), ()):
        if _contains(county, lon, lat):
            return county.at
    return None


def counties() -> list[DivisionAt]:
    """Every county-level division with polygons shipped (in file order)."""
    return [c.at for c in _load()]
