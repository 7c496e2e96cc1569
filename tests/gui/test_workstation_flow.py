"""The duty officer's core flow through the real main window, as issue 2's acceptance states.

Record a phone report in the intake form, turn it into an incident, grade it Ⅱ, find it on the
board in the grade's colour with its due times, add a log entry, and hand over — the handover
refuses to complete until every open item is acknowledged.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from console.app import AppContext, build_context
from console.domain import Grade, HandoverStatus, IncidentStatus, Role
from console.models.incident_board import IncidentBoardModel
from tests.gui.conftest import settle
from tests.gui.test_intake_form import fill_report, shortcut
from tests.gui.test_main_window import close_window, open_window
from widgets.handover_dialog import HandoverDialog
from widgets.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture(params=["sqlite", "postgresql"])
def flow_ctx(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[AppContext]:
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_server").new_database()
    else:
        url = sqlite_url
    context = build_context(url, operator="zhang", monitor_interval_ms=3_600_000)
    context.services.people.ensure_user("admin", "zhang", "张伟", Role.OFFICER)
    context.services.people.ensure_user("admin", "li", "李娜", Role.OFFICER)
    yield context
    context.close()


def _board_row(model: IncidentBoardModel, incident_id: int) -> int:
    return model.find_row(lambda r: r.incident.id == incident_id)


def test_report_to_incident_to_handover(qtbot: QtBot, flow_ctx: AppContext) -> None:
    ctx = flow_ctx
    window: MainWindow = open_window(qtbot, ctx)
    try:
        # F2: a new phone report, typed in the form and turned into an incident (Ctrl+Enter).
        QTest.keyClick(window, Qt.Key.Key_F2)
        form = window.intake_form
        qtbot.waitUntil(form.is_ready)
        assert window.intake_dock.isVisible()
        fill_report(form, title="伊通河南关段堤防管涌")
        with qtbot.waitSignal(form.incident_created, timeout=10_000) as created:
            shortcut(form, Qt.Key.Key_Return)
        incident = created.args[0]
        assert f"#{incident.id}" in form.status_text()
        assert incident.owner == "zhang"  # 首问负责制: whoever took the report owns it
        # The window selects the new incident and shows it in the detail pane.
        detail = window.detail
        qtbot.waitUntil(
            lambda: detail.incident is not None and detail.incident.id == incident.id,
            timeout=10_000,
        )
        settle(qtbot, ctx)

        # Grade it Ⅱ from the detail pane.
        detail.grade_combo.setCurrentIndex(detail.grade_combo.findData(Grade.II.value))
        detail.grade_button.click()
        qtbot.waitUntil(lambda: detail.grade_badge.text() == "Ⅱ级 重大", timeout=10_000)
        assert detail.message == "已定级：Ⅱ级 重大"

        # On the board, in the grade's colour, with its first-report due time.
        model = window.board_model
        qtbot.waitUntil(
            lambda: (
                _board_row(model, incident.id) >= 0
                and model.row_at(_board_row(model, incident.id)).incident.grade is Grade.II
            ),
            timeout=10_000,
        )
        row = _board_row(model, incident.id)
        view_model = window.board.view.model()
        grade_cell = view_model.index(row, IncidentBoardModel.COL_GRADE)
        assert grade_cell.data(Qt.ItemDataRole.DisplayRole) == "Ⅱ"
        brush = grade_cell.data(Qt.ItemDataRole.BackgroundRole)
        colour = brush.color() if hasattr(brush, "color") else QColor(brush)
        assert colour.name() == QColor(Grade.II.colour).name()  # orange
        due_text = view_model.index(row, IncidentBoardModel.COL_DUE).data()
        assert due_text.startswith("首报")
        due = ctx.services.deadlines.due_for([ctx.services.incidents.get(incident.id)])
        first_due = due[incident.id][0].due_at
        # 35 minutes for grade Ⅱ in the shipped rule set, from the time of the report.
        assert (first_due - incident.received_at).total_seconds() == 35 * 60

        # A log entry linked to the incident.
        pane = window.log_pane
        pane.link_check.setChecked(True)
        pane.entry_edit.setPlainText("已通知南关区防汛指挥部组织抢险")
        with qtbot.waitSignal(pane.entry_added, timeout=10_000):
            pane.add_button.click()
        qtbot.waitUntil(
            lambda: (
                window.log_model.row_at(0) is not None
                and window.log_model.row_at(0).text == "已通知南关区防汛指挥部组织抢险"
            ),
            timeout=10_000,
        )
        assert window.log_model.row_at(0).incident_id == incident.id
        timeline = [e.text for e in ctx.services.incidents.timeline(incident.id)]
        assert any("已通知南关区防汛指挥部" in t for t in timeline)

        # F9: hand over to 李娜; completion is refused until every item is acknowledged.
        QTest.keyClick(window, Qt.Key.Key_F9)
        dialog = window.findChild(HandoverDialog)
        assert isinstance(dialog, HandoverDialog)
        qtbot.waitUntil(dialog.is_ready, timeout=10_000)
        dialog.incoming_combo.setCurrentIndex(dialog.incoming_combo.findData("li"))
        dialog.start()
        qtbot.waitUntil(lambda: dialog.handover() is not None, timeout=10_000)
        handover = dialog.handover()
        assert handover is not None
        kinds = {item.kind.value for item in handover.items}
        assert {"incident", "report"} <= kinds
        assert any(f"#{incident.id}" in item.description for item in handover.items)
        dialog.confirm_edit.setText("li")
        assert not dialog.complete_button.isEnabled()
        assert f"{len(handover.items)}" in dialog.remaining_label.text()
        dialog.complete()  # pressed anyway (e.g. by shortcut): the service refuses
        settle(qtbot, ctx)
        assert "未确认" in dialog.status_text()
        assert ctx.services.handover.get(handover.id).status is HandoverStatus.OPEN
        for item in handover.items[:-1]:
            dialog.acknowledge(item.id)
            settle(qtbot, ctx)
        assert not dialog.complete_button.isEnabled()
        dialog.acknowledge(handover.items[-1].id)
        qtbot.waitUntil(dialog.complete_button.isEnabled, timeout=10_000)
        with qtbot.waitSignal(dialog.handover_completed, timeout=10_000):
            dialog.complete_button.click()
        stored = ctx.services.handover.get(handover.id)
        assert stored.status is HandoverStatus.COMPLETED
        assert all(i.acknowledged_by == "li" for i in stored.items)
        assert ctx.services.incidents.get(incident.id).status is IncidentStatus.REPORTED
        dialog.close()
    finally:
        close_window(qtbot, ctx, window)
