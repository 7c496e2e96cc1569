"""Jilin's divisions table and boundary layers, made by installer/data/derive_divisions.py."""

from __future__ import annotations

import csv
import io
import itertools
import json
from importlib.resources import files

import pytest

GEODATA = files("resources") / "geodata"
BBOX = (121.6, 40.8, 131.3, 46.3)  # min lon, min lat, max lon, max lat
PREFECTURES = {
    "220100": "长春市",
    "220200": "吉林市",
    "220300": "四平市",
    "220400": "辽源市",
    "220500": "通化市",
    "220600": "白山市",
    "220700": "松原市",
    "220800": "白城市",
    "222400": "延边朝鲜族自治州",
}


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    text = (GEODATA / "jilin_divisions.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    assert reader.fieldnames == ["code", "name", "name_en", "parent_code", "level", "lon", "lat"]
    return list(reader)


def load_layer(name: str) -> dict[str, dict]:
    doc = json.loads((GEODATA / name).read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection"
    return {f["properties"]["code"]: f for f in doc["features"]}


def ring_contains(ring: list[list[float]], x: float, y: float) -> bool:
    """Even-odd ray casting against one closed ring."""
    inside = False
    for (x1, y1), (x2, y2) in itertools.pairwise(ring):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def geometry_contains(geometry: dict, x: float, y: float) -> bool:
    if geometry["type"] == "Polygon":
        polygons = [geometry["coordinates"]]
    else:
        assert geometry["type"] == "MultiPolygon"
        polygons = geometry["coordinates"]
    for exterior, *holes in polygons:
        if ring_contains(exterior, x, y) and not any(ring_contains(h, x, y) for h in holes):
            return True
    return False


def test_point_in_polygon_helper() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [
            [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
            [[1, 1], [1, 2], [2, 2], [2, 1], [1, 1]],
        ],
    }
    assert geometry_contains(square, 3, 3)
    assert not geometry_contains(square, 1.5, 1.5)  # in the hole
    assert not geometry_contains(square, 5, 1)


def test_counts_per_level(rows: list[dict[str, str]]) -> None:
    levels = [r["level"] for r in rows]
    assert len(rows) == 70
    assert levels.count("province") == 1
    assert levels.count("prefecture") == 9
    assert levels.count("county") == 60
    assert len({r["code"] for r in rows}) == 70
    (province,) = [r for r in rows if r["level"] == "province"]
    assert (province["code"], province["name"], province["parent_code"]) == ("220000", "吉林省", "")


def test_prefectures_match_standard(rows: list[dict[str, str]]) -> None:
    prefectures = {r["code"]: r["name"] for r in rows if r["level"] == "prefecture"}
    assert prefectures == PREFECTURES
    assert all(r["parent_code"] == "220000" for r in rows if r["level"] == "prefecture")


def test_every_county_has_a_prefecture_parent(rows: list[dict[str, str]]) -> None:
    prefectures = {r["code"] for r in rows if r["level"] == "prefecture"}
    for r in rows:
        if r["level"] == "county":
            assert r["parent_code"] in prefectures, r
            assert r["code"][:4] == r["parent_code"][:4], r
    gongzhuling = [r for r in rows if r["name"] == "公主岭市"]
    assert [(r["code"], r["parent_code"]) for r in gongzhuling] == [("220184", "220100")]


def test_names_and_english_names_present(rows: list[dict[str, str]]) -> None:
    for r in rows:
        assert r["name"], r
        assert r["name_en"], r
        assert r["name_en"].isascii() or "ü" in r["name_en"], r


def test_points_inside_jilin_bounding_box(rows: list[dict[str, str]]) -> None:
    for r in rows:
        lon, lat = float(r["lon"]), float(r["lat"])
        assert BBOX[0] <= lon <= BBOX[2], r
        assert BBOX[1] <= lat <= BBOX[3], r
        assert len(r["lon"].split(".")[1]) <= 5
        assert len(r["lat"].split(".")[1]) <= 5


def test_county_points_inside_their_own_polygons(rows: list[dict[str, str]]) -> None:
    counties = load_layer("jilin_counties.geojson")
    county_rows = {r["code"]: r for r in rows if r["level"] == "county"}
    assert counties.keys() == county_rows.keys()
    for code, r in county_rows.items():
        feature = counties[code]
        assert feature["properties"]["name"] == r["name"]
        assert feature["properties"]["name_en"] == r["name_en"]
        assert geometry_contains(feature["geometry"], float(r["lon"]), float(r["lat"])), r


def test_prefecture_layer_matches_table(rows: list[dict[str, str]]) -> None:
    prefectures = load_layer("jilin_prefectures.geojson")
    assert {c: f["properties"]["name"] for c, f in prefectures.items()} == PREFECTURES
    for r in rows:
        if r["level"] == "prefecture":
            geometry = prefectures[r["code"]]["geometry"]
            assert geometry_contains(geometry, float(r["lon"]), float(r["lat"])), r


def test_boundary_layers_are_small() -> None:
    sizes = [
        len((GEODATA / n).read_bytes())
        for n in ("jilin_prefectures.geojson", "jilin_counties.geojson")
    ]
    assert sum(sizes) < 1_000_000
