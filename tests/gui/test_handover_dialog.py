"""The handover dialog: nothing completes until the incoming officer acknowledged every item."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.app import AppContext, build_context
from console.domain import HandoverStatus, LogKind, Role
from console.domain.drafts import IncidentDraft
from console.timeutil import utcnow
from widgets.handover_dialog import HandoverDialog

pytestmark = pytest.mark.gui


def _seed(ctx: AppContext) -> None:
    """Zhang is on duty now, Li on the next shift; two open incidents and a pending 批示."""
    people = ctx.services.people
    zhang = people.ensure_user("admin", "zhang", "张伟", Role.OFFICER)
    li = people.ensure_user("admin", "li", "李娜", Role.OFFICER)
    people.ensure_user("admin", "wang", "王强", Role.OFFICER)
    now = utcnow()
    people.add_shift("admin", now - timedelta(hours=4), now + timedelta(hours=4), [zhang.id])
    people.add_shift("admin", now + timedelta(hours=4), now + timedelta(hours=12), [li.id])
    for title, division in (("二道区民房火灾", "220105"), ("九台区道路塌陷", "220113")):
        ctx.services.incidents.create(
            "zhang",
            IncidentDraft(
                title=title,
                category_code="23000",
                occurred_at=now - timedelta(minutes=30),
                division_code=division,
            ),
        )
    ctx.services.instructions.add("zhang", "请持续跟踪塌陷处置进展", "刘副主任")


@pytest.fixture
def ctx(sqlite_url: str) -> Iterator[AppContext]:
    context = build_context(sqlite_url, operator="zhang")
    _seed(context)
    yield context
    context.close()


def _open(qtbot: QtBot, context: AppContext) -> HandoverDialog:
    dialog = HandoverDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(dialog.is_ready)
    return dialog


@pytest.fixture
def dialog(qtbot: QtBot, ctx: AppContext) -> Iterator[HandoverDialog]:
    widget = _open(qtbot, ctx)
    yield widget
    widget.close()


def _start(qtbot: QtBot, dialog: HandoverDialog) -> None:
    QTest.keyClicks(dialog.notes_edit, "fax machine paper low")
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.handover() is not None)


def _acknowledge_next(qtbot: QtBot, dialog: HandoverDialog) -> None:
    handover = dialog.handover()
    assert handover is not None
    left = len(handover.unacknowledged)
    dialog.items_tree.setFocus()
    current = dialog.items_tree.currentItem()
    assert current is not None
    assert current.checkState(0) == Qt.CheckState.Unchecked
    QTest.keyClick(dialog.items_tree, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(dialog.handover().unacknowledged) == left - 1)  # type: ignore[union-attr]


def test_incoming_defaults_to_the_next_shift_and_excludes_self(dialog: HandoverDialog) -> None:
    names = [dialog.incoming_combo.itemData(i) for i in range(dialog.incoming_combo.count())]
    assert "zhang" not in names
    assert set(names) == {"li", "wang"}
    assert dialog.incoming_combo.currentData() == "li"
    assert "（zhang）" in dialog.outgoing_label.text()


def test_handover_refuses_completion_until_every_item_is_acknowledged(
    qtbot: QtBot, db_url: str
) -> None:
    ctx = build_context(db_url, operator="zhang")
    _seed(ctx)
    dialog = _open(qtbot, ctx)
    try:
        _start(qtbot, dialog)
        handover = dialog.handover()
        assert handover is not None
        total = len(handover.items)
        assert total >= 3  # two incidents, their first reports owed, one instruction
        groups = dialog.group_texts()
        assert groups[0].startswith("事件（0/2）")
        assert groups[1].startswith("待报送（0/")
        assert groups[2] == "待办批示（0/1）"
        assert dialog.remaining_label.text() == f"还有 {total} 项未确认"
        assert not dialog.complete_button.isEnabled()

        # The incoming officer confirms who they are, then checks items with the keyboard.
        QTest.keyClicks(dialog.confirm_edit, "li")
        _acknowledge_next(qtbot, dialog)
        assert dialog.remaining_label.text() == f"还有 {total - 1} 项未确认"
        assert not dialog.complete_button.isEnabled()

        # Forcing completion anyway: the service refuses and the dialog says why.
        dialog.complete()
        qtbot.waitUntil(lambda: "不能完成交接" in dialog.status_text())
        assert dialog.status_text() == f"还有 {total - 1} 项未确认，不能完成交接"
        assert ctx.services.handover.get(handover.id).status is HandoverStatus.OPEN

        while dialog.handover().unacknowledged:  # type: ignore[union-attr]
            _acknowledge_next(qtbot, dialog)
        assert dialog.remaining_label.text() == f"全部 {total} 项已确认"
        assert dialog.complete_button.isEnabled()

        with qtbot.waitSignal(dialog.handover_completed, timeout=10_000):
            dialog.complete_button.click()
        assert "交接班完成" in dialog.summary_label.text()
        assert f"共 {total} 项" in dialog.summary_label.text()
        assert "李娜（li）" in dialog.summary_label.text()

        stored = ctx.services.handover.get(handover.id)
        assert stored.status is HandoverStatus.COMPLETED
        assert stored.completed_at is not None
        assert stored.outgoing == "zhang"
        assert stored.incoming == "li"
        assert stored.notes == "fax machine paper low"
        assert len(stored.items) == total
        assert all(i.acknowledged_by == "li" and i.acknowledged_at for i in stored.items)
        assert any(e.kind is LogKind.HANDOVER for e in ctx.services.log.page())

        QTest.keyClick(dialog, Qt.Key.Key_Return)  # the default button closes the summary
        assert not dialog.isVisible()
    finally:
        dialog.close()
        ctx.close()


def test_only_the_incoming_officer_can_acknowledge(
    qtbot: QtBot, dialog: HandoverDialog, ctx: AppContext
) -> None:
    _start(qtbot, dialog)
    QTest.keyClicks(dialog.confirm_edit, "wang")
    dialog.items_tree.setFocus()
    QTest.keyClick(dialog.items_tree, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "只有接班人" in dialog.status_text())
    assert dialog.status_text() == "只有接班人 li 可以确认交接事项"
    handover = dialog.handover()
    assert handover is not None
    qtbot.waitUntil(
        lambda: all(
            dialog.item_node(i.id).checkState(0) == Qt.CheckState.Unchecked  # type: ignore[union-attr]
            for i in handover.items
        )
    )
    assert all(i.acknowledged_at is None for i in ctx.services.handover.get(handover.id).items)


def test_checking_before_confirming_identity_asks_for_it(
    qtbot: QtBot, dialog: HandoverDialog
) -> None:
    _start(qtbot, dialog)
    dialog.items_tree.setFocus()
    QTest.keyClick(dialog.items_tree, Qt.Key.Key_Space)
    assert dialog.errors.label("actor").text() == "请接班人先在此输入本人用户名"
    assert QApplication.focusWidget() is dialog.confirm_edit
    current = dialog.items_tree.currentItem()
    assert current is not None
    assert current.checkState(0) == Qt.CheckState.Unchecked


def test_an_open_handover_is_resumed(qtbot: QtBot, ctx: AppContext) -> None:
    started = ctx.services.handover.start("zhang", "li", "")
    dialog = _open(qtbot, ctx)
    try:
        handover = dialog.handover()
        assert handover is not None
        assert handover.id == started.id
        assert "交接班 #" in dialog.header_label.text()
        assert dialog.items_tree.isVisible()
    finally:
        dialog.close()


def test_cancel_needs_a_second_press_and_drops_the_handover(
    qtbot: QtBot, dialog: HandoverDialog, ctx: AppContext
) -> None:
    _start(qtbot, dialog)
    dialog.cancel_button.click()
    assert dialog.cancel_button.text() == "再按一次取消交接"
    assert ctx.services.handover.open_handover() is not None
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: dialog.handover() is None and dialog.status_text() == "交接已取消")
    assert ctx.services.handover.open_handover() is None
    assert dialog.start_button.isVisible()


def test_naming_nobody_is_refused_next_to_the_field(
    qtbot: QtBot, dialog: HandoverDialog, ctx: AppContext
) -> None:
    dialog.incoming_combo.clear()
    dialog.incoming_combo.addItem("—", "")
    dialog.start_button.setEnabled(True)
    dialog.start_button.click()
    qtbot.waitUntil(lambda: dialog.errors.label("incoming").text() != "")
    assert dialog.errors.label("incoming").text() == "必填"
    assert ctx.services.handover.open_handover() is None
