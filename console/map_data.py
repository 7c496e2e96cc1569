"""Incidents as GeoJSON for the map: paged from the services, capped, with what was left out.

Runs in a reader thread (``ctx.runner.read``); nothing here touches widgets. The map never
loads a whole table: it reads the newest incidents page by page up to ``limit`` and, when more
match, says how many were left out so the pane can tell the operator.
"""

from __future__ import annotations

import json
import logging
import math
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication

from console.domain import Incident, IncidentFilter, ValidationError
from console.services import Services
from console.services.incidents import OPEN_STATUSES, grade_label, status_label
from console.timeutil import format_beijing

log = logging.getLogger(__name__)

MAX_INCIDENTS = 2_000  # markers on the map at most (newest first)
PAGE_SIZE = 500
MAX_RESOURCES = 3_000  # resource markers in and around the view at most
MAX_USER_GEOJSON_BYTES = 50 * 1024 * 1024
USER_LAYERS_SETTING = "site/map/user_layers"

#: The kinds of the basic-information database shown as map layers, in legend order.
KINDS = ("rescue_team", "depot", "shelter", "hospital", "hazard", "protection_target", "camera")
#: Coordinate systems a user layer may be in: WGS-84 and CGCS2000 are used as they are.
CRS_CHOICES = ("wgs84", "cgcs2000", "gcj02")
USER_LAYER_KINDS = ("geojson", "mbtiles", "pmtiles")


def _tr(text: str) -> str:
    return QCoreApplication.translate("MapData", text)


def kind_label(kind: str) -> str:
    """The layer name of a resource kind, in the operator's language."""
    labels = {
        "rescue_team": _tr("救援队伍"),
        "depot": _tr("物资仓库"),
        "shelter": _tr("避难场所"),
        "hospital": _tr("医院"),
        "hazard": _tr("危险源"),
        "protection_target": _tr("防护目标"),
        "camera": _tr("摄像机"),
        "station": _tr("监测站"),
    }
    return labels.get(kind, kind)


def crs_label(crs: str) -> str:
    """How a coordinate-system choice is shown."""
    labels = {
        "wgs84": _tr("WGS-84（原样使用）"),
        "cgcs2000": _tr("CGCS2000（原样使用）"),
        "gcj02": _tr("GCJ-02（转换为 WGS-84）"),
    }
    return labels.get(crs, crs)


@dataclass(frozen=True, slots=True)
class MapIncidents:
    """A FeatureCollection of incident points and what it does not show."""

    collection: dict[str, Any]
    shown: int  # features in the collection
    omitted: int  # matching incidents beyond the cap
    unplaced: int  # incidents read that have neither coordinates nor a known division

    def to_json(self) -> str:
        """The collection, with the counts as foreign members, as compact JSON for the page."""
        data = dict(self.collection)
        data["omitted"] = self.omitted
        data["unplaced"] = self.unplaced
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def default_filter() -> IncidentFilter:
    """What the map shows without a board filter: open incidents."""
    return IncidentFilter(statuses=OPEN_STATUSES)


def incident_features(
    services: Services, f: IncidentFilter | None = None, limit: int = MAX_INCIDENTS
) -> MapIncidents:
    """The newest ``limit`` incidents matching ``f`` as points (worker thread).

    An incident without coordinates is placed at its division's representative point and
    marked ``approximate``.
    """
    f = f or default_filter()
    divisions = services.reference.divisions()
    features: list[dict[str, Any]] = []
    unplaced = 0
    read = 0
    after: tuple[datetime, int] | None = None
    more = True
    while read < limit:
        want = min(PAGE_SIZE, limit - read)
        page = services.incidents.page(f, after, limit=want)
        read += len(page)
        for incident in page:
            feature = _feature(incident, divisions)
            if feature is None:
                unplaced += 1
            else:
                features.append(feature)
        if len(page) < want:
            more = False
            break
        last = page[-1]
        after = (last.occurred_at, last.id)
    omitted = max(services.incidents.count(f) - read, 0) if more else 0
    collection = {"type": "FeatureCollection", "features": features}
    return MapIncidents(collection, len(features), omitted, unplaced)


def _feature(incident: Incident, divisions: dict[str, Any]) -> dict[str, Any] | None:
    lon, lat, approximate = incident.lon, incident.lat, False
    if lon is None or lat is None:
        division = divisions.get(incident.division_code)
        if division is None or division.lon is None or division.lat is None:
            return None
        lon, lat, approximate = division.lon, division.lat, True
    grade = incident.grade.value if incident.grade is not None else None
    return {
        "type": "Feature",
        "id": incident.id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "id": incident.id,
            "title": incident.title,
            "grade": grade,
            "grade_label": grade_label(incident.grade),
            "status": incident.status.value,
            "status_label": status_label(incident.status),
            "time": format_beijing(incident.occurred_at),
            "approximate": approximate,
        },
    }


# -- resources, cameras, stations -------------------------------------------------------------


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _resource_feature(r: Any) -> dict[str, Any] | None:
    lon, lat = getattr(r, "lon", None), getattr(r, "lat", None)
    if lon is None or lat is None:
        return None
    kind = _text(getattr(r, "kind", ""))
    kind = getattr(kind, "value", kind)
    capacity = getattr(r, "capacity", None)
    return {
        "type": "Feature",
        "id": f"{kind}-{r.id}",
        "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
        "properties": {
            "id": r.id,
            "kind": kind,
            "kind_label": kind_label(kind),
            "name": _text(getattr(r, "name", "")),
            "type": _text(getattr(r, "type", "")),
            "capacity": _text(capacity),
            "contact": _text(getattr(r, "contact_name", "")),
            "phone": _text(getattr(r, "contact_phone", "")),
        },
    }


@dataclass(frozen=True, slots=True)
class MapResources:
    """Resources inside a bounding box as a FeatureCollection, and whether some were left out."""

    collection: dict[str, Any]
    bbox: tuple[float, float, float, float]
    truncated: bool

    def to_json(self) -> str:
        """The collection with ``bbox`` and ``truncated`` as foreign members."""
        data = dict(self.collection)
        data["bbox"] = list(self.bbox)
        data["truncated"] = self.truncated
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def widen(
    bbox: tuple[float, float, float, float], factor: float = 0.5
) -> tuple[float, float, float, float]:
    """``bbox`` grown by ``factor`` of its size on each side (so small pans need no reload)."""
    w, s, e, n = bbox
    dx, dy = (e - w) * factor, (n - s) * factor
    return (max(w - dx, -180.0), max(s - dy, -90.0), min(e + dx, 180.0), min(n + dy, 90.0))


def resource_features(
    services: Services,
    bbox: tuple[float, float, float, float],
    limit: int = MAX_RESOURCES,
) -> MapResources:
    """Resources of every kind inside ``bbox`` (west, south, east, north), paged (worker)."""
    features: list[dict[str, Any]] = []
    after: int | None = None
    truncated = False
    while True:
        want = min(PAGE_SIZE, limit - len(features))
        if want <= 0:
            truncated = True
            break
        page = list(services.resources.page(kind=None, bbox=bbox, after_id=after, limit=want))
        for r in page:
            feature = _resource_feature(r)
            if feature is not None:
                features.append(feature)
        if len(page) < want:
            break
        after = page[-1].id
    return MapResources({"type": "FeatureCollection", "features": features}, bbox, truncated)


def camera_location(cfg: Any) -> tuple[float, float] | None:
    """Where a configured camera is, read defensively from its configuration.

    The location is in the camera's settings (``lon``/``lat``); older configurations have
    none, and a camera without a usable location is not on the map.
    """
    sources: list[Any] = [cfg]
    for name in ("settings", "location", "extra", "options"):
        value = getattr(cfg, name, None)
        if value is not None:
            sources.append(value)
    for src in sources:
        if isinstance(src, dict) or (hasattr(src, "get") and not hasattr(src, "lon")):
            lon, lat = src.get("lon"), src.get("lat")
        else:
            lon, lat = getattr(src, "lon", None), getattr(src, "lat", None)
        try:
            if lon is not None and lat is not None and str(lon) != "" and str(lat) != "":
                lon_f, lat_f = float(lon), float(lat)
                if -180 <= lon_f <= 180 and -90 <= lat_f <= 90:
                    return lon_f, lat_f
        except (TypeError, ValueError):
            continue
    return None


def _is_camera(cfg: Any) -> bool:
    kind = getattr(cfg, "kind", "")
    return str(getattr(kind, "value", kind)) == "camera"


@dataclass(frozen=True, slots=True)
class Camera:
    """A configured camera with a location."""

    name: str
    lon: float
    lat: float
    enabled: bool


def cameras(services: Services) -> list[Camera]:
    """The configured cameras (device kind ``camera``) that have a location (worker)."""
    found: list[Camera] = []
    for cfg in services.devices.list():
        if not _is_camera(cfg):
            continue
        where = camera_location(cfg)
        if where is None:
            continue
        found.append(Camera(cfg.name, where[0], where[1], bool(getattr(cfg, "enabled", True))))
    return found


def camera_features(services: Services) -> str:
    """The cameras as a GeoJSON FeatureCollection (JSON text, worker)."""
    features = [
        {
            "type": "Feature",
            "id": f"camera-{c.name}",
            "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
            "properties": {
                "kind": "camera",
                "kind_label": kind_label("camera"),
                "name": c.name,
                "enabled": c.enabled,
            },
        }
        for c in cameras(services)
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )


@dataclass(frozen=True, slots=True)
class Station:
    """A monitoring station to show (fed by the monitoring feature)."""

    id: str
    name: str
    lon: float
    lat: float
    kind: str = ""  # e.g. water level, rainfall, air quality
    value: str = ""  # the latest reading as shown, with its unit
    alarm: bool = False
    colour: str = ""  # marker colour (#rrggbb): the station's state or its alarm level
    state: str = ""  # e.g. 在线 / 数据延迟 / 离线, shown in the pop-up


def station_features(stations: Iterable[Station]) -> str:
    """Stations as a GeoJSON FeatureCollection (JSON text)."""
    features = [
        {
            "type": "Feature",
            "id": f"station-{s.id}",
            "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
            "properties": {
                "kind": "station",
                "name": s.name,
                "type": s.kind,
                "value": s.value,
                "alarm": s.alarm,
                "colour": s.colour,
                "state": s.state,
            },
        }
        for s in stations
    ]
    return json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )


# -- near an incident -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NearItem:
    """A resource or camera near a point, with its distance."""

    kind: str
    name: str
    type: str
    distance_m: float
    lon: float
    lat: float
    contact: str = ""
    phone: str = ""
    capacity: str = ""
    camera: str = ""  # the camera's device name (kind camera)


@dataclass(frozen=True, slots=True)
class NearResult:
    """What lies within ``km`` of a point, nearest first."""

    lon: float
    lat: float
    km: float
    items: list[NearItem]

    def to_json(self) -> str:
        """The result for the page (circle and highlighted markers)."""
        return json.dumps(
            {
                "op": "near",
                "center": [self.lon, self.lat],
                "km": self.km,
                "items": [
                    {"kind": i.kind, "name": i.name, "lon": i.lon, "lat": i.lat} for i in self.items
                ],
            },
            ensure_ascii=False,
        )


def near_items(
    services: Services,
    lon: float,
    lat: float,
    km: float,
    kinds: Sequence[str] | None = None,
    haversine: Callable[[float, float, float, float], float] | None = None,
) -> NearResult:
    """Resources, shelters, hazards and cameras within ``km`` of a point, nearest first."""
    from console import geo

    distance = haversine or geo.haversine_m
    from console.domain.resources import ResourceKind

    known = {k.value for k in ResourceKind}
    res_kinds = [ResourceKind(k) for k in (kinds or KINDS) if k in known]
    items: list[NearItem] = []
    hits = services.resources.near(lon, lat, km, kinds=res_kinds) if res_kinds else []
    for hit in hits:
        r = hit.resource
        kind = str(getattr(r.kind, "value", r.kind))
        items.append(
            NearItem(
                kind=kind,
                name=_text(r.name),
                type=_text(getattr(r, "type", "")),
                distance_m=float(hit.distance_m),
                lon=float(r.lon),
                lat=float(r.lat),
                contact=_text(getattr(r, "contact_name", "")),
                phone=_text(getattr(r, "contact_phone", "")),
                capacity=_text(getattr(r, "capacity", None)),
            )
        )
    if kinds is None or "camera" in kinds:
        for cam in cameras(services):
            d = distance(lon, lat, cam.lon, cam.lat)
            if d <= km * 1000:
                items.append(
                    NearItem(
                        kind="camera",
                        name=cam.name,
                        type=kind_label("camera"),
                        distance_m=d,
                        lon=cam.lon,
                        lat=cam.lat,
                        camera=cam.name,
                    )
                )
    items.sort(key=lambda i: (i.distance_m, i.name))
    return NearResult(lon, lat, km, items)


# -- search -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A place the search found: a division (shown by its outline) or a resource."""

    kind: str  # "division" or a resource kind
    label: str
    code: str  # division code ("" for a resource)
    lon: float | None
    lat: float | None


def search_places(services: Services, text: str, limit: int = 20) -> list[SearchHit]:
    """Divisions by name or code, then resources by name (worker)."""
    needle = text.strip()
    if not needle:
        return []
    low = needle.lower()
    hits: list[SearchHit] = []
    divisions = services.reference.divisions()
    for d in sorted(divisions.values(), key=lambda d: d.code):
        if needle in d.name or low in d.name_en.lower() or d.code.startswith(needle):
            parent = divisions.get(d.parent_code or "")
            label = d.name if parent is None or parent.level == "province" else parent.name + d.name
            hits.append(SearchHit("division", label, d.code, d.lon, d.lat))
    for r in services.resources.page(text=needle, limit=limit):
        kind = str(getattr(r.kind, "value", r.kind))
        hits.append(SearchHit(kind, f"{r.name}（{kind_label(kind)}）", "", r.lon, r.lat))
    return hits[:limit]


# -- user layers ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserLayer:
    """A user's GeoJSON overlay or MBTiles/PMTiles basemap, as kept in the settings."""

    name: str
    kind: str  # "geojson", "mbtiles" or "pmtiles"
    path: str
    crs: str = "wgs84"  # for GeoJSON: "wgs84", "cgcs2000" (as is) or "gcj02" (converted)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    visible: bool = True


_ID_RE = re.compile(r"^[0-9a-z]{1,32}$")


def validate_user_layer(layer: UserLayer) -> None:
    """Check a user layer before it is stored; raises ValidationError with Chinese messages."""
    errors: dict[str, str] = {}
    if not layer.name.strip():
        errors["name"] = _tr("请填写图层名称")
    if layer.kind not in USER_LAYER_KINDS:
        errors["kind"] = _tr("图层类型应为 GeoJSON、MBTiles 或 PMTiles")
    if layer.crs not in CRS_CHOICES:
        errors["crs"] = _tr("坐标系应为 WGS-84、CGCS2000 或 GCJ-02")
    if not _ID_RE.match(layer.id):
        errors["id"] = _tr("图层标识无效")
    if not Path(layer.path).is_file():
        errors["path"] = _tr("找不到文件：{path}").format(path=layer.path)
    if errors:
        raise ValidationError(errors)


def load_user_layers(services: Services) -> list[UserLayer]:
    """The stored user layers (an unreadable entry is logged and skipped)."""
    raw = services.settings.get(USER_LAYERS_SETTING)
    if not raw:
        return []
    try:
        entries = json.loads(raw)
    except ValueError:
        log.error("map: the stored user layer list is not JSON; ignored")
        return []
    layers: list[UserLayer] = []
    for entry in entries if isinstance(entries, list) else []:
        try:
            layers.append(UserLayer(**{k: entry[k] for k in entry if k in _LAYER_FIELDS}))
        except (TypeError, KeyError) as exc:
            log.error("map: a stored user layer is unreadable (%s): %r", exc, entry)
    return layers


_LAYER_FIELDS = frozenset(UserLayer.__dataclass_fields__)


def save_user_layers(services: Services, layers: Sequence[UserLayer]) -> None:
    """Store the user layer list (a site-wide setting; worker)."""
    services.settings.put(
        USER_LAYERS_SETTING, json.dumps([asdict(x) for x in layers], ensure_ascii=False)
    )


def _map_coords(value: Any, convert: Callable[[float, float], tuple[float, float]]) -> Any:
    if isinstance(value, list) and value and isinstance(value[0], (int, float)):
        if len(value) >= 2:
            lon, lat = convert(float(value[0]), float(value[1]))
            return [lon, lat, *value[2:]]
        return value
    if isinstance(value, list):
        return [_map_coords(v, convert) for v in value]
    return value


def _convert_geometry(geometry: Any, convert: Callable[[float, float], tuple[float, float]]) -> Any:
    if not isinstance(geometry, dict):
        return geometry
    if geometry.get("type") == "GeometryCollection":
        geometry = dict(geometry)
        geometry["geometries"] = [
            _convert_geometry(g, convert) for g in geometry.get("geometries", [])
        ]
        return geometry
    if "coordinates" in geometry:
        geometry = dict(geometry)
        geometry["coordinates"] = _map_coords(geometry["coordinates"], convert)
    return geometry


def read_user_geojson(layer: UserLayer) -> dict[str, Any]:
    """A user's GeoJSON file as a FeatureCollection in WGS-84 (worker).

    GCJ-02 coordinates are converted; WGS-84 and CGCS2000 are used as they are (they differ by
    centimetres). Raises ValidationError with a readable message when the file is unusable.
    """
    path = Path(layer.path)
    try:
        size = path.stat().st_size
        if size > MAX_USER_GEOJSON_BYTES:
            raise ValidationError({"path": _tr("文件过大（超过 50 MB）：{path}").format(path=path)})
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise ValidationError({"path": _tr("无法读取文件：{error}").format(error=exc)}) from exc
    except (ValueError, RecursionError) as exc:  # RecursionError: arrays nested too deep
        raise ValidationError(
            {"path": _tr("不是有效的 GeoJSON：{error}").format(error=exc)}
        ) from exc
    if not isinstance(data, dict):
        raise ValidationError({"path": _tr("不是有效的 GeoJSON：顶层应为对象")})
    kind = data.get("type")
    if kind == "FeatureCollection":
        features = data.get("features")
    elif kind == "Feature":
        features = [data]
    elif (isinstance(kind, str) and "coordinates" in data) or kind == "GeometryCollection":
        features = [{"type": "Feature", "geometry": data, "properties": {}}]
    else:
        features = None
    if not isinstance(features, list):
        raise ValidationError({"path": _tr("不是有效的 GeoJSON：缺少要素")})
    if layer.crs == "gcj02":
        from console.geo import gcj02_to_wgs84

        try:
            features = [
                {**f, "geometry": _convert_geometry(f.get("geometry"), gcj02_to_wgs84)}
                for f in features
                if isinstance(f, dict)
            ]
        except (OverflowError, RecursionError) as exc:  # a 400-digit coordinate, deep nesting
            raise ValidationError(
                {"path": _tr("不是有效的 GeoJSON：{error}").format(error=exc)}
            ) from exc
    return {"type": "FeatureCollection", "features": features}


def check_bbox(values: Sequence[float]) -> tuple[float, float, float, float] | None:
    """A usable (west, south, east, north) or None."""
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        return None
    w, s, e, n = values
    if w >= e or s >= n:
        return None
    return (max(w, -180.0), max(s, -90.0), min(e, 180.0), min(n, 90.0))
