"""Fixtures for the GUI tests: a seeded database, an app context over it, the main window."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from console.app import AppContext, build_context
from console.domain import Casualties, Grade, IncidentStatus, Role
from console.domain.drafts import IncidentDraft
from console.services import Services
from console.timeutil import utcnow
from tests._services import PostgresServer, ServiceUnavailable, start_postgres

OPERATOR = "zhangwei"


@dataclass(frozen=True)
class Seeded:
    """Ids of the incidents the seeded database holds, by what a test needs of them."""

    blast: int  # Ⅱ, 长春 南关区, first report due in 35 min
    river: int  # Ⅲ, 吉林 丰满区, first report overdue
    fire: int  # ungraded, 延边 延吉市
    leak: int  # Ⅰ, 四平 铁西区
    road: int  # Ⅳ, 白山, closed

    @property
    def open_count(self) -> int:
        """Incidents shown with the board's default (open statuses) filter."""
        return 4


def seed(url: str) -> Seeded:
    """Users, a shift and five incidents, written synchronously before any window opens."""
    services = Services.open(url)
    try:
        now = utcnow()
        a = services.people.ensure_user("system", OPERATOR, "张伟", Role.OFFICER)
        b = services.people.ensure_user("system", "lina", "李娜", Role.OFFICER)
        c = services.people.ensure_user("system", "wangjg", "王建国", Role.LEADER)
        services.people.add_shift(
            "system", now - timedelta(hours=2), now + timedelta(hours=10), [a.id, b.id], [c.id]
        )

        def make(title: str, cat: str, grade: Grade | None, div: str, age_min: int) -> int:
            draft = IncidentDraft(
                title=title,
                category_code=cat,
                grade=grade,
                occurred_at=now - timedelta(minutes=age_min + 5),
                received_at=now - timedelta(minutes=age_min),
                division_code=div,
                casualties=Casualties(deaths=1, injuries=2),
            )
            return services.incidents.create(OPERATOR, draft).id

        road = make("白山市浑江区道路塌方", "14000", Grade.IV, "220602", 600)
        services.incidents.change_status(OPERATOR, road, IncidentStatus.CLOSED)
        river = make("吉林市丰满区松花江水位超警戒", "11000", Grade.III, "220211", 300)
        fire = make("延吉市山林火情", "17000", None, "222401", 30)
        leak = make("四平市铁西区化工厂泄漏", "21000", Grade.I, "220302", 20)
        blast = make("长春市南关区居民楼燃气爆炸", "23000", Grade.II, "220102", 10)
        return Seeded(blast=blast, river=river, fire=fire, leak=leak, road=road)
    finally:
        services.close()


@pytest.fixture
def own_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for one test alone, to stop and start (never stop the session's)."""
    try:
        server = start_postgres()
    except ServiceUnavailable as exc:
        pytest.skip(f"PostgreSQL not available: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def seeded(sqlite_url: str) -> Seeded:
    """The seeded database's incident ids."""
    return seed(sqlite_url)


@pytest.fixture
def ctx(sqlite_url: str, seeded: Seeded) -> Iterator[AppContext]:
    """An app context over the seeded database; closed (queued writes finished) afterwards."""
    context = build_context(sqlite_url, operator=OPERATOR, monitor_interval_ms=3_600_000)
    yield context
    context.close()


def settle(qtbot: QtBot, ctx: AppContext) -> None:
    """Wait until no background task is queued or running, and deliver their callbacks."""
    qtbot.waitUntil(lambda: not ctx.runner.busy(), timeout=10_000)
    qtbot.wait(20)
