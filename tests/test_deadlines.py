"""Reporting deadlines: rule matching, due times of 首报/续报/终报, states, and alarms."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from console.db import models as m
from console.domain import (
    DueState,
    EventKind,
    Grade,
    Incident,
    IncidentStatus,
    LogKind,
    ReportRule,
    ReportStage,
    ValidationError,
)
from console.services import Services
from console.services.deadlines import match_rule
from console.timeutil import format_beijing, utcnow
from tests._core import FLOOD, NANGUAN, NATURAL, TRAFFIC, YANJI, incident_draft

OFFICER = "zhangwei"
F, U, Z = ReportStage.FIRST, ReportStage.FOLLOWUP, ReportStage.FINAL


def rule(
    jurisdiction: str, category: str, grade: str, minutes: int, stage: ReportStage = F
) -> ReportRule:
    return ReportRule(minutes, jurisdiction, category, grade, stage, minutes, f"rule {minutes}")


# --------------------------------------------------------------------------- rule matching

RULES = [
    rule("*", "*", "*", 600),
    rule("*", "*", "II", 35),
    rule("*", "10000", "*", 500),
    rule("*", "11000", "*", 400),
    rule("22", "*", "*", 300),
    rule("2201", "*", "*", 200),
    rule("220102", "*", "*", 100),
    rule("2224", "11000", "*", 90),
    rule("2224", "11000", "II", 80),
    rule("*", "*", "none", 700),
    rule("*", "*", "*", 1440, Z),
]


@pytest.mark.parametrize(
    ("division", "category", "parent", "grade", "stage", "minutes"),
    [
        pytest.param("110101", "30000", None, "III", F, 600, id="only-the-catch-all"),
        pytest.param("110101", "30000", None, "II", F, 35, id="grade-beats-star"),
        pytest.param("110101", "30000", None, None, F, 700, id="ungraded-is-none"),
        pytest.param("110101", "12000", "10000", "III", F, 500, id="parent-beats-star"),
        pytest.param("110101", "11000", "10000", "III", F, 400, id="subcategory-beats-parent"),
        pytest.param("110101", "11000", "10000", "II", F, 400, id="category-beats-grade"),
        pytest.param("220802", "30000", None, "II", F, 300, id="province-prefix-beats-star"),
        pytest.param("220103", "11000", "10000", "II", F, 200, id="longer-prefix-wins"),
        pytest.param("220102", "11000", "10000", "II", F, 100, id="county-rule-wins"),
        pytest.param("222401", "11000", "10000", "III", F, 90, id="prefecture-and-category"),
        pytest.param("222401", "11000", "10000", "II", F, 80, id="all-three-specific"),
        pytest.param("222401", "12000", "10000", "II", F, 300, id="other-subcategory"),
        pytest.param("110101", "30000", None, "II", Z, 1440, id="stage-is-respected"),
    ],
)
def test_the_most_specific_rule_wins(
    division: str,
    category: str,
    parent: str | None,
    grade: str | None,
    stage: ReportStage,
    minutes: int,
) -> None:
    chosen = match_rule(RULES, division, category, parent, grade, stage)
    assert chosen is not None
    assert chosen.minutes == minutes


def test_no_rule_for_a_stage_means_no_deadline() -> None:
    assert match_rule(RULES, "220102", "11000", "10000", "II", U) is None
    assert match_rule([rule("2201", "*", "*", 30)], "222401", "11000", None, None, F) is None


# --------------------------------------------------------------------------- due times


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    """Services over a fresh, migrated and seeded database (with the example rule set)."""
    services = Services.open(db_url)
    yield services
    services.close()


def create(services: Services, received: datetime, **changes: Any) -> Incident:
    changes.setdefault("occurred_at", received - timedelta(minutes=5))
    return services.incidents.create(OFFICER, incident_draft(received_at=received, **changes))


def dues(services: Services, incident: Incident, now: datetime) -> dict[tuple[str, int], Any]:
    current = services.incidents.get(incident.id)
    return {
        (d.stage.value, d.seq): d for d in services.deadlines.due_for([current], now)[incident.id]
    }


def test_first_report_is_due_minutes_after_receipt_by_the_example_rules(
    services: Services,
) -> None:
    received = utcnow() - timedelta(minutes=10)
    minutes = {Grade.I: 35, Grade.II: 35, Grade.III: 60, Grade.IV: 360, None: 120}
    for grade, after in minutes.items():
        inc = create(services, received, grade=grade)
        [first] = dues(services, inc, utcnow()).values()
        assert first.stage is ReportStage.FIRST
        assert first.due_at == received + timedelta(minutes=after), grade
        assert "示例规则集" in first.rule_source


def test_a_rule_for_the_jurisdiction_and_subcategory_overrides_the_example(
    services: Services,
) -> None:
    with services.db.transaction() as s:
        s.add(
            m.ReportRuleRow(
                jurisdiction="2201",
                category_code=FLOOD,
                grade="II",
                stage="first",
                minutes=20,
                source="长春市防汛报送规定",
            )
        )
    services.deadlines.reload_rules()
    received = utcnow() - timedelta(minutes=1)
    changchun = create(services, received, grade=Grade.II)  # 南关区, 水旱灾害
    yanji = create(services, received, grade=Grade.II, division_code=YANJI, lon=None, lat=None)
    traffic = create(
        services, received, grade=Grade.II, category_code="20000", subcategory_code=TRAFFIC
    )

    first = dues(services, changchun, utcnow())[("first", 1)]
    assert first.due_at == received + timedelta(minutes=20)
    assert first.rule_source == "长春市防汛报送规定"
    assert dues(services, yanji, utcnow())[("first", 1)].due_at == received + timedelta(minutes=35)
    assert dues(services, traffic, utcnow())[("first", 1)].due_at == received + timedelta(
        minutes=35
    )


@pytest.mark.parametrize(
    ("minutes_later", "state"),
    [
        (0, DueState.PENDING),
        (19, DueState.PENDING),
        (20, DueState.SOON),  # 15 minutes left
        (34, DueState.SOON),
        (35, DueState.OVERDUE),  # due now
        (600, DueState.OVERDUE),
    ],
)
def test_state_against_a_fixed_now(services: Services, minutes_later: int, state: DueState) -> None:
    received = utcnow() - timedelta(days=1)
    inc = create(services, received, grade=Grade.I)  # 35 minutes
    first = dues(services, inc, received + timedelta(minutes=minutes_later))[("first", 1)]
    assert first.state is state


def test_after_the_first_report_a_follow_up_is_due_from_the_last_report(
    services: Services,
) -> None:
    inc = create(services, utcnow() - timedelta(minutes=30), grade=Grade.II)
    sent = services.deadlines.record_sent(OFFICER, inc.id, ReportStage.FIRST, "传真", "首报内容")
    assert (sent.stage, sent.seq, sent.sent_by) == (ReportStage.FIRST, 1, OFFICER)

    now = utcnow()
    d = dues(services, inc, now)
    assert d[("first", 1)].state is DueState.DONE
    assert d[("first", 1)].sent_at == sent.sent_at
    assert d[("followup", 1)].due_at == sent.sent_at + timedelta(minutes=240)
    assert d[("followup", 1)].state is DueState.PENDING
    assert services.deadlines.next_due(list(d.values())) == d[("followup", 1)]

    second = services.deadlines.record_sent(OFFICER, inc.id, ReportStage.FOLLOWUP)
    d = dues(services, inc, now)
    assert second.seq == 1
    assert ("followup", 1) not in d  # only the next follow-up is shown
    assert d[("followup", 2)].due_at == second.sent_at + timedelta(minutes=240)
    event = services.incidents.timeline(inc.id)[-1]
    assert event.kind is EventKind.REPORT_SENT
    assert event.text == "已报送续报1"
    assert [r.seq for r in services.deadlines.sent_reports(inc.id)] == [1, 1]

    with pytest.raises(ValidationError) as info:
        services.deadlines.record_sent(OFFICER, inc.id, ReportStage.FIRST)
    assert set(info.value.errors) == {"stage"}


def test_final_report_is_due_after_closing(services: Services) -> None:
    inc = create(services, utcnow() - timedelta(hours=2), grade=Grade.III)
    services.deadlines.record_sent(OFFICER, inc.id, ReportStage.FIRST)
    closed = services.incidents.change_status(OFFICER, inc.id, IncidentStatus.CLOSED)
    with services.db.engine.connect() as conn:
        closed_at = conn.execute(
            sa.select(m.IncidentRow.closed_at).where(m.IncidentRow.id == inc.id)
        ).scalar_one()
    closed_at = m.UTCDateTime().process_result_value(closed_at, services.db.engine.dialect)
    assert closed_at is not None

    d = dues(services, closed, utcnow())
    assert set(d) == {("first", 1), ("final", 1)}  # no more follow-ups once closed
    assert d[("final", 1)].due_at == closed_at + timedelta(minutes=1440)
    assert d[("final", 1)].state is DueState.PENDING

    services.deadlines.record_sent(OFFICER, inc.id, ReportStage.FINAL)
    assert dues(services, closed, utcnow())[("final", 1)].state is DueState.DONE
    assert services.deadlines.owed() == []


def test_owed_lists_live_incidents_earliest_first(services: Services) -> None:
    late = create(services, utcnow() - timedelta(hours=3), grade=Grade.I)
    soon = create(services, utcnow() - timedelta(minutes=25), grade=Grade.I)
    merged = create(services, utcnow() - timedelta(hours=5), grade=Grade.I)
    services.incidents.merge(OFFICER, merged.id, late.id)
    owed = services.deadlines.owed(utcnow())
    assert [(d.incident_id, d.state) for d in owed] == [
        (late.id, DueState.OVERDUE),
        (soon.id, DueState.SOON),
    ]


# --------------------------------------------------------------------------- alarms


def test_scan_logs_each_alarm_exactly_once_and_puts_it_on_the_timeline(
    db_url: str,
) -> None:
    topics: list[str] = []
    services = Services.open(db_url, topics.append)
    try:
        start = utcnow()
        overdue = create(services, start - timedelta(hours=1), grade=Grade.II, title="化工厂泄漏")
        soon = create(services, start - timedelta(minutes=25), grade=Grade.II, title="山体滑坡")
        create(services, start - timedelta(minutes=1), grade=Grade.IV, title="小事")  # pending
        topics.clear()
        now = utcnow()

        alarming = services.deadlines.scan(now)
        assert {(d.incident_id, d.state) for d in alarming} == {
            (overdue.id, DueState.OVERDUE),
            (soon.id, DueState.SOON),
        }
        assert {"log", "incidents"} <= set(topics)
        alarms = [e for e in services.log.page() if e.kind is LogKind.ALARM]
        assert len(alarms) == 2
        by_incident = {e.incident_id: e for e in alarms}
        due_at = overdue.received_at + timedelta(minutes=35)
        assert by_incident[overdue.id].text == (
            f"报送提醒：事件 #{overdue.id}「化工厂泄漏」首报已超时，时限 {format_beijing(due_at)}"
        )
        assert "即将到期" in by_incident[soon.id].text
        assert by_incident[overdue.id].author == "system"
        event = services.incidents.timeline(overdue.id)[-1]
        assert event.kind is EventKind.DEADLINE
        assert event.text == by_incident[overdue.id].text

        # Running again (this seat or another) raises nothing new.
        topics.clear()
        assert len(services.deadlines.scan(now)) == 2
        assert len([e for e in services.log.page() if e.kind is LogKind.ALARM]) == 2
        assert [e.kind for e in services.incidents.timeline(overdue.id)].count(
            EventKind.DEADLINE
        ) == 1
        assert topics == []

        # When the soon-due report becomes overdue, that is a new alarm, logged once.
        later = now + timedelta(minutes=15)
        services.deadlines.scan(later)
        services.deadlines.scan(later)
        alarms = [e for e in services.log.page() if e.kind is LogKind.ALARM]
        assert len(alarms) == 3
        assert sum(1 for e in alarms if e.incident_id == soon.id) == 2
    finally:
        services.close()


def test_a_report_sent_in_time_raises_no_alarm(services: Services) -> None:
    now = utcnow()
    inc = create(services, now - timedelta(minutes=30), grade=Grade.II)
    services.deadlines.record_sent(OFFICER, inc.id, ReportStage.FIRST)
    assert services.deadlines.scan(now + timedelta(minutes=30)) == []
    assert services.log.page() == []


def test_record_sent_refuses_huge_content(services: Services) -> None:
    inc = create(services, utcnow() - timedelta(minutes=30))
    with pytest.raises(ValidationError) as info:
        services.deadlines.record_sent(OFFICER, inc.id, F, channel="c" * 33, content="x" * 20_001)
    assert set(info.value.errors) == {"channel", "content"}
    assert services.deadlines.sent_reports(inc.id) == []


def test_default_incident_is_natural_disaster_in_nanguan() -> None:
    # The builders the tests above rely on.
    draft = incident_draft()
    assert (draft.category_code, draft.subcategory_code, draft.division_code) == (
        NATURAL,
        FLOOD,
        NANGUAN,
    )
