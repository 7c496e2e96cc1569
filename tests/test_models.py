"""The paged Qt item models the board and the duty log bind to, under QAbstractItemModelTester."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.domain import Grade, IncidentFilter, Role
from console.models.duty_log import CORRECTED_ROLE, KIND_ROLE, DutyLogModel
from console.models.incident_board import GRADE_ROLE, INCIDENT_ROLE, IncidentBoardModel
from console.models.paged import ID_ROLE, PagedTableModel
from console.services import Services
from console.tasks import TaskRunner
from console.timeutil import format_beijing, utcnow
from tests._core import incident_draft

ROWS = 350
GRADES = (Grade.I, Grade.II, Grade.III, Grade.IV, None)
DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    """Services over a fresh database holding 350 incidents and 350 duty-log entries."""
    services = Services.open(db_url)
    services.people.ensure_user("admin", "zhangwei", "张伟", Role.OFFICER)
    base = utcnow().replace(microsecond=0) - timedelta(days=2)
    with services.db.transaction() as s:
        for n in range(ROWS):
            # Every fourth incident shares its time with the next, to test keyset ties.
            occurred = base + timedelta(minutes=n - (n % 4 == 1))
            services.incidents.create(
                "zhangwei",
                incident_draft(title=f"事件 {n:03d}", occurred_at=occurred, grade=GRADES[n % 5]),
                session=s,
            )
        for n in range(ROWS):
            services.log.add(
                "zhangwei", f"记录 {n:03d}", at=base + timedelta(seconds=n // 2), session=s
            )
    yield services
    services.close()


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    """A task runner, shut down after the test (and before the database is closed)."""
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def wait_idle(qtbot: QtBot, model: PagedTableModel[object], rows: int) -> None:
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == rows, timeout=10_000)


def fetch_all(qtbot: QtBot, model: PagedTableModel[object]) -> None:
    """Scroll to the end: fetch pages while the model says there are more."""
    # The model tester may already have asked for the next page: let it arrive first.
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    while model.canFetchMore(QModelIndex()):
        before = model.rowCount()
        model.fetchMore(QModelIndex())
        assert model.loading
        qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
        assert model.rowCount() > before or not model.canFetchMore(QModelIndex())


def cell(model: PagedTableModel[object], row: int, column: int, role: int = DISPLAY) -> object:
    return model.data(model.index(row, column), role)


# --------------------------------------------------------------------------- incident board


def test_board_first_page_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: ModelTester, services: Services, runner: TaskRunner
) -> None:
    model = IncidentBoardModel(services, runner)
    with qtbot.waitSignal(model.total_changed, timeout=10_000) as total:
        model.reload()
    wait_idle(qtbot, model, IncidentBoardModel.PAGE)
    qtmodeltester.check(model)

    assert total.args == [ROWS]
    assert model.total == ROWS
    assert model.columnCount() == 9
    assert model.headerData(2, Qt.Orientation.Horizontal) == "事件"
    newest = services.incidents.page(IncidentFilter(), limit=1)[0]
    assert cell(model, 0, IncidentBoardModel.COL_ID) == newest.id
    assert cell(model, 0, 0, ID_ROLE) == newest.id
    assert cell(model, 0, IncidentBoardModel.COL_TITLE) == "事件 349"
    assert cell(model, 0, IncidentBoardModel.COL_AREA) == "长春市 南关区"
    assert cell(model, 0, IncidentBoardModel.COL_CATEGORY) == "水旱灾害"
    assert cell(model, 0, IncidentBoardModel.COL_STATUS) == "接报"
    assert cell(model, 0, IncidentBoardModel.COL_OWNER) == "张伟"
    assert cell(model, 0, IncidentBoardModel.COL_OCCURRED) == format_beijing(newest.occurred_at)
    assert cell(model, 0, IncidentBoardModel.COL_GRADE) == "—"  # 349 % 5 == 4: ungraded
    assert cell(model, 1, IncidentBoardModel.COL_GRADE) == "Ⅳ"
    assert cell(model, 1, 0, GRADE_ROLE) == "IV"
    assert cell(model, 0, 0, INCIDENT_ROLE) == newest
    # The first report of an incident received just now is due later (ungraded: 120 min).
    due = str(cell(model, 0, IncidentBoardModel.COL_DUE))
    assert due.startswith("首报 ")
    assert "超时" not in due


def test_board_fetch_more_loads_every_row_once(
    qtbot: QtBot, qtmodeltester: ModelTester, services: Services, runner: TaskRunner
) -> None:
    model = IncidentBoardModel(services, runner)
    model.reload()
    wait_idle(qtbot, model, IncidentBoardModel.PAGE)
    qtmodeltester.check(model)

    fetch_all(qtbot, model)

    assert model.rowCount() == ROWS  # 100 + 100 + 100 + 50
    ids = [cell(model, r, 0, ID_ROLE) for r in range(ROWS)]
    assert len(set(ids)) == ROWS
    assert ids == [i.id for i in services.incidents.page(IncidentFilter(), limit=ROWS + 1)]
    assert not model.canFetchMore(QModelIndex())


def test_board_set_filter_resets_and_reloads(
    qtbot: QtBot, qtmodeltester: ModelTester, services: Services, runner: TaskRunner
) -> None:
    model = IncidentBoardModel(services, runner)
    model.reload()
    wait_idle(qtbot, model, IncidentBoardModel.PAGE)
    qtmodeltester.check(model)

    with qtbot.waitSignal(model.modelReset):
        model.set_filter(IncidentFilter(grades=("II",)))
    wait_idle(qtbot, model, ROWS // 5)
    qtbot.waitUntil(lambda: model.total == ROWS // 5)

    assert {cell(model, r, 0, GRADE_ROLE) for r in range(model.rowCount())} == {"II"}
    assert model.filter.grades == ("II",)
    assert not model.canFetchMore(QModelIndex())

    with qtbot.waitSignal(model.modelReset):
        model.set_filter(IncidentFilter(text="事件 12"))  # 事件 120 … 事件 129
    wait_idle(qtbot, model, 10)
    titles = [cell(model, r, IncidentBoardModel.COL_TITLE) for r in range(10)]
    assert titles == [f"事件 12{d}" for d in reversed(range(10))]


def test_board_refresh_keeps_the_rows_and_shows_changes(
    qtbot: QtBot, qtmodeltester: ModelTester, services: Services, runner: TaskRunner
) -> None:
    model = IncidentBoardModel(services, runner)
    model.reload()
    wait_idle(qtbot, model, IncidentBoardModel.PAGE)
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: not model.loading)
    if model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda: not model.loading)
    shown = model.rowCount()
    assert shown >= 2 * IncidentBoardModel.PAGE  # the refresh below spans more than one page
    target = model.row_at(shown - 1)
    assert target is not None
    services.incidents.set_grade("zhangwei", target.incident.id, Grade.I)

    with qtbot.waitSignal(model.dataChanged, timeout=10_000):
        model.refresh()
    wait_idle(qtbot, model, shown)

    assert cell(model, shown - 1, 0, ID_ROLE) == target.incident.id  # same place, new content
    assert cell(model, shown - 1, IncidentBoardModel.COL_GRADE) == "Ⅰ"

    # A new incident appears on top; as many rows as were shown stay loaded.
    previous = [cell(model, r, 0, ID_ROLE) for r in range(shown)]
    new = services.incidents.create("zhangwei", incident_draft(title="新接报"))
    with qtbot.waitSignal(model.modelReset, timeout=10_000):
        model.refresh()
    wait_idle(qtbot, model, shown)
    assert cell(model, 0, 0, ID_ROLE) == new.id
    assert cell(model, 0, IncidentBoardModel.COL_TITLE) == "新接报"
    assert [cell(model, r, 0, ID_ROLE) for r in range(shown)] == [new.id, *previous[:-1]]
    qtbot.waitUntil(lambda: model.total == ROWS + 1)


# --------------------------------------------------------------------------- duty log


def test_duty_log_pages_until_every_entry_is_loaded(
    qtbot: QtBot, qtmodeltester: ModelTester, services: Services, runner: TaskRunner
) -> None:
    model = DutyLogModel(services, runner)
    model.reload()
    wait_idle(qtbot, model, DutyLogModel.PAGE)
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: model.total == ROWS)

    assert cell(model, 0, DutyLogModel.COL_TEXT) == "记录 349"
    assert cell(model, 0, DutyLogModel.COL_AUTHOR) == "张伟"
    assert cell(model, 0, DutyLogModel.COL_KIND) == "记录"
    newest = services.log.page(limit=1)[0]
    assert cell(model, 0, DutyLogModel.COL_TIME) == format_beijing(newest.at, seconds=True)

    fetch_all(qtbot, model)
    assert model.rowCount() == ROWS
    texts = [cell(model, r, DutyLogModel.COL_TEXT) for r in range(ROWS)]
    assert texts == [f"记录 {n:03d}" for n in reversed(range(ROWS))]


def test_duty_log_shows_corrections_and_scopes_to_an_incident(
    qtbot: QtBot, qtmodeltester: ModelTester, services: Services, runner: TaskRunner
) -> None:
    incident = services.incidents.page(IncidentFilter(), limit=1)[0]
    first = services.log.add("zhangwei", "转移 30 人", incident_id=incident.id)
    fix = services.log.correct("zhangwei", first.id, "转移 36 人")
    model = DutyLogModel(services, runner)
    model.reload()
    wait_idle(qtbot, model, DutyLogModel.PAGE)
    qtmodeltester.check(model)

    assert cell(model, 0, DutyLogModel.COL_TEXT) == f"[更正 #{first.id}] 转移 36 人"
    assert cell(model, 0, 0, KIND_ROLE) == "correction"
    assert cell(model, 1, 0, CORRECTED_ROLE) is True
    assert cell(model, 1, 0, Qt.ItemDataRole.ToolTipRole) == f"已被日志 #{fix.id} 更正"
    assert cell(model, 2, 0, CORRECTED_ROLE) is False

    with qtbot.waitSignal(model.modelReset):
        model.set_scope(incident_id=incident.id)
    wait_idle(qtbot, model, 2)
    assert [cell(model, r, 0, ID_ROLE) for r in range(2)] == [fix.id, first.id]
    assert cell(model, 0, DutyLogModel.COL_INCIDENT) == f"#{incident.id}"
    assert not model.canFetchMore(QModelIndex())


def test_stale_pages_are_dropped_after_a_filter_change(
    qtbot: QtBot, services: Services, runner: TaskRunner
) -> None:
    model = IncidentBoardModel(services, runner)
    model.reload()
    model.set_filter(IncidentFilter(grades=("I",)))  # before the first answer arrived
    wait_idle(qtbot, model, ROWS // 5)
    qtbot.wait(200)  # give a late answer for the old filter time to (not) arrive
    assert model.rowCount() == ROWS // 5
    assert {cell(model, r, 0, GRADE_ROLE) for r in range(model.rowCount())} == {"I"}


def test_times_are_fixed_for_the_tests() -> None:
    # format_beijing is what the models show: UTC + 8 hours.
    assert format_beijing(datetime(2026, 1, 1, 16, 0, tzinfo=UTC)) == "2026-01-02 00:00"
