"""Two seats edit one incident: the second gets 对方已修改 with both versions; nothing is lost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from console.app import AppContext, build_context
from console.domain import Grade, IncidentStatus
from console.services.incidents import grade_label
from tests.gui.conftest import OPERATOR, Seeded, settle
from widgets.incident_detail import IncidentDetail

pytestmark = pytest.mark.gui


@pytest.fixture
def two_seats(sqlite_url: str, seeded: Seeded) -> Iterator[tuple[AppContext, AppContext]]:
    a = build_context(
        sqlite_url, operator=OPERATOR, monitor_interval_ms=3_600_000, devices=False, seat="A席"
    )
    b = build_context(
        sqlite_url, operator="lina", monitor_interval_ms=3_600_000, devices=False, seat="B席"
    )
    yield a, b
    a.close()
    b.close()


def pane(qtbot: QtBot, ctx: AppContext, incident_id: int) -> IncidentDetail:
    detail = IncidentDetail(ctx)
    qtbot.addWidget(detail)
    detail.resize(480, 900)
    detail.show()
    with qtbot.waitSignal(detail.incident_loaded, timeout=5_000):
        detail.show_incident(incident_id)
    return detail


def choose(detail: IncidentDetail, grade: Grade) -> None:
    detail.grade_combo.setCurrentIndex(detail.grade_combo.findData(grade.value))


def test_second_edit_shows_both_versions_and_keeping_it_saves_on_top(
    qtbot: QtBot, two_seats: tuple[AppContext, AppContext], seeded: Seeded
) -> None:
    a_ctx, b_ctx = two_seats
    a, b = pane(qtbot, a_ctx, seeded.fire), pane(qtbot, b_ctx, seeded.fire)
    assert a.incident is not None
    assert b.incident is not None
    seen_version = b.incident.version
    # A grades first and is saved.
    choose(a, Grade.III)
    a.grade_button.click()
    qtbot.waitUntil(lambda: a.message.startswith("已定级"), timeout=5_000)
    # B, still looking at the old version, grades differently: refused, both versions shown.
    choose(b, Grade.II)
    b.grade_button.click()
    qtbot.waitUntil(lambda: b.conflict_box.isVisible(), timeout=5_000)
    shown = b.conflict_label.text()
    assert b.conflict_box.title() == "对方已修改"
    assert "张伟" in shown  # who saved first
    assert f"第 {seen_version} 版" in shown
    assert f"第 {seen_version + 1} 版" in shown
    assert grade_label(Grade.III) in shown  # theirs
    assert grade_label(Grade.II) in shown  # yours
    assert "已被他人修改" in b.message
    assert b.grade_combo.currentData() == Grade.II.value  # the choice is kept in the combo
    assert b_ctx.services.incidents.get(seeded.fire).grade is Grade.III  # nothing overwritten
    # Keep editing: the choice stays on top of A's version; one more press saves it.
    b.conflict_keep_button.click()
    assert not b.conflict_box.isVisible()
    settle(qtbot, b_ctx)
    assert b.grade_combo.currentData() == Grade.II.value
    b.grade_button.click()
    qtbot.waitUntil(lambda: b.message.startswith("已定级"), timeout=5_000)
    assert b_ctx.services.incidents.get(seeded.fire).grade is Grade.II
    # Nothing lost: both grades on the timeline and in the audit trail, each with its seat.
    graded = [e for e in b_ctx.services.incidents.timeline(seeded.fire) if e.kind == "graded"]
    assert [(e.actor, e.data["to"]) for e in graded] == [(OPERATOR, "III"), ("lina", "II")]
    with b_ctx.services.db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT actor, seat, after FROM audit WHERE action = 'incident.grade' "
                "AND entity_id = :id ORDER BY id"
            ),
            {"id": str(seeded.fire)},
        ).all()
    assert [(r.actor, r.seat.split("/", 1)[1]) for r in rows] == [
        (OPERATOR, "A席"),
        ("lina", "B席"),
    ]
    assert b_ctx.services.audit.verify().ok


def test_reloading_drops_my_choice_and_shows_theirs(
    qtbot: QtBot, two_seats: tuple[AppContext, AppContext], seeded: Seeded
) -> None:
    a_ctx, b_ctx = two_seats
    a, b = pane(qtbot, a_ctx, seeded.fire), pane(qtbot, b_ctx, seeded.fire)
    a.status_combo.setCurrentIndex(a.status_combo.findData(IncidentStatus.VERIFYING.value))
    a.status_button.click()
    qtbot.waitUntil(lambda: a.message.startswith("状态已改为"), timeout=5_000)
    choose(b, Grade.IV)
    b.grade_button.click()
    qtbot.waitUntil(lambda: b.conflict_box.isVisible(), timeout=5_000)
    assert "核实" in b.conflict_label.text()  # their status, marked as changed
    b.conflict_reload_button.click()
    settle(qtbot, b_ctx)
    theirs = a.incident
    assert theirs is not None
    qtbot.waitUntil(lambda: b.incident is not None and b.incident.version == theirs.version)
    assert not b.conflict_box.isVisible()
    assert b.grade_combo.currentData() == ""  # ungraded, as stored
    assert b_ctx.services.incidents.get(seeded.fire).grade is None
