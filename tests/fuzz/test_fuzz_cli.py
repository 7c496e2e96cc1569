"""``duty-console incident add`` reading one JSON object from stdin, fed anything at all.

Exit 0 stores one incident; anything else is exit 2 with one clear line on stderr, nothing on
stdout, no traceback, and nothing stored.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.cli import main
from console.services import Services
from tests.fuzz._helpers import refused, row_counts, said_why
from tests.fuzz.conftest import examples

BEIJING = ZoneInfo("Asia/Shanghai")


def report() -> dict[str, Any]:
    when = (datetime.now(BEIJING) - timedelta(minutes=90)).replace(microsecond=0, tzinfo=None)
    return {
        "title": "吉林市昌邑区示例化工企业氯气泄漏",
        "category": "工矿商贸等企业安全事故",
        "grade": "Ⅱ",
        "occurred_at": when.isoformat(),
        "lon": 126.55,
        "lat": 43.84,
        "division_code": "220202",
        "reporter": {"name": "王某", "unit": "昌邑区应急管理局（示例）", "phone": "0432-80000000"},
        "address": "昌邑区某工业园（示例）",
        "description": "储罐阀门泄漏，已疏散周边人员。",
        "casualties": {"injuries": 2},
    }


json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
        st.sampled_from(["\x00", "Ⅴ", "2099-01-01T00:00:00", "1e999", "", " " * 3, "<script>"]),
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def changed_reports(draw: st.DrawFn) -> str:
    data = report()
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from([*data, "extra", "reporter.phone", "casualties.deaths"]))
        value = draw(json_values)
        if "." in key:
            outer, inner = key.split(".")
            if isinstance(data.get(outer), dict):
                data[outer][inner] = value
        elif draw(st.booleans()) or key == "extra":
            data[key] = value
        else:
            data.pop(key, None)
    return json.dumps(data, ensure_ascii=draw(st.booleans()))


stdin_inputs = st.one_of(
    changed_reports(),
    json_values.map(json.dumps),
    st.text(max_size=40).map(lambda t: t.encode("utf-8")),
    st.binary(max_size=40),
    st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbf{}",
            b'{"title": NaN}',
            b'{"a": 1, "a": 2}',
            b"[" * 100_000,
            b'{"title": "' + b"x" * 300 + b'"}',
            json.dumps(report()).encode()[:-5],
            json.dumps(report()).encode() + b" trailing",
        ]
    ),
)


@pytest.fixture
def db(db_url: str) -> str:
    services = Services.open(db_url)  # migrated and seeded once, not per example
    services.close()
    return db_url


def _run(db: str, stdin: bytes) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["--db", db, "--operator", "zhangwei", "incident", "add"])
    finally:
        sys.stdin = saved
    return code, out.getvalue(), err.getvalue()


@examples(15)
@given(stdin=stdin_inputs)
def test_incident_add_refuses_bad_input_with_one_line_and_stores_nothing(
    db: str, stdin: str | bytes
) -> None:
    raw = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    services = Services.open(db)
    try:
        before = row_counts(services)
        code, out, err = _run(db, raw)
        after = row_counts(services)
    finally:
        services.close()
    assert "Traceback" not in err
    if code == 0:
        assert after["incident"] == before["incident"] + 1
        return
    assert code == 2, (code, err)
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert not out
    assert after == before


# ------------------------------------------------------------------ times on the command line

time_texts = st.one_of(
    st.text(max_size=30),
    st.from_regex(r"\A-?[0-9]{1,400}(\.[0-9]{1,5})?[smhd]\Z"),
    st.builds(
        "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}{}".format,
        st.integers(1, 9999),
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 23),
        st.integers(0, 59),
        st.sampled_from(["", "Z", "+08:00", "-12:00", "+14:00"]),
    ),
)


@given(text=time_texts)
def test_monitor_times_parse_or_are_refused(text: str) -> None:
    """``--since``/``--until`` of ``monitor readings``: a time, or a ValidationError."""
    from console.cli_monitoring import parse_when
    from console.domain import ValidationError

    try:
        when = parse_when(text)
    except ValidationError as exc:
        refused(exc, "time")
        return
    assert when.tzinfo is not None


@given(text=time_texts)
def test_parse_iso_raises_only_value_error(text: str) -> None:
    from console.timeutil import parse_iso

    try:
        parse_iso(text)
    except ValueError as exc:
        said_why(exc)


def test_year_one_and_far_past_are_refused() -> None:
    """Regression: OverflowError (not ValueError/ValidationError) came out of both."""
    from console.cli_monitoring import parse_when
    from console.domain import ValidationError
    from console.timeutil import parse_iso

    with pytest.raises(ValueError, match="out of range"):
        parse_iso("0001-01-01T00:00")
    for text in ("0001-01-01T00:00", "99999999999d", "1" * 400 + "s"):
        with pytest.raises(ValidationError):
            parse_when(text)
