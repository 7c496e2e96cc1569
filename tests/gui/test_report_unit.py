"""系统 → 报送单位…: the administrator sets the reporting unit printed on every report."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from console.app import AppContext
from tests.gui.test_main_window import close_window, open_window

pytestmark = pytest.mark.gui


def _dialog() -> QInputDialog | None:
    for widget in QApplication.topLevelWidgets():
        if (
            isinstance(widget, QInputDialog)
            and widget.objectName() == "reportUnitDialog"
            and widget.isVisible()
        ):
            return widget
    return None


def test_the_system_menu_sets_the_reporting_unit(qtbot: QtBot, ctx: AppContext) -> None:
    window = open_window(qtbot, ctx)
    try:
        action = window.security.report_unit_action
        assert action.isEnabled()  # open mode (no accounts yet): anybody sets the site up
        assert action in window.security.menu.actions()
        action.trigger()
        qtbot.waitUntil(lambda: _dialog() is not None, timeout=10_000)
        dialog = _dialog()
        assert dialog is not None
        assert dialog.textValue() == "应急值守值班室"  # the default, shown for editing
        dialog.setTextValue("吉林市应急管理局总值班室")
        dialog.accept()
        qtbot.waitUntil(
            lambda: ctx.services.reports.unit() == "吉林市应急管理局总值班室", timeout=10_000
        )
        qtbot.waitUntil(lambda: "吉林市应急管理局总值班室" in window.statusBar().currentMessage())
        [record] = ctx.services.audit.latest(1, entity="setting")
        assert record.action == "setting.report_unit"
    finally:
        close_window(qtbot, ctx, window)
