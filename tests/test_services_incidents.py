"""Incidents: creation and validation, grading, status, ownership, locking, merging, the board."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from console.domain import (
    Casualties,
    ConflictError,
    EventKind,
    Grade,
    IncidentFilter,
    IncidentStatus,
    NotFoundError,
    ValidationError,
)
from console.services import Services
from console.services.incidents import OPEN_STATUSES
from console.timeutil import utcnow
from tests._core import (
    ACCIDENT,
    CHANGYI,
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

OFFICER = "zhangwei"


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    """Services over a fresh, migrated and seeded database."""
    services = Services.open(db_url)
    yield services
    services.close()


def kinds(services: Services, incident_id: int) -> list[EventKind]:
    return [e.kind for e in services.incidents.timeline(incident_id)]


# --------------------------------------------------------------------------- create


def test_create_stores_the_incident_owned_by_the_taker(services: Services) -> None:
    draft = incident_draft(casualties=Casualties(deaths=1, injuries=3, missing=2, trapped=4))
    created = services.incidents.create(OFFICER, draft)

    stored = services.incidents.get(created.id)
    assert stored == created
    assert stored.title == "南关区伊通河水位超警戒"
    assert (stored.category_code, stored.subcategory_code) == (NATURAL, FLOOD)
    assert stored.status is IncidentStatus.REPORTED
    assert stored.grade is None
    assert stored.owner == OFFICER  # 首问负责制
    assert stored.casualties == Casualties(1, 3, 2, 4)
    assert stored.division_code == NANGUAN
    assert (stored.lon, stored.lat) == (draft.lon, draft.lat)
    assert stored.occurred_at == draft.occurred_at
    assert stored.occurred_at.tzinfo is not None
    assert abs(stored.received_at - utcnow()) < timedelta(minutes=1)
    assert stored.version == 1
    events = services.incidents.timeline(created.id)
    assert [e.kind for e in events] == [EventKind.CREATED]
    assert events[0].actor == OFFICER
    assert "南关区伊通河水位超警戒" in events[0].text


def test_create_with_a_named_owner_and_title_trimmed(services: Services) -> None:
    created = services.incidents.create(
        OFFICER, incident_draft(title="  交通事故  ", owner="lina", grade=Grade.III)
    )
    assert created.owner == "lina"
    assert created.title == "交通事故"
    assert services.incidents.get(created.id).grade is Grade.III


def test_get_unknown_incident_is_not_found(services: Services) -> None:
    with pytest.raises(NotFoundError, match="#999"):
        services.incidents.get(999)


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        pytest.param({"title": ""}, {"title"}, id="title-missing"),
        pytest.param({"title": "   "}, {"title"}, id="title-blank"),
        pytest.param({"title": "险" * 201}, {"title"}, id="title-huge"),
        pytest.param({"category_code": ""}, {"category"}, id="category-missing"),
        pytest.param({"category_code": "99000"}, {"category"}, id="category-unknown"),
        pytest.param({"subcategory_code": "19999"}, {"subcategory"}, id="subcategory-unknown"),
        pytest.param({"occurred_at": None}, {"occurred_at"}, id="occurred-missing"),
        pytest.param(
            {"occurred_at": datetime(1900, 1, 1, tzinfo=UTC)}, {"occurred_at"}, id="before-1949"
        ),
        pytest.param(
            {"occurred_at": utcnow() + timedelta(days=2)}, {"occurred_at"}, id="occurred-future"
        ),
        pytest.param(
            {"occurred_at": datetime(2026, 1, 1, 8, 0)}, {"occurred_at"}, id="occurred-naive"
        ),
        pytest.param(
            {"received_at": utcnow() + timedelta(hours=3)}, {"received_at"}, id="received-future"
        ),
        pytest.param({"division_code": ""}, {"division_code"}, id="division-missing"),
        pytest.param({"division_code": "2201"}, {"division_code"}, id="division-short"),
        pytest.param({"division_code": "110101"}, {"division_code"}, id="division-unknown"),
        pytest.param({"lon": 2.35, "lat": 48.86}, {"lon"}, id="paris"),
        pytest.param({"lon": 125.3, "lat": 61.0}, {"lat"}, id="lat-north-of-china"),
        pytest.param({"lon": None}, {"lon"}, id="lat-without-lon"),
        pytest.param({"lon": math.nan}, {"lon"}, id="lon-nan"),
        pytest.param({"address": "址" * 501}, {"address"}, id="address-huge"),
        pytest.param({"description": "描" * 20_001}, {"description"}, id="description-huge"),
        pytest.param({"losses": "损" * 20_001}, {"losses"}, id="losses-huge"),
        pytest.param({"casualties": Casualties(deaths=-1)}, {"deaths"}, id="deaths-negative"),
        pytest.param(
            {"casualties": Casualties(injuries=2_000_000)}, {"injuries"}, id="injuries-huge"
        ),
        pytest.param({"owner": "人" * 65}, {"owner"}, id="owner-huge"),
        pytest.param(
            {"title": "", "lon": 200.0, "division_code": "abc"},
            {"title", "lon", "division_code"},
            id="several",
        ),
    ],
)
def test_invalid_incident_is_refused_naming_the_fields_and_nothing_is_written(
    services: Services, changes: dict[str, Any], fields: set[str]
) -> None:
    before = table_rows(services)
    with pytest.raises(ValidationError) as info:
        services.incidents.create(OFFICER, incident_draft(**changes))
    assert set(info.value.errors) == fields
    assert all(info.value.errors.values())  # every field has a message to show next to it
    assert table_rows(services) == before


# --------------------------------------------------------------------------- grade


def test_grading_records_the_change_on_the_timeline(services: Services) -> None:
    inc = services.incidents.create(OFFICER, incident_draft())

    graded = services.incidents.set_grade(OFFICER, inc.id, Grade.II, inc.version, reason="2 人死亡")

    assert graded.grade is Grade.II
    assert graded.version == inc.version + 1
    assert services.incidents.get(inc.id).grade is Grade.II
    event = services.incidents.timeline(inc.id)[-1]
    assert event.kind is EventKind.GRADED
    assert event.data == {"from": None, "to": "II"}
    assert event.text == "定级：未定级 → Ⅱ级 重大（2 人死亡）"

    ungraded = services.incidents.set_grade(OFFICER, inc.id, None, graded.version)
    assert ungraded.grade is None
    assert services.incidents.timeline(inc.id)[-1].data == {"from": "II", "to": None}


# --------------------------------------------------------------------------- status


def test_status_moves_through_the_life_cycle_and_reopens(services: Services) -> None:
    inc = services.incidents.create(OFFICER, incident_draft())
    path = [
        IncidentStatus.VERIFYING,
        IncidentStatus.RESPONDING,
        IncidentStatus.CLOSED,
        IncidentStatus.RESPONDING,  # reopen
        IncidentStatus.CLOSED,
    ]
    for status in path:
        inc = services.incidents.change_status(OFFICER, inc.id, status, inc.version)
        assert services.incidents.get(inc.id).status is status

    moves = [
        (e.data["from"], e.data["to"])
        for e in services.incidents.timeline(inc.id)
        if e.kind is EventKind.STATUS_CHANGED
    ]
    assert moves == [
        ("reported", "verifying"),
        ("verifying", "responding"),
        ("responding", "closed"),
        ("closed", "responding"),
        ("responding", "closed"),
    ]
    texts = [e.text for e in services.incidents.timeline(inc.id)]
    assert any(t.startswith("重新打开：已结束 → 处置中") for t in texts)


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        pytest.param([IncidentStatus.CLOSED], IncidentStatus.REPORTED, id="closed-to-reported"),
        pytest.param([IncidentStatus.CLOSED], IncidentStatus.VERIFYING, id="closed-to-verifying"),
        pytest.param(
            [IncidentStatus.RESPONDING], IncidentStatus.REPORTED, id="responding-to-reported"
        ),
    ],
)
def test_refused_status_change_says_why_and_writes_nothing(
    services: Services, path: list[IncidentStatus], refused: IncidentStatus
) -> None:
    inc = services.incidents.create(OFFICER, incident_draft())
    for status in path:
        inc = services.incidents.change_status(OFFICER, inc.id, status)
    before = table_rows(services)
    with pytest.raises(ConflictError, match="不能从"):
        services.incidents.change_status(OFFICER, inc.id, refused)
    assert table_rows(services) == before
    assert services.incidents.get(inc.id).status is path[-1]


def test_setting_the_same_status_adds_no_event(services: Services) -> None:
    inc = services.incidents.create(OFFICER, incident_draft())
    services.incidents.change_status(OFFICER, inc.id, IncidentStatus.REPORTED)
    assert kinds(services, inc.id) == [EventKind.CREATED]


# --------------------------------------------------------------------------- owner


def test_owner_change_goes_on_the_timeline(services: Services) -> None:
    inc = services.incidents.create(OFFICER, incident_draft())
    changed = services.incidents.set_owner(OFFICER, inc.id, "lina", inc.version)
    assert changed.owner == "lina"
    assert services.incidents.get(inc.id).owner == "lina"
    event = services.incidents.timeline(inc.id)[-1]
    assert event.kind is EventKind.OWNER_CHANGED
    assert event.text == "责任人：zhangwei → lina"


@pytest.mark.parametrize("owner", ["", "   ", "责" * 65], ids=["empty", "blank", "huge"])
def test_bad_owner_is_refused_and_nothing_is_written(services: Services, owner: str) -> None:
    inc = services.incidents.create(OFFICER, incident_draft())
    before = table_rows(services)
    with pytest.raises(ValidationError) as info:
        services.incidents.set_owner(OFFICER, inc.id, owner)
    assert set(info.value.errors) == {"owner"}
    assert table_rows(services) == before


# --------------------------------------------------------------------------- locking


def test_stale_version_is_a_conflict_and_nothing_is_written(services: Services) -> None:
    inc = services.incidents.create(OFFICER, incident_draft())
    # Another seat grades it first.
    services.incidents.set_grade("lina", inc.id, Grade.III, inc.version)
    before = table_rows(services)

    with pytest.raises(ConflictError, match="已被他人修改"):
        services.incidents.set_grade(OFFICER, inc.id, Grade.I, inc.version)
    with pytest.raises(ConflictError):
        services.incidents.change_status(OFFICER, inc.id, IncidentStatus.CLOSED, inc.version)
    with pytest.raises(ConflictError):
        services.incidents.set_owner(OFFICER, inc.id, "wangqiang", inc.version)
    with pytest.raises(ConflictError):
        services.incidents.update(OFFICER, inc.id, incident_draft(title="改名"), inc.version)

    assert table_rows(services) == before
    assert services.incidents.get(inc.id).grade is Grade.III


def test_update_with_the_current_version_lists_changed_fields(services: Services) -> None:
    draft = incident_draft()
    inc = services.incidents.create(OFFICER, draft)
    updated = services.incidents.update(
        OFFICER,
        inc.id,
        replace(draft, title="伊通河水位回落", casualties=Casualties(injuries=2)),
        inc.version,
    )
    assert updated.title == "伊通河水位回落"
    assert updated.casualties.injuries == 2
    assert updated.version == inc.version + 1
    event = services.incidents.timeline(inc.id)[-1]
    assert event.kind is EventKind.UPDATED
    assert event.data == {"fields": ["title", "injuries"]}


# --------------------------------------------------------------------------- merge


def test_merge_keeps_both_histories_and_hides_the_duplicate(services: Services) -> None:
    survivor = services.incidents.create(OFFICER, incident_draft(title="伊通河水位超警戒"))
    duplicate = services.incidents.create("lina", incident_draft(title="伊通河漫堤"))
    services.incidents.set_grade("lina", duplicate.id, Grade.IV)
    services.log.add("lina", "区水利局电话确认漫堤 30 米", incident_id=duplicate.id)
    intake = services.intake.record("lina", intake_draft(title="伊通河漫堤"))
    services.intake.attach("lina", intake.id, duplicate.id)
    duplicate_events = services.incidents.timeline(duplicate.id)

    merged = services.incidents.merge(OFFICER, duplicate.id, survivor.id)

    assert merged.id == survivor.id
    assert services.incidents.get(duplicate.id).merged_into_id == survivor.id
    timeline = services.incidents.timeline(survivor.id)
    ids = {e.id for e in timeline}
    assert {e.id for e in duplicate_events} <= ids  # the duplicate's whole history
    assert EventKind.MERGED_FROM in [e.kind for e in timeline]
    assert any("区水利局电话确认漫堤" in e.text for e in timeline)
    assert [e.at for e in timeline] == sorted(e.at for e in timeline)
    assert services.incidents.timeline(duplicate.id)[-1].kind is EventKind.MERGED
    # The report that came in for the duplicate now counts for the survivor.
    assert [i.id for i in services.intake.for_incident(survivor.id)] == [intake.id]
    # The board shows the survivor only, unless merged ones are asked for.
    assert [i.id for i in services.incidents.page(IncidentFilter())] == [survivor.id]
    assert services.incidents.count(IncidentFilter()) == 1
    shown = {i.id for i in services.incidents.page(IncidentFilter(include_merged=True))}
    assert shown == {survivor.id, duplicate.id}


def test_merging_a_duplicate_that_has_its_own_duplicates_keeps_all_histories(
    services: Services,
) -> None:
    a = services.incidents.create(OFFICER, incident_draft(title="A"))
    b = services.incidents.create(OFFICER, incident_draft(title="B"))
    c = services.incidents.create(OFFICER, incident_draft(title="C"))
    services.incidents.merge(OFFICER, c.id, b.id)
    services.incidents.merge(OFFICER, b.id, a.id)

    timeline = services.incidents.timeline(a.id)
    assert {e.incident_id for e in timeline if e.kind is EventKind.CREATED} == {a.id, b.id, c.id}
    assert services.incidents.get(c.id).merged_into_id == a.id
    assert [i.id for i in services.incidents.page(IncidentFilter())] == [a.id]


def test_refused_merges(services: Services) -> None:
    a = services.incidents.create(OFFICER, incident_draft(title="A"))
    b = services.incidents.create(OFFICER, incident_draft(title="B"))
    c = services.incidents.create(OFFICER, incident_draft(title="C"))
    with pytest.raises(ValidationError):
        services.incidents.merge(OFFICER, a.id, a.id)
    with pytest.raises(NotFoundError):
        services.incidents.merge(OFFICER, a.id, 4242)
    services.incidents.merge(OFFICER, b.id, a.id)
    before = table_rows(services)
    with pytest.raises(ConflictError, match="已合并过"):
        services.incidents.merge(OFFICER, b.id, c.id)
    with pytest.raises(ConflictError, match="本身已被合并"):
        services.incidents.merge(OFFICER, c.id, b.id)
    with pytest.raises(ConflictError, match="已合并的事件"):
        services.incidents.change_status(OFFICER, b.id, IncidentStatus.CLOSED)
    assert table_rows(services) == before


# --------------------------------------------------------------------------- the board


def _all_pages(services: Services, f: IncidentFilter, limit: int) -> list[int]:
    seen: list[int] = []
    after = None
    while True:
        page = services.incidents.page(f, after, limit)
        assert len(page) <= limit
        seen.extend(i.id for i in page)
        if len(page) < limit:
            return seen
        after = (page[-1].occurred_at, page[-1].id)


def test_keyset_pages_neither_overlap_nor_skip_with_equal_times(services: Services) -> None:
    same = utcnow().replace(microsecond=0) - timedelta(hours=2)
    created = []
    for n in range(23):
        # Eleven incidents share one time, so the page boundary falls inside the tie.
        when = same if n % 2 == 0 else same - timedelta(minutes=n)
        created.append(
            services.incidents.create(OFFICER, incident_draft(title=f"事件{n}", occurred_at=when))
        )
    expected = [i.id for i in sorted(created, key=lambda i: (i.occurred_at, i.id), reverse=True)]

    for limit in (1, 4, 5, 23, 50):
        assert _all_pages(services, IncidentFilter(), limit) == expected
    assert services.incidents.count(IncidentFilter()) == 23


@pytest.fixture
def board(services: Services) -> dict[str, int]:
    """A small board: names → incident ids, with statuses, grades, places and times set."""
    now = utcnow()
    spec: list[tuple[str, dict[str, Any]]] = [
        ("flood", {"title": "伊通河漫堤", "grade": Grade.II}),
        (
            "storm",
            {
                "title": "宽城区 Hail storm",
                "category_code": NATURAL,
                "subcategory_code": WEATHER,
                "division_code": KUANCHENG,
                "lon": None,
                "lat": None,
                "occurred_at": now - timedelta(days=3),
            },
        ),
        (
            "sub-only",
            {
                "title": "昌邑区内涝",
                "category_code": FLOOD,
                "subcategory_code": None,
                "division_code": CHANGYI,
                "lon": None,
                "lat": None,
                "grade": Grade.IV,
            },
        ),
        (
            "crash",
            {
                "title": "延吉 bus crash",
                "category_code": ACCIDENT,
                "subcategory_code": TRAFFIC,
                "division_code": YANJI,
                "lon": None,
                "lat": None,
                "address": "延吉市 FIRE 路口",
                "grade": Grade.III,
                "occurred_at": now - timedelta(days=10),
            },
        ),
        ("percent", {"title": "水位超 50% 警戒", "grade": Grade.IV}),
        ("five-hundred", {"title": "水位超 500 米", "occurred_at": now - timedelta(hours=5)}),
        ("underscore", {"title": "泵站 P_1 停机"}),
        ("no-underscore", {"title": "泵站 PX1 停机"}),
    ]
    ids: dict[str, int] = {}
    for name, changes in spec:
        ids[name] = services.incidents.create(OFFICER, incident_draft(**changes)).id
    services.incidents.change_status(OFFICER, ids["crash"], IncidentStatus.CLOSED)
    services.incidents.change_status(OFFICER, ids["storm"], IncidentStatus.RESPONDING)
    return ids


def _shown(services: Services, f: IncidentFilter) -> set[int]:
    page = services.incidents.page(f)
    assert services.incidents.count(f) == len(page)
    return {i.id for i in page}


def test_filter_by_status(services: Services, board: dict[str, int]) -> None:
    closed = IncidentFilter(statuses=(IncidentStatus.CLOSED,))
    assert _shown(services, closed) == {board["crash"]}
    active = IncidentFilter(statuses=(IncidentStatus.REPORTED, IncidentStatus.RESPONDING))
    assert _shown(services, active) == set(board.values()) - {board["crash"]}


def test_filter_by_grade_including_ungraded(services: Services, board: dict[str, int]) -> None:
    assert _shown(services, IncidentFilter(grades=("IV",))) == {board["sub-only"], board["percent"]}
    assert _shown(services, IncidentFilter(grades=("II", "III"))) == {
        board["flood"],
        board["crash"],
    }
    assert _shown(services, IncidentFilter(grades=("none",))) == {
        board["storm"],
        board["five-hundred"],
        board["underscore"],
        board["no-underscore"],
    }
    assert _shown(services, IncidentFilter(grades=("I", "none"))) == _shown(
        services, IncidentFilter(grades=("none",))
    )


def test_filter_by_category_includes_subcategories(
    services: Services, board: dict[str, int]
) -> None:
    natural = _shown(services, IncidentFilter(category_code=NATURAL))
    # "sub-only" was filed under the subcategory 水旱灾害 itself: still a natural disaster.
    assert natural == set(board.values()) - {board["crash"]}
    assert _shown(services, IncidentFilter(category_code=FLOOD)) == (
        set(board.values()) - {board["crash"], board["storm"]}
    )
    assert _shown(services, IncidentFilter(category_code=WEATHER)) == {board["storm"]}
    assert _shown(services, IncidentFilter(category_code=ACCIDENT)) == {board["crash"]}
    assert _shown(services, IncidentFilter(category_code=TRAFFIC)) == {board["crash"]}
    assert _shown(services, IncidentFilter(category_code="30000")) == set()


def test_filter_by_division_prefix(services: Services, board: dict[str, int]) -> None:
    changchun = _shown(services, IncidentFilter(division_code="220100"))
    assert changchun == set(board.values()) - {board["crash"], board["sub-only"]}
    assert _shown(services, IncidentFilter(division_code="2201")) == changchun
    assert _shown(services, IncidentFilter(division_code=KUANCHENG)) == {board["storm"]}
    assert _shown(services, IncidentFilter(division_code="222400")) == {board["crash"]}
    assert _shown(services, IncidentFilter(division_code="220200")) == {board["sub-only"]}
    assert _shown(services, IncidentFilter(division_code="220000")) == set(board.values())


def test_filter_by_time_range(services: Services, board: dict[str, int]) -> None:
    now = utcnow()
    last_day = IncidentFilter(since=now - timedelta(days=1))
    assert _shown(services, last_day) == set(board.values()) - {board["storm"], board["crash"]}
    window = IncidentFilter(since=now - timedelta(days=5), until=now - timedelta(days=2))
    assert _shown(services, window) == {board["storm"]}
    older = IncidentFilter(until=now - timedelta(days=4))
    assert _shown(services, older) == {board["crash"]}


def test_text_search_treats_like_wildcards_literally(
    services: Services, board: dict[str, int]
) -> None:
    assert _shown(services, IncidentFilter(text="50%")) == {board["percent"]}
    assert _shown(services, IncidentFilter(text="%")) == {board["percent"]}
    assert _shown(services, IncidentFilter(text="P_1")) == {board["underscore"]}
    assert _shown(services, IncidentFilter(text="_")) == {board["underscore"]}
    assert _shown(services, IncidentFilter(text="  漫堤 ")) == {board["flood"]}
    assert _shown(services, IncidentFilter(text="不存在的词")) == set()


def test_text_search_matches_address_ignoring_case_and_the_id(
    services: Services, board: dict[str, int]
) -> None:
    # The same answer on SQLite and PostgreSQL (LIKE differs in case sensitivity).
    assert _shown(services, IncidentFilter(text="fire 路口")) == {board["crash"]}
    assert _shown(services, IncidentFilter(text="HAIL")) == {board["storm"]}
    assert board["storm"] in _shown(services, IncidentFilter(text=str(board["storm"])))


def test_filters_combine(services: Services, board: dict[str, int]) -> None:
    f = IncidentFilter(
        statuses=(IncidentStatus.REPORTED,), grades=("IV",), division_code="220100", text="水位"
    )
    assert _shown(services, f) == {board["percent"]}


def test_sqlite_board_plans_open_filters_from_the_status_index_and_rare_words_from_the_text_index(
    sqlite_url: str,
) -> None:
    from sqlalchemy import event

    services = Services.open(sqlite_url)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(services.db.engine, "before_cursor_execute", seen)
    try:
        services.incidents.create(OFFICER, incident_draft(title="天池景区游客落水"))
        open_f = IncidentFilter(statuses=OPEN_STATUSES)

        statements.clear()
        assert len(services.incidents.page(open_f)) == 1
        assert services.incidents.count(open_f) == 1
        plans = [s for s in statements if "FROM incident" in s]
        assert len(plans) == 2
        assert all("INDEXED BY ix_incident_status_occurred" in s for s in plans)

        statements.clear()
        assert len(services.incidents.page(IncidentFilter(text="天池"))) == 1
        page_sql = statements[-1]
        assert "incident AS incident NOT INDEXED" in page_sql
        assert "search_incident MATCH" in page_sql

        statements.clear()
        assert len(services.incidents.page(IncidentFilter())) == 1
        assert "INDEXED" not in statements[-1]  # the board index, newest first
    finally:
        event.remove(services.db.engine, "before_cursor_execute", seen)
        services.close()
