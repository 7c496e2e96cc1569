"""The basic-information database: CRUD, nearby search, CSV/GeoJSON import and export, CLI.

Every test runs on SQLite and PostgreSQL (``db_url``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from console import geo
from console.cli import main
from console.demo_resources import seed_demo_resources
from console.domain import ConflictError, NotFoundError, ValidationError
from console.domain.resources import ResourceDraft, ResourceKind
from console.services import Services

OFFICER = "zhangwei"
CHANGCHUN = (125.3245, 43.8868)  # 人民广场, 长春


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    opened = Services.open(db_url)
    yield opened
    opened.close()


def reference_haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """The acceptance's reference: haversine on the sphere of R = 6371008.8 m, written out here."""
    r = 6_371_008.8
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * r * math.atan2(math.sqrt(a), math.sqrt(1 - a))


def draft(
    name: str = "南关区综合救援队（测试）",
    kind: ResourceKind = ResourceKind.RESCUE_TEAM,
    lon: float = 125.33,
    lat: float = 43.86,
    **fields: object,
) -> ResourceDraft:
    return ResourceDraft(kind=kind, name=name, lon=lon, lat=lat, **fields)  # type: ignore[arg-type]


def audit_actions(services: Services) -> list[str]:
    return [r.action for r in reversed(services.audit.latest(500, entity="resource"))]


def bearing_point(lon: float, lat: float, metres: float, bearing_deg: float) -> tuple[float, float]:
    """The point ``metres`` from (lon, lat) on a bearing, on the sphere."""
    d = metres / geo.EARTH_RADIUS_M
    b = math.radians(bearing_deg)
    p0, l0 = math.radians(lat), math.radians(lon)
    p = math.asin(math.sin(p0) * math.cos(d) + math.cos(p0) * math.sin(d) * math.cos(b))
    lam = l0 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p0), math.cos(d) - math.sin(p0) * math.sin(p)
    )
    return math.degrees(lam), math.degrees(p)


# --------------------------------------------------------------------------- CRUD


def test_add_update_remove_with_audit_and_versions(services: Services) -> None:
    seen: list[str] = []
    services.add_listener(seen.append)
    added = services.resources.add(
        OFFICER,
        draft(
            capacity=60,
            unit="人",
            contact_name="王某",
            contact_phone="0431-80010000",
            type="综合救援",
        ),
    )
    assert added.division_code == "220102"  # filled by point-in-polygon
    assert added.capacity_text == "60 人"
    assert services.resources.get(added.id) == added
    assert "resources" in seen

    changed = services.resources.update(
        OFFICER,
        added.id,
        draft("南关区综合救援队（测试）", capacity=80, unit="人"),
        expected_version=added.version,
    )
    assert changed.capacity == 80
    assert changed.version == added.version + 1
    with pytest.raises(ConflictError, match="已被他人修改"):
        services.resources.update(
            OFFICER, added.id, draft(capacity=90), expected_version=added.version
        )
    with pytest.raises(ConflictError):
        services.resources.remove(OFFICER, added.id, expected_version=added.version)
    services.resources.remove(OFFICER, added.id, expected_version=changed.version)
    with pytest.raises(NotFoundError):
        services.resources.get(added.id)
    assert audit_actions(services) == ["resource.add", "resource.update", "resource.remove"]


def test_field_errors_are_reported_per_field(services: Services) -> None:
    with pytest.raises(ValidationError) as caught:
        services.resources.add(
            OFFICER,
            draft(
                "",
                lon=200.0,
                capacity=-1,
                contact_phone="call me",
                division_code="12ab",
            ),
        )
    errors = caught.value.errors
    assert set(errors) >= {"name", "lon", "capacity", "contact_phone", "division_code"}
    assert "必填" in errors["name"]
    with pytest.raises(ValidationError) as unknown:
        services.resources.add(OFFICER, draft(division_code="110101"))
    assert "110101" in unknown.value.errors["division_code"]
    assert services.resources.count() == 0
    assert audit_actions(services) == []


def test_outside_jilin_keeps_no_division_and_a_given_code_wins(services: Services) -> None:
    shenyang = services.resources.add(OFFICER, draft("沈阳某队（测试）", lon=123.43, lat=41.80))
    assert shenyang.division_code is None
    given = services.resources.add(OFFICER, draft("给定区划（测试）", division_code="220100"))
    assert given.division_code == "220100"


def test_pages_by_kind_bbox_and_text(services: Services) -> None:
    kinds = list(ResourceKind)
    for i in range(30):
        services.resources.add(
            OFFICER,
            draft(f"资源{i:02d}（测试）", kinds[i % len(kinds)], 125.0 + i * 0.05, 43.5 + i * 0.01),
        )
    first = services.resources.page(limit=12)
    second = services.resources.page(after_id=first[-1].id, limit=12)
    third = services.resources.page(after_id=second[-1].id, limit=12)
    ids = [r.id for r in first + second + third]
    assert len(ids) == 30 == len(set(ids))
    assert ids == sorted(ids)
    shelters = services.resources.page(ResourceKind.SHELTER)
    assert {r.kind for r in shelters} == {ResourceKind.SHELTER}
    assert len(shelters) == 5 == services.resources.count(ResourceKind.SHELTER)
    boxed = services.resources.page(bbox=(125.0, 43.5, 125.5, 44.0))
    assert [r.name for r in boxed] == [f"资源{i:02d}（测试）" for i in range(11)]
    assert [r.name for r in services.resources.page(text="资源07")] == ["资源07（测试）"]
    assert services.resources.counts_by_kind()[ResourceKind.HAZARD] == 5


# --------------------------------------------------------------------------- nearby


def test_near_sorts_by_exact_distance_and_drops_the_box_corners(services: Services) -> None:
    lon0, lat0 = CHANGCHUN
    placed = {
        "东 1 km": bearing_point(lon0, lat0, 1_000, 90),
        "北 4.9 km": bearing_point(lon0, lat0, 4_900, 0),
        "东北 5.5 km": bearing_point(lon0, lat0, 5_500, 45),  # inside the 5 km box, outside 5 km
        "西南 3 km": bearing_point(lon0, lat0, 3_000, 225),
        "南 20 km": bearing_point(lon0, lat0, 20_000, 180),
    }
    for name, (lon, lat) in placed.items():
        services.resources.add(OFFICER, draft(name, ResourceKind.SHELTER, lon, lat))
    services.resources.add(
        OFFICER, draft("医院 2 km", ResourceKind.HOSPITAL, *bearing_point(lon0, lat0, 2_000, 300))
    )

    x0, y0, x1, y1 = geo.bbox_around(lon0, lat0, 5)
    corner = placed["东北 5.5 km"]
    assert x0 <= corner[0] <= x1
    assert y0 <= corner[1] <= y1

    found = services.resources.near(lon0, lat0, 5)
    assert [n.resource.name for n in found] == ["东 1 km", "医院 2 km", "西南 3 km", "北 4.9 km"]
    for n in found:
        ref = reference_haversine_m(lon0, lat0, n.resource.lon, n.resource.lat)
        assert abs(n.distance_m - ref) < 1.0
    assert [n.distance_m for n in found] == sorted(n.distance_m for n in found)
    only = services.resources.near(lon0, lat0, 5, [ResourceKind.HOSPITAL])
    assert [n.resource.name for n in only] == ["医院 2 km"]
    assert len(services.resources.near(lon0, lat0, 50, limit=2)) == 2
    with pytest.raises(ValidationError):
        services.resources.near(lon0, lat0, 0)
    with pytest.raises(ValidationError):
        services.resources.near(200, lat0, 5)


def test_cli_near_distances_match_haversine_within_1m(
    services: Services, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    seeded = seed_demo_resources(services)
    assert seeded > 0
    lon0, lat0 = 126.55, 43.84  # 吉林市
    assert (
        main(["--db", db_url, "resource", "near", str(lon0), str(lat0), "--km", "60", "--json"])
        == 0
    )
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) >= 8
    for item in listed:
        assert (
            abs(item["distance_m"] - reference_haversine_m(lon0, lat0, item["lon"], item["lat"]))
            < 1.0
        )
        assert item["distance_m"] <= 60_000
    distances = [item["distance_m"] for item in listed]
    assert distances == sorted(distances)
    # every demo resource within 60 km is listed: compare with a brute-force scan
    every = services.resources.page(limit=2000)
    expected = {r.id for r in every if reference_haversine_m(lon0, lat0, r.lon, r.lat) <= 60_000}
    assert {item["id"] for item in listed} == expected
    assert (
        main(
            [
                "--db",
                db_url,
                "resource",
                "near",
                str(lon0),
                str(lat0),
                "--km",
                "60",
                "--kind",
                "hospital",
                "--json",
            ]
        )
        == 0
    )
    hospitals = json.loads(capsys.readouterr().out)
    assert hospitals
    assert {h["kind"] for h in hospitals} == {"hospital"}
    assert main(["--db", db_url, "resource", "near", "999", "43", "--km", "5"]) == 2
    assert "经度" in capsys.readouterr().err


# --------------------------------------------------------------------------- CSV

BAD_CSV = (
    "类别,名称,类型,容量,计量单位,联系人,联系电话,地址,区划代码,经度,纬度,备注\r\n"  # 1
    "避难场所,南湖公园应急避难场所（测试）,Ⅰ类,8000,人,王某,0431-80010000,,,"  # 2
    "125.3150,43.8530,\r\n"
    "火星基地,某基地（测试）,,,,,,,,125.3,43.8,\r\n"  # 3 unknown kind
    "救援队伍,某救援队（测试）,,很多,,,,,,125.3,43.8,\r\n"  # 4 capacity not a number
    "\r\n"  # 5 blank: skipped
    "医疗机构,某医院（测试）,,,,,,,,125.3,,\r\n"  # 6 no latitude
    '危险源,"某储罐区（测试）",,3000,吨,,,"多行\r\n地址",,125.40,43.92,\r\n'  # 7–8 one row
    "危险源,北京某处（测试）,,,,,,,,216.4,39.9,\r\n"  # 9 outside China
    ",无名（测试）,,,,,,,,125.3,43.8,\r\n"  # 10 no kind
    "避难场所,南湖公园应急避难场所（测试）,,,,,,,,125.3,43.8,\r\n"  # 11 duplicate of line 2
    "防护目标,某中学（测试）,,,,,not-a-phone,,,125.3,43.8,\r\n"  # 12 bad phone
    "物资储备库,某库（测试）,,,,,,,999999,125.3,43.8,\r\n"  # 13 unknown division code
    "物资储备库,某库二（测试）,,,,,,,,125.3,43.8,,多出\r\n"  # 14 extra cell
    ",,,,,,,,,,,\r\n"  # 15 empty: skipped
    "物资储备库,,,,,,,,,125.3,43.8,\r\n"  # 16 no name
)


def test_csv_with_bad_rows_imports_the_good_ones_and_reports_each_line(services: Services) -> None:
    report = services.resources.import_csv(OFFICER, BAD_CSV.encode("utf-8"))
    problems = {p.line: p.message for p in report.problems if p.line is not None}
    assert len(problems) == len(report.problems)
    assert sorted(problems) == [3, 4, 6, 9, 10, 11, 12, 13, 14, 16]
    assert "火星基地" in problems[3]
    assert "容量" in problems[4]
    assert "很多" in problems[4]
    assert "纬度" in problems[6]
    assert "经度" in problems[9]
    assert "类别" in problems[10]
    assert "第 2 行" in problems[11]
    assert "not-a-phone" in problems[12]
    assert "999999" in problems[13]
    assert "多出" in problems[14]
    assert "名称" in problems[16]
    assert all(p.feature is None for p in report.problems)
    assert len(report.added) == 2
    names = {r.name: r for r in services.resources.page()}
    assert set(names) == {"南湖公园应急避难场所（测试）", "某储罐区（测试）"}
    park = names["南湖公园应急避难场所（测试）"]
    assert (park.kind, park.capacity, park.unit, park.contact_phone) == (
        ResourceKind.SHELTER,
        8000,
        "人",
        "0431-80010000",
    )
    assert park.division_code == "220104"  # 朝阳区, filled from the point
    assert names["某储罐区（测试）"].address == "多行\r\n地址"
    assert audit_actions(services) == ["resource.import", "resource.import"]

    again = services.resources.import_csv(OFFICER, BAD_CSV.encode("utf-8"))
    assert again.added == []
    assert len(again.unchanged) == 2


def test_csv_gb18030_english_headers_and_default_kind(services: Services) -> None:
    gbk = "名称,经度,纬度,联系人\n长春某队（测试）,125.3,43.9,李某\n".encode("gb18030")
    report = services.resources.import_csv(OFFICER, gbk, default_kind=ResourceKind.RESCUE_TEAM)
    assert report.ok
    assert len(report.added) == 1
    assert services.resources.get(report.added[0]).contact_name == "李某"
    english = (
        "\ufeffkind,name,lon,lat,capacity,unit\n"
        "hospital,Some hospital (test),125.31,43.88,300,beds\n"
    )
    report = services.resources.import_csv(OFFICER, english.encode("utf-8"))
    assert report.ok
    assert services.resources.get(report.added[0]).kind is ResourceKind.HOSPITAL


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        ("名称,经度,纬度\n".encode(), "类别"),
        ("类别,名称,经度,高度\n".encode(), "高度"),
        ("类别,名称,名称,经度,纬度\n".encode(), "重复"),
        (b"\xff\xfe\x00\x01bad", "UTF-8"),
    ],
)
def test_unusable_csv_is_refused_whole(services: Services, data: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.resources.import_csv(OFFICER, data)
    assert message in caught.value.errors["file"]
    assert services.resources.count() == 0


def test_csv_gcj02_input_is_converted(services: Services) -> None:
    wgs = (125.3150, 43.8530)
    gcj = geo.wgs84_to_gcj02(*wgs)
    text = f"类别,名称,经度,纬度\n避难场所,测试场所,{gcj[0]!r},{gcj[1]!r}\n"
    report = services.resources.import_csv(OFFICER, text, crs="gcj02")
    stored = services.resources.get(report.added[0])
    assert geo.haversine_m(stored.lon, stored.lat, *wgs) < 0.5


# --------------------------------------------------------------------------- GeoJSON


def test_geojson_gcj02_import_round_trips_within_half_a_metre(services: Services) -> None:
    originals = {
        "吉林某救援队（测试）": (126.5496, 43.8378),
        "延吉某医院（测试）": (129.5090, 42.8913),
        "白城某避难场所（测试）": (122.8390, 45.6196),
    }
    kinds = ["rescue_team", "医疗机构", "shelter"]
    features: list[object] = []
    for (name, wgs), kind in zip(originals.items(), kinds, strict=True):
        gcj = geo.wgs84_to_gcj02(*wgs)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [gcj[0], gcj[1]]},
                "properties": {"name": name, "kind": kind, "容量": 100, "unit": "人"},
            }
        )
    features += [
        {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[125, 43], [126, 44]]},
            "properties": {"name": "线", "kind": "hazard"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": ["a", 43]},
            "properties": {"name": "坏", "kind": "hazard"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [125.3, 43.8]},
            "properties": {"name": "无类别"},
        },
        "not a feature",
    ]
    doc = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    report = services.resources.import_geojson(OFFICER, doc.encode("utf-8"), crs="gcj02")
    assert len(report.added) == 3
    assert [(p.feature, p.line) for p in report.problems] == [
        (3, None),
        (4, None),
        (5, None),
        (6, None),
    ]
    assert "LineString" in report.problems[0].message
    assert "要素 3" in report.problems[0].where
    for r in services.resources.page():
        assert geo.haversine_m(r.lon, r.lat, *originals[r.name]) < 0.5
        assert r.capacity == 100

    # exported as WGS-84 GeoJSON and imported into an empty database: the same points
    exported = services.resources.export_geojson()
    for r in services.resources.page():
        services.resources.remove(OFFICER, r.id)
    back = services.resources.import_geojson(OFFICER, exported)
    assert back.ok
    assert len(back.added) == 3
    for r in services.resources.page():
        assert geo.haversine_m(r.lon, r.lat, *originals[r.name]) < 0.5


def test_geojson_that_is_not_a_collection_is_refused(services: Services) -> None:
    for data in ('{"type": "Feature"}', "[1, 2", '{"type": "FeatureCollection"}'):
        with pytest.raises(ValidationError):
            services.resources.import_geojson(OFFICER, data)


def test_csv_export_reimports_identically(services: Services) -> None:
    seed_demo_resources(services)
    before = {(r.kind, r.name): r for r in services.resources.page(limit=2000)}
    for english in (False, True):
        text = services.resources.export_csv(english=english, bom=True)
        assert text.startswith("\ufeff")
        header = text.splitlines()[0].lstrip("\ufeff")
        assert header.startswith("kind,name" if english else "类别,名称")
        report = services.resources.import_csv(OFFICER, text.encode("utf-8"))
        assert report.ok
        assert len(report.unchanged) == len(before)
    only = services.resources.export_csv(ResourceKind.HAZARD)
    assert len(only.splitlines()) == 1 + services.resources.count(ResourceKind.HAZARD)


# --------------------------------------------------------------------------- demo and CLI


def test_demo_resources_cover_every_kind_and_prefecture_once(services: Services) -> None:
    count = seed_demo_resources(services)
    assert 60 <= count <= 120
    assert seed_demo_resources(services) == 0
    resources = services.resources.page(limit=2000)
    assert len(resources) == count
    assert {r.kind for r in resources} == set(ResourceKind)
    assert {(r.division_code or "")[:4] for r in resources} == {
        "2201",
        "2202",
        "2203",
        "2204",
        "2205",
        "2206",
        "2207",
        "2208",
        "2224",
    }
    for r in resources:
        assert r.name.endswith("（演示）")
        assert geo.locate(r.lon, r.lat) is not None
        assert r.contact_phone


def test_cli_import_list_export(
    services: Services, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD_CSV.encode("gb18030"))
    base = ["--db", db_url, "--operator", OFFICER, "resource"]
    assert main([*base, "import", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert "新增 2 added" in out
    for line in (3, 4, 6, 9, 10, 11, 12, 13, 14, 16):
        assert f"第 {line} 行 (line {line})" in err
    assert "第 2 行 (line 2):" not in err
    assert "10 行未导入" in err

    assert main([*base, "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {item["name"] for item in listed} == {"南湖公园应急避难场所（测试）", "某储罐区（测试）"}
    assert main([*base, "list", "--kind", "hazard"]) == 0
    assert "某储罐区" in capsys.readouterr().out

    out_csv, out_geo = tmp_path / "out.csv", tmp_path / "out.geojson"
    assert main([*base, "export", str(out_csv)]) == 0
    assert main([*base, "export", str(out_geo)]) == 0
    capsys.readouterr()
    assert out_csv.read_text("utf-8").startswith("类别,名称")
    assert len(json.loads(out_geo.read_text("utf-8"))["features"]) == 2

    points = tmp_path / "points.geojson"
    gcj = geo.wgs84_to_gcj02(126.55, 43.84)
    points.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": list(gcj)},
                        "properties": {"name": "吉林某站（测试）"},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    assert main([*base, "import", str(points), "--crs", "gcj02", "--kind", "rescue_team"]) == 0
    capsys.readouterr()
    [station] = services.resources.page(ResourceKind.RESCUE_TEAM)
    assert geo.haversine_m(station.lon, station.lat, 126.55, 43.84) < 0.5
    assert main([*base, "import", str(tmp_path / "missing.csv")]) == 2


def test_cli_geo_locate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["geo", "locate", "126.527", "43.836", "--json"]) == 0
    at = json.loads(capsys.readouterr().out)
    assert (at["county_code"], at["county_name"], at["prefecture_code"]) == (
        "220204",
        "船营区",
        "220200",
    )
    assert main(["geo", "locate", "129.49", "42.90"]) == 0
    assert capsys.readouterr().out.strip() == "222401 吉林省延边朝鲜族自治州延吉市"
    assert main(["geo", "locate", "116.40", "39.90", "--json"]) == 4
    out, err = capsys.readouterr()
    assert json.loads(out) is None
    assert "不在吉林省" in err
    gcj = geo.wgs84_to_gcj02(125.46, 43.79)
    assert main(["geo", "locate", str(gcj[0]), str(gcj[1]), "--crs", "gcj02", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["county_code"] == "220102"
    assert main(["geo", "locate", "abc", "43"]) == 2
