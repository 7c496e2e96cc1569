"""The demo data: fictitious but realistic, covering all of Jilin, seeded once."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from console.demo import seed_demo
from console.domain import DueState, IncidentFilter, IncidentStatus, Role
from console.services import Services
from tests._services import run_with_timeout

PREFECTURES = {"2201", "2202", "2203", "2204", "2205", "2206", "2207", "2208", "2224"}
JILIN_LON = (121.6, 131.3)
JILIN_LAT = (40.8, 46.3)
FICTITIOUS_PHONE = re.compile(r"^0\d{3}-8\d{3}0000$")


@pytest.fixture
def services(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Services]:
    monkeypatch.setenv("DUTY_CONSOLE_FILES", str(tmp_path / "files"))  # the demo's recordings
    opened = Services.open(db_url)
    try:
        yield opened
    finally:
        opened.close()


def table_counts(services: Services) -> dict[str, int]:
    with services.db.engine.connect() as conn:
        return {
            t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one()
            for t in inspect(conn).get_table_names()
        }


def test_demo_covers_jilin_and_seeds_once(services: Services) -> None:
    seed_demo(services)
    incidents = services.incidents.page(IncidentFilter(include_merged=True), limit=500)
    assert len(incidents) >= 28
    assert {i.division_code[:4] for i in incidents} >= PREFECTURES
    divisions = services.reference.divisions()
    for inc in incidents:
        assert inc.division_code in divisions
        assert inc.lon is not None
        assert inc.lat is not None
        assert JILIN_LON[0] <= inc.lon <= JILIN_LON[1], inc
        assert JILIN_LAT[0] <= inc.lat <= JILIN_LAT[1], inc
        assert not inc.exercise
        assert inc.occurred_at <= inc.received_at
    assert len({i.title for i in incidents}) == len(incidents)

    # A mix: most open, some closed; every grade and ungraded; several channels and categories.
    statuses = [i.status for i in incidents]
    assert statuses.count(IncidentStatus.CLOSED) >= 5
    assert len(incidents) - statuses.count(IncidentStatus.CLOSED) >= 15
    assert {i.grade.value if i.grade else None for i in incidents} >= {None, "II", "III", "IV"}
    assert len({i.source_channel for i in incidents}) >= 4
    assert len({i.subcategory_code or i.category_code for i in incidents}) >= 10
    span = max(i.received_at for i in incidents) - min(i.received_at for i in incidents)
    assert span.days >= 3

    # The roster: someone on duty now, officers and a leader; tomorrow is planned.
    shift = services.people.shift_at()
    assert shift is not None
    assert len(shift.officers) >= 1
    assert len(shift.leaders) >= 1
    assert services.people.next_shift(shift) is not None
    for user in services.people.users():
        if user.role in (Role.OFFICER, Role.LEADER):
            assert FICTITIOUS_PHONE.match(user.phone), user

    # Reports: some sent, some overdue (the board's highlight), some still pending.
    dues = services.deadlines.due_for(incidents)
    states = [d.state for ds in dues.values() for d in ds]
    assert states.count(DueState.OVERDUE) >= 3
    assert DueState.DONE in states
    assert DueState.PENDING in states
    assert any(d.state is DueState.OVERDUE for d in services.deadlines.owed())

    # Timelines, a log, instructions and reports not yet turned into incidents.
    timeline = services.incidents.timeline(incidents[0].id)
    assert len(timeline) >= 2
    assert services.log.count() >= 50
    assert services.instructions.pending()
    assert 1 <= len(services.intake.open_intakes()) <= 3

    before = table_counts(services)
    seed_demo(services)
    assert table_counts(services) == before


def _env() -> dict[str, Any]:
    env = dict(os.environ)
    env.pop("DUTY_CONSOLE_OPERATOR", None)
    return env


def test_demo_option_seeds_the_database_it_opens(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/demo.sqlite"
    command = [sys.executable, "-m", "console", "--demo", "--db", url]
    result = run_with_timeout(
        [*command, "incident", "list", "--json", "--limit", "100"], 120, check=False, env=_env()
    )
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert len(listed) >= 28
    assert any(d["state"] == "overdue" for i in listed for d in i["due"])
    again = run_with_timeout([*command, "incident", "list", "--json"], 120, env=_env())
    assert len(json.loads(again.stdout)) == min(50, len(listed))
