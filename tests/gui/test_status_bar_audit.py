"""The status bar's audit health: a full walk at start-up, the records added since every hour,
and a full walk again once a day (a changed old record is found within a day)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from console.app import AppContext
from tests._core import incident_draft
from tests.gui.conftest import OPERATOR, settle
from tests.test_audit_chain import _as_attacker, _ids
from widgets.status_bar import DutyStatusBar

pytestmark = pytest.mark.gui


@pytest.fixture
def status(qtbot: QtBot, ctx: AppContext) -> Iterator[DutyStatusBar]:
    bar = DutyStatusBar(ctx)
    qtbot.addWidget(bar)
    bar.show()
    yield bar
    settle(qtbot, ctx)


def _hourly(qtbot: QtBot, ctx: AppContext, bar: DutyStatusBar) -> None:
    """What the hourly timer does, now; wait for its outcome on the label."""
    settle(qtbot, ctx)
    bar.audit_label.setToolTip("")
    bar._audit_timer.timeout.emit()
    qtbot.waitUntil(lambda: bool(bar.audit_label.toolTip()), timeout=10_000)
    settle(qtbot, ctx)


def test_hourly_checks_read_only_new_records_and_a_daily_walk_reads_all(
    qtbot: QtBot, ctx: AppContext, status: DutyStatusBar, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "每 24 小时完整检查" in status.audit_label.toolTip()
    status.check_audit()  # as at start-up: the whole chain
    qtbot.waitUntil(lambda: status.audit_label.text() == "审计 ✓", timeout=10_000)
    total = len(_ids(ctx.services))
    assert f"审计链完整：{total} 条记录" in status.audit_label.toolTip()
    old = _ids(ctx.services)

    for n in range(2):
        ctx.services.incidents.create(OPERATOR, incident_draft(title=f"整点前新事件{n}"))
    new = len(_ids(ctx.services)) - total
    _hourly(qtbot, ctx, status)
    assert status.audit_label.text() == "审计 ✓"
    assert f"本次检查新增 {new} 条" in status.audit_label.toolTip()

    # An old record's content is changed: the hourly check does not read it …
    with ctx.services.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_no_update")
        conn.exec_driver_sql(f"UPDATE audit SET actor = 'nobody' WHERE id = {old[1]}")
    _hourly(qtbot, ctx, status)
    assert status.audit_label.text() == "审计 ✓"
    # … the walk of the whole chain a day after the last one does.
    later = time.monotonic() + 24 * 3600 + 1
    monkeypatch.setattr("widgets.status_bar.monotonic", lambda: later)
    _hourly(qtbot, ctx, status)
    assert status.audit_label.text() == "审计链断开"
    assert f"#{old[1]}" in status.audit_label.toolTip()


def test_an_hourly_check_finds_an_edited_new_record_and_names_it(
    qtbot: QtBot, ctx: AppContext, status: DutyStatusBar
) -> None:
    status.check_audit()
    qtbot.waitUntil(lambda: status.audit_label.text() == "审计 ✓", timeout=10_000)
    before = set(_ids(ctx.services))
    ctx.services.incidents.create(OPERATOR, incident_draft(title="整点前新事件"))
    new = [i for i in _ids(ctx.services) if i not in before]
    _as_attacker(ctx.services, f"UPDATE audit SET action = 'x' WHERE id = {new[0]}")
    _hourly(qtbot, ctx, status)
    qtbot.waitUntil(lambda: status.audit_label.text() == "审计链断开", timeout=10_000)
    assert f"#{new[0]}" in status.audit_label.toolTip()
    assert "#d32f2f" in status.audit_label.styleSheet()


def test_an_hourly_check_finds_a_deleted_old_record(
    qtbot: QtBot, ctx: AppContext, status: DutyStatusBar
) -> None:
    status.check_audit()
    qtbot.waitUntil(lambda: status.audit_label.text() == "审计 ✓", timeout=10_000)
    ids = _ids(ctx.services)
    _as_attacker(ctx.services, f"DELETE FROM audit WHERE id = {ids[2]}")
    _hourly(qtbot, ctx, status)
    qtbot.waitUntil(lambda: f"#{ids[3]}" in status.audit_label.toolTip(), timeout=10_000)
    assert status.audit_label.text() == "审计链断开"
