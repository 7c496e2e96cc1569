"""Unified intake: recording a report, turning it into an incident or attaching it, duplicates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from console.domain import (
    Casualties,
    ConflictError,
    EventKind,
    Grade,
    IncidentStatus,
    InstructionStatus,
    IntakeStatus,
    NotFoundError,
    SourceChannel,
    ValidationError,
)
from console.services import Services
from console.timeutil import utcnow
from tests._core import (
    ACCIDENT,
    FLOOD,
    KUANCHENG,
    NANGUAN,
    NATURAL,
    TRAFFIC,
    WEATHER,
    YANJI,
    incident_draft,
    intake_draft,
    table_rows,
)

RECORDER = "zhangwei"
TAKER = "lina"


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    """Services over a fresh, migrated and seeded database."""
    services = Services.open(db_url)
    yield services
    services.close()


# --------------------------------------------------------------------------- record


def test_record_keeps_every_field_of_the_form(services: Services) -> None:
    draft = intake_draft(channel=SourceChannel.FAX, leader_instructions="全力搜救被困人员")
    intake = services.intake.record(RECORDER, draft)

    stored = services.intake.get(intake.id)
    assert stored == intake
    assert stored.status is IntakeStatus.OPEN
    assert stored.incident_id is None
    assert stored.recorder == RECORDER
    assert abs(stored.recorded_at - utcnow()) < timedelta(minutes=1)
    assert abs(stored.received_at - utcnow()) < timedelta(minutes=1)  # defaults to now
    for name in (
        "channel",
        "reporter_unit",
        "reporter_name",
        "reporter_title",
        "reporter_phone",
        "title",
        "category_code",
        "grade",
        "occurred_at",
        "division_code",
        "lon",
        "lat",
        "address",
        "course",
        "casualties",
        "losses",
        "measures",
        "trend",
        "notified",
        "leader_instructions",
        "handling",
    ):
        assert getattr(stored, name) == getattr(draft, name), name
    assert [i.id for i in services.intake.open_intakes()] == [intake.id]


def test_a_report_needs_only_a_title_and_who_called(services: Services) -> None:
    bare = intake_draft(
        reporter_unit="",
        reporter_title="",
        reporter_phone="",
        category_code=None,
        grade=None,
        occurred_at=None,
        division_code=None,
        lon=None,
        lat=None,
        address="",
        course="",
        casualties=Casualties(),
    )
    intake = services.intake.record(RECORDER, bare)
    assert services.intake.get(intake.id).division_code is None


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        pytest.param({"title": ""}, {"title"}, id="title-missing"),
        pytest.param(
            {"reporter_name": "", "reporter_unit": " "}, {"reporter_name"}, id="nobody-called"
        ),
        pytest.param({"reporter_name": "名" * 65}, {"reporter_name"}, id="name-huge"),
        pytest.param({"reporter_title": "职" * 65}, {"reporter_title"}, id="post-huge"),
        pytest.param({"reporter_unit": "单" * 201}, {"reporter_unit"}, id="unit-huge"),
        pytest.param({"reporter_phone": "call me maybe"}, {"reporter_phone"}, id="phone-bad"),
        pytest.param({"category_code": "99000"}, {"category"}, id="category-unknown"),
        pytest.param(
            {"occurred_at": utcnow() + timedelta(days=1)}, {"occurred_at"}, id="occurred-future"
        ),
        pytest.param({"division_code": "22010X"}, {"division_code"}, id="division-bad"),
        pytest.param({"lon": 139.69, "lat": 35.69}, {"lon"}, id="tokyo"),
        pytest.param({"course": "经" * 20_001}, {"course"}, id="course-huge"),
        pytest.param({"casualties": Casualties(missing=-3)}, {"missing"}, id="missing-negative"),
    ],
)
def test_invalid_report_is_refused_naming_the_fields_and_nothing_is_written(
    services: Services, changes: dict[str, Any], fields: set[str]
) -> None:
    before = table_rows(services)
    with pytest.raises(ValidationError) as info:
        services.intake.record(RECORDER, intake_draft(**changes))
    assert set(info.value.errors) == fields
    assert table_rows(services) == before


# --------------------------------------------------------------------------- convert


def test_convert_makes_an_incident_owned_by_the_one_who_took_it(services: Services) -> None:
    draft = intake_draft()
    intake = services.intake.record(RECORDER, draft)

    incident = services.intake.convert(TAKER, intake.id)

    assert incident.owner == TAKER
    assert incident.title == draft.title
    assert incident.category_code == NATURAL
    assert incident.grade is Grade.IV
    assert incident.status is IncidentStatus.REPORTED
    assert incident.occurred_at == draft.occurred_at
    assert incident.received_at == intake.received_at
    assert incident.division_code == NANGUAN
    assert incident.casualties == draft.casualties
    assert incident.source_channel is SourceChannel.PHONE
    assert "经过：连日降雨后一处平房后墙倒塌" in incident.description
    assert "已采取措施：消防已到场" in incident.description
    stored = services.intake.get(intake.id)
    assert stored.status is IntakeStatus.CONVERTED
    assert stored.incident_id == incident.id
    events = services.incidents.timeline(incident.id)
    assert [e.kind for e in events] == [EventKind.CREATED]
    assert f"接报记录 #{intake.id}" in events[0].text
    assert events[0].data == {"intake_id": intake.id}
    assert [i.id for i in services.intake.for_incident(incident.id)] == [intake.id]
    assert services.intake.open_intakes() == []
    assert services.instructions.pending() == []  # the form had no leader's instruction


def test_leader_instructions_on_the_form_become_pending_instructions(services: Services) -> None:
    intake = services.intake.record(RECORDER, intake_draft(leader_instructions="全力搜救被困人员"))
    incident = services.intake.convert(TAKER, intake.id)
    pending = services.instructions.pending()
    assert [(p.incident_id, p.text, p.status) for p in pending] == [
        (incident.id, "全力搜救被困人员", InstructionStatus.PENDING)
    ]


def test_convert_without_a_place_is_refused_and_the_report_stays_open(services: Services) -> None:
    intake = services.intake.record(RECORDER, intake_draft(division_code=None, lon=None, lat=None))
    before = table_rows(services)
    with pytest.raises(ValidationError) as info:
        services.intake.convert(TAKER, intake.id)
    assert set(info.value.errors) == {"division_code"}
    assert table_rows(services) == before
    assert services.intake.get(intake.id).status is IntakeStatus.OPEN


def test_an_intake_is_handled_only_once(services: Services) -> None:
    intake = services.intake.record(RECORDER, intake_draft())
    incident = services.intake.convert(TAKER, intake.id)
    before = table_rows(services)
    with pytest.raises(ConflictError, match="已处理"):
        services.intake.convert(TAKER, intake.id)
    with pytest.raises(ConflictError, match="已处理"):
        services.intake.attach(TAKER, intake.id, incident.id)
    with pytest.raises(NotFoundError):
        services.intake.convert(TAKER, 4242)
    assert table_rows(services) == before


# --------------------------------------------------------------------------- attach


def test_attach_puts_the_report_on_the_incident_timeline(services: Services) -> None:
    incident = services.incidents.create(TAKER, incident_draft())
    intake = services.intake.record(
        RECORDER,
        intake_draft(reporter_unit="宽城区应急局", leader_instructions="注意次生灾害"),
    )

    result = services.intake.attach(TAKER, intake.id, incident.id)

    assert result.id == incident.id
    stored = services.intake.get(intake.id)
    assert (stored.status, stored.incident_id) == (IntakeStatus.ATTACHED, incident.id)
    event = services.incidents.timeline(incident.id)[-1]
    assert event.kind is EventKind.INTAKE_ATTACHED
    assert event.text == f"补充接报 #{intake.id}（宽城区应急局）：南关区民房倒塌"
    assert [(p.incident_id, p.text) for p in services.instructions.pending()] == [
        (incident.id, "注意次生灾害")
    ]


def test_attach_to_a_merged_incident_goes_to_the_survivor(services: Services) -> None:
    survivor = services.incidents.create(TAKER, incident_draft(title="A"))
    duplicate = services.incidents.create(TAKER, incident_draft(title="B"))
    services.incidents.merge(TAKER, duplicate.id, survivor.id)
    intake = services.intake.record(RECORDER, intake_draft())

    result = services.intake.attach(TAKER, intake.id, duplicate.id)

    assert result.id == survivor.id
    assert services.intake.get(intake.id).incident_id == survivor.id


def test_attach_to_an_unknown_incident_is_refused(services: Services) -> None:
    intake = services.intake.record(RECORDER, intake_draft())
    before = table_rows(services)
    with pytest.raises(NotFoundError, match="#4242"):
        services.intake.attach(TAKER, intake.id, 4242)
    assert table_rows(services) == before


# --------------------------------------------------------------------------- duplicates


def test_duplicate_suggestions_are_same_prefecture_and_category_family_in_time(
    services: Services,
) -> None:
    now = utcnow()

    def make(**changes: Any) -> int:
        return services.incidents.create(TAKER, incident_draft(**changes)).id

    same = make(title="伊通河漫堤")  # 长春 南关区, natural / flood, an hour ago
    neighbour = make(
        title="宽城区冰雹", subcategory_code=WEATHER, division_code=KUANCHENG, lon=None, lat=None
    )
    other_city = make(title="延吉洪水", division_code=YANJI, lon=None, lat=None)
    closed = make(title="已结束的洪水")
    services.incidents.change_status(TAKER, closed, IncidentStatus.CLOSED)
    long_ago = make(title="两天前的洪水", occurred_at=now - timedelta(days=2))
    accident = make(title="南关区车祸", category_code=ACCIDENT, subcategory_code=TRAFFIC)
    merged = make(title="已合并的洪水")
    services.incidents.merge(TAKER, merged, same)
    assert len({same, neighbour, other_city, closed, long_ago, accident, merged}) == 7

    report = intake_draft(category_code=FLOOD, occurred_at=now - timedelta(minutes=30))
    suggested = [i.id for i in services.intake.suggestions(report)]
    assert sorted(suggested) == sorted([same, neighbour])

    recorded = services.intake.record(RECORDER, report)
    assert sorted(i.id for i in services.intake.suggestions(recorded)) == sorted([same, neighbour])
    # Without a category or a place there is nothing to compare.
    assert services.intake.suggestions(intake_draft(category_code=None)) == []
    assert services.intake.suggestions(intake_draft(division_code=None)) == []
    # An accident report finds the accident only.
    crash = intake_draft(category_code=TRAFFIC)
    assert [i.id for i in services.intake.suggestions(crash)] == [accident]
