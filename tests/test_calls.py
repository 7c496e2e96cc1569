"""Calls: records, the duty log, incident timelines, group calls and roll-calls, on both DBs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from console.domain import (
    CallDirection,
    CallEvent,
    CallEventKind,
    CallOutcome,
    ContactDraft,
    DialResult,
    EventKind,
    GroupCallKind,
    LogKind,
    PhoneNumber,
    ValidationError,
)
from console.services import Services
from console.timeutil import utcnow
from tests._core import incident_draft

OFFICER = "zhangwei"


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    services = Services.open(db_url)
    yield services
    services.close()


def contact(services: Services, name: str, unit: str, number: str) -> int:
    draft = ContactDraft(name=name, unit=unit, phones=(PhoneNumber("电话1", number),))
    return services.contacts.add(OFFICER, draft).id


def call_lines(services: Services, incident_id: int) -> list[str]:
    return [e.text for e in services.incidents.timeline(incident_id) if e.kind is EventKind.CALL]


def test_outgoing_call_goes_on_the_log_and_the_timeline(services: Services) -> None:
    wang = contact(services, "王某", "县应急局", "8001")
    incident = services.incidents.create(OFFICER, incident_draft())
    started = utcnow() - timedelta(seconds=20)
    call = services.calls.record_outgoing(
        OFFICER,
        "8001",
        incident_id=incident.id,
        device="pbx",
        result=DialResult("8001", CallOutcome.ANSWERED, uniqueid="17.1", started_at=started),
    )
    assert (call.direction, call.contact_id, call.outcome) == (
        CallDirection.OUT,
        wang,
        CallOutcome.ANSWERED,
    )
    assert call.started_at == started
    assert call.pbx_uniqueid == "17.1"
    assert call.answered_at is not None
    [entry] = services.log.page(incident_id=incident.id)
    assert entry.kind is LogKind.CALL
    assert entry.text == "呼出：王某（县应急局） 8001 — 已接通"
    assert call.log_entry_id == entry.id
    assert call_lines(services, incident.id) == [entry.text]
    event = next(e for e in services.incidents.timeline(incident.id) if e.kind is EventKind.CALL)
    assert event.data["call_id"] == call.id
    assert event.data["outcome"] == "answered"


def test_a_call_without_an_incident_is_only_logged(services: Services) -> None:
    call = services.calls.record_outgoing(
        OFFICER, "13800138000", result=DialResult("13800138000", CallOutcome.NO_ANSWER)
    )
    [entry] = services.log.page()
    assert entry.text == "呼出：13800138000 — 无应答"
    assert entry.incident_id is None
    assert services.calls.recent() == [call]
    with pytest.raises(ValidationError):
        services.calls.record_outgoing(OFFICER, "not a number")
    with pytest.raises(ValidationError):
        services.calls.record_outgoing(OFFICER, "8001", incident_id=999)


def test_incoming_call_from_events_answered_and_missed(services: Services) -> None:
    contact(services, "张某", "市应急局", "13800138000")

    def event(kind: CallEventKind, uid: str, *, answered: bool = False) -> CallEvent:
        return CallEvent(
            "pbx",
            kind,
            number="13800138000",
            name="ZHANG",
            uniqueid=uid,
            answered=answered,
            at=utcnow(),
        )

    ringing = services.calls.on_call_event(OFFICER, event(CallEventKind.RINGING, "1.1"))
    assert ringing is not None
    assert (ringing.direction, ringing.outcome, ringing.caller_name) == (
        CallDirection.IN,
        None,
        "ZHANG",
    )
    assert services.log.page() == []  # on the log once it is over
    again = services.calls.on_call_event(OFFICER, event(CallEventKind.RINGING, "1.1"))
    assert again is not None
    assert again.id == ringing.id  # the same call, not a second record
    answered = services.calls.on_call_event(OFFICER, event(CallEventKind.ANSWERED, "1.1"))
    assert answered is not None
    assert answered.answered_at is not None
    done = services.calls.on_call_event(OFFICER, event(CallEventKind.HUNG_UP, "1.1", answered=True))
    assert done is not None
    assert done.outcome is CallOutcome.ANSWERED
    services.calls.on_call_event(OFFICER, event(CallEventKind.RINGING, "2.1"))
    missed = services.calls.on_call_event(OFFICER, event(CallEventKind.HUNG_UP, "2.1"))
    assert missed is not None
    assert missed.outcome is CallOutcome.MISSED
    texts = [e.text for e in services.log.page()]
    assert texts == [
        "来电：张某（市应急局） 13800138000 — 未接",
        "来电：张某（市应急局） 13800138000 — 已接通",
    ]
    assert services.calls.on_call_event(OFFICER, CallEvent("line", CallEventKind.RING)) is None
    # Later the first call turns out to be about an incident: it joins the timeline.
    incident = services.incidents.create(OFFICER, incident_draft())
    services.calls.attach_incident(OFFICER, ringing.id, incident.id)
    assert call_lines(services, incident.id) == [texts[1]]
    assert [e.text for e in services.log.page(incident_id=incident.id)] == [texts[1]]


def test_group_call_writes_one_record_log_entry_and_timeline_line_per_member(
    services: Services,
) -> None:
    ids = [
        contact(services, "王某", "县应急局", "8001"),
        contact(services, "李某", "县水利局", "8666"),
        contact(services, "赵某", "县气象局", "8777"),
        contact(services, "钱某", "县公安局", "8002"),
    ]
    group = services.contacts.add_group(OFFICER, "防汛组", ids)
    incident = services.incidents.create(OFFICER, incident_draft())
    targets = services.calls.targets(group_id=group.id)
    assert [t.number for t in targets] == ["8001", "8666", "8777", "8002"]
    results = [
        DialResult("8777", CallOutcome.NO_ANSWER),
        DialResult("8001", CallOutcome.ANSWERED, uniqueid="9.1"),
        DialResult("8666", CallOutcome.BUSY),
        # 8002 never reported: not dialled
    ]
    done = services.calls.group_call(
        OFFICER, results, group_id=group.id, incident_id=incident.id, device="pbx"
    )
    assert done.kind is GroupCallKind.GROUP
    assert [c.outcome for c in done.calls] == [
        CallOutcome.ANSWERED,
        CallOutcome.BUSY,
        CallOutcome.NO_ANSWER,
        CallOutcome.FAILED,
    ]
    assert [c.contact_id for c in done.calls] == ids
    assert all(c.group_call_id == done.id and c.log_entry_id for c in done.calls)
    assert (done.count(CallOutcome.ANSWERED), done.count(CallOutcome.BUSY)) == (1, 1)
    assert call_lines(services, incident.id) == [
        "群呼：王某（县应急局）— 已接通",
        "群呼：李某（县水利局）— 忙",
        "群呼：赵某（县气象局）— 无应答",
        "群呼：钱某（县公安局）— 呼叫失败",
    ]
    assert len(services.log.page(incident_id=incident.id)) == 4
    assert services.calls.group_call_record(done.id) == done
    assert "call.group" in [r.action for r in services.audit.latest(50, entity="group_call")]


def test_rollcall_records_who_answered(services: Services) -> None:
    a = contact(services, "王某", "县应急局", "8001")
    b = contact(services, "李某", "县水利局", "8666")
    incident = services.incidents.create(OFFICER, incident_draft())
    done = services.calls.rollcall(
        OFFICER,
        [DialResult("8001", CallOutcome.ANSWERED), DialResult("8666", CallOutcome.BUSY)],
        contact_ids=[a, b],
        incident_id=incident.id,
    )
    assert done.kind is GroupCallKind.ROLLCALL
    assert call_lines(services, incident.id) == [
        "点名：王某（县应急局）— 已接通",
        "点名：李某（县水利局）— 忙",
        "点名结果：应答 1/2；未应答：李某",
    ]
    with pytest.raises(ValidationError):
        services.calls.group_call(OFFICER, [])
