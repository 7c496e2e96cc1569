"""The headless `duty-console` command, run as a real subprocess against temporary databases.

The flows run on SQLite and PostgreSQL. Every bad input must give one clear line on stderr, the
documented exit status (2 input, 3 database, 4 not found) and leave the database unchanged.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, inspect, text

from console.cli import main
from tests._services import PostgresServer, run_with_timeout

BEIJING = ZoneInfo("Asia/Shanghai")
SCRIPT = Path(sys.executable).with_name("duty-console")
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "console"]
HEADLESS = [sys.executable, "-m", "console"]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DUTY_CONSOLE_OPERATOR", None)
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env


def cli(
    *args: str, db: str | None = None, stdin: str | None = None, command: Sequence[str] = COMMAND
) -> tuple[int, str, str]:
    """Run the command; returns (exit status, stdout, stderr)."""
    argv = [*command, *(("--db", db) if db else ()), *args]
    result = run_with_timeout(argv, 60, check=False, env=_env(), input_text=stdin)
    return result.returncode, result.stdout, result.stderr


Call = tuple[Sequence[str], str | None, str | None]  # args, --db, stdin


def cli_all(calls: Sequence[Call]) -> list[tuple[int, str, str]]:
    """Run independent commands side by side (each is a process start: keep the suite quick)."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda c: cli(*c[0], db=c[1], stdin=c[2]), calls))


def beijing_minutes_ago(minutes: int) -> str:
    """An ISO time without offset (Beijing time, as an operator types it)."""
    when = datetime.now(BEIJING) - timedelta(minutes=minutes)
    return when.replace(microsecond=0, tzinfo=None).isoformat()


def report(**changes: Any) -> dict[str, Any]:
    """A valid `incident add` object, with changes."""
    data: dict[str, Any] = {
        "title": "吉林市昌邑区示例化工企业氯气泄漏",
        "category": "工矿商贸等企业安全事故",
        "grade": "Ⅱ",
        "occurred_at": beijing_minutes_ago(90),
        "lon": 126.55,
        "lat": 43.84,
        "division_code": "220202",
        "reporter": {"name": "王某", "unit": "昌邑区应急管理局（示例）", "phone": "0432-80000000"},
        "address": "昌邑区某工业园（示例）",
        "description": "储罐阀门泄漏，已疏散周边人员。",
        "casualties": {"injuries": 2},
    }
    data.update(changes)
    return data


def db_state(url: str) -> dict[str, Any]:
    """Row counts of every table and the schema revision."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(inspect(conn).get_table_names())
            state: dict[str, Any] = {
                t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables
            }
            if "alembic_version" in tables:
                state["revision"] = conn.execute(
                    text("SELECT version_num FROM alembic_version")
                ).scalar_one()
            return state
    finally:
        engine.dispose()


def one_line_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {err!r}"
    assert "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- flows


def test_incident_and_log_flow(db_url: str) -> None:
    occurred = beijing_minutes_ago(90)
    code, out, err = cli(
        "incident", "add", db=db_url, stdin=json.dumps(report(occurred_at=occurred))
    )
    assert code == 0, err
    first = json.loads(out)
    assert isinstance(first["id"], int)
    assert first["status"] == "reported"
    assert first["grade"] == "II"
    # A subcategory is filed under its category.
    assert first["category_code"] == "20000"
    assert first["subcategory_code"] == "21000"
    assert first["division_code"] == "220202"
    assert first["occurred_at"] == occurred + "+08:00"
    assert first["received_at"].endswith("+08:00")
    assert first["casualties"]["injuries"] == 2
    assert first["lon"] == pytest.approx(126.55)
    assert first["due"], "a report deadline is expected"
    due = first["due"][0]
    assert due["stage"] == "first"
    assert due["state"] == "pending"
    assert due["due_at"].endswith("+08:00")
    received = datetime.fromisoformat(first["received_at"])
    assert datetime.fromisoformat(due["due_at"]) - received == timedelta(minutes=35)

    # The intake was recorded and converted, both under audit.
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            status, incident_id = conn.execute(
                text("SELECT status, incident_id FROM intake WHERE id = :id"),
                {"id": first["intake_id"]},
            ).one()
            actions = set(conn.execute(text("SELECT action FROM audit")).scalars())
    finally:
        engine.dispose()
    assert (status, incident_id) == ("converted", first["id"])
    assert {"intake.record", "intake.convert", "incident.create"} <= actions

    second_data = report(
        title="珲乌高速敦化段多车追尾",
        category="22000",
        grade=None,
        occurred_at=beijing_minutes_ago(30),
        division_code="222403",
        lon=128.23,
        lat=43.37,
        channel="subordinate",
    )
    log_text = ["log", "add", "--text", "已电话通知昌邑区核实", "--incident", str(first["id"])]
    (
        (code2, out2, err2),
        (code3, out3, err3),
        (code4, out4, err4),
    ) = cli_all(
        [
            (["incident", "add"], db_url, json.dumps(second_data)),
            (log_text, db_url, None),
            (["log", "add"], db_url, "交班前检查设备，运行正常\n"),
        ]
    )
    assert code2 == 0, err2
    second = json.loads(out2)
    assert second["grade"] is None
    assert second["source_channel"] == "subordinate"
    assert second["due"][0]["state"] == "pending"
    assert code3 == 0, err3
    entry = json.loads(out3)
    assert entry["incident_id"] == first["id"]
    assert entry["at"].endswith("+08:00")
    assert code4 == 0, err4
    assert json.loads(out4)["text"] == "交班前检查设备，运行正常"

    results = cli_all(
        [
            (["incident", "list", "--json"], db_url, None),
            (["incident", "list", "--json", "--grade", "II"], db_url, None),
            (["incident", "list", "--json", "--grade", "none", "--limit", "5"], db_url, None),
            (["incident", "list", "--json", "--status", "closed"], db_url, None),
            (["incident", "list", "--json", "--limit", "1"], db_url, None),
            (["log", "list", "--json"], db_url, None),
            (["log", "list", "--json", "--incident", str(first["id"])], db_url, None),
            (["incident", "show", str(first["id"]), "--json"], db_url, None),
        ]
    )
    for code, _, err in results:
        assert code == 0, err
    outs = [json.loads(out) for _, out, _ in results]
    assert [i["id"] for i in outs[0]] == [second["id"], first["id"]]  # newest first
    assert all(i["due"] for i in outs[0])
    assert [i["id"] for i in outs[1]] == [first["id"]]
    assert [i["id"] for i in outs[2]] == [second["id"]]
    assert outs[3] == []
    assert len(outs[4]) == 1
    assert {e["text"] for e in outs[5]} == {"交班前检查设备，运行正常", "已电话通知昌邑区核实"}
    assert [e["id"] for e in outs[6]] == [entry["id"]]
    shown = outs[7]
    assert shown["id"] == first["id"]
    assert shown["title"] == first["title"]
    kinds = [e["kind"] for e in shown["timeline"]]
    assert kinds[0] == "created"
    assert "log" in kinds
    assert shown["due"][0]["due_at"] == first["due"][0]["due_at"]
    assert shown["intakes"][0]["reporter"]["name"] == "王某"


def test_human_readable_output(sqlite_url: str) -> None:
    occurred = beijing_minutes_ago(60)
    code, out, err = cli(
        "incident", "add", db=sqlite_url, stdin=json.dumps(report(occurred_at=occurred))
    )
    assert code == 0, err
    incident_id = json.loads(out)["id"]
    (code, out, err), (code2, out2, err2), (_, out3, _) = cli_all(
        [
            (["incident", "list"], sqlite_url, None),
            (["incident", "show", str(incident_id)], sqlite_url, None),
            (["--lang", "en", "log", "list"], sqlite_url, None),
        ]
    )
    assert code == 0, err
    header, row = out.splitlines()[:2]
    assert "标题" in header
    assert "吉林市昌邑区示例化工企业氯气泄漏" in row
    assert occurred.replace("T", " ")[:16] in row  # Beijing time, as typed
    assert "Ⅱ" in row
    assert code2 == 0, err2
    assert "首报" in out2
    assert "接报立案" in out2
    assert out3.splitlines()[0].startswith("ID")


def test_db_upgrade_and_check(sqlite_url: str) -> None:
    code, out, err = cli("db", "upgrade", db=sqlite_url)
    assert code == 0, err
    assert out.strip().startswith("(empty) -> ")
    head = out.strip().rsplit(" ", 1)[1]
    (code, out, err), (code2, out2, err2) = cli_all(
        [(["db", "upgrade"], sqlite_url, None), (["db", "check"], sqlite_url, None)]
    )
    assert (code, out.strip()) == (0, f"{head} -> {head}")
    assert code2 == 0, err2
    assert "up to date" in out2


def test_help_documents_exit_statuses() -> None:
    code, out, _ = cli("--help")
    assert code == 0
    for status in ("2 ", "3 ", "4 "):
        assert f"  {status}" in out


# --------------------------------------------------------------------------- bad input


def run_in_process(calls: Sequence[Call]) -> list[tuple[int, str, str]]:
    """The same `main` without a process start per call (for the long lists of bad input)."""
    results = []
    for args, db, stdin in calls:
        out, err = io.StringIO(), io.StringIO()
        fake_stdin = io.TextIOWrapper(io.BytesIO((stdin or "").encode()), encoding="utf-8")
        saved = sys.stdin
        sys.stdin = fake_stdin
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main([*(("--db", db) if db else ()), *args])
        finally:
            sys.stdin = saved
        results.append((code, out.getvalue(), err.getvalue()))
    return results


def check_refused(
    calls: Sequence[Call],
    expected: Sequence[tuple[int, str]],
    run: Callable[[Sequence[Call]], list[tuple[int, str, str]]] = cli_all,
) -> None:
    """Every call fails with the status and words expected, in one line on stderr, no stdout."""
    problems = []
    for call, (code, out, err), (status, words) in zip(calls, run(calls), expected, strict=True):
        lines = [line for line in err.splitlines() if line.strip()]
        if code != status or len(lines) != 1 or words not in err or out or "Traceback" in err:
            problems.append(f"{list(call[0])} stdin={str(call[2])[:60]!r}: {code} {err!r} {out!r}")
    assert not problems, "\n".join(problems)


@pytest.fixture(
    scope="module",
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def used_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding one incident, a log entry and the local operator."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('cli')}/used.sqlite"
    else:
        server: PostgresServer = request.getfixturevalue("pg_server")
        url = server.new_database()
    code, _, err = cli("incident", "add", db=url, stdin=json.dumps(report()))
    assert code == 0, err
    code, _, err = cli("log", "add", "--text", "值班开始", db=url)
    assert code == 0, err
    return url


def _without(key: str) -> dict[str, Any]:
    data = report()
    del data[key]
    return data


TOO_LONG = "长" * 201

BAD_REPORTS: list[tuple[str, str, str]] = [
    # (id, stdin, words expected in the message)
    ("malformed", '{"title": "x",\n  "grade": }', "line 2, column"),
    ("truncated", json.dumps(report())[:-5], "malformed JSON"),
    ("empty", "", "empty"),
    ("not-object", "[1, 2, 3]", "expected one JSON object, got array"),
    ("string", '"title"', "got string"),
    ("nan", json.dumps(report()).replace("126.55", "NaN"), "NaN"),
    ("duplicate-key", '{"title": "a", "title": "b"}', "duplicate key"),
    ("missing-keys", json.dumps(_without("lat") | {"title": "x"}), "missing required keys): lat"),
    ("missing-many", '{"title": "x"}', "category, grade, occurred_at, lon, lat"),
    ("reporter-keys", json.dumps(report(reporter={"name": "王某"})), "unit, phone"),
    ("unknown-key", json.dumps(report(ocurred="x")), "unknown keys): ocurred"),
    ("lon-type", json.dumps(report(lon="126.5")), "lon"),
    ("lat-bool", json.dumps(report(lat=True)), "lat"),
    ("title-type", json.dumps(report(title=5)), "title"),
    ("grade-word", json.dumps(report(grade="V")), "grade"),
    ("casualty-type", json.dumps(report(casualties={"deaths": 1.5})), "casualties.deaths"),
    ("casualty-negative", json.dumps(report(casualties={"deaths": -1})), "deaths"),
    ("feb-30", json.dumps(report(occurred_at="2026-02-30T10:00:00")), "day is out of range"),
    ("not-a-time", json.dumps(report(occurred_at="yesterday")), "ISO 8601"),
    ("future", json.dumps(report(occurred_at="2099-01-01T08:00:00+08:00")), "occurred_at"),
    ("before-1949", json.dumps(report(occurred_at="1900-01-01T08:00:00")), "occurred_at"),
    ("outside-china", json.dumps(report(lon=2.35, lat=48.85)), "lon"),
    ("lat-outside", json.dumps(report(lat=60.0)), "lat"),
    ("huge-title", json.dumps(report(title=TOO_LONG)), "title"),
    ("huge-description", json.dumps(report(description="经过" * 12_000)), "description"),
    ("huge-input", json.dumps(report(address="x" * 1_200_000)), "input larger"),
    ("unknown-category", json.dumps(report(category="99999")), "unknown category"),
    ("unknown-category-name", json.dumps(report(category="外星人入侵")), "unknown category"),
    ("unknown-division", json.dumps(report(division_code="110101")), "110101"),
    ("bad-division", json.dumps(report(division_code="22A")), "division_code"),
    (
        "bad-phone",
        json.dumps(report(reporter={"name": "a", "unit": "b", "phone": "call me"})),
        "phone",
    ),
    ("bad-channel", json.dumps(report(channel="pigeon")), "channel"),
]


THROUGH_THE_COMMAND = {
    "malformed",
    "not-object",
    "missing-keys",
    "lon-type",
    "feb-30",
    "future",
    "outside-china",
    "huge-title",
    "huge-input",
    "unknown-category",
    "unknown-division",
}


def test_incident_add_refuses_bad_input(used_db: str) -> None:
    before = db_state(used_db)
    # Every case in process on both databases; each kind once more through the real command.
    check_refused(
        [(["incident", "add"], used_db, stdin) for _, stdin, _ in BAD_REPORTS],
        [(2, words) for _, _, words in BAD_REPORTS],
        run_in_process,
    )
    if used_db.startswith("sqlite"):
        chosen = [case for case in BAD_REPORTS if case[0] in THROUGH_THE_COMMAND]
        check_refused(
            [(["incident", "add"], used_db, stdin) for _, stdin, _ in chosen],
            [(2, words) for _, _, words in chosen],
        )
    assert db_state(used_db) == before


NOT_FOUND_AND_USAGE: list[tuple[list[str], str | None, int, str]] = [
    (["incident", "show", "999999", "--json"], None, 4, "999999"),
    (["incident", "show", "999999"], None, 4, "999999"),
    (["log", "add", "--text", "x", "--incident", "999999"], None, 4, "999999"),
    (["log", "list", "--incident", "999999"], None, 4, "999999"),
    (["log", "add"], "", 2, "empty"),
    (["log", "add", "--text", "日" * 20_001], None, 2, "text"),
    (["incident", "show", "abc"], None, 2, "usage"),
    (["incident", "list", "--limit", "0"], None, 2, "usage"),
    (["incident", "list", "--status", "burning"], None, 2, "unknown status"),
    (["incident", "list", "--grade", "VI"], None, 2, "unknown grade"),
    (["incident"], None, 2, "usage"),
    (["incident", "list", "--screenshot", "x.png"], None, 2, "usage"),
    (["--screenshot", "x.png", "incident", "list"], None, 2, "window only"),
]


def test_not_found_and_usage_errors(used_db: str) -> None:
    before = db_state(used_db)
    cases = NOT_FOUND_AND_USAGE
    check_refused(
        [(args, used_db, stdin) for args, stdin, _, _ in cases],
        [(status, words) for _, _, status, words in cases],
        run_in_process,
    )
    if used_db.startswith("sqlite"):
        chosen = cases[:3] + cases[6:7]
        check_refused(
            [(args, used_db, stdin) for args, stdin, _, _ in chosen],
            [(status, words) for _, _, status, words in chosen],
        )
    assert db_state(used_db) == before


def test_without_a_window_the_gui_is_refused(sqlite_url: str) -> None:
    code, _, err = cli(db=sqlite_url, command=HEADLESS)
    assert code == 2
    assert "图形界面不可用" in one_line_error(err)


WRONG_URLS = [
    ("mysql://x", "unsupported database"),
    ("sqlite:///no/such/dir/x.db", "directory does not exist"),
    ("postgresql://postgres@127.0.0.1:1/x", "cannot connect"),
    ("postgresql://postgres@127.0.0.1:notaport/x", "database URL"),
    ("not a url", "database URL"),
    ("sqlite://", "file path"),
]


def test_wrong_db_url() -> None:
    commands: list[tuple[list[str], str | None]] = [
        (["incident", "list"], None),
        (["log", "add", "--text", "x"], None),
        (["db", "upgrade"], None),
        (["incident", "add"], json.dumps(report())),
    ]
    calls: list[Call] = [(args, url, stdin) for url, _ in WRONG_URLS for args, stdin in commands]
    expected = [(3, words) for _, words in WRONG_URLS for _ in commands]
    check_refused(calls, expected, run_in_process)
    check_refused(calls[3::4], expected[3::4])  # `incident add` through the real command
    assert not Path("no").exists()


def test_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    path.write_text("值班笔记：这不是数据库。\n" * 50, encoding="utf-8")
    content = path.read_bytes()
    url = f"sqlite:///{path}"
    calls: list[Call] = [
        (["incident", "list"], url, None),
        (["incident", "add"], url, json.dumps(report())),
        (["log", "add", "--text", "x"], url, None),
        (["db", "upgrade"], url, None),
    ]
    check_refused(calls, [(3, "not a database")] * len(calls), run_in_process)
    check_refused(calls[1:2], [(3, "not a database")])
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite"]


def test_database_with_newer_schema(db_url: str) -> None:
    code, _, err = cli("incident", "add", db=db_url, stdin=json.dumps(report()))
    assert code == 0, err
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    finally:
        engine.dispose()
    before = db_state(db_url)
    calls: list[Call] = [
        (["incident", "list", "--json"], db_url, None),
        (["incident", "add"], db_url, json.dumps(report())),
        (["log", "add", "--text", "x"], db_url, None),
        (["db", "upgrade"], db_url, None),
        (["db", "check"], db_url, None),
    ]
    check_refused(calls, [(3, "newer")] * len(calls), run_in_process)
    check_refused(calls[1:2], [(3, "newer")])
    after = db_state(db_url)
    assert after == before
    assert after["revision"] == "ffff_from_the_future"


def test_dates_are_stored_in_utc(sqlite_url: str) -> None:
    data = report(occurred_at="2026-01-15T08:00:00+08:00")
    code, out, err = cli("incident", "add", db=sqlite_url, stdin=json.dumps(data))
    assert code == 0, err
    assert json.loads(out)["occurred_at"] == "2026-01-15T08:00:00+08:00"
    engine = create_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT occurred_at FROM incident")).scalar_one()
    finally:
        engine.dispose()
    assert str(stored).startswith("2026-01-15 00:00:00")  # 08:00 Beijing is 00:00 UTC
