"""Text search on the board and in the duty log: the same answers as a plain substring test.

On SQLite the services look needles of 2+ letters/digits up in an FTS5 bigram index first
(when it is selective) and confirm with LIKE; every test runs with the index driving the query
("index") and with it switched off ("scan"), on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest

from console.db import models as m
from console.domain import Grade, IncidentFilter, IncidentStatus
from console.services import Services, search
from console.services.incidents import OPEN_STATUSES
from console.timeutil import utcnow
from tests._core import TRAFFIC, incident_draft

OFFICER = "zhangwei"


@pytest.fixture(params=["index", "scan"])
def services(
    request: pytest.FixtureRequest, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Services]:
    """Services over a fresh database; "scan" never lets the text index drive a query."""
    if request.param == "scan":
        monkeypatch.setattr(search, "FTS_FEW", 0)
    services = Services.open(db_url)
    yield services
    services.close()


def board(services: Services, text: str, **filters: object) -> list[str]:
    found = services.incidents.page(IncidentFilter(text=text, **filters), limit=10_000)  # type: ignore[arg-type]
    return [i.title for i in found]


def board_count(services: Services, text: str, **filters: object) -> int:
    return services.incidents.count(IncidentFilter(text=text, **filters))  # type: ignore[arg-type]


def log(services: Services, text: str) -> list[str]:
    return [e.text for e in services.log.page(text=text, limit=10_000)]


def add(
    services: Services, title: str, address: str = "长春市", hours: float = 1.0, **kw: object
) -> int:
    at = utcnow() - timedelta(hours=hours)
    draft = incident_draft(title=title, address=address, occurred_at=at, received_at=at, **kw)
    return services.incidents.create(OFFICER, draft).id


def test_two_character_words_longer_words_mixed_and_single_characters(services: Services) -> None:
    add(services, "天池景区游客落水", hours=5)
    add(services, "长白山天池", address="安图县二道白河镇", hours=4)
    add(services, "G12珲乌高速追尾", address="吉林市丰满区", hours=3)
    add(services, "池塘溺水", hours=2)
    add(services, "火灾：天 池路", hours=1)  # 天 and 池 apart: no 天池
    for text in ("值班员报告天池水位", "G12高速畅通", "天 池 不相连", "Fire at Tianchi"):
        services.log.add(OFFICER, text)

    assert board(services, "天池") == ["长白山天池", "天池景区游客落水"]  # newest first
    assert board_count(services, "天池") == 2
    assert board(services, "天池景区") == ["天池景区游客落水"]
    assert board(services, "二道白河") == ["长白山天池"]  # the address counts too
    assert board(services, "g12珲乌") == ["G12珲乌高速追尾"]  # ASCII case-blind, mixed text
    assert board(services, "12珲") == ["G12珲乌高速追尾"]
    assert board(services, "池") == ["火灾：天 池路", "池塘溺水", "长白山天池", "天池景区游客落水"]
    assert board(services, "天 池") == ["火灾：天 池路"]
    assert board(services, "：天") == ["火灾：天 池路"]
    assert board(services, "不存在") == []
    assert board_count(services, "池") == 4

    assert log(services, "天池") == ["值班员报告天池水位"]
    assert log(services, "g12") == ["G12高速畅通"]
    assert log(services, "TIANCHI") == ["Fire at Tianchi"]
    assert log(services, "at tian") == ["Fire at Tianchi"]
    assert log(services, "池") == ["天 池 不相连", "值班员报告天池水位"]


def test_search_respects_the_other_filters(services: Services) -> None:
    a = add(services, "天池景区山火", hours=3)
    b = add(services, "天池码头漏油", hours=2, category_code=TRAFFIC, subcategory_code=None)
    add(services, "松花湖封湖", hours=1)
    services.incidents.set_grade(OFFICER, b, Grade.II)
    services.incidents.change_status(OFFICER, a, IncidentStatus.CLOSED)

    assert board(services, "天池", statuses=OPEN_STATUSES) == ["天池码头漏油"]
    assert board_count(services, "天池", statuses=OPEN_STATUSES) == 1
    assert board(services, "天池", statuses=(IncidentStatus.CLOSED,)) == ["天池景区山火"]
    assert board(services, "天池", grades=("II",)) == ["天池码头漏油"]
    assert board(services, "天池", category_code=TRAFFIC) == ["天池码头漏油"]
    assert board(services, "天池", since=utcnow() - timedelta(hours=2.5)) == ["天池码头漏油"]
    assert board(services, "封湖", statuses=OPEN_STATUSES) == ["松花湖封湖"]
    assert board(services, str(a)) == ["天池景区山火"]  # a number also finds the incident by id


def test_percent_and_underscore_are_literal(services: Services) -> None:
    add(services, "水位上涨 50% 以上", hours=2)
    add(services, "水位上涨 5000 以上", hours=1)
    add(services, "代号 A_1 行动", hours=3)
    add(services, "代号 AB1 行动", hours=4)
    services.log.add(OFFICER, "完成率 80%")
    services.log.add(OFFICER, "完成率 800")

    assert board(services, "50%") == ["水位上涨 50% 以上"]
    assert board(services, "A_1") == ["代号 A_1 行动"]
    assert board(services, "%") == ["水位上涨 50% 以上"]
    assert board(services, "_") == ["代号 A_1 行动"]
    assert log(services, "80%") == ["完成率 80%"]
    assert log(services, "/") == []


def test_search_pages_newest_first_with_the_keyset(services: Services) -> None:
    for i in range(7):
        add(services, f"天池巡查 {i}", hours=10 - i)
    first = services.incidents.page(IncidentFilter(text="天池"), limit=3)
    assert [i.title for i in first] == ["天池巡查 6", "天池巡查 5", "天池巡查 4"]
    last = first[-1]
    rest = services.incidents.page(
        IncidentFilter(text="天池"), after=(last.occurred_at, last.id), limit=10
    )
    assert [i.title for i in rest] == ["天池巡查 3", "天池巡查 2", "天池巡查 1", "天池巡查 0"]


def test_the_index_follows_a_title_update(services: Services) -> None:
    iid = add(services, "天池景区游客落水", address="安图县")
    incident = services.incidents.get(iid)
    draft = incident_draft(
        title="松花湖冰面塌陷",
        address="丰满区",
        occurred_at=incident.occurred_at,
    )
    services.incidents.update(OFFICER, iid, draft)
    services.incidents.change_status(OFFICER, iid, IncidentStatus.VERIFYING)  # no text change

    assert board(services, "天池") == []
    assert board(services, "安图") == []
    assert board(services, "冰面塌陷") == ["松花湖冰面塌陷"]
    assert board(services, "丰满") == ["松花湖冰面塌陷"]


def test_log_entries_written_by_the_deadline_scan_and_directly_are_found(
    services: Services,
) -> None:
    add(services, "化工厂泄漏", hours=1, grade=Grade.II)
    assert services.deadlines.scan(utcnow())
    assert [t.startswith("报送提醒") for t in log(services, "化工厂")] == [True]
    # Like the handover's completion entry: a row added in a transaction, no service in between.
    with services.db.transaction() as s:
        s.add(
            m.LogEntryRow(at=utcnow(), author="system", kind="handover", text="交接班完成：甲 → 乙")
        )
    assert log(services, "交接班") == ["交接班完成：甲 → 乙"]


ALPHABET = "天池景区火灾交通事故山林aAbB12 %_/-"


def _random_text(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 14))).strip() or "天"


def test_search_matches_a_plain_substring_test_on_random_rows(services: Services) -> None:
    rng = random.Random(20261129)
    rows = []
    for i in range(150):
        title, address = _random_text(rng), _random_text(rng)
        rows.append((add(services, title, address=address, hours=200 - i), title, address))
    texts = [_random_text(rng) for _ in range(150)]
    for text in texts:
        services.log.add(OFFICER, text)

    needles = ["天池", "火灾", "aa", "A1", "b2", "%", "_", "/", "池", "a", "1", "交通事故"]
    for _ in range(40):
        source = rng.choice(rows)[rng.randint(1, 2)]
        start = rng.randrange(len(source))
        needles.append(source[start : start + rng.randint(1, 4)])
    for needle in needles:
        if not needle.strip():
            continue
        n = needle.strip().casefold()
        number = int(n) if n.isdigit() else None  # a number also finds the incident by id
        want = [
            t
            for iid, t, a in reversed(rows)
            if n in t.casefold() or n in a.casefold() or iid == number
        ]
        assert board(services, needle) == want, needle
        assert board_count(services, needle) == len(want), needle
        want_log = [t for t in reversed(texts) if n in t.casefold()]
        assert log(services, needle) == want_log, needle
