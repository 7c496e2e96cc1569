"""Warnings: the life cycle with its roles and audit, CAP 1.2 export and import (both databases).

The CAP facts (schema, real alerts, negative cases) are copies of the reference in
tests/data/cap; the schema check uses lxml and the OASIS XSD directly, not the program's own
wrapper, so a broken wrapper cannot make its own output look valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher, Type
from lxml import etree  # type: ignore[import-untyped]

from console import cap, crypto
from console.domain import ConflictError, Role, ValidationError
from console.domain.errors import PermissionDeniedError
from console.domain.warnings import WarningDraft, WarningState
from console.services import Services
from console.timeutil import utcnow
from tests._core import table_rows

DATA = Path(__file__).parent / "data" / "cap"
XSD = etree.XMLSchema(etree.parse(str(Path(__file__).parents[1] / "resources/cap/CAP-v1.2.xsd")))
ID_RE = re.compile(r"^\d{6}\d{3}\d{3}\d{2}_\d{14}_\d$")
PASSWORD = "Warn-pass-2026"


def xsd_valid(data: bytes) -> bool:
    doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    return bool(XSD.validate(doc))


def draft(**changes: object) -> WarningDraft:
    base = WarningDraft(
        level=2,
        event="暴雨",
        headline="长春市气象台发布暴雨橙色预警",
        expires=utcnow() + timedelta(hours=12),
        description="预计未来 6 小时南关区、朝阳区降雨量将达 50 毫米以上。",
        instruction="停止户外作业，转移低洼地带人员。",
        area_codes=("220102", "220104"),
        onset=utcnow() - timedelta(minutes=5),
        audience="社会公众",
        category="Met",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def on_duty(services: Services, officer: str = "officer", leader: str = "leader") -> None:
    """A shift on duty now with ``officer`` and ``leader``, and a leader who is off duty."""
    o = services.people.ensure_user("setup", officer, "值班员甲", Role.OFFICER)
    lead = services.people.ensure_user("setup", leader, "带班领导乙", Role.LEADER)
    services.people.ensure_user("setup", "offduty", "休班领导丙", Role.LEADER)
    now = utcnow()
    services.people.add_shift(
        "setup", now - timedelta(hours=1), now + timedelta(hours=8), [o.id], [lead.id]
    )


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    s = Services.open(db_url)
    on_duty(s)
    try:
        yield s
    finally:
        s.close()


def audit_actions(services: Services, warning_id: int) -> list[tuple[str, str]]:
    return [
        (r.action, r.actor)
        for r in reversed(services.audit.latest(200, entity="warning"))
        if r.entity_id == str(warning_id)
    ]


# --------------------------------------------------------------------------- life cycle


def test_draft_approve_publish_update_cancel_each_step_audited(services: Services) -> None:
    w = services.warnings.create("officer", draft())
    assert w.state is WarningState.DRAFT
    assert w.colour == "#f57c00"
    assert w.area_desc == "长春市 南关区、长春市 朝阳区"
    w = services.warnings.approve("leader", w.id, w.version)
    assert (w.state, w.approved_by) == (WarningState.APPROVED, "leader")
    w = services.warnings.publish("officer", w.id, w.version)
    assert w.state is WarningState.PUBLISHED
    assert w.msg_type == "Alert"
    assert w.identifier is not None
    assert ID_RE.match(w.identifier)
    assert w.identifier.startswith("22000000000000_")
    first = w.identifier
    w = services.warnings.update("leader", w.id, draft(level=1, headline="升级为红色"), w.version)
    assert (w.state, w.level, w.msg_type) == (WarningState.UPDATED, 1, "Update")
    assert w.identifier != first
    assert first in w.refs
    w = services.warnings.cancel("leader", w.id, w.version, "雨势减弱")
    assert w.state is WarningState.CANCELLED
    assert w.msg_type == "Cancel"
    assert audit_actions(services, w.id) == [
        ("warning.create", "officer"),
        ("warning.approve", "leader"),
        ("warning.publish", "officer"),
        ("warning.update", "leader"),
        ("warning.cancel", "leader"),
    ]
    record = services.audit.latest(1, entity="warning")[0]
    assert record.before is not None
    assert record.before["state"] == "updated"
    assert record.after is not None
    assert record.after["state"] == "cancelled"


def test_only_a_leader_on_duty_approves(services: Services) -> None:
    w = services.warnings.create("officer", draft())
    for actor in ("officer", "offduty"):
        with pytest.raises(ConflictError, match="当班带班领导"):
            services.warnings.approve(actor, w.id, w.version)
    assert services.warnings.get(w.id).state is WarningState.DRAFT
    assert services.warnings.allowed_actions("officer", w) == {"edit", "cancel"}
    assert "approve" in services.warnings.allowed_actions("leader", w)
    assert "approve" not in services.warnings.allowed_actions("offduty", w)
    with pytest.raises(ConflictError, match="草稿"):
        services.warnings.publish("officer", w.id, w.version)  # not approved yet


def test_editing_an_approved_warning_needs_approval_again(services: Services) -> None:
    w = services.warnings.create("officer", draft())
    w = services.warnings.approve("leader", w.id, w.version)
    w = services.warnings.edit("officer", w.id, draft(headline="改了标题"), w.version)
    assert (w.state, w.approved_by) == (WarningState.DRAFT, "")


def test_stale_version_is_a_conflict(services: Services) -> None:
    w = services.warnings.create("officer", draft())
    services.warnings.edit("officer", w.id, draft(headline="第一次修改"), w.version)
    with pytest.raises(ConflictError, match="已被他人修改"):
        services.warnings.edit("officer", w.id, draft(headline="第二次"), w.version)


def test_published_warning_cannot_be_cancelled_by_an_officer(services: Services) -> None:
    w = services.warnings.create("officer", draft())
    w = services.warnings.approve("leader", w.id, w.version)
    w = services.warnings.publish("officer", w.id, w.version)
    with pytest.raises(ConflictError, match="当班带班领导"):
        services.warnings.cancel("officer", w.id, w.version)
    assert services.warnings.get(w.id).state is WarningState.PUBLISHED


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": None}, "level"),
        ({"level": 5}, "level"),
        ({"headline": " "}, "headline"),
        ({"area_codes": (), "polygon": None}, "area_codes"),
        ({"area_codes": ("999999",)}, "area_codes"),
        ({"expires": None}, "expires"),
        ({"scope": "Restricted"}, "restriction"),
        ({"scope": "Public", "restriction": "仅限值班室"}, "restriction"),
        ({"scope": "Private"}, "addresses"),
        ({"polygon": ((125.0, 43.0), (125.1, 43.0))}, "polygon"),
    ],
)
def test_bad_drafts_are_refused_by_field(
    services: Services, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        services.warnings.create("officer", draft(**changes))
    assert field in info.value.errors


def test_closed_installation_checks_roles(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        crypto,
        "PASSWORD_HASHER",
        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID),
    )
    s = Services.open(db_url)
    try:
        s.users.add("setup", "admin", "管理员", Role.ADMIN, PASSWORD)
        s.users.add("admin", "officer", "值班员甲", Role.OFFICER, PASSWORD)
        s.users.add("admin", "leader", "带班领导乙", Role.LEADER, PASSWORD)
        s.users.add("admin", "supervisor", "大厅", Role.SUPERVISOR, PASSWORD)
        ids = {u.username: u.id for u in s.people.users()}
        now = utcnow()
        s.people.add_shift(
            "admin",
            now - timedelta(hours=1),
            now + timedelta(hours=1),
            [ids["officer"]],
            [ids["leader"]],
        )
        with pytest.raises(PermissionDeniedError):
            s.warnings.create("supervisor", draft())
        w = s.warnings.create("officer", draft())
        before = table_rows(s)["warning"]
        with pytest.raises(PermissionDeniedError):
            s.warnings.approve("admin", w.id, w.version)
        assert table_rows(s)["warning"] == before
        w = s.warnings.approve("leader", w.id, w.version)
        assert w.approved_by == "leader"
        assert s.audit.latest(5)[1].action == "access.denied"
    finally:
        s.close()


# --------------------------------------------------------------------------- CAP export


@pytest.mark.parametrize("level", [1, 2, 3, 4])
@pytest.mark.parametrize("exercise", [False, True])
def test_export_validates_for_every_level(services: Services, level: int, exercise: bool) -> None:
    w = services.warnings.create("officer", draft(level=level, exercise=exercise))
    w = services.warnings.approve("leader", w.id, w.version)
    w = services.warnings.publish("officer", w.id, w.version)
    data = services.warnings.export_cap("officer", w.id)
    assert xsd_valid(data)
    alert = cap.check(data)  # the scope rules too
    assert alert.status == ("Exercise" if exercise else "Actual")
    assert alert.identifier == w.identifier
    info = alert.infos[0]
    assert info.severity == {1: "Extreme", 2: "Severe", 3: "Moderate", 4: "Minor"}[level]
    assert ("预警颜色", {1: "红色", 2: "橙色", 3: "黄色", 4: "蓝色"}[level]) in info.parameters
    assert cap.level_of(alert, info).level == level
    assert ("warning.export", "officer") in audit_actions(services, w.id)


def test_export_of_a_draft_says_draft_and_scope_rules_hold(services: Services) -> None:
    restricted = services.warnings.create(
        "officer", draft(scope="Restricted", restriction="仅限各级应急管理部门")
    )
    private = services.warnings.create(
        "officer", draft(scope="Private", addresses='yjj@jl.gov.cn "长春市 应急局"')
    )
    polygon = services.warnings.create(
        "officer",
        draft(area_codes=(), polygon=((125.2, 43.8), (125.5, 43.8), (125.4, 44.0))),
    )
    for w in (restricted, private, polygon):
        data = services.warnings.export_cap("officer", w.id)
        assert xsd_valid(data)
        alert = cap.check(data)
        assert alert.status == "Draft"
    assert cap.check(services.warnings.export_cap("officer", restricted.id)).restriction
    alert = cap.check(services.warnings.export_cap("officer", private.id))
    assert cap.split_addresses(alert.addresses) == ["yjj@jl.gov.cn", "长春市 应急局"]
    area = cap.check(services.warnings.export_cap("officer", polygon.id)).infos[0].areas[0]
    assert area.polygons[0][0] == area.polygons[0][-1] == (43.8, 125.2)


def test_cap_round_trip_keeps_every_field(services: Services, tmp_path: Path) -> None:
    w = services.warnings.create(
        "officer",
        draft(
            level=3,
            polygon=((125.2, 43.8), (125.5, 43.8), (125.4, 44.0)),
            scope="Restricted",
            restriction="仅限各级应急管理部门",
            exercise=True,
            urgency="Immediate",
            certainty="Observed",
        ),
    )
    w = services.warnings.approve("leader", w.id, w.version)
    w = services.warnings.publish("officer", w.id, w.version)
    data = services.warnings.export_cap("officer", w.id)
    again = services.warnings.import_cap("officer", data)  # our own message: already here
    assert not again.accepted
    assert "已导入过" in again.reasons[0]
    other = Services.open(f"sqlite:///{tmp_path / 'other.sqlite'}")  # the receiving office
    try:
        report = other.warnings.import_cap("officer", data)
        assert report.accepted, report.reasons
        got = report.warning
        assert got is not None
        assert got.state is WarningState.RECEIVED
        for name in (
            "level",
            "event",
            "headline",
            "description",
            "instruction",
            "area_desc",
            "area_codes",
            "polygon",
            "audience",
            "category",
            "urgency",
            "certainty",
            "scope",
            "restriction",
            "addresses",
            "exercise",
            "sender",
            "sender_name",
            "identifier",
            "msg_type",
        ):
            assert getattr(got, name) == getattr(w, name), name
        for name in ("onset", "expires", "sent"):
            assert getattr(got, name) == getattr(w, name).replace(microsecond=0), name
    finally:
        other.close()


# --------------------------------------------------------------------------- CAP import

EXPECTED_LEVELS = {
    # file: (level, why) — severity by the convention unless a colour/level names it
    "australia_nsw_rfs_40184.cap": 4,  # Minor
    "canada_ec_naad_2.49.0.1.124.6bddbc91.2012.cap": 4,  # Minor (en-CA info)
    "noaa_wcatwc_tsunami_warning_PAAQ-2-lqw6d6.cap": 1,  # Extreme
    "oasis_ex1_homeland_security_43b080713727.cap": 2,  # Severe (HSAS=ORANGE is not ours)
    "oasis_ex2_thunderstorm_KSTO1055887203.cap": 2,  # Severe
    "oasis_ex3_earthquake_TRI13970876.2.xml": 4,  # Minor
    "oasis_ex4_amber_alert_KAR0-0306112239-SW.xml": 2,  # Severe
    "uk_ea_flood_alert_defra_fixture.xml": 4,  # Minor
    "usgs_earthquake_iso8859-1.cap": None,  # Unknown: no level
}


def test_every_reference_example_imports_with_its_level(services: Services) -> None:
    files = sorted((DATA / "examples").iterdir())
    assert {f.name for f in files} == set(EXPECTED_LEVELS)
    for path in files:
        report = services.warnings.import_cap("officer", path.read_bytes(), path.name)
        assert report.accepted, (path.name, report.reasons)
        assert report.warning is not None
        assert report.warning.level == EXPECTED_LEVELS[path.name], path.name
        assert report.warning.state in (WarningState.RECEIVED, WarningState.CANCELLED)
        assert ("warning.import", "officer") in audit_actions(services, report.warning.id)
    uk = services.warnings.page(limit=50)
    flood = next(w for w in uk if w.sender == "www.gov.uk/environment-agency")
    assert flood.polygon is None
    assert flood.area_desc == "Rivers Lowther and Eamont"
    usgs = next(w for w in uk if "iso-8859-1" in services.warnings.cap_xml(w.id).lower())
    assert xsd_valid(services.warnings.export_cap("officer", usgs.id))  # as received


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("google_invalid_element_order.cap", "不符合 CAP 1.2 模式"),
        ("synthetic_private_without_addresses.cap", "Private scope needs addresses"),
    ],
)
def test_reference_negative_cases_are_refused_and_not_stored(
    services: Services, name: str, reason: str
) -> None:
    before = table_rows(services)["warning"]
    report = services.warnings.import_cap("officer", (DATA / "negative" / name).read_bytes())
    assert not report.accepted
    assert reason in " ".join(report.reasons)
    assert table_rows(services)["warning"] == before


def test_missing_scope_reason_names_the_element(services: Services) -> None:
    report = services.warnings.import_cap(
        "officer", (DATA / "negative" / "google_invalid_element_order.cap").read_bytes()
    )
    assert any("info" in r and "scope" in r for r in report.reasons), report.reasons


REFUSED = {
    "bomb": b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&c;</identifier></alert>""",
    "external": b"""<?xml version="1.0"?>
<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&x;</identifier></alert>""",
    "not xml": b"<alert><identifier>",
    "cap 1.1": b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1"><identifier>1</identifier>'
    b"</alert>",
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_hostile_or_broken_xml_is_refused(services: Services, case: str) -> None:
    report = services.warnings.import_cap("officer", REFUSED[case])
    assert not report.accepted
    expected = {
        "bomb": "DTD",
        "external": "DTD",
        "not xml": "XML 格式错误",
        "cap 1.1": "不是 CAP 1.2",
    }[case]
    assert expected in report.reasons[0]
    assert table_rows(services)["warning"] == []


def test_restricted_without_restriction_is_refused(services: Services) -> None:
    data = (DATA / "examples" / "oasis_ex1_homeland_security_43b080713727.cap").read_bytes()
    data = data.replace(b"<scope>Public</scope>", b"<scope>Restricted</scope>")
    report = services.warnings.import_cap("officer", data)
    assert not report.accepted
    assert "Restricted scope needs a restriction" in report.reasons[0]


def test_cma_levels_count_the_other_way() -> None:
    def alert(sender: str, params: list[tuple[str, str]], severity: str) -> cap.CapAlert:
        info = cap.CapInfo(["Met"], "暴雨", "Expected", severity, "Likely", parameters=params)
        return cap.CapAlert("1", sender, utcnow(), "Actual", "Alert", "Public", infos=[info])

    for code, level in (("01", 4), ("02", 3), ("03", 2), ("04", 1)):
        a = alert("x@cma.gov.cn", [("level", code)], "Unknown")
        assert cap.level_of(a, a.infos[0]).level == level
        a = alert("feed", [("CMA_SIGNAL_LEVEL", code)], "Unknown")
        assert cap.level_of(a, a.infos[0]).level == level
    a = alert("feed", [("预警颜色", "黄色")], "Extreme")  # the colour names the level
    assert cap.level_of(a, a.infos[0]).level == 3
    a = alert("feed", [("预警级别", "Ⅱ级")], "Minor")
    assert cap.level_of(a, a.infos[0]).level == 2


def test_imported_cancel_ends_the_alert_it_references(services: Services, tmp_path: Path) -> None:
    w = services.warnings.create("officer", draft())
    w = services.warnings.approve("leader", w.id, w.version)
    w = services.warnings.publish("officer", w.id, w.version)
    alert_xml = services.warnings.export_cap("officer", w.id)
    w = services.warnings.cancel("leader", w.id, w.version, "雨势减弱")
    cancel_xml = services.warnings.export_cap("officer", w.id)
    cancel = cap.check(cancel_xml)
    assert cancel.msg_type == "Cancel"
    assert cancel.note == "雨势减弱"
    first_alert = cap.check(alert_xml)
    sent = cap.format_time(first_alert.sent)
    assert cancel.references == f"{w.sender},{first_alert.identifier},{sent}"
    other = Services.open(f"sqlite:///{tmp_path / 'other.sqlite'}")
    try:
        first = other.warnings.import_cap("officer", alert_xml)
        assert first.warning is not None
        assert [a.id for a in other.warnings.active()] == [first.warning.id]
        second = other.warnings.import_cap("officer", cancel_xml)
        assert second.accepted, second.reasons
        assert f"#{first.warning.id}" in " ".join(second.notes)
        assert other.warnings.get(first.warning.id).state is WarningState.CANCELLED
        assert other.warnings.active() == []
    finally:
        other.close()


def test_demo_issues_warnings_with_the_leader_on_duty(sqlite_url: str) -> None:
    from console.demo import seed_demo

    s = Services.open(sqlite_url)
    try:
        seed_demo(s)
        rows = s.warnings.page()
        assert sorted((w.level, w.state.value, w.exercise) for w in rows) == [
            (1, "published", False),
            (2, "draft", False),
            (4, "published", True),
        ]
        shift = s.people.shift_at()
        assert shift is not None
        leaders = {
            u.username for u in s.people.users() if u.id in {m.user_id for m in shift.leaders}
        }
        assert {w.approved_by for w in rows if w.approved_by} <= leaders
        for w in rows:
            assert xsd_valid(s.warnings.export_cap("system", w.id))
    finally:
        s.close()
