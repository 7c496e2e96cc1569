"""``duty-console geo …`` and ``duty-console resource …``: places and basic information.

``geo locate LON LAT`` needs no database (the county polygons ship with the program).
``console.cli`` adds these commands with :func:`register` and hands them to :func:`run_geo`
(before any database is opened) or :func:`run` (with the services).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.domain import ValidationError

if TYPE_CHECKING:
    from console.domain.resources import Resource, ResourceImportReport, ResourceKind
    from console.services import Services

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_NOT_FOUND = 4
MAX_FILE_BYTES = 20_000_000
KINDS = ("rescue_team", "depot", "shelter", "hospital", "hazard", "protection_target")

GEO_EPILOG = """\
LON LAT are WGS-84 (= CGCS2000 at map scale) degrees; --crs gcj02 converts a GCJ-02 point
(AMap, Tencent) first. Exit 0 with the division, 4 when the point is outside the shipped
county polygons (outside Jilin), 2 for bad input.
"""

RESOURCE_EPILOG = """\
Kinds: rescue_team 救援队伍, depot 物资储备库, shelter 避难场所, hospital 医疗机构,
  hazard 危险源, protection_target 防护目标.
CSV: UTF-8 (BOM allowed; GB18030 from Excel is read too), header in Chinese or English:
  类别,名称,类型,容量,计量单位,联系人,联系电话,地址,区划代码,经度,纬度,备注
  kind,name,type,capacity,unit,contact_name,contact_phone,address,division_code,lon,lat,notes
  required: 名称/name, 经度/lon, 纬度/lat and 类别/kind (or --kind for rows without one);
  类别 is the Chinese name or the English code; an empty 区划代码 is filled from the point.
GeoJSON: a FeatureCollection of Points; properties named as the CSV columns.
import: a row of the same kind and name is updated, others are added. Each bad row is
  reported on stderr with its CSV line number (header = line 1) or GeoJSON feature index
  (from 0) and the reason; the good rows are still imported and the exit status is then 2.
  --crs gcj02 converts GCJ-02 coordinates to WGS-84; wgs84 and cgcs2000 are taken as they are.
export: .geojson/.json → GeoJSON, else CSV (Chinese headers; --english for English ones);
  FILE - writes to stdout. Coordinates are WGS-84.
near: great-circle (haversine, R = 6371008.8 m) distance from LON LAT, nearest first.
"""


def register(
    subparsers: argparse._SubParsersAction[Any],
    parents: Sequence[argparse.ArgumentParser] = (),
) -> None:
    """Add ``geo`` and ``resource`` to ``subparsers`` (``parents``: the global options)."""
    parents = list(parents)
    geo = subparsers.add_parser(
        "geo",
        help="places: the division at a point",
        epilog=GEO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    geo_cmds = geo.add_subparsers(dest="action", metavar="ACTION", required=True)
    locate = geo_cmds.add_parser(
        "locate",
        help="the county, prefecture and province (GB/T 2260) at LON LAT",
        epilog=GEO_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    _point_arguments(locate)
    locate.add_argument("--json", action="store_true", help="print a JSON object")

    resource = subparsers.add_parser(
        "resource",
        help="the basic-information database: import, export, list, near",
        epilog=RESOURCE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    actions = resource.add_subparsers(dest="action", metavar="ACTION", required=True)
    imp = actions.add_parser(
        "import",
        help="add or update resources from a CSV or GeoJSON file (- for stdin)",
        epilog=RESOURCE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    imp.add_argument("file", metavar="FILE")
    imp.add_argument(
        "--crs",
        choices=("wgs84", "cgcs2000", "gcj02"),
        default="wgs84",
        help="coordinate system of the file (default wgs84; gcj02 is converted)",
    )
    imp.add_argument("--kind", choices=KINDS, help="kind for rows that name none")
    imp.add_argument(
        "--format",
        choices=("csv", "geojson"),
        help="file format (default: from the name; .geojson/.json → geojson, else csv)",
    )
    exp = actions.add_parser(
        "export", help="resources as CSV or GeoJSON (- for stdout)", parents=parents
    )
    exp.add_argument("file", metavar="FILE")
    exp.add_argument("--kind", choices=KINDS, action="append", help="only this kind (repeatable)")
    exp.add_argument("--format", choices=("csv", "geojson"), help="default: from the name")
    exp.add_argument("--english", action="store_true", help="CSV: English headers and kind codes")
    exp.add_argument("--bom", action="store_true", help="CSV: start with a BOM (for Excel)")
    listing = actions.add_parser("list", help="resources by id", parents=parents)
    listing.add_argument("--kind", choices=KINDS, action="append", help="only this kind")
    listing.add_argument("--text", default="", help="only those whose name or address has TEXT")
    listing.add_argument("--limit", type=int, default=1000, help="at most this many (1000)")
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    near = actions.add_parser(
        "near",
        help="resources within N km of a point, nearest first",
        epilog=RESOURCE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=parents,
    )
    _point_arguments(near)
    near.add_argument("--km", type=float, required=True, help="radius in kilometres")
    near.add_argument("--kind", choices=KINDS, action="append", help="only this kind")
    near.add_argument("--limit", type=int, default=200, help="at most this many (200)")
    near.add_argument("--json", action="store_true", help="print a JSON array")


def _point_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("lon", metavar="LON", type=_coordinate, help="longitude, degrees east")
    parser.add_argument("lat", metavar="LAT", type=_coordinate, help="latitude, degrees north")
    parser.add_argument(
        "--crs",
        choices=("wgs84", "cgcs2000", "gcj02"),
        default="wgs84",
        help="coordinate system of LON LAT (default wgs84)",
    )


def _coordinate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _point(args: argparse.Namespace) -> tuple[float, float]:
    from console.services.resources import parse_crs, to_wgs84
    from console.services.validation import Checker

    c = Checker()
    c.coordinates(args.lon, args.lat)
    if c.errors:
        raise ValidationError(c.errors)
    return to_wgs84(args.lon, args.lat, parse_crs(args.crs))


def _fail(message: str, code: int) -> int:
    print(f"duty-console: {' '.join(message.split())}", file=sys.stderr)
    return code


def _print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- geo


def run_geo(args: argparse.Namespace) -> int:
    """``geo locate``: no database needed."""
    from console import geo

    lon, lat = _point(args)
    at = geo.locate(lon, lat)
    if args.json:
        value: dict[str, Any] | None = None
        if at is not None:
            value = {"lon": lon, "lat": lat, **at.to_dict()}
        _print_json(value)
    elif at is not None:
        print(f"{at.county_code} {at.full_name}")
    if at is None:
        return _fail(
            f"该点不在吉林省的区县范围内 (no county at this point): {lon:.6f}, {lat:.6f}",
            EXIT_NOT_FOUND,
        )
    return EXIT_OK


# --------------------------------------------------------------------------- resource


def run(args: argparse.Namespace, services: Services) -> int:
    """Run ``resource ACTION``; returns the exit status.

    ValidationError and NotFoundError propagate for the caller to report (exit 2, 4).
    """
    if args.action == "import":
        return _import(args, services)
    if args.action == "export":
        return _export(args, services)
    if args.action == "near":
        return _near(args, services)
    return _list(args, services)


def _kinds(values: Sequence[str] | None) -> list[ResourceKind] | None:
    from console.domain.resources import ResourceKind

    return [ResourceKind(v) for v in values] if values else None


def _read(path: str) -> bytes:
    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        else:
            with Path(path).open("rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValidationError({"file": f"无法读取 (cannot read) {path}: {exc.strerror}"}) from exc
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError({"file": f"文件太大 (file too large): 最多 {MAX_FILE_BYTES} 字节"})
    return data


def _is_geojson(path: str, data: bytes | None = None) -> bool:
    suffix = Path(path).suffix.lower()
    if suffix in (".geojson", ".json"):
        return True
    if suffix == "" and data is not None:  # stdin or no suffix: sniff
        return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"
    return False


def _import(args: argparse.Namespace, services: Services) -> int:
    from console.app import resolve_operator
    from console.domain.resources import ResourceKind

    data = _read(args.file)
    geojson = args.format == "geojson" if args.format else _is_geojson(args.file, data)
    kind = ResourceKind(args.kind) if args.kind else None
    actor = resolve_operator(services, getattr(args, "operator", None)).username
    if geojson:
        report = services.resources.import_geojson(actor, data, crs=args.crs, default_kind=kind)
    else:
        report = services.resources.import_csv(actor, data, crs=args.crs, default_kind=kind)
    _print_report(report)
    if report.problems:
        return _fail(
            f"{len(report.problems)} 行未导入，其余已导入 (rows refused; the good rows were "
            "imported)",
            EXIT_USAGE,
        )
    return EXIT_OK


def _print_report(report: ResourceImportReport) -> None:
    print(
        f"已导入 (imported): 新增 {len(report.added)} added, 更新 {len(report.updated)} updated, "
        f"未变 {len(report.unchanged)} unchanged, 未导入 {len(report.problems)} refused"
    )
    for problem in report.problems:
        print(f"{problem.where}: {problem.message}", file=sys.stderr)


def _export(args: argparse.Namespace, services: Services) -> int:
    kinds = _kinds(args.kind)
    geojson = args.format == "geojson" if args.format else _is_geojson(args.file)
    if geojson:
        text = services.resources.export_geojson(kinds) + "\n"
    else:
        text = services.resources.export_csv(kinds, english=args.english, bom=args.bom)
    if args.file == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return EXIT_OK
    try:
        Path(args.file).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise ValidationError(
            {"file": f"无法写入 (cannot write) {args.file}: {exc.strerror}"}
        ) from exc
    count = services.resources.count(kinds)
    print(f"已导出 (exported) {count} → {args.file}")
    return EXIT_OK


def resource_json(r: Resource, distance_m: float | None = None) -> dict[str, Any]:
    """A resource as the JSON the CLI prints."""
    value: dict[str, Any] = {
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
        "lon": r.lon,
        "lat": r.lat,
        "notes": r.notes,
        "version": r.version,
    }
    if distance_m is not None:
        value["distance_m"] = round(distance_m, 2)
    return value


def _list(args: argparse.Namespace, services: Services) -> int:
    if not 1 <= args.limit <= 100_000:
        raise ValidationError({"limit": f"--limit 应在 1–100000 (out of range): {args.limit}"})
    kinds = _kinds(args.kind)
    out: list[Resource] = []
    after: int | None = None
    while len(out) < args.limit:
        want = min(500, args.limit - len(out))
        page = services.resources.page(kinds, after_id=after, limit=want, text=args.text)
        out.extend(page)
        if len(page) < want:
            break
        after = page[-1].id
    if args.json:
        _print_json([resource_json(r) for r in out])
        return EXIT_OK
    from console.cli import _print_table

    rows = [
        (
            str(r.id),
            r.kind.label,
            r.name,
            r.capacity_text,
            r.contact_name,
            r.contact_phone,
            f"{r.lon:.5f},{r.lat:.5f}",
        )
        for r in out
    ]
    _print_table(("#", "类别", "名称", "容量", "联系人", "电话", "经纬度"), rows, sys.stdout)
    return EXIT_OK


def _near(args: argparse.Namespace, services: Services) -> int:
    lon, lat = _point(args)
    if not 1 <= args.limit <= 2_000:
        raise ValidationError({"limit": f"--limit 应在 1–2000 (out of range): {args.limit}"})
    found = services.resources.near(lon, lat, args.km, _kinds(args.kind), limit=args.limit)
    if args.json:
        _print_json([resource_json(n.resource, n.distance_m) for n in found])
        return EXIT_OK
    from console.cli import _print_table

    rows = [
        (
            f"{n.distance_m / 1000:.2f} km",
            str(n.resource.id),
            n.resource.kind.label,
            n.resource.name,
            n.resource.contact_name,
            n.resource.contact_phone,
        )
        for n in found
    ]
    _print_table(("距离", "#", "类别", "名称", "联系人", "电话"), rows, sys.stdout)
    return EXIT_OK
