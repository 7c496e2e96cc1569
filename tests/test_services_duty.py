"""The duty log, shifts and roster, leaders' instructions and the handover (交接班)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from console.domain import (
    ConflictError,
    EventKind,
    HandoverItemKind,
    HandoverStatus,
    IncidentStatus,
    InstructionStatus,
    LogKind,
    NotFoundError,
    Role,
    Shift,
    ValidationError,
)
from console.services import Services
from console.timeutil import BEIJING, as_utc, format_beijing, utcnow
from tests._core import incident_draft, table_rows

OUTGOING = "zhangwei"
INCOMING = "lina"


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    """Services over a fresh, migrated and seeded database."""
    services = Services.open(db_url)
    yield services
    services.close()


# --------------------------------------------------------------------------- duty log


def test_add_appends_an_entry_by_the_author_now(services: Services) -> None:
    entry = services.log.add(OUTGOING, "  19:05 省气象台发布暴雨橙色预警  ")
    [shown] = services.log.page()
    assert shown == entry
    assert shown.author == OUTGOING
    assert shown.text == "19:05 省气象台发布暴雨橙色预警"
    assert shown.kind is LogKind.NOTE
    assert shown.incident_id is None
    assert shown.shift_id is None  # no roster yet
    assert abs(shown.at - utcnow()) < timedelta(minutes=1)
    assert services.log.count() == 1


@pytest.mark.parametrize("text", ["", "   ", "志" * 20_001], ids=["empty", "blank", "huge"])
def test_an_empty_or_huge_entry_is_refused(services: Services, text: str) -> None:
    before = table_rows(services)
    with pytest.raises(ValidationError) as info:
        services.log.add(OUTGOING, text)
    assert set(info.value.errors) == {"text"}
    assert table_rows(services) == before


def test_an_entry_for_an_unknown_incident_is_refused(services: Services) -> None:
    before = table_rows(services)
    with pytest.raises(ValidationError) as info:
        services.log.add(OUTGOING, "电话确认", incident_id=4242)
    assert set(info.value.errors) == {"incident"}
    assert table_rows(services) == before


def test_a_correction_is_a_new_entry_and_the_old_one_stays(services: Services) -> None:
    incident = services.incidents.create(OUTGOING, incident_draft())
    old = services.log.add(OUTGOING, "伤亡 3 人", incident_id=incident.id)
    old_row = table_rows(services)["log_entry"]

    fix = services.log.correct(INCOMING, old.id, "伤亡 2 人（更正）")

    assert fix.id != old.id
    assert fix.kind is LogKind.CORRECTION
    assert fix.corrects_id == old.id
    assert fix.author == INCOMING
    assert fix.incident_id == incident.id  # the correction stays with the incident
    assert table_rows(services)["log_entry"][: len(old_row)] == old_row  # old row untouched
    newest, oldest = services.log.page()
    assert newest.id == fix.id
    assert oldest.id == old.id
    assert oldest.text == "伤亡 3 人"
    assert oldest.corrected_by_id == fix.id
    assert newest.corrected_by_id is None
    with pytest.raises(NotFoundError):
        services.log.correct(INCOMING, 4242, "无")


def test_pages_are_newest_first_and_keyset_pages_do_not_overlap(services: Services) -> None:
    base = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    made = []
    for n in range(17):
        at = base if n % 3 == 0 else base + timedelta(minutes=n)  # six entries share `base`
        made.append(services.log.add(OUTGOING, f"记录 {n}", at=at))
    expected = [e.id for e in sorted(made, key=lambda e: (e.at, e.id), reverse=True)]
    assert [e.id for e in services.log.page()] == expected

    for limit in (1, 4, 6, 17):
        seen: list[int] = []
        after = None
        while True:
            page = services.log.page(after, limit)
            seen.extend(e.id for e in page)
            if len(page) < limit:
                break
            after = (page[-1].at, page[-1].id)
        assert seen == expected


def test_page_filters_by_incident_and_by_text(services: Services) -> None:
    incident = services.incidents.create(OUTGOING, incident_draft())
    linked = services.log.add(OUTGOING, "Called the 区 office", incident_id=incident.id)
    services.log.add(OUTGOING, "交班前检查设备")
    percent = services.log.add(OUTGOING, "雨量达 80% 预警值")
    assert [e.id for e in services.log.page(incident_id=incident.id)] == [linked.id]
    assert [e.id for e in services.log.page(text="CALLED")] == [linked.id]
    assert [e.id for e in services.log.page(text="%")] == [percent.id]


def test_a_linked_entry_goes_on_the_incident_timeline(services: Services) -> None:
    incident = services.incidents.create(OUTGOING, incident_draft())
    entry = services.log.add(OUTGOING, "市消防支队已出动 3 车", incident_id=incident.id)
    event = services.incidents.timeline(incident.id)[-1]
    assert event.kind is EventKind.LOG
    assert event.text == "值班日志：市消防支队已出动 3 车"
    assert event.data == {"log_id": entry.id}
    assert event.at == entry.at


def test_times_are_stored_in_utc_and_shown_in_beijing_time(services: Services) -> None:
    # 00:30 on 2 March in Beijing is 16:30 on 1 March in UTC.
    entry = services.log.add(OUTGOING, "夜间巡查", at=datetime(2026, 3, 2, 0, 30, tzinfo=BEIJING))
    assert entry.at == datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    assert format_beijing(services.log.page()[0].at) == "2026-03-02 00:30"
    with services.db.engine.connect() as conn:
        raw = conn.execute(sa.text("select at from log_entry")).scalar_one()
    if isinstance(raw, str):  # SQLite keeps naive UTC text
        assert raw.startswith("2026-03-01 16:30:00")
    else:
        assert as_utc(raw) == datetime(2026, 3, 1, 16, 30, tzinfo=UTC)


# --------------------------------------------------------------------------- shifts


@pytest.fixture
def roster(services: Services) -> tuple[Shift, Shift]:
    """The shift on duty now (zhangwei, leader wangjun) and the next one (lina)."""
    zhang = services.people.ensure_user("admin", OUTGOING, "张伟", Role.OFFICER)
    li = services.people.ensure_user("admin", INCOMING, "李娜", Role.OFFICER)
    wang = services.people.ensure_user("admin", "wangjun", "王军", Role.LEADER)
    start = utcnow().replace(microsecond=0) - timedelta(hours=1)
    now_shift = services.people.add_shift(
        "admin", start, start + timedelta(hours=8), [zhang.id], [wang.id]
    )
    next_shift = services.people.add_shift(
        "admin", start + timedelta(hours=8), start + timedelta(hours=16), [li.id], [wang.id]
    )
    return now_shift, next_shift


def test_shift_at_and_next_shift(services: Services, roster: tuple[Shift, Shift]) -> None:
    now_shift, next_shift = roster
    assert services.people.shift_at() == now_shift
    assert [m.display_name for m in now_shift.officers] == ["张伟"]
    assert [m.display_name for m in now_shift.leaders] == ["王军"]
    assert services.people.shift_at(now_shift.starts_at) == now_shift  # start included
    assert services.people.shift_at(now_shift.ends_at) == next_shift  # end excluded
    assert services.people.shift_at(next_shift.ends_at) is None
    assert services.people.shift_at(now_shift.starts_at - timedelta(seconds=1)) is None
    assert services.people.next_shift(now_shift) == next_shift
    assert services.people.next_shift(next_shift) is None
    assert services.people.current_shift_id() == now_shift.id


def test_log_entries_belong_to_the_shift_on_duty(
    services: Services, roster: tuple[Shift, Shift]
) -> None:
    entry = services.log.add(OUTGOING, "接班检查")
    assert entry.shift_id == roster[0].id


def test_bad_shifts_are_refused(services: Services) -> None:
    user = services.people.ensure_user("admin", OUTGOING, "张伟", Role.OFFICER)
    start = utcnow()
    before = table_rows(services)
    with pytest.raises(ValidationError) as info:
        services.people.add_shift("admin", start, start - timedelta(hours=1), [user.id])
    assert set(info.value.errors) == {"ends_at"}
    with pytest.raises(ValidationError) as info:
        services.people.add_shift("admin", start, start + timedelta(hours=8), [])
    assert set(info.value.errors) == {"officers"}
    with pytest.raises(ValidationError) as info:
        services.people.ensure_user("admin", "", "名" * 65, Role.OFFICER)
    assert set(info.value.errors) == {"username", "display_name"}
    assert table_rows(services) == before


def test_ensure_user_returns_the_existing_user(services: Services) -> None:
    first = services.people.ensure_user("admin", OUTGOING, "张伟", Role.OFFICER)
    again = services.people.ensure_user("admin", OUTGOING, "别的名字", Role.LEADER)
    assert again == first
    assert services.people.users() == [first]


# --------------------------------------------------------------------------- instructions


def test_instruction_is_pending_until_done_and_both_go_on_the_timeline(
    services: Services,
) -> None:
    incident = services.incidents.create(OUTGOING, incident_draft())
    ins = services.instructions.add(OUTGOING, "立即组织转移群众", "王军", incident.id)
    assert ins.status is InstructionStatus.PENDING
    assert services.instructions.pending() == [ins]
    assert services.incidents.timeline(incident.id)[-1].text == "王军批示：立即组织转移群众"

    with pytest.raises(ValidationError):
        services.instructions.mark_done(OUTGOING, ins.id, "  ")
    done = services.instructions.mark_done(OUTGOING, ins.id, "已转移 120 人")

    assert done.status is InstructionStatus.DONE
    assert done.done_note == "已转移 120 人"
    assert services.instructions.pending() == []
    event = services.incidents.timeline(incident.id)[-1]
    assert event.kind is EventKind.INSTRUCTION
    assert event.text == "批示办理：已转移 120 人"
    with pytest.raises(NotFoundError):
        services.instructions.mark_done(OUTGOING, 4242, "无")


def test_instruction_needs_text_and_who_gave_it(services: Services) -> None:
    before = table_rows(services)
    with pytest.raises(ValidationError) as info:
        services.instructions.add(OUTGOING, "", "")
    assert set(info.value.errors) == {"text", "given_by"}
    assert table_rows(services) == before


# --------------------------------------------------------------------------- handover


@pytest.fixture
def open_matters(services: Services, roster: tuple[Shift, Shift]) -> dict[str, int]:
    """Open, closed and merged incidents, one pending and one finished instruction."""
    ids = {
        name: services.incidents.create(OUTGOING, incident_draft(title=name)).id
        for name in ("open-a", "open-b", "closed", "merged")
    }
    services.incidents.change_status(OUTGOING, ids["open-b"], IncidentStatus.RESPONDING)
    services.incidents.change_status(OUTGOING, ids["closed"], IncidentStatus.CLOSED)
    services.incidents.merge(OUTGOING, ids["merged"], ids["open-a"])
    ids["pending"] = services.instructions.add(OUTGOING, "核实伤亡", "王军", ids["open-a"]).id
    done = services.instructions.add(OUTGOING, "上报省政府", "王军")
    services.instructions.mark_done(OUTGOING, done.id, "已上报")
    return ids


def test_handover_lists_open_incidents_owed_reports_and_pending_instructions(
    services: Services, roster: tuple[Shift, Shift], open_matters: dict[str, int]
) -> None:
    handover = services.handover.start(OUTGOING, INCOMING, notes="雨情持续")

    assert handover.status is HandoverStatus.OPEN
    assert (handover.outgoing, handover.incoming) == (OUTGOING, INCOMING)
    assert (handover.from_shift_id, handover.to_shift_id) == (roster[0].id, roster[1].id)
    by_kind: dict[HandoverItemKind, list[int]] = {}
    for item in handover.items:
        by_kind.setdefault(item.kind, []).append(item.ref_id)
    assert sorted(by_kind[HandoverItemKind.INCIDENT]) == sorted(
        [open_matters["open-a"], open_matters["open-b"]]
    )
    # 首报 owed by every live incident, and 终报 by the closed one.
    assert sorted(by_kind[HandoverItemKind.REPORT]) == sorted(
        [open_matters[k] for k in ("open-a", "open-b", "closed", "closed")]
    )
    assert by_kind[HandoverItemKind.INSTRUCTION] == [open_matters["pending"]]
    texts = [i.description for i in handover.items]
    assert any("「open-b」" in t and "处置中" in t and "责任人 zhangwei" in t for t in texts)
    assert any(t.startswith("待报送：事件") and "终报" in t for t in texts)
    assert any(t == f"待办批示：王军：核实伤亡（事件 #{open_matters['open-a']}）" for t in texts)
    assert handover.unacknowledged == handover.items
    assert services.handover.open_handover() == handover


def test_only_one_handover_is_open_at_a_time(
    services: Services, open_matters: dict[str, int]
) -> None:
    first = services.handover.start(OUTGOING, INCOMING)
    before = table_rows(services)
    with pytest.raises(ConflictError, match=f"#{first.id}"):
        services.handover.start(OUTGOING, "wangjun")
    assert table_rows(services) == before


def test_handover_to_oneself_is_refused(services: Services) -> None:
    with pytest.raises(ValidationError) as info:
        services.handover.start(OUTGOING, OUTGOING)
    assert set(info.value.errors) == {"incoming"}
    assert services.handover.open_handover() is None


def test_only_the_incoming_officer_acknowledges_and_completes(
    services: Services, open_matters: dict[str, int]
) -> None:
    handover = services.handover.start(OUTGOING, INCOMING)
    item = handover.items[0]
    before = table_rows(services)
    with pytest.raises(ConflictError, match="只有接班人 lina"):
        services.handover.acknowledge(OUTGOING, handover.id, item.id)
    with pytest.raises(ConflictError, match="只有接班人 lina"):
        services.handover.complete(OUTGOING, handover.id)
    assert table_rows(services) == before

    acknowledged = services.handover.acknowledge(INCOMING, handover.id, item.id, "已了解")
    first = acknowledged.items[0]
    assert first.acknowledged_by == INCOMING
    assert first.note == "已了解"
    assert first.acknowledged_at is not None
    assert len(acknowledged.unacknowledged) == len(handover.items) - 1
    with pytest.raises(NotFoundError):
        services.handover.acknowledge(INCOMING, handover.id, 4242)


def test_completion_is_refused_until_every_item_is_acknowledged(
    services: Services, open_matters: dict[str, int]
) -> None:
    handover = services.handover.start(OUTGOING, INCOMING)
    n = len(handover.items)
    assert n == 7
    for item in handover.items[:-1]:
        services.handover.acknowledge(INCOMING, handover.id, item.id)
    before = table_rows(services)
    with pytest.raises(ConflictError, match="还有 1 项未确认"):
        services.handover.complete(INCOMING, handover.id)
    assert table_rows(services) == before
    assert services.handover.get(handover.id).status is HandoverStatus.OPEN

    services.handover.acknowledge(INCOMING, handover.id, handover.items[-1].id)
    done = services.handover.complete(INCOMING, handover.id)

    assert done.status is HandoverStatus.COMPLETED
    assert done.completed_at is not None
    assert done.unacknowledged == ()
    assert services.handover.open_handover() is None
    assert services.handover.history() == [done]
    [entry] = services.log.page()
    assert entry.kind is LogKind.HANDOVER
    assert entry.text == f"交接班完成：zhangwei → lina，共 {n} 项"
    assert entry.author == INCOMING
    with pytest.raises(ConflictError, match="已完成"):
        services.handover.complete(INCOMING, handover.id)
    # The next handover can start now.
    assert services.handover.start(INCOMING, OUTGOING).status is HandoverStatus.OPEN


def test_cancelled_handover_is_gone_and_a_new_one_can_start(
    services: Services, open_matters: dict[str, int]
) -> None:
    handover = services.handover.start(OUTGOING, "wrong-person")
    services.handover.cancel(OUTGOING, handover.id)
    assert services.handover.open_handover() is None
    with pytest.raises(NotFoundError):
        services.handover.get(handover.id)
    assert table_rows(services)["handover_item"] == []
    assert services.handover.start(OUTGOING, INCOMING).incoming == INCOMING


def test_the_database_itself_refuses_a_second_open_handover(db_url: str) -> None:
    """Two seats starting a handover at the same moment: the unique index stops the second."""
    from sqlalchemy.exc import IntegrityError

    from console.db import models as m
    from console.db.session import Database
    from console.timeutil import utcnow

    db = Database.open(db_url)
    try:
        with db.transaction() as s:
            s.add(m.HandoverRow(outgoing="a", incoming="b", started_at=utcnow(), status="open"))
        with pytest.raises(IntegrityError), db.transaction() as s:
            s.add(m.HandoverRow(outgoing="c", incoming="d", started_at=utcnow(), status="open"))
        with db.transaction() as s:  # completed ones are not limited
            for _ in range(2):
                s.add(
                    m.HandoverRow(
                        outgoing="a", incoming="b", started_at=utcnow(), status="completed"
                    )
                )
    finally:
        db.close()
