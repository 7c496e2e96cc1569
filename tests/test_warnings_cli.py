"""``duty-console warning list|show|export|import`` on both databases."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from console import cap
from console.cli import main
from console.domain import Role
from console.services import Services
from console.timeutil import utcnow
from tests.test_warnings import DATA, draft, xsd_valid


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _published(db_url: str) -> int:
    s = Services.open(db_url)
    try:
        o = s.people.ensure_user("setup", "officer", "值班员甲", Role.OFFICER)
        lead = s.people.ensure_user("setup", "leader", "带班领导乙", Role.LEADER)
        now = utcnow()
        s.people.add_shift(
            "setup", now - timedelta(hours=1), now + timedelta(hours=1), [o.id], [lead.id]
        )
        w = s.warnings.create("officer", draft(level=1, exercise=True))
        w = s.warnings.approve("leader", w.id, w.version)
        return s.warnings.publish("officer", w.id, w.version).id
    finally:
        s.close()


def test_list_export_and_import(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wid = _published(db_url)
    code, out, _err = _cli(capsys, "--db", db_url, "warning", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert [(r["id"], r["state"], r["level"], r["colour"], r["exercise"]) for r in rows] == [
        (wid, "published", 1, "#d32f2f", True)
    ]
    target = tmp_path / "w.xml"
    code, _out, _err = _cli(
        capsys, "--db", db_url, "--operator", "officer", "warning", "export", str(wid), str(target)
    )
    assert code == 0
    data = target.read_bytes()
    assert xsd_valid(data)
    assert cap.check(data).status == "Exercise"
    code, out, err = _cli(
        capsys,
        "--db",
        db_url,
        "--operator",
        "officer",
        "warning",
        "import",
        str(DATA / "examples" / "noaa_wcatwc_tsunami_warning_PAAQ-2-lqw6d6.cap"),
    )
    assert code == 0, err
    assert "一级（红色）" in out
    assert "severity=Extreme" in out


def test_export_to_stdout(db_url: str, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    wid = _published(db_url)
    code = main(["--db", db_url, "--operator", "officer", "warning", "export", str(wid)])
    out, _err = capsysbinary.readouterr()
    assert code == 0
    assert xsd_valid(out)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("google_invalid_element_order.cap", "invalid against CAP-v1.2.xsd"),
        ("synthetic_private_without_addresses.cap", "Private scope needs addresses"),
    ],
)
def test_refused_import_exits_2_with_the_reason(
    db_url: str, capsys: pytest.CaptureFixture[str], name: str, reason: str
) -> None:
    code, _out, err = _cli(
        capsys, "--db", db_url, "warning", "import", str(DATA / "negative" / name)
    )
    assert code == 2
    assert reason in err
    code, out, _err = _cli(capsys, "--db", db_url, "warning", "list", "--json")
    assert json.loads(out) == []
