"""The 预警 dock: an officer drafts, the leader on duty approves, the officer publishes.

Also: buttons follow role and state, the level colours, CAP export to a file (valid against
the schema) and import with the validation report (refused files are not stored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from console import cap
from console.app import AppContext, build_context
from console.domain.warnings import WarningState
from tests.gui.conftest import settle
from tests.test_warnings import DATA, xsd_valid
from widgets.warnings.pane import WarningsPane

pytestmark = pytest.mark.gui

LEADER = "wangjg"  # the leader on duty in the seeded roster


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


@pytest.fixture
def leader_ctx(sqlite_url: str, ctx: AppContext) -> Iterator[AppContext]:
    """The leader's own seat over the same database."""
    context = build_context(
        sqlite_url, operator=LEADER, monitor_interval_ms=3_600_000, watch=False, devices=False
    )
    yield context
    context.close()


def fill(pane: WarningsPane) -> None:
    pane.level_combo.setCurrentIndex(1)  # 二级（橙色）
    pane.event_edit.setText("暴雨")
    pane.headline_edit.setText("长春市南关区暴雨橙色预警")
    pane.description_edit.setPlainText("预计未来 6 小时降雨量 50 毫米以上。")
    pane.instruction_edit.setPlainText("停止户外作业。")
    pane.audience_edit.setText("社会公众")
    pane.tick_divisions(["220102"])


def open_pane(qtbot: QtBot, ctx: AppContext) -> WarningsPane:
    pane = WarningsPane(ctx)
    qtbot.addWidget(pane)
    qtbot.waitUntil(lambda: pane.division_list.count() > 60)
    settle(qtbot, ctx)
    return pane


def test_draft_approved_by_the_leader_on_duty_then_published(
    qtbot: QtBot, ctx: AppContext, leader_ctx: AppContext, tmp_path: Path
) -> None:
    officer = open_pane(qtbot, ctx)
    assert officer.save_button.isEnabled()
    assert not officer.approve_button.isEnabled()
    fill(officer)
    officer.save_button.click()
    qtbot.waitUntil(lambda: officer.table.rowCount() == 1)
    settle(qtbot, ctx)
    assert cell(officer.table, 0, 0) == "二级（橙色）"
    assert officer.table.item(0, 0).background().color().name() == "#f57c00"  # type: ignore[union-attr]
    assert cell(officer.table, 0, 1) == "草稿"
    assert "草稿" in officer.state_label.text()
    # The officer may not approve; the leader on duty may.
    assert not officer.approve_button.isEnabled()
    assert not officer.publish_button.isEnabled()

    leader = open_pane(qtbot, leader_ctx)
    qtbot.waitUntil(lambda: leader.table.rowCount() == 1)
    leader.table.selectRow(0)
    qtbot.waitUntil(leader.approve_button.isEnabled)
    leader.approve_button.click()
    qtbot.waitUntil(lambda: "已审批" in leader.state_label.text())
    assert f"审批人 {LEADER}" in leader.state_label.text()
    settle(qtbot, leader_ctx)

    officer.reload()
    qtbot.waitUntil(lambda: cell(officer.table, 0, 1) == "已审批")
    qtbot.waitUntil(officer.publish_button.isEnabled)
    assert not officer.approve_button.isEnabled()
    officer.publish_button.click()
    qtbot.waitUntil(lambda: cell(officer.table, 0, 1) == "已发布")
    settle(qtbot, ctx)
    w = ctx.services.warnings.page()[0]
    assert (w.state, w.approved_by, w.area_codes) == (WarningState.PUBLISHED, LEADER, ("220102",))
    # Published: only the leader on duty updates or cancels it.
    assert not officer.update_button.isEnabled()
    assert not officer.cancel_button.isEnabled()
    assert not officer.save_button.isEnabled()

    target = tmp_path / "out.xml"
    officer.export_file(target)
    qtbot.waitUntil(lambda: "已导出" in officer.status_label.text())
    data = target.read_bytes()
    assert xsd_valid(data)
    assert cap.check(data).identifier == w.identifier

    # The leader on duty raises it to red (CAP Update), then cancels it (CAP Cancel).
    leader.reload()
    qtbot.waitUntil(lambda: cell(leader.table, 0, 1) == "已发布")
    leader.table.selectRow(0)
    qtbot.waitUntil(leader.update_button.isEnabled)
    assert leader.cancel_button.isEnabled()
    leader.level_combo.setCurrentIndex(0)
    leader.update_button.click()
    qtbot.waitUntil(lambda: cell(leader.table, 0, 1) == "已更新")
    assert leader.table.item(0, 0).background().color().name() == "#d32f2f"  # type: ignore[union-attr]
    settle(qtbot, leader_ctx)
    qtbot.waitUntil(leader.cancel_button.isEnabled)
    leader.cancel_button.click()
    qtbot.waitUntil(lambda: cell(leader.table, 0, 1) == "已解除")
    settle(qtbot, leader_ctx)
    w = leader_ctx.services.warnings.page()[0]
    assert (w.state, w.level, w.msg_type) == (WarningState.CANCELLED, 1, "Cancel")


def test_validation_messages_show_in_the_editor(qtbot: QtBot, ctx: AppContext) -> None:
    pane = open_pane(qtbot, ctx)
    pane.headline_edit.setText("没有区域")
    pane.event_edit.setText("大风")
    pane.save_button.click()
    qtbot.waitUntil(lambda: "请选择行政区划或绘制区域" in pane.errors_label.text())
    assert ctx.services.warnings.page() == []


def test_import_shows_the_report(qtbot: QtBot, ctx: AppContext) -> None:
    pane = open_pane(qtbot, ctx)
    with qtbot.waitSignal(pane.import_finished):
        pane.import_file(DATA / "negative" / "synthetic_private_without_addresses.cap")
    assert "拒收" in pane.report.toPlainText()
    assert "Private scope needs addresses" in pane.report.toPlainText()
    assert ctx.services.warnings.page() == []
    with qtbot.waitSignal(pane.import_finished):
        pane.import_file(DATA / "examples" / "noaa_wcatwc_tsunami_warning_PAAQ-2-lqw6d6.cap")
    assert "已导入" in pane.report.toPlainText()
    assert "一级（红色）" in pane.report.toPlainText()
    qtbot.waitUntil(lambda: pane.table.rowCount() == 1)
    assert cell(pane.table, 0, 1) == "外来"
    assert pane.table.item(0, 0).background().color().name() == "#d32f2f"  # type: ignore[union-attr]
    pane.table.selectRow(0)
    settle(qtbot, ctx)
    assert not pane.save_button.isEnabled()  # received alerts are read-only
    assert pane.export_button.isEnabled()


def test_strip_shows_warnings_in_force_gravest_first(qtbot: QtBot, ctx: AppContext) -> None:
    from datetime import timedelta

    from console.timeutil import utcnow
    from tests.test_warnings import draft
    from widgets.warnings.strip import ActiveWarningsStrip

    services = ctx.services
    for level, exercise in ((3, False), (1, True)):
        w = services.warnings.create("zhangwei", draft(level=level, exercise=exercise))
        w = services.warnings.approve(LEADER, w.id, w.version)
        services.warnings.publish("zhangwei", w.id, w.version)
    services.warnings.create("zhangwei", draft(level=2))  # a draft is not in force
    blue = services.warnings.create("zhangwei", draft(level=4))
    blue = services.warnings.approve(LEADER, blue.id, blue.version)
    services.warnings.publish("zhangwei", blue.id, blue.version)
    strip = ActiveWarningsStrip(ctx)
    qtbot.addWidget(strip)
    qtbot.waitUntil(lambda: len(strip.chips) == 3)
    texts = [c.text() for c in strip.chips]
    assert texts[0].startswith("【演习】一级 暴雨")
    assert texts[1].startswith("三级 暴雨")
    assert texts[2].startswith("四级 暴雨")
    assert "#d32f2f" in strip.chips[0].styleSheet()
    assert not strip.isHidden()
    # Expiry: a warning whose validity has passed leaves the strip.
    later = utcnow() + timedelta(hours=13)
    assert [w.level for w in services.warnings.active(now=later)] == []
