"""The audit trail: every write leaves who, when, what, before and after; failed writes none."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from console.domain import (
    AuditRecord,
    ConflictError,
    Grade,
    IncidentStatus,
    ReportStage,
    Role,
    ValidationError,
)
from console.services import Services
from console.timeutil import utcnow
from tests._core import incident_draft, intake_draft

ACTOR = "lina"


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    """Services over a fresh, migrated and seeded database."""
    services = Services.open(db_url)
    yield services
    services.close()


@dataclass
class World:
    """Records the audited actions below work on."""

    services: Services
    incident: int
    other: int
    intake: int
    entry: int
    instruction: int
    user: int


@pytest.fixture
def world(services: Services) -> World:
    """An incident (and a second one), an open intake, a log entry, an instruction, a user."""
    s = services
    return World(
        services=s,
        incident=s.incidents.create("setup", incident_draft(title="主事件")).id,
        other=s.incidents.create("setup", incident_draft(title="重复事件")).id,
        intake=s.intake.record("setup", intake_draft()).id,
        entry=s.log.add("setup", "原记录").id,
        instruction=s.instructions.add("setup", "核实", "王军").id,
        user=s.people.ensure_user("setup", "zhangwei", "张伟", Role.OFFICER).id,
    )


def new_records(services: Services, since: int) -> list[AuditRecord]:
    return sorted((r for r in services.audit.latest(1000) if r.id > since), key=lambda r: r.id)


def last_id(services: Services) -> int:
    latest = services.audit.latest(1)
    return latest[0].id if latest else 0


def _handover_ack(w: World) -> None:
    h = w.services.handover.start("zhangwei", ACTOR)
    w.services.handover.acknowledge(ACTOR, h.id, h.items[0].id)


def _shift(w: World) -> None:
    start = utcnow()
    w.services.people.add_shift(ACTOR, start, start + timedelta(hours=8), [w.user])


WRITES: list[tuple[str, Callable[[World], Any], list[tuple[str, str]]]] = [
    (
        "create",
        lambda w: w.services.incidents.create(ACTOR, incident_draft()),
        [("incident.create", "incident")],
    ),
    (
        "grade",
        lambda w: w.services.incidents.set_grade(ACTOR, w.incident, Grade.I),
        [("incident.grade", "incident")],
    ),
    (
        "status",
        lambda w: w.services.incidents.change_status(ACTOR, w.incident, IncidentStatus.VERIFYING),
        [("incident.status", "incident")],
    ),
    (
        "owner",
        lambda w: w.services.incidents.set_owner(ACTOR, w.incident, "wangjun"),
        [("incident.owner", "incident")],
    ),
    (
        "update",
        lambda w: w.services.incidents.update(ACTOR, w.incident, incident_draft(title="新标题")),
        [("incident.update", "incident")],
    ),
    (
        "merge",
        lambda w: w.services.incidents.merge(ACTOR, w.other, w.incident),
        [("incident.merge", "incident")],
    ),
    (
        "record",
        lambda w: w.services.intake.record(ACTOR, intake_draft()),
        [("intake.record", "intake")],
    ),
    (
        "convert",
        lambda w: w.services.intake.convert(ACTOR, w.intake),
        [("incident.create", "incident"), ("intake.convert", "intake")],
    ),
    (
        "attach",
        lambda w: w.services.intake.attach(ACTOR, w.intake, w.incident),
        [("intake.attach", "intake")],
    ),
    (
        "log",
        lambda w: w.services.log.add(ACTOR, "新记录", incident_id=w.incident),
        [("log.add", "log_entry")],
    ),
    (
        "correct",
        lambda w: w.services.log.correct(ACTOR, w.entry, "更正"),
        [("log.add", "log_entry")],
    ),
    (
        "instruction",
        lambda w: w.services.instructions.add(ACTOR, "撤离", "王军", w.incident),
        [("instruction.add", "instruction")],
    ),
    (
        "done",
        lambda w: w.services.instructions.mark_done(ACTOR, w.instruction, "已办"),
        [("instruction.done", "instruction")],
    ),
    (
        "user",
        lambda w: w.services.people.ensure_user(ACTOR, "liuyang", "刘洋", Role.LEADER),
        [("user.create", "user")],
    ),
    ("shift", _shift, [("shift.create", "shift")]),
    (
        "report",
        lambda w: w.services.deadlines.record_sent(ACTOR, w.incident, ReportStage.FIRST),
        [("report.sent", "sent_report")],
    ),
    (
        "handover",
        lambda w: w.services.handover.start(ACTOR, "zhangwei"),
        [("handover.start", "handover")],
    ),
    (
        "acknowledge",
        _handover_ack,
        [("handover.start", "handover"), ("handover.acknowledge", "handover_item")],
    ),
]


@pytest.mark.parametrize(
    ("call", "expected"), [pytest.param(c, e, id=name) for name, c, e in WRITES]
)
def test_every_write_appends_audit_records_by_the_actor(
    world: World, call: Callable[[World], Any], expected: list[tuple[str, str]]
) -> None:
    since = last_id(world.services)
    started = utcnow()
    call(world)
    records = new_records(world.services, since)
    assert [(r.action, r.entity) for r in records] == expected
    for record in records:
        assert record.actor in (ACTOR, "zhangwei")
        assert started - timedelta(seconds=5) <= record.at <= utcnow()
        assert record.entity_id.isdigit()
        assert record.before is not None or record.after is not None


def test_grading_is_audited_with_before_and_after(services: Services) -> None:
    inc = services.incidents.create("zhangwei", incident_draft(title="输油管道泄漏"))
    since = last_id(services)
    services.incidents.set_grade(ACTOR, inc.id, Grade.II)
    [record] = new_records(services, since)
    assert (record.actor, record.action, record.entity) == (ACTOR, "incident.grade", "incident")
    assert record.entity_id == str(inc.id)
    assert record.before is not None
    assert record.after is not None
    assert record.before["grade"] is None
    assert record.after["grade"] == "II"
    assert (record.before["version"], record.after["version"]) == (1, 2)
    assert record.after["title"] == "输油管道泄漏"
    assert record.before["occurred_at"] == inc.occurred_at.isoformat()  # JSON-safe times


def test_creation_is_audited_with_the_new_record_only(services: Services) -> None:
    since = last_id(services)
    inc = services.incidents.create(ACTOR, incident_draft(title="新事件"))
    [record] = new_records(services, since)
    assert record.before is None
    assert record.after is not None
    assert record.after["id"] == inc.id
    assert record.after["owner"] == ACTOR


def test_cancelled_handover_is_audited_with_what_was_removed(world: World) -> None:
    h = world.services.handover.start("zhangwei", ACTOR)
    since = last_id(world.services)
    world.services.handover.cancel("zhangwei", h.id)
    [record] = new_records(world.services, since)
    assert (record.action, record.after) == ("handover.cancel", None)
    assert record.before is not None
    assert record.before["incoming"] == ACTOR


def test_completed_handover_is_audited(world: World) -> None:
    h = world.services.handover.start("zhangwei", ACTOR)
    for item in h.items:
        world.services.handover.acknowledge(ACTOR, h.id, item.id)
    since = last_id(world.services)
    world.services.handover.complete(ACTOR, h.id)
    [record] = new_records(world.services, since)
    assert record.action == "handover.complete"
    assert record.before is not None
    assert record.after is not None
    assert (record.before["status"], record.after["status"]) == ("open", "completed")


def test_deadline_alarms_are_audited_as_the_system(services: Services) -> None:
    inc = services.incidents.create(
        ACTOR, incident_draft(grade=Grade.I, received_at=utcnow() - timedelta(hours=1))
    )
    since = last_id(services)
    services.deadlines.scan()
    [record] = new_records(services, since)
    assert (record.actor, record.action, record.entity) == ("system", "deadline.alarm", "incident")
    assert record.entity_id == str(inc.id)
    assert record.after is not None
    assert (record.after["stage"], record.after["state"]) == ("first", "overdue")
    since = record.id
    services.deadlines.scan()  # nothing new, nothing audited
    assert new_records(services, since) == []


FAILURES: list[tuple[str, Callable[[World], Any], type[Exception]]] = [
    (
        "create",
        lambda w: w.services.incidents.create(ACTOR, incident_draft(title="")),
        ValidationError,
    ),
    ("owner", lambda w: w.services.incidents.set_owner(ACTOR, w.incident, ""), ValidationError),
    (
        "update",
        lambda w: w.services.incidents.update(ACTOR, w.incident, incident_draft(lon=0.0, lat=0.0)),
        ValidationError,
    ),
    (
        "stale",
        lambda w: w.services.incidents.set_grade(ACTOR, w.incident, Grade.I, 99),
        ConflictError,
    ),
    (
        "record",
        lambda w: w.services.intake.record(ACTOR, intake_draft(reporter_phone="abc")),
        ValidationError,
    ),
    ("log", lambda w: w.services.log.add(ACTOR, ""), ValidationError),
    ("instruction", lambda w: w.services.instructions.add(ACTOR, "", ""), ValidationError),
    (
        "done",
        lambda w: w.services.instructions.mark_done(ACTOR, w.instruction, ""),
        ValidationError,
    ),
    ("handover", lambda w: w.services.handover.start(ACTOR, ACTOR), ValidationError),
    (
        "report",
        lambda w: w.services.deadlines.record_sent(
            ACTOR, w.incident, ReportStage.FIRST, content="x" * 20_001
        ),
        ValidationError,
    ),
]


@pytest.mark.parametrize(
    ("call", "error"), [pytest.param(c, e, id=name) for name, c, e in FAILURES]
)
def test_a_failed_write_leaves_no_audit_record(
    world: World, call: Callable[[World], Any], error: type[Exception]
) -> None:
    before = world.services.audit.count()
    with pytest.raises(error):
        call(world)
    assert world.services.audit.count() == before


def test_a_refused_status_change_leaves_no_audit_record(services: Services) -> None:
    inc = services.incidents.create(ACTOR, incident_draft())
    services.incidents.change_status(ACTOR, inc.id, IncidentStatus.CLOSED)
    before = services.audit.count()
    with pytest.raises(ConflictError):
        services.incidents.change_status(ACTOR, inc.id, IncidentStatus.REPORTED)
    assert services.audit.count() == before


def test_latest_filters_by_entity_newest_first(world: World) -> None:
    records = world.services.audit.latest(entity="incident")
    assert [r.entity_id for r in records] == [str(world.other), str(world.incident)]
    assert {r.action for r in records} == {"incident.create"}
    assert len(world.services.audit.latest(2)) == 2
    assert world.services.audit.count() >= 6
