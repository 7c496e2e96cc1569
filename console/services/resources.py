"""The basic-information database (基础信息库): teams, depots, shelters, hospitals, hazards.

Also protection targets; each with its place, capacity and contacts. Every write is validated,
audited and announced as the ``resources`` topic. Coordinates are stored as WGS-84; a missing
division code is filled by point-in-polygon (:func:`console.geo.locate`).
Imports (CSV and GeoJSON) take the good rows and report each bad one — by CSV line number or by
GeoJSON feature index — with the reason; input in GCJ-02 is converted to WGS-84 first.
:meth:`ResourcesService.near` lists resources within N km of a point: a bounding-box prefilter
in SQL (index on lon, lat), then the exact great-circle distance.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from console import geo
from console.db import models as m
from console.db.models_resources import ResourceRow
from console.db.session import Database
from console.domain import ConflictError, NotFoundError, ValidationError
from console.domain.resources import (
    KIND_ZH,
    Crs,
    ImportProblem,
    NearbyResource,
    Resource,
    ResourceDraft,
    ResourceImportReport,
    ResourceKind,
)
from console.services import audit, convert
from console.services.validation import (
    DIVISION_RE,
    NAME_MAX,
    PHONE_RE,
    SHORT_MAX,
    TEXT_MAX,
    Checker,
)
from console.timeutil import utcnow

__all__ = [
    "CSV_COLUMNS",
    "TOPIC",
    "Crs",
    "ImportProblem",
    "NearbyResource",
    "Resource",
    "ResourceDraft",
    "ResourceImportReport",
    "ResourceKind",
    "ResourcesService",
]

TOPIC = "resources"
TYPE_MAX = 64
UNIT_MAX = 16
CAPACITY_MAX = 1e9
MAX_IMPORT_BYTES = 20_000_000
MAX_NEAR_KM = 2_000.0
PAGE_MAX = 2_000

#: field → (Chinese header, English header); the order of exported columns
CSV_COLUMNS: dict[str, tuple[str, str]] = {
    "kind": ("类别", "kind"),
    "name": ("名称", "name"),
    "type": ("类型", "type"),
    "capacity": ("容量", "capacity"),
    "unit": ("计量单位", "unit"),
    "contact_name": ("联系人", "contact_name"),
    "contact_phone": ("联系电话", "contact_phone"),
    "address": ("地址", "address"),
    "division_code": ("区划代码", "division_code"),
    "lon": ("经度", "lon"),
    "lat": ("纬度", "lat"),
    "notes": ("备注", "notes"),
}
_HEADER_ALIASES = {
    "类型名称": "type",
    "规模": "capacity",
    "能力": "capacity",
    "单位": "unit",
    "容量单位": "unit",
    "电话": "contact_phone",
    "联系方式": "contact_phone",
    "行政区划代码": "division_code",
    "行政区划": "division_code",
    "longitude": "lon",
    "lng": "lon",
    "latitude": "lat",
    "phone": "contact_phone",
    "contact": "contact_name",
    "division": "division_code",
}
HEADERS: dict[str, str] = {
    **{zh: key for key, (zh, _en) in CSV_COLUMNS.items()},
    **{en: key for key, (_zh, en) in CSV_COLUMNS.items()},
    **_HEADER_ALIASES,
}
_KIND_NAMES: dict[str, ResourceKind] = {
    **{k.value: k for k in ResourceKind},
    **{zh: k for k, zh in KIND_ZH.items()},
    "救援队": ResourceKind.RESCUE_TEAM,
    "应急救援队伍": ResourceKind.RESCUE_TEAM,
    "物资库": ResourceKind.DEPOT,
    "储备库": ResourceKind.DEPOT,
    "应急物资储备库": ResourceKind.DEPOT,
    "避难所": ResourceKind.SHELTER,
    "应急避难场所": ResourceKind.SHELTER,
    "医院": ResourceKind.HOSPITAL,
    "重大危险源": ResourceKind.HAZARD,
    "防护目标": ResourceKind.PROTECTION_TARGET,
    "重点防护目标": ResourceKind.PROTECTION_TARGET,
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Resources", text)


def parse_kind(value: str) -> ResourceKind | None:
    """``shelter``, ``避难场所`` or an alias such as ``避难所`` → the kind (None if unknown)."""
    text = value.strip()
    return _KIND_NAMES.get(text) or _KIND_NAMES.get(text.lower())


def parse_crs(value: str | Crs) -> Crs:
    """``wgs84``/``cgcs2000``/``gcj02`` (any case, ``-``/``_`` ignored) → Crs."""
    if isinstance(value, Crs):
        return value
    text = value.strip().lower().replace("-", "").replace("_", "")
    try:
        return Crs(text)
    except ValueError as exc:
        raise ValidationError(
            {"crs": _tr("未知坐标系：{v}（应为 wgs84、cgcs2000 或 gcj02）").format(v=value)}
        ) from exc


def to_wgs84(lon: float, lat: float, crs: Crs) -> tuple[float, float]:
    """Input coordinates in ``crs`` as WGS-84 (GCJ-02 converted, the others as they are)."""
    if crs is Crs.GCJ02:
        return geo.gcj02_to_wgs84(lon, lat)
    return lon, lat


# --------------------------------------------------------------------------- checks


def check_draft(draft: ResourceDraft) -> dict[str, str]:
    """Field → message for everything wrong with a resource (empty when fine)."""
    c = Checker()
    if draft.kind not in KIND_ZH:  # a draft built from untyped input
        c.fail("kind", _tr("未知类别"))
    if c.required("name", draft.name):
        c.length("name", draft.name.strip(), SHORT_MAX)
    c.length("type", draft.type.strip(), TYPE_MAX)
    c.length("unit", draft.unit.strip(), UNIT_MAX)
    c.length("contact_name", draft.contact_name.strip(), NAME_MAX)
    c.length("address", draft.address.strip(), SHORT_MAX)
    c.length("notes", draft.notes, TEXT_MAX)
    phone = draft.contact_phone.strip()
    if phone and not PHONE_RE.match(phone):
        c.fail(
            "contact_phone",
            _tr("电话格式不对：{v!r}（只能有数字、+、-、括号和空格）").format(v=phone),
        )
    if draft.capacity is not None and not (
        math.isfinite(draft.capacity) and 0 <= draft.capacity <= CAPACITY_MAX
    ):
        c.fail("capacity", _tr("容量应为 0 到 10 亿之间的数"))
    if draft.division_code is not None and not DIVISION_RE.match(draft.division_code):
        c.fail(
            "division_code",
            _tr("区划代码应为 6 位数字（GB/T 2260）：{v!r}").format(v=draft.division_code),
        )
    if c.required("lon", draft.lon) and c.required("lat", draft.lat):
        c.coordinates(draft.lon, draft.lat)
    return c.errors


def _clean(draft: ResourceDraft) -> ResourceDraft:
    code = (draft.division_code or "").strip() or None
    if code is None:
        at = geo.locate(draft.lon, draft.lat)
        code = at.county_code if at is not None else None
    return ResourceDraft(
        kind=draft.kind,
        name=draft.name.strip(),
        lon=float(draft.lon),
        lat=float(draft.lat),
        type=draft.type.strip(),
        capacity=float(draft.capacity) if draft.capacity is not None else None,
        unit=draft.unit.strip(),
        contact_name=draft.contact_name.strip(),
        contact_phone=draft.contact_phone.strip(),
        address=draft.address.strip(),
        division_code=code,
        notes=draft.notes.strip(),
    )


def resource_of(row: ResourceRow) -> Resource:
    """Domain view of a resource row."""
    return Resource(
        id=row.id,
        kind=ResourceKind(row.kind),
        name=row.name,
        type=row.type,
        capacity=row.capacity,
        unit=row.unit,
        contact_name=row.contact_name,
        contact_phone=row.contact_phone,
        address=row.address,
        division_code=row.division_code,
        lon=row.lon,
        lat=row.lat,
        notes=row.notes,
        version=row.version,
    )


def _columns_of(draft: ResourceDraft) -> dict[str, Any]:
    return {
        "kind": draft.kind.value,
        "name": draft.name,
        "type": draft.type,
        "capacity": draft.capacity,
        "unit": draft.unit,
        "contact_name": draft.contact_name,
        "contact_phone": draft.contact_phone,
        "address": draft.address,
        "division_code": draft.division_code,
        "lon": draft.lon,
        "lat": draft.lat,
        "notes": draft.notes,
    }


# --------------------------------------------------------------------------- file parsing


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # Excel on a Chinese Windows saves "CSV" as GB18030/GBK
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                {"file": _tr("文件不是 UTF-8 或 GB18030 编码的文本 (not UTF-8 text)")}
            ) from exc


def _number(field: str, value: object) -> float | None:
    """A cell or property as a float; None when empty; ValidationError when not a number."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError({field: _tr("不是数字：{v!r}").format(v=value)})
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace("，", ".").replace(",", "")
        if not text:
            return None
        try:
            number = float(text)
        except ValueError as exc:
            raise ValidationError({field: _tr("不是数字：{v!r}").format(v=str(value))}) from exc
    if not math.isfinite(number):
        raise ValidationError({field: _tr("不是有效数字")})
    return number


def draft_from_values(
    values: dict[str, Any],
    crs: Crs,
    default_kind: ResourceKind | None,
    lonlat: tuple[object, object] | None = None,
) -> ResourceDraft:
    """A checked draft from field → value (CSV cells or GeoJSON properties).

    ``lonlat`` overrides the lon/lat values (a GeoJSON point's coordinates). Raises
    ValidationError with every problem of the row.
    """
    errors: dict[str, str] = {}
    kind_text = str(values.get("kind") or "").strip()
    kind: ResourceKind | None
    if kind_text:
        kind = parse_kind(kind_text)
        if kind is None:
            names = "、".join(KIND_ZH.values())
            errors["kind"] = _tr("未知类别 {v!r}（应为 {names} 或其英文代码）").format(
                v=kind_text, names=names
            )
    else:
        kind = default_kind
        if kind is None:
            errors["kind"] = _tr("缺少类别")
    numbers: dict[str, float | None] = {}
    raw_lon, raw_lat = lonlat if lonlat is not None else (values.get("lon"), values.get("lat"))
    for field, raw in (("lon", raw_lon), ("lat", raw_lat), ("capacity", values.get("capacity"))):
        try:
            numbers[field] = _number(field, raw)
        except ValidationError as exc:
            errors.update(exc.errors)
            numbers[field] = None
    lon, lat = numbers["lon"], numbers["lat"]
    if "lon" not in errors and lon is None:
        errors["lon"] = _tr("缺少经度")
    if "lat" not in errors and lat is None:
        errors["lat"] = _tr("缺少纬度")
    if errors or kind is None or lon is None or lat is None:
        raise ValidationError(errors)
    # check in the input system first (a GCJ-02 point far outside China is not converted)
    c = Checker()
    c.coordinates(lon, lat)
    if c.errors:
        raise ValidationError(c.errors)
    lon, lat = to_wgs84(lon, lat, crs)
    code = str(values.get("division_code") or "").strip() or None
    draft = ResourceDraft(
        kind=kind,
        name=str(values.get("name") or ""),
        lon=lon,
        lat=lat,
        type=str(values.get("type") or ""),
        capacity=numbers["capacity"],
        unit=str(values.get("unit") or ""),
        contact_name=str(values.get("contact_name") or ""),
        contact_phone=str(values.get("contact_phone") or ""),
        address=str(values.get("address") or ""),
        division_code=code,
        notes=str(values.get("notes") or ""),
    )
    problems = check_draft(draft)
    if problems:
        raise ValidationError(problems)
    return draft


def _csv_columns(header: Sequence[str], default_kind: ResourceKind | None) -> dict[int, str]:
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for i, raw in enumerate(header):
        name = raw.strip()
        if not name:
            continue
        key = HEADERS.get(name) or HEADERS.get(name.lower())
        if key is None:
            unknown.append(name)
        elif key in columns.values():
            raise ValidationError({"file": _tr("第 1 行：列名重复 {name}").format(name=name)})
        else:
            columns[i] = key
    expected = ",".join(zh for zh, _en in CSV_COLUMNS.values())
    if unknown:
        raise ValidationError(
            {
                "file": _tr("第 1 行：未知的列 {names}；可用的列：{expected}").format(
                    names="、".join(unknown), expected=expected
                )
            }
        )
    present = set(columns.values())
    missing = [CSV_COLUMNS[k][0] for k in ("name", "lon", "lat") if k not in present]
    if "kind" not in present and default_kind is None:
        missing.insert(0, CSV_COLUMNS["kind"][0])
    if missing:
        raise ValidationError(
            {
                "file": _tr("第 1 行：缺少列 {names}（必需：类别、名称、经度、纬度）").format(
                    names="、".join(missing)
                )
            }
        )
    return columns


def _problem_text(exc: ValidationError) -> str:
    parts = []
    for field, message in exc.errors.items():
        label = _field_label(field)
        keep = field not in CSV_COLUMNS or message.startswith(label)
        parts.append(message if keep else f"{label}：{message}")
    return "; ".join(parts)


def _field_label(field: str) -> str:
    labels = {
        "kind": _tr("类别"),
        "name": _tr("名称"),
        "type": _tr("类型"),
        "capacity": _tr("容量"),
        "unit": _tr("计量单位"),
        "contact_name": _tr("联系人"),
        "contact_phone": _tr("联系电话"),
        "address": _tr("地址"),
        "division_code": _tr("区划代码"),
        "lon": _tr("经度"),
        "lat": _tr("纬度"),
        "notes": _tr("备注"),
    }
    return labels.get(field, field)


def field_label(field: str) -> str:
    """The field's name for people (form labels, problem reports)."""
    return _field_label(field)


# --------------------------------------------------------------------------- the service


class ResourcesService:
    """Writes and reads the basic-information database."""

    def __init__(self, db: Database, notify: Callable[[str], None] | None = None) -> None:
        self._db = db
        self._notify = notify or (lambda _topic: None)

    # -- reading ----------------------------------------------------------------------------------

    @staticmethod
    def _filtered(
        q: Select[Any],
        kind: ResourceKind | Sequence[ResourceKind] | None,
        bbox: tuple[float, float, float, float] | None,
        text: str | None,
    ) -> Select[Any]:
        R = ResourceRow
        if isinstance(kind, ResourceKind):
            q = q.where(R.kind == kind.value)
        elif kind:
            q = q.where(R.kind.in_([k.value for k in kind]))
        if bbox is not None:
            x0, y0, x1, y1 = bbox
            q = q.where(R.lon >= x0, R.lon <= x1, R.lat >= y0, R.lat <= y1)
        needle = (text or "").strip()
        if needle:
            like = "%" + needle.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
            like += "%"
            q = q.where(R.name.ilike(like, escape="\\") | R.address.ilike(like, escape="\\"))
        return q

    def page(
        self,
        kind: ResourceKind | Sequence[ResourceKind] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        after_id: int | None = None,
        limit: int = 500,
        *,
        text: str | None = None,
    ) -> list[Resource]:
        """Up to ``limit`` resources by id after ``after_id`` (keyset paging).

        ``kind`` is one kind or several; ``bbox`` is (min lon, min lat, max lon, max lat) in
        WGS-84; ``text`` matches name or address.
        """
        limit = max(1, min(limit, PAGE_MAX))
        R = ResourceRow
        q = self._filtered(select(R), kind, bbox, text)
        if after_id is not None:
            q = q.where(R.id > after_id)
        with self._db.read() as s:
            return [resource_of(r) for r in s.scalars(q.order_by(R.id).limit(limit))]

    def iter_all(
        self, kind: ResourceKind | Sequence[ResourceKind] | None = None, page_size: int = 500
    ) -> Iterator[Resource]:
        """Every matching resource, read page by page (for export)."""
        after: int | None = None
        while True:
            page = self.page(kind, after_id=after, limit=page_size)
            yield from page
            if len(page) < page_size:
                return
            after = page[-1].id

    def count(
        self,
        kind: ResourceKind | Sequence[ResourceKind] | None = None,
        bbox: tuple[float, float, float, float] | None = None,
        *,
        text: str | None = None,
    ) -> int:
        """How many resources match."""
        q = self._filtered(select(func.count()).select_from(ResourceRow), kind, bbox, text)
        with self._db.read() as s:
            return int(s.scalar(q) or 0)

    def counts_by_kind(self) -> dict[ResourceKind, int]:
        """Resources per kind (kinds with none are left out)."""
        R = ResourceRow
        with self._db.read() as s:
            rows = s.execute(select(R.kind, func.count()).group_by(R.kind)).all()
        return {ResourceKind(k): int(n) for k, n in rows}

    def get(self, resource_id: int) -> Resource:
        """One resource (NotFoundError when there is none)."""
        with self._db.read() as s:
            return resource_of(self._row(s, resource_id))

    def near(
        self,
        lon: float,
        lat: float,
        km: float,
        kinds: ResourceKind | Sequence[ResourceKind] | None = None,
        limit: int = 200,
    ) -> list[NearbyResource]:
        """Resources within ``km`` of a WGS-84 point, nearest first (haversine, R = 6371008.8 m).

        SQL narrows to the bounding box of the circle (index on lon, lat); the exact distance
        then drops the corners. Ties are broken by id.
        """
        c = Checker()
        c.coordinates(lon, lat)
        if not (math.isfinite(km) and 0 < km <= MAX_NEAR_KM):
            c.fail("km", _tr("距离应在 0 到 {n} 公里之间").format(n=int(MAX_NEAR_KM)))
        if c.errors:
            raise ValidationError(c.errors)
        limit = max(1, min(limit, PAGE_MAX))
        radius = km * 1000.0
        R = ResourceRow
        # the box's candidates as bare columns; only the nearest ``limit`` are loaded whole
        q = self._filtered(select(R.id, R.lon, R.lat), kinds, geo.bbox_around(lon, lat, km), None)
        with self._db.read() as s:
            hits: list[tuple[float, int]] = []
            for rid, rlon, rlat in s.execute(q):
                d = geo.haversine_m(lon, lat, rlon, rlat)
                if d <= radius:
                    hits.append((d, rid))
            hits.sort()
            hits = hits[:limit]
            rows = {r.id: r for r in s.scalars(select(R).where(R.id.in_([i for _d, i in hits])))}
            return [NearbyResource(resource_of(rows[i]), d) for d, i in hits]

    # -- writing ----------------------------------------------------------------------------------

    def add(self, actor: str, draft: ResourceDraft) -> Resource:
        """Store a new resource (ValidationError with each field's message when one is off)."""
        errors = check_draft(draft)
        if errors:
            raise ValidationError(errors)
        with self._db.transaction() as s:
            resource = self._add(s, actor, self._checked(s, _clean(draft)))
        self._notify(TOPIC)
        return resource

    def add_many(self, actor: str, drafts: Sequence[ResourceDraft]) -> list[Resource]:
        """Store several new resources in one transaction (all or none).

        The first bad draft's errors are raised with its index as field ``row``.
        """
        cleaned: list[ResourceDraft] = []
        for i, draft in enumerate(drafts):
            errors = check_draft(draft)
            if errors:
                raise ValidationError({"row": f"#{i}: {_problem_text(ValidationError(errors))}"})
            cleaned.append(_clean(draft))
        with self._db.transaction() as s:
            added = [self._add(s, actor, self._checked(s, d)) for d in cleaned]
        if added:
            self._notify(TOPIC)
        return added

    def update(
        self,
        actor: str,
        resource_id: int,
        draft: ResourceDraft,
        expected_version: int | None = None,
    ) -> Resource:
        """Replace a resource's fields (ConflictError when someone changed it first)."""
        errors = check_draft(draft)
        if errors:
            raise ValidationError(errors)
        clean = _clean(draft)
        try:
            with self._db.transaction() as s:
                row = self._row(s, resource_id)
                self._check_version(row, expected_version)
                self._update(s, actor, row, self._checked(s, clean))
                resource = resource_of(row)
        except StaleDataError as exc:
            raise ConflictError(self._conflict_text(resource_id)) from exc
        self._notify(TOPIC)
        return resource

    def remove(self, actor: str, resource_id: int, expected_version: int | None = None) -> None:
        """Delete a resource (ConflictError when someone changed it since ``expected_version``)."""
        try:
            with self._db.transaction() as s:
                row = self._row(s, resource_id)
                self._check_version(row, expected_version)
                before = convert.snapshot(row)
                s.delete(row)
                s.flush()
                audit.append(s, actor, "resource.remove", "resource", resource_id, before, None)
        except StaleDataError as exc:
            raise ConflictError(self._conflict_text(resource_id)) from exc
        self._notify(TOPIC)

    # -- import -----------------------------------------------------------------------------------

    def import_csv(
        self,
        actor: str,
        data: bytes | str,
        *,
        crs: Crs | str = Crs.WGS84,
        default_kind: ResourceKind | None = None,
    ) -> ResourceImportReport:
        """Import a CSV with Chinese or English headers (see :data:`CSV_COLUMNS`).

        UTF-8 (BOM allowed) or GB18030. Required columns: 名称/name, 经度/lon, 纬度/lat and
        类别/kind (unless ``default_kind`` is given; an empty kind cell takes it too). A good row
        updates the resource of the same kind and name, or is added; each bad row is reported
        with its line number (the header is line 1) and nothing of it is written.

        Raises:
            ValidationError: the file is too big, not text, or its header is unusable (field
                ``file``); nothing was written.
        """
        crs = parse_crs(crs)
        self._check_size(data)
        reader = csv.reader(io.StringIO(_decode(data), newline=""))
        header = next(reader, None)
        if header is None:
            raise ValidationError({"file": _tr("文件是空的 (empty file)")})
        columns = _csv_columns(header, default_kind)
        report = ResourceImportReport()
        good: list[tuple[ImportProblem, ResourceDraft]] = []
        seen: dict[tuple[ResourceKind, str], str] = {}
        line = reader.line_num
        try:
            for cells in reader:
                start, line = line + 1, reader.line_num
                where = ImportProblem("", line=start)
                if not any(cell.strip() for cell in cells):
                    continue
                values: dict[str, str] = {}
                extra = [cell for i, cell in enumerate(cells) if i not in columns and cell.strip()]
                if extra:
                    report.problems.append(
                        ImportProblem(_tr("多出的列：{cell!r}").format(cell=extra[0]), line=start)
                    )
                    continue
                for i, cell in enumerate(cells):
                    if i in columns:
                        values[columns[i]] = cell
                self._take(report, good, seen, where, values, crs, default_kind, None)
        except csv.Error as exc:  # an unclosed quote: the rest of the file is one bad field
            report.problems.append(
                ImportProblem(_tr("CSV 格式错误：{e}").format(e=exc), line=line + 1)
            )
        self._store(actor, report, good)
        return report

    def import_geojson(
        self,
        actor: str,
        data: bytes | str,
        *,
        crs: Crs | str = Crs.WGS84,
        default_kind: ResourceKind | None = None,
    ) -> ResourceImportReport:
        """Import a GeoJSON FeatureCollection of Points.

        Properties use the CSV's field names (English or Chinese: ``name``/``名称`` …); the
        point's coordinates give lon/lat. Each bad feature is reported by its index in
        ``features`` (from 0). Otherwise as :meth:`import_csv`.
        """
        crs = parse_crs(crs)
        self._check_size(data)
        try:
            doc = json.loads(_decode(data))
        except json.JSONDecodeError as exc:
            raise ValidationError(
                {
                    "file": _tr("不是有效的 JSON：第 {line} 行第 {col} 列：{msg}").format(
                        line=exc.lineno, col=exc.colno, msg=exc.msg
                    )
                }
            ) from exc
        except RecursionError:  # arrays nested thousands deep: no GeoJSON, and no crash
            raise ValidationError({"file": _tr("JSON 嵌套太深 (nested too deeply)")}) from None
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            raise ValidationError({"file": _tr("不是 GeoJSON FeatureCollection")})
        features = doc.get("features")
        if not isinstance(features, list):
            raise ValidationError({"file": _tr("FeatureCollection 缺少 features 数组")})
        report = ResourceImportReport()
        good: list[tuple[ImportProblem, ResourceDraft]] = []
        seen: dict[tuple[ResourceKind, str], str] = {}
        for index, feature in enumerate(features):
            where = ImportProblem("", feature=index)
            problem = _feature_problem(feature)
            if problem:
                report.problems.append(ImportProblem(problem, feature=index))
                continue
            values: dict[str, Any] = {}
            for key, value in (feature.get("properties") or {}).items():
                field = HEADERS.get(str(key).strip()) or HEADERS.get(str(key).strip().lower())
                if field is not None and field not in ("lon", "lat"):
                    values[field] = value
            coords = feature["geometry"]["coordinates"]
            self._take(report, good, seen, where, values, crs, default_kind, (coords[0], coords[1]))
        self._store(actor, report, good)
        return report

    @staticmethod
    def _check_size(data: bytes | str) -> None:
        if len(data) > MAX_IMPORT_BYTES:
            raise ValidationError(
                {"file": _tr("文件太大 (file too large): 最多 {n} 字节").format(n=MAX_IMPORT_BYTES)}
            )

    @staticmethod
    def _take(
        report: ResourceImportReport,
        good: list[tuple[ImportProblem, ResourceDraft]],
        seen: dict[tuple[ResourceKind, str], str],
        where: ImportProblem,
        values: dict[str, Any],
        crs: Crs,
        default_kind: ResourceKind | None,
        lonlat: tuple[object, object] | None,
    ) -> None:
        try:
            draft = draft_from_values(values, crs, default_kind, lonlat)
        except ValidationError as exc:
            report.problems.append(ImportProblem(_problem_text(exc), where.line, where.feature))
            return
        draft = _clean(draft)
        key = (draft.kind, draft.name)
        if key in seen:
            report.problems.append(
                ImportProblem(
                    _tr("与{where}重复（同类别同名）").format(where=seen[key]),
                    where.line,
                    where.feature,
                )
            )
            return
        seen[key] = where.where
        good.append((where, draft))

    def _store(
        self,
        actor: str,
        report: ResourceImportReport,
        good: list[tuple[ImportProblem, ResourceDraft]],
    ) -> None:
        if not good:
            return
        with self._db.transaction() as s, s.no_autoflush:
            codes = self._known_codes(s)
            existing = self._existing(s, [d for _w, d in good])
            new_rows: list[ResourceRow] = []
            now = utcnow()
            for where, draft in good:
                if draft.division_code is not None and draft.division_code not in codes:
                    report.problems.append(
                        ImportProblem(
                            _tr("区划代码：未知的区划代码 {code}").format(code=draft.division_code),
                            where.line,
                            where.feature,
                        )
                    )
                    continue
                row = existing.get((draft.kind.value, draft.name))
                if row is None:
                    new = ResourceRow(created_at=now, updated_at=now, **_columns_of(draft))
                    s.add(new)
                    new_rows.append(new)
                elif self._update(s, actor, row, draft, action="resource.import"):
                    report.updated.append(row.id)
                else:
                    report.unchanged.append(row.id)
            s.flush()  # every new row at once: their ids
            for new in new_rows:
                audit.append(
                    s, actor, "resource.import", "resource", new.id, None, convert.snapshot(new)
                )
                report.added.append(new.id)
        report.problems.sort(key=lambda p: (p.line if p.line is not None else -1, p.feature or 0))
        self._notify(TOPIC)

    # -- export -----------------------------------------------------------------------------------

    def export_csv(
        self,
        kind: ResourceKind | Sequence[ResourceKind] | None = None,
        *,
        english: bool = False,
        bom: bool = False,
    ) -> str:
        """Resources as CSV in the form :meth:`import_csv` reads (WGS-84; BOM for Excel).

        Chinese headers and kind names by default; ``english`` gives the English headers and
        kind codes.
        """
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([en if english else zh for zh, en in CSV_COLUMNS.values()])
        for r in self.iter_all(kind):
            writer.writerow(
                [
                    r.kind.value if english else r.kind.label_zh,
                    r.name,
                    r.type,
                    _number_text(r.capacity),
                    r.unit,
                    r.contact_name,
                    r.contact_phone,
                    r.address,
                    r.division_code or "",
                    _number_text(r.lon),
                    _number_text(r.lat),
                    r.notes,
                ]
            )
        return ("\ufeff" if bom else "") + out.getvalue()

    def export_geojson(self, kind: ResourceKind | Sequence[ResourceKind] | None = None) -> str:
        """Resources as a GeoJSON FeatureCollection of WGS-84 points (what the import reads)."""
        features = [resource_feature(r) for r in self.iter_all(kind)]
        return json.dumps(
            {"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1
        )

    # -- inside a transaction ---------------------------------------------------------------------

    @staticmethod
    def _row(s: Session, resource_id: int) -> ResourceRow:
        row = s.get(ResourceRow, resource_id)
        if row is None:
            raise NotFoundError(_tr("资源 #{id} 不存在").format(id=resource_id))
        return row

    @staticmethod
    def _conflict_text(resource_id: int) -> str:
        return _tr("资源 #{id} 已被他人修改，请刷新后再改").format(id=resource_id)

    def _check_version(self, row: ResourceRow, expected: int | None) -> None:
        if expected is not None and row.version != expected:
            raise ConflictError(self._conflict_text(row.id))

    @staticmethod
    def _existing(
        s: Session, drafts: Sequence[ResourceDraft]
    ) -> dict[tuple[str, str], ResourceRow]:
        """The stored resources with the kind and name of a draft (the oldest of each pair)."""
        names = sorted({d.name for d in drafts})
        found: dict[tuple[str, str], ResourceRow] = {}
        for i in range(0, len(names), 500):
            rows = s.scalars(
                select(ResourceRow)
                .where(ResourceRow.name.in_(names[i : i + 500]))
                .order_by(ResourceRow.id.desc())
            )
            for row in rows:
                found[(row.kind, row.name)] = row  # by descending id: the oldest is set last
        return found

    @staticmethod
    def _known_codes(s: Session) -> set[str]:
        return set(s.scalars(select(m.DivisionRow.code)))

    def _checked(self, s: Session, draft: ResourceDraft) -> ResourceDraft:
        code = draft.division_code
        if code is not None and s.get(m.DivisionRow, code) is None:
            raise ValidationError({"division_code": _tr("未知的区划代码 {code}").format(code=code)})
        return draft

    @staticmethod
    def _add(
        s: Session, actor: str, draft: ResourceDraft, *, action: str = "resource.add"
    ) -> Resource:
        now = utcnow()
        row = ResourceRow(created_at=now, updated_at=now, **_columns_of(draft))
        s.add(row)
        s.flush()
        audit.append(s, actor, action, "resource", row.id, None, convert.snapshot(row))
        return resource_of(row)

    @staticmethod
    def _update(
        s: Session,
        actor: str,
        row: ResourceRow,
        draft: ResourceDraft,
        *,
        action: str = "resource.update",
    ) -> bool:
        """Apply ``draft``; False (and no audit record) when nothing changed."""
        columns = _columns_of(draft)
        if all(getattr(row, k) == v for k, v in columns.items()):
            return False
        before = convert.snapshot(row)
        for key, value in columns.items():
            setattr(row, key, value)
        row.updated_at = utcnow()
        s.flush()
        audit.append(s, actor, action, "resource", row.id, before, convert.snapshot(row))
        return True


def _feature_problem(feature: object) -> str:
    """Why a GeoJSON feature cannot be a resource ("" when its shape is fine)."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return _tr("不是 Feature 对象")
    geometry = feature.get("geometry")
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        return _tr("几何应为 Point，实为 {kind}").format(kind=kind)
    coords = geometry.get("coordinates")
    if (
        not isinstance(coords, list)
        or len(coords) < 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in coords[:2])
    ):
        return _tr("Point 的坐标应为 [经度, 纬度]")
    props = feature.get("properties")
    if props is not None and not isinstance(props, dict):
        return _tr("properties 应为对象")
    return ""


def _number_text(value: float | None) -> str:
    if value is None:
        return ""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(round(value, 7))


def resource_feature(r: Resource, distance_m: float | None = None) -> dict[str, Any]:
    """A resource as a GeoJSON Point feature (properties as the import reads them)."""
    props: dict[str, Any] = {
        "id": r.id,
        "kind": r.kind.value,
        "kind_label": r.kind.label,
        "name": r.name,
        "type": r.type,
        "capacity": r.capacity,
        "unit": r.unit,
        "contact_name": r.contact_name,
        "contact_phone": r.contact_phone,
        "address": r.address,
        "division_code": r.division_code,
        "notes": r.notes,
    }
    if distance_m is not None:
        props["distance_m"] = round(distance_m, 1)
    return {
        "type": "Feature",
        "id": r.id,
        "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
        "properties": props,
    }
