"""The dispatch directory: contacts, groups, CSV import/export and caller history, on both DBs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.cli import main
from console.domain import (
    CallOutcome,
    ConflictError,
    ContactDraft,
    DialResult,
    NotFoundError,
    PhoneNumber,
    ValidationError,
)
from console.services import Services
from console.services.contacts import digits_of
from tests._core import incident_draft, intake_draft

OFFICER = "zhangwei"

GOOD_CSV = (
    "\ufeff单位,职务,姓名,电话1,电话2,备注\r\n"
    "南关区应急局,局长,王某,0431-88901234,手机:138 0013 8000,\r\n"
    "朝阳区应急局,值班员,李某,+86 139-0000-1111,,夜班\r\n"
)


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    services = Services.open(db_url)
    yield services
    services.close()


def draft(name: str = "王某", *numbers: str, unit: str = "南关区应急局") -> ContactDraft:
    phones = tuple(PhoneNumber(f"电话{i}", n) for i, n in enumerate(numbers or ("8001",), 1))
    return ContactDraft(name=name, phones=phones, unit=unit, title="局长")


def audit_actions(services: Services, entity: str) -> list[str]:
    return [r.action for r in reversed(services.audit.latest(200, entity=entity))]


# --------------------------------------------------------------------------- CRUD


def test_add_update_and_read_back_with_audit(services: Services) -> None:
    added = services.contacts.add(OFFICER, draft("王某", "0431-88901234", "13800138000"))
    assert added.primary == "0431-88901234"
    assert added.display == "王某（南关区应急局）"
    assert services.contacts.get(added.id) == added
    changed = services.contacts.update(
        OFFICER, added.id, draft("王某某", "8002"), expected_version=added.version
    )
    assert (changed.name, changed.primary, changed.version) == ("王某某", "8002", 2)
    with pytest.raises(ConflictError):
        services.contacts.update(OFFICER, added.id, draft("X", "8003"), expected_version=1)
    assert audit_actions(services, "contact") == ["contact.add", "contact.update"]
    assert [c.name for c in services.contacts.search("南关")] == ["王某某"]
    assert [c.name for c in services.contacts.search("8002")] == ["王某某"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (ContactDraft(name="", phones=(PhoneNumber("电话1", "8001"),)), "name"),
        (ContactDraft(name="王某", phones=()), "phones"),
        (ContactDraft(name="王某", phones=(PhoneNumber("电话1", "0431#888"),)), "phone1"),
        (ContactDraft(name="王某", phones=(PhoneNumber("电话1", "12"),)), "phone1"),
        (
            ContactDraft(
                name="王某", phones=(PhoneNumber("电话1", "8001"), PhoneNumber("x", "abc"))
            ),
            "phone2",
        ),
    ],
)
def test_bad_contacts_are_refused_by_field(
    services: Services, bad: ContactDraft, field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        services.contacts.add(OFFICER, bad)
    assert field in info.value.errors
    assert services.contacts.search() == []


def test_remove_deletes_or_deactivates_when_calls_exist(services: Services) -> None:
    never = services.contacts.add(OFFICER, draft("甲", "8001"))
    called = services.contacts.add(OFFICER, draft("乙", "8002"))
    services.calls.record_outgoing(OFFICER, "8002", result=DialResult("8002", CallOutcome.ANSWERED))
    assert services.contacts.remove(OFFICER, never.id) is True
    assert services.contacts.remove(OFFICER, called.id) is False
    with pytest.raises(NotFoundError):
        services.contacts.get(never.id)
    assert services.contacts.get(called.id).active is False
    assert services.contacts.search() == []
    assert [c.name for c in services.contacts.search(include_inactive=True)] == ["乙"]


def test_digits_of_drops_separators_and_the_country_code() -> None:
    assert digits_of("+86 138-0013-8000") == "13800138000"
    assert digits_of("0086 13800138000") == "13800138000"
    assert digits_of("0431-8890 1234") == "043188901234"


# --------------------------------------------------------------------------- groups


def test_groups_keep_members_in_calling_order(services: Services) -> None:
    a = services.contacts.add(OFFICER, draft("甲", "8001"))
    b = services.contacts.add(OFFICER, draft("乙", "8002"))
    c = services.contacts.add(OFFICER, draft("丙", "8003"))
    group = services.contacts.add_group(OFFICER, "防汛组", [c.id, a.id])
    assert group.member_ids == (c.id, a.id)
    assert [m.name for m in services.contacts.members(group.id)] == ["丙", "甲"]
    with pytest.raises(ValidationError) as info:
        services.contacts.add_group(OFFICER, "防汛组", [b.id])
    assert "name" in info.value.errors
    with pytest.raises(ValidationError) as info:
        services.contacts.add_group(OFFICER, "空组", [999])
    assert "members" in info.value.errors
    changed = services.contacts.update_group(OFFICER, group.id, "防汛组", [b.id, c.id, a.id])
    assert changed.member_ids == (b.id, c.id, a.id)
    assert [g.name for g in services.contacts.groups()] == ["防汛组"]
    services.contacts.remove_group(OFFICER, group.id)
    assert services.contacts.groups() == []
    assert audit_actions(services, "call_group") == [
        "call_group.add",
        "call_group.update",
        "call_group.remove",
    ]


# --------------------------------------------------------------------------- CSV


def test_csv_import_good_rows_with_bom_and_labels(services: Services) -> None:
    report = services.contacts.import_csv(OFFICER, GOOD_CSV.encode("utf-8"))
    assert report.ok
    assert len(report.added) == 2
    wang, li = (services.contacts.get(i) for i in report.added)
    assert (wang.unit, wang.title, wang.name) == ("南关区应急局", "局长", "王某")
    assert wang.phones == (
        PhoneNumber("电话1", "0431-88901234"),
        PhoneNumber("手机", "138 0013 8000"),
    )
    assert (li.primary, li.notes) == ("+86 139-0000-1111", "夜班")
    assert services.contacts.find_by_number("13800138000") == wang
    assert services.contacts.find_by_number("13900001111") == li
    assert audit_actions(services, "contact") == ["contact.import", "contact.import"]


def test_csv_bad_rows_are_reported_by_line_and_good_rows_imported(services: Services) -> None:
    text = (
        "unit,title,name,phone1,phone2,notes\n"
        "县应急局,局长,王某,8001,,\n"  # line 2: good
        "县应急局,,,8002,,\n"  # line 3: no name
        "\n"  # line 4: empty, skipped
        "县水利局,科长,赵某,,,\n"  # line 5: no phone
        "县水利局,科长,钱某,call-me,,\n"  # line 6: bad number
        '"县气象局",台长,"孙某",8003,8004,"多行\n备注"\n'  # lines 7-8: good, quoted newline
        "县应急局,局长,王某,8009,,\n"  # line 9: duplicate of line 2
        "县公安局,所长,周某,8005,,,extra\n"  # line 10: an extra column
    )
    report = services.contacts.import_csv(OFFICER, text)
    assert [p.line for p in report.problems] == [3, 5, 6, 9, 10]
    messages = {p.line: p.message for p in report.problems}
    assert "必填" in messages[3]
    assert "至少需要一个电话号码" in messages[5]
    assert "call-me" in messages[6]
    assert "第 2 行" in messages[9]
    assert "extra" in messages[10]
    names = sorted(c.name for c in services.contacts.search())
    assert names == ["孙某", "王某"]
    sun = next(c for c in services.contacts.search() if c.name == "孙某")
    assert sun.notes == "多行\n备注"


def test_csv_header_problems_import_nothing(services: Services) -> None:
    with pytest.raises(ValidationError, match="未知的列"):
        services.contacts.import_csv(OFFICER, "单位,姓名,电话1,传真\nA,B,8001,x\n")
    with pytest.raises(ValidationError, match="缺少"):
        services.contacts.import_csv(OFFICER, "单位,姓名\nA,B\n")
    with pytest.raises(ValidationError, match="空"):
        services.contacts.import_csv(OFFICER, b"")
    assert services.contacts.search() == []


def test_csv_export_round_trips_and_reimport_is_unchanged(services: Services) -> None:
    services.contacts.import_csv(OFFICER, GOOD_CSV)
    services.contacts.add(
        OFFICER,
        ContactDraft(
            name="吴某",
            unit="县应急局",
            phones=tuple(PhoneNumber(f"电话{i}", f"800{i}") for i in range(1, 4)),
            notes='含,逗号和"引号"',
        ),
    )
    exported = services.contacts.export_csv(bom=True)
    assert exported.startswith("\ufeff单位,职务,姓名,电话1,电话2,电话3,备注\r\n")
    assert "手机:138 0013 8000" in exported
    again = services.contacts.import_csv(OFFICER, exported.encode("utf-8"))
    assert again.ok
    assert (again.added, again.updated, len(again.unchanged)) == ([], [], 3)


def test_gb18030_csv_from_excel_is_read(services: Services) -> None:
    report = services.contacts.import_csv(OFFICER, GOOD_CSV.lstrip("\ufeff").encode("gb18030"))
    assert report.ok
    assert len(report.added) == 2


# --------------------------------------------------------------------------- history


def test_history_lists_earlier_calls_and_incidents_of_a_number(services: Services) -> None:
    wang = services.contacts.add(OFFICER, draft("王某", "0431-88901234"))
    incident = services.incidents.create(OFFICER, incident_draft())
    services.calls.record_outgoing(
        OFFICER,
        "0431 8890 1234",
        incident_id=incident.id,
        result=DialResult("0431 8890 1234", CallOutcome.BUSY),
    )
    # An intake with this number as the reporter's phone, turned into an incident.
    _, other = services.intake.record_and_convert(
        OFFICER, intake_draft(reporter_phone="0431-88901234", title="另一起")
    )
    history = services.contacts.history("043188901234")
    assert history.contact == wang
    assert [c.outcome for c in history.calls] == [CallOutcome.BUSY]
    assert {i.id for i in history.incidents} == {incident.id, other.id}
    unknown = services.contacts.history("13700000000")
    assert (unknown.contact, unknown.calls, unknown.incidents) == (None, (), ())


# --------------------------------------------------------------------------- command line


def test_cli_contacts_import_list_export(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_CSV.encode("utf-8"))
    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,电话1\n王五,8001\n,8002\n赵六,x\n", encoding="utf-8")
    base = ["--db", sqlite_url, "--operator", OFFICER, "contacts"]

    assert main([*base, "import", str(good)]) == 0
    assert "新增 2 added" in capsys.readouterr().out
    assert main([*base, "import", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert "新增 1 added" in out
    assert "第 3 行 (line 3)" in err
    assert "第 4 行 (line 4)" in err
    assert main([*base, "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    by_name = {c["name"]: c for c in listed}
    assert set(by_name) == {"王五", "李某", "王某"}
    assert by_name["王某"]["phones"][1] == {"label": "手机", "number": "138 0013 8000"}
    assert main([*base, "list", "--text", "朝阳"]) == 0
    assert "李某" in capsys.readouterr().out
    assert main([*base, "export"]) == 0
    exported = capsys.readouterr().out
    assert exported.splitlines()[0] == "单位,职务,姓名,电话1,电话2,备注"
    assert len(exported.splitlines()) == 4
    assert main([*base, "import", str(tmp_path / "missing.csv")]) == 2
