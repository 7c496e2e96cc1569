"""CSV and GeoJSON imports and the device TOML import, fed damaged and hostile files.

Each import either refuses the whole file (ValidationError on ``file``, nothing stored) or
imports the good rows and reports every refused row with its line (CSV), feature index
(GeoJSON) or table number (TOML); nothing of a refused row is stored. Runs on SQLite and
PostgreSQL (which refuses NUL characters in text: they must be refused as input, not crash).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.domain import ValidationError
from console.services import Services
from tests.fuzz._helpers import refused, row_counts, said_why
from tests.fuzz.conftest import examples

OFFICER = "zhangwei"

cell_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["", " ", "\x00", "王某\x00", '"', "=1+1", "1e999", "nan", "-0", "，", "\u202e"]
    ),
    st.text(alphabet="0123456789.-+ ", max_size=8),
)


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    services = Services.open(db_url)
    yield services
    services.close()


def poisoned(rows: list[list[str]]) -> st.SearchStrategy[list[str]]:
    """A good row with one cell replaced by something hostile."""

    def poison(row: list[str], at: int, cell: str) -> list[str]:
        out = list(row)
        out[at % len(out)] = cell
        return out

    def nul(row: list[str], at: int) -> list[str]:
        out = list(row)
        out[at % len(out)] += "\x00"
        return out

    return st.one_of(
        st.builds(poison, st.sampled_from(rows), st.integers(0, 20), cell_text),
        st.builds(nul, st.sampled_from(rows), st.integers(0, 20)),
    )


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


# --------------------------------------------------------------------------- contacts

CONTACT_HEADER = ["单位", "职务", "姓名", "电话1", "电话2", "备注"]
CONTACT_ROWS = [
    ["南关区应急局", "局长", "王某", "0431-88901234", "手机:138 0013 8000", ""],
    ["朝阳区应急局", "值班员", "李某", "+86 139-0000-1111", "", "夜班"],
]
contact_rows = st.lists(
    st.one_of(
        st.sampled_from(CONTACT_ROWS),
        poisoned(CONTACT_ROWS),
        st.lists(cell_text, min_size=0, max_size=7),
    ),
    max_size=6,
)


def _check_report(report: Any, before: dict[str, int], after: dict[str, int], table: str) -> None:
    for problem in report.problems:
        said_why(ValueError(problem.message))
    assert after[table] - before[table] == len(report.added)
    assert len(set(report.added) | set(report.updated) | set(report.unchanged)) == (
        len(report.added) + len(report.updated) + len(report.unchanged)
    )


@examples(20)
@given(
    rows=contact_rows,
    raw=st.one_of(st.none(), st.binary(max_size=60)),
    header=st.one_of(st.just(CONTACT_HEADER), st.lists(cell_text, max_size=7)),
)
def test_contact_csv_import_reports_bad_rows_and_stores_nothing_of_them(
    services: Services, rows: list[list[str]], raw: bytes | None, header: list[str]
) -> None:
    data: bytes | str = raw if raw is not None else _csv([header, *rows])
    before = row_counts(services)
    try:
        report = services.contacts.import_csv(OFFICER, data)
    except ValidationError as exc:
        refused(exc, "file")
        assert row_counts(services) == before
        return
    after = row_counts(services)
    _check_report(report, before, after, "contact")
    lines = [p.line for p in report.problems]
    assert all(line >= 2 for line in lines)
    stored = after["contact"] - before["contact"]
    assert stored <= sum(1 for r in rows if any(c.strip() for c in r))


# --------------------------------------------------------------------------- resources

RESOURCE_HEADER = [
    "类别", "名称", "类型", "容量", "计量单位", "联系人", "联系电话", "地址", "区划代码",
    "经度", "纬度", "备注",
]  # fmt: skip
RESOURCE_ROWS = [
    ["避难场所", "南湖公园应急避难场所", "Ⅰ类", "8000", "人", "王某", "0431-80010000", "", "",
     "125.3150", "43.8530", ""],
    ["危险源", "某储罐区", "", "3000", "吨", "", "", "多行\r\n地址", "", "125.40", "43.92", ""],
]  # fmt: skip


@examples(20)
@given(
    rows=st.lists(
        st.one_of(
            st.sampled_from(RESOURCE_ROWS),
            poisoned(RESOURCE_ROWS),
            st.lists(cell_text, min_size=12, max_size=12),
            st.lists(cell_text, max_size=14),
        ),
        max_size=6,
    ),
    crs=st.sampled_from(["wgs84", "gcj02", "cgcs2000"]),
)
def test_resource_csv_import_reports_bad_rows_and_stores_nothing_of_them(
    services: Services, rows: list[list[str]], crs: str
) -> None:
    before = row_counts(services)
    try:
        report = services.resources.import_csv(OFFICER, _csv([RESOURCE_HEADER, *rows]), crs=crs)
    except ValidationError as exc:
        refused(exc, "file")
        assert row_counts(services) == before
        return
    _check_report(report, before, row_counts(services), "resource")
    assert all(p.line is not None and p.line >= 2 for p in report.problems)


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**400), max_value=10**400),
        st.floats(allow_nan=True, allow_infinity=True),
        cell_text,
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(cell_text, children, max_size=3)
    ),
    max_leaves=8,
)
good_feature = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [125.315, 43.853]},
    "properties": {"kind": "避难场所", "name": "南湖公园应急避难场所", "capacity": 8000},
}


@st.composite
def features(draw: st.DrawFn) -> Any:
    choice = draw(st.integers(0, 3))
    if choice == 0:
        return good_feature
    if choice == 1:
        return draw(json_values)
    feature: dict[str, Any] = json.loads(json.dumps(good_feature))
    where = draw(st.sampled_from(["coordinates", "properties", "geometry", "type", "prop"]))
    value = draw(json_values)
    if where == "coordinates":
        feature["geometry"]["coordinates"] = draw(st.lists(json_values, max_size=3))
    elif where == "prop":
        feature["properties"][draw(st.sampled_from(["name", "kind", "lon", "capacity", "x"]))] = (
            value
        )
    else:
        feature[where] = value
    return feature


def _dumps(doc: Any) -> str:
    try:
        return json.dumps(doc, ensure_ascii=False)
    except ValueError:  # integers too long for str(): the file holds them all the same
        return "{}"


@examples(20)
@given(
    doc=st.one_of(
        st.builds(
            lambda fs: {"type": "FeatureCollection", "features": fs},
            st.lists(features(), max_size=5),
        ),
        json_values,
    ),
    raw=st.one_of(
        st.none(),
        st.binary(max_size=40),
        st.sampled_from(
            [b"[" * 100_000, b'{"type":"FeatureCollection","features":' + b"[" * 50_000]
        ),
    ),
)
def test_resource_geojson_import_reports_bad_features_and_stores_nothing_of_them(
    services: Services, doc: Any, raw: bytes | None
) -> None:
    data: bytes | str = raw if raw is not None else _dumps(doc)
    before = row_counts(services)
    try:
        report = services.resources.import_geojson(OFFICER, data)
    except ValidationError as exc:
        refused(exc, "file")
        assert row_counts(services) == before
        return
    _check_report(report, before, row_counts(services), "resource")
    assert all(p.feature is not None and p.feature >= 0 for p in report.problems)


# --------------------------------------------------------------------------- device TOML

GOOD_TOML = (
    '[[device]]\nname = "好"\nkind = "ptz"\nprotocol = "visca"\nurl = "/dev/ttyS1"\n\n'
    '[[device]]\nname = "坏"\nkind = "ptz"\nprotocol = "visca"\nurl = "/dev/ttyS2"\naddress = 999\n'
)
toml_scalars = st.one_of(
    cell_text.map(json.dumps),
    st.integers(min_value=-(2**63), max_value=2**63 - 1).map(str),
    st.sampled_from(["true", "nan", "inf", "1979-05-27T07:32:00Z", "[1, [2, [3]]]", "{a = 1}"]),
)


@st.composite
def toml_texts(draw: st.DrawFn) -> str:
    tables = []
    for _ in range(draw(st.integers(0, 3))):
        keys = {
            "name": json.dumps(draw(cell_text)),
            "kind": json.dumps(draw(st.sampled_from(["ptz", "matrix", "phone", "fax", "x"]))),
            "protocol": json.dumps(draw(st.sampled_from(["visca", "pelco-d", "extron-sis", ""]))),
            "url": json.dumps(draw(st.sampled_from(["/dev/ttyS1", "socket://h:1", "", "\x00"]))),
        }
        for _ in range(draw(st.integers(0, 3))):
            key = draw(st.sampled_from(["address", "baud", "timeout", "parity", "x", "name"]))
            keys[key] = draw(toml_scalars)
        tables.append("[[device]]\n" + "".join(f"{k} = {v}\n" for k, v in keys.items()))
    return "\n".join(tables)


@examples(20)
@given(
    text=st.one_of(
        toml_texts(),
        st.just(GOOD_TOML),
        st.text(max_size=60),
        st.just("a = " + "[" * 5000 + "]" * 5000),
    )
)
def test_device_toml_import_reports_bad_tables_and_stores_nothing_of_them(
    services: Services, text: str
) -> None:
    before = row_counts(services)
    try:
        report = services.devices.import_toml(OFFICER, text)
    except ValidationError as exc:
        refused(exc, "file")
        assert row_counts(services) == before
        return
    after = row_counts(services)
    assert after["device"] - before["device"] == len(report.added)
    for problem in report.problems:
        assert problem.index >= 1
        said_why(ValueError(problem.reason))


# --------------------------------------------------------------------------- regressions


def test_deeply_nested_json_and_toml_are_refused_not_crashed(services: Services) -> None:
    """Regression: json.loads and tomllib raised RecursionError out of both imports."""
    before = row_counts(services)
    for call in (
        lambda: services.resources.import_geojson(OFFICER, "[" * 100_000),
        lambda: services.devices.import_toml(OFFICER, "a = " + "[" * 5000 + "]" * 5000),
    ):
        with pytest.raises(ValidationError) as caught:
            call()
        refused(caught.value, "file")
        assert "嵌套太深" in caught.value.errors["file"]
    assert row_counts(services) == before


def test_nul_characters_in_a_row_refuse_that_row_only(services: Services) -> None:
    rows = [CONTACT_ROWS[0], ["朝阳区应急局", "值班员", "李\x00某", "0431-88880000", "", ""]]
    report = services.contacts.import_csv(OFFICER, _csv([CONTACT_HEADER, *rows]))
    assert len(report.added) == 1
    assert [p.line for p in report.problems] == [3]
