"""The administrator's device settings dialog against a real database, manager and simulators.

What the administrator sees (rows, messages next to fields, reports, test outcomes) and what was
stored and audited; a device added in the dialog is run by the manager against a simulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from console.app import AppContext, build_context
from console.devices import DeviceConfig, DeviceKind, HealthState
from tests.devices.conftest import Sim, SimFactory, sims  # noqa: F401  (the fixture)
from tests.gui.conftest import settle
from widgets.devices.health import GREEN, GREY
from widgets.devices.settings_dialog import DeviceEditorDialog, DeviceSettingsDialog
from widgets.forms import ERROR_COLOUR

pytestmark = pytest.mark.gui

ADMIN = "admin"
DEAD_URL = "socket://127.0.0.1:1"  # nothing listens on port 1: refused at once


@pytest.fixture
def ctx(sqlite_url: str) -> Iterator[AppContext]:
    """A context as the administrator, over an empty database; closed afterwards."""
    context = build_context(sqlite_url, operator=ADMIN, monitor_interval_ms=3_600_000)
    yield context
    context.close()


@pytest.fixture
def dialog(qtbot: QtBot, ctx: AppContext) -> Iterator[DeviceSettingsDialog]:
    d = DeviceSettingsDialog(ctx)
    d.show()
    qtbot.waitUntil(lambda: d.loaded)
    yield d
    # Closed before the context: its reads and writes finish while the dialog still exists.
    settle(qtbot, ctx)
    if d.editor is not None and isValid(d.editor):
        d.editor.close()
    d.close()
    d.deleteLater()
    qtbot.wait(10)


def matrix(name: str, url: str = DEAD_URL, **kw: object) -> DeviceConfig:
    return DeviceConfig(name, DeviceKind.MATRIX, "extron-sis", url, **kw)  # type: ignore[arg-type]


def add(qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog, cfg: DeviceConfig) -> None:
    """Store a device as another seat would; the dialog hears of it on the bus."""
    ctx.services.devices.add("other-seat", cfg)
    qtbot.waitUntil(lambda: cfg.name in dialog.names())


def type_text(widget: QWidget, text: str) -> None:
    """ASCII as key presses; CJK as an input method commits it (QTest cannot type CJK)."""
    ascii_run = ""
    for ch in text + "\0":
        if ch.isascii() and ch != "\0":
            ascii_run += ch
            continue
        if ascii_run:
            QTest.keyClicks(widget, ascii_run)
            ascii_run = ""
        if ch != "\0":
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Replace a field's text by typing, as the administrator would."""
    target: QWidget = widget
    if isinstance(widget, QComboBox):
        edit = widget.lineEdit()
        assert edit is not None
        target = edit
    elif isinstance(widget, QAbstractSpinBox):
        widget.selectAll()
    target.setFocus()
    if isinstance(target, QLineEdit):
        target.selectAll()
        target.del_()
    if isinstance(target, QPlainTextEdit):
        target.clear()
        for i, line in enumerate(text.split("\n")):
            if i:
                qtbot.keyClick(target, Qt.Key.Key_Return)
            type_text(target, line)
        return
    type_text(target, text)


def open_add(qtbot: QtBot, dialog: DeviceSettingsDialog) -> DeviceEditorDialog:
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    editor = dialog.editor
    assert editor is not None
    assert editor.isVisible()
    return editor


def save(qtbot: QtBot, editor: DeviceEditorDialog) -> None:
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


def device_audit(ctx: AppContext) -> list[tuple[str, str]]:
    return [(r.actor, r.action) for r in reversed(ctx.services.audit.latest(50, entity="device"))]


def click_row(qtbot: QtBot, dialog: DeviceSettingsDialog, name: str) -> None:
    row = dialog.names().index(name)
    table = dialog.table
    rect = table.visualRect(table.model().index(row, dialog.COL_NAME))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert dialog.selected() is not None
    assert dialog.selected().name == name  # type: ignore[union-attr]


# --------------------------------------------------------------------------- the list


def test_header_says_it_is_for_the_administrator(dialog: DeviceSettingsDialog) -> None:
    assert dialog.header_label.text() == "设备配置（管理员）"
    assert dialog.windowTitle() == "设备设置"
    assert dialog.empty_label.isVisible()
    assert not dialog.edit_button.isEnabled()
    assert not dialog.delete_button.isEnabled()


def test_add_matrix_via_editor_stores_audits_and_the_manager_connects(
    qtbot: QtBot,
    ctx: AppContext,
    dialog: DeviceSettingsDialog,
    sims: SimFactory,  # noqa: F811
) -> None:
    sim = sims.start("extron-sis", tcp=True, baud=0)
    editor = open_add(qtbot, dialog)
    assert editor.windowTitle() == "添加设备"
    assert editor.url_edit.placeholderText() == "/dev/ttyUSB0、socket://10.1.2.3:23、rfc2217://…"
    type_into(qtbot, editor.name_edit, "hall-matrix")
    assert editor.protocol_combo.currentData() == "extron-sis"
    type_into(qtbot, editor.url_edit, sim.url)
    type_into(qtbot, editor.baud_combo, "19200")
    type_into(qtbot, editor.inputs_spin, "8")
    type_into(qtbot, editor.input_names_edit, "1=主席台摄像机\n2=会商终端")
    type_into(qtbot, editor.output_names_edit, "2=大屏中")
    type_into(qtbot, editor.preset_names_edit, "1=日常值守")
    save(qtbot, editor)
    qtbot.waitUntil(lambda: dialog.names() == ["hall-matrix"])
    assert not isValid(editor) or not editor.isVisible()
    assert "已保存设备 hall-matrix" in dialog.message_label.text()

    [stored] = ctx.services.devices.list()
    assert stored == DeviceConfig(
        "hall-matrix",
        DeviceKind.MATRIX,
        "extron-sis",
        sim.url,
        baud=19200,
        inputs=8,
        input_names={1: "主席台摄像机", 2: "会商终端"},
        output_names={2: "大屏中"},
        preset_names={1: "日常值守"},
    )
    assert device_audit(ctx) == [(ADMIN, "device.add")]
    assert dialog.cell_text("hall-matrix", dialog.COL_LINE) == "19200 8N1"
    assert dialog.cell_text("hall-matrix", dialog.COL_PROTOCOL) == "Extron SIS  [extron-sis]"

    # The manager reconfigured itself from the bus and runs the device against the simulator.
    qtbot.waitUntil(lambda: "hall-matrix" in ctx.devices.names(), timeout=10_000)  # type: ignore[union-attr]
    qtbot.waitUntil(
        lambda: (
            (h := ctx.devices.health("hall-matrix")) is not None  # type: ignore[union-attr]
            and h.state is HealthState.CONNECTED
        ),
        timeout=15_000,
    )
    qtbot.waitUntil(lambda: dialog.dot_colour("hall-matrix") == GREEN)
    assert dialog.cell_text("hall-matrix", dialog.COL_STATE) == "已连接"


def test_invalid_url_and_baud_show_messages_next_to_the_fields_and_store_nothing(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog
) -> None:
    editor = open_add(qtbot, dialog)
    type_into(qtbot, editor.name_edit, "hall-matrix")
    type_into(qtbot, editor.url_edit, "COM3")
    type_into(qtbot, editor.baud_combo, "12345")
    save(qtbot, editor)
    settle(qtbot, ctx)
    url_error = editor.errors.label("url")
    baud_error = editor.errors.label("baud")
    assert url_error.isVisible()
    assert "地址应为串口路径或 socket://HOST:PORT" in url_error.text()
    assert baud_error.isVisible()
    assert "不支持的波特率 (unsupported baud rate) 12345" in baud_error.text()
    assert not editor.errors.label("name").isVisible()
    assert editor.isVisible()
    assert "尚未保存" in editor.message_label.text()
    # The first wrong field in tab order has the focus; what was typed is all still there.
    assert editor.url_edit.hasFocus()
    assert editor.name_edit.text() == "hall-matrix"
    assert editor.baud_combo.currentText() == "12345"
    assert ctx.services.devices.list() == []
    assert device_audit(ctx) == []

    type_into(qtbot, editor.baud_combo, "96OO")
    save(qtbot, editor)
    assert "波特率应为整数" in baud_error.text()

    type_into(qtbot, editor.url_edit, "/dev/ttyUSB0")
    type_into(qtbot, editor.baud_combo, "9600")
    save(qtbot, editor)
    qtbot.waitUntil(lambda: dialog.names() == ["hall-matrix"])
    assert [c.url for c in ctx.services.devices.list()] == ["/dev/ttyUSB0"]


def test_bad_names_lines_are_shown_at_their_field(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog
) -> None:
    editor = open_add(qtbot, dialog)
    type_into(qtbot, editor.name_edit, "m1")
    type_into(qtbot, editor.url_edit, "/dev/ttyUSB0")
    type_into(qtbot, editor.output_names_edit, "1=大屏左\n大屏中")
    save(qtbot, editor)
    label = editor.errors.label("output_names")
    assert label.isVisible()
    assert "第 2 行应为“编号=名称”" in label.text()
    settle(qtbot, ctx)
    assert ctx.services.devices.list() == []


def test_a_taken_name_comes_back_from_the_service_next_to_the_name_field(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog
) -> None:
    add(qtbot, ctx, dialog, matrix("hall-matrix"))
    editor = open_add(qtbot, dialog)
    type_into(qtbot, editor.name_edit, "hall-matrix")
    type_into(qtbot, editor.url_edit, "socket://10.1.2.3:23")
    save(qtbot, editor)
    label = editor.errors.label("name")
    qtbot.waitUntil(label.isVisible)
    assert "已有同名设备" in label.text()
    assert editor.isVisible()
    assert editor.save_button.isEnabled()
    assert editor.url_edit.text() == "socket://10.1.2.3:23"
    assert [c.url for c in ctx.services.devices.list()] == [DEAD_URL]


def test_kind_filters_the_protocols_and_ptz_is_stored(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog
) -> None:
    editor = open_add(qtbot, dialog)
    protocols = [editor.protocol_combo.itemData(i) for i in range(editor.protocol_combo.count())]
    assert protocols == ["extron-sis", "dot", "kramer-p3000", "kramer-p3000-route", "kramer-p2000"]
    editor.kind_combo.setCurrentIndex(editor.kind_combo.findData("ptz"))
    protocols = [editor.protocol_combo.itemData(i) for i in range(editor.protocol_combo.count())]
    assert protocols == ["pelco-d", "pelco-p", "visca"]
    assert not editor.inputs_spin.isEnabled()
    assert not editor.input_names_edit.isEnabled()
    editor.protocol_combo.setCurrentIndex(editor.protocol_combo.findData("pelco-p"))
    type_into(qtbot, editor.name_edit, "大厅摄像机1")
    type_into(qtbot, editor.url_edit, "/dev/ttyUSB1")
    type_into(qtbot, editor.baud_combo, "4800")
    editor.parity_combo.setCurrentIndex(editor.parity_combo.findData("E"))
    editor.stopbits_combo.setCurrentIndex(editor.stopbits_combo.findData(2.0))
    editor.bytesize_combo.setCurrentIndex(editor.bytesize_combo.findData(7))
    editor.rs485_check.setFocus()
    qtbot.keyClick(editor.rs485_check, Qt.Key.Key_Space)
    type_into(qtbot, editor.address_spin, "3")
    type_into(qtbot, editor.timeout_spin, "0.5")
    editor.enabled_check.setFocus()
    qtbot.keyClick(editor.enabled_check, Qt.Key.Key_Space)
    save(qtbot, editor)
    qtbot.waitUntil(lambda: dialog.names() == ["大厅摄像机1"])
    assert ctx.services.devices.list() == [
        DeviceConfig(
            "大厅摄像机1",
            DeviceKind.PTZ,
            "pelco-p",
            "/dev/ttyUSB1",
            baud=4800,
            bytesize=7,
            parity="E",
            stopbits=2,
            rs485=True,
            timeout=0.5,
            address=3,
            enabled=False,
        )
    ]
    assert dialog.cell_text("大厅摄像机1", dialog.COL_LINE) == "4800 7E2 RS-485"
    assert dialog.cell_text("大厅摄像机1", dialog.COL_ENABLED) == "否"


def test_edit_and_rename(qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog) -> None:
    add(qtbot, ctx, dialog, matrix("hall-matrix", output_names={1: "大屏左"}))
    click_row(qtbot, dialog, "hall-matrix")
    qtbot.mouseClick(dialog.edit_button, Qt.MouseButton.LeftButton)
    editor = dialog.editor
    assert editor is not None
    assert editor.windowTitle() == "编辑设备 hall-matrix"
    assert editor.name_edit.text() == "hall-matrix"
    assert editor.url_edit.text() == DEAD_URL
    assert editor.output_names_edit.toPlainText() == "1=大屏左"
    type_into(qtbot, editor.name_edit, "wall-matrix")
    type_into(qtbot, editor.url_edit, "socket://10.1.2.3:23")
    save(qtbot, editor)
    qtbot.waitUntil(lambda: dialog.names() == ["wall-matrix"])
    [stored] = ctx.services.devices.list()
    assert (stored.name, stored.url, dict(stored.output_names)) == (
        "wall-matrix",
        "socket://10.1.2.3:23",
        {1: "大屏左"},
    )
    assert device_audit(ctx)[-1] == (ADMIN, "device.update")
    assert dialog.cell_text("wall-matrix", dialog.COL_URL) == "socket://10.1.2.3:23"


def test_disable_and_the_manager_shows_it_disabled(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog
) -> None:
    assert ctx.devices is not None
    add(qtbot, ctx, dialog, matrix("hall-matrix"))
    qtbot.waitUntil(lambda: "hall-matrix" in ctx.devices.names())  # type: ignore[union-attr]
    click_row(qtbot, dialog, "hall-matrix")
    assert dialog.enable_button.text() == "停用"
    qtbot.mouseClick(dialog.enable_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.cell_text("hall-matrix", dialog.COL_ENABLED) == "否")
    assert "已停用设备 hall-matrix" in dialog.message_label.text()
    assert not ctx.services.devices.get("hall-matrix").enabled
    qtbot.waitUntil(
        lambda: (
            (h := ctx.devices.health("hall-matrix")) is not None  # type: ignore[union-attr]
            and h.state is HealthState.DISABLED
        )
    )
    assert "hall-matrix" not in ctx.devices.names()
    qtbot.waitUntil(lambda: dialog.dot_colour("hall-matrix") == GREY)
    assert dialog.cell_text("hall-matrix", dialog.COL_STATE) == "已停用"
    assert dialog.enable_button.text() == "启用"
    assert device_audit(ctx)[-1] == (ADMIN, "device.disable")

    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert "已停用，启用后才能测试" in dialog.message_label.text()

    qtbot.mouseClick(dialog.enable_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "hall-matrix" in ctx.devices.names())  # type: ignore[union-attr]
    assert device_audit(ctx)[-1] == (ADMIN, "device.enable")


def test_delete_asks_for_confirmation(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog
) -> None:
    assert ctx.devices is not None
    add(qtbot, ctx, dialog, matrix("hall-matrix"))
    add(qtbot, ctx, dialog, matrix("spare"))
    click_row(qtbot, dialog, "hall-matrix")
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    assert dialog.delete_button.text() == "再按一次确认删除"
    settle(qtbot, ctx)
    assert len(ctx.services.devices.list()) == 2
    qtbot.mouseClick(dialog.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.names() == ["spare"])
    assert "已删除设备 hall-matrix" in dialog.message_label.text()
    assert [c.name for c in ctx.services.devices.list()] == ["spare"]
    assert device_audit(ctx)[-1] == (ADMIN, "device.remove")
    qtbot.waitUntil(lambda: ctx.devices.names() == ["spare"])  # type: ignore[union-attr]


# --------------------------------------------------------------------------- TOML


GOOD_AND_BAD = """
[[device]]
name = "hall-matrix"
kind = "matrix"
protocol = "extron-sis"
url = "socket://10.1.2.3:23"
[device.output_names]
1 = "大屏左"

[[device]]
name = "cam-bad"
kind = "ptz"
protocol = "pelco-d"
url = "/dev/ttyUSB0"
baud = 12345
"""


def test_import_stores_the_good_table_and_reports_the_bad_one(
    qtbot: QtBot,
    ctx: AppContext,
    dialog: DeviceSettingsDialog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "devices.toml"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    monkeypatch.setattr(
        "widgets.devices.settings_dialog.QFileDialog.getOpenFileName",
        lambda *a, **k: (str(path), ""),
    )
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_report is not None and dialog.names() == ["hall-matrix"])
    assert [c.name for c in ctx.services.devices.list()] == ["hall-matrix"]
    assert ctx.services.devices.get("hall-matrix").output_names == {1: "大屏左"}
    report = dialog.report_view.toPlainText()
    assert dialog.report_view.isVisible()
    assert "新增 1，更新 0，未变 0，未导入 1" in report
    assert "新增：hall-matrix" in report
    assert "第 2 个 [[device]]（cam-bad）未导入" in report
    assert "不支持的波特率 (unsupported baud rate) 12345" in report
    assert "1 个设备未导入" in dialog.message_label.text()
    assert ERROR_COLOUR in dialog.message_label.styleSheet()
    assert device_audit(ctx) == [(ADMIN, "device.add")]


def test_import_of_no_toml_says_why(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog, tmp_path: Path
) -> None:
    path = tmp_path / "notes.toml"
    path.write_text("这不是 TOML = = =", encoding="utf-8")
    dialog.import_file(str(path))
    qtbot.waitUntil(lambda: "操作失败" in dialog.message_label.text())
    assert "TOML 语法错误" in dialog.message_label.text()
    assert ctx.services.devices.list() == []


def test_export_round_trips(
    qtbot: QtBot,
    ctx: AppContext,
    dialog: DeviceSettingsDialog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configs = [
        matrix("hall-matrix", inputs=8, input_names={1: '主席台 "A"'}, preset_names={2: "会商"}),
        DeviceConfig(
            "cam1", DeviceKind.PTZ, "visca", "/dev/ttyUSB1", baud=38400, rs485=True, enabled=False
        ),
    ]
    for cfg in configs:
        add(qtbot, ctx, dialog, cfg)
    target = tmp_path / "exported"
    monkeypatch.setattr(
        "widgets.devices.settings_dialog.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(target), ""),
    )
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    written = tmp_path / "exported.toml"
    qtbot.waitUntil(lambda: "已导出 2 台设备" in dialog.message_label.text())
    assert written.exists()

    for cfg in configs:
        ctx.services.devices.remove("other-seat", cfg.name)
    qtbot.waitUntil(lambda: dialog.names() == [])
    dialog.import_file(str(written))
    qtbot.waitUntil(lambda: dialog.last_report is not None)
    assert dialog.last_report is not None
    assert sorted(dialog.last_report.added) == ["cam1", "hall-matrix"]
    assert dialog.last_report.ok
    assert ctx.services.devices.list() == sorted(configs, key=lambda c: c.name)


# --------------------------------------------------------------------------- the test button


def test_test_button_against_a_simulator_shows_success(
    qtbot: QtBot,
    ctx: AppContext,
    dialog: DeviceSettingsDialog,
    sims: SimFactory,  # noqa: F811
) -> None:
    sim = sims.start("extron-sis", tcp=True, baud=0)
    add(qtbot, ctx, dialog, matrix("hall-matrix", sim.url, timeout=0.5))
    qtbot.waitUntil(lambda: dialog.dot_colour("hall-matrix") == GREEN, timeout=15_000)
    click_row(qtbot, dialog, "hall-matrix")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "测试成功" in dialog.message_label.text(), timeout=10_000)
    assert "hall-matrix 已读取路由状态（8 路输出）" in dialog.message_label.text()
    actions = [r.action for r in ctx.services.audit.latest(10, entity="device")]
    assert "device.status" in actions


def test_test_button_against_a_dead_url_shows_the_reason(
    qtbot: QtBot, ctx: AppContext, dialog: DeviceSettingsDialog
) -> None:
    add(qtbot, ctx, dialog, matrix("hall-matrix", timeout=0.2))
    qtbot.waitUntil(
        lambda: (
            (h := ctx.devices.health("hall-matrix")) is not None  # type: ignore[union-attr]
            and h.state is HealthState.OFFLINE
        ),
        timeout=10_000,
    )
    click_row(qtbot, dialog, "hall-matrix")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "测试失败" in dialog.message_label.text(), timeout=10_000)
    text = dialog.message_label.text()
    assert "hall-matrix：设备离线，正在重连" in text
    assert "最后错误：设备连接中断" in text or "最后错误：" in text
    assert ERROR_COLOUR in dialog.message_label.styleSheet()


def test_a_ptz_test_sends_stop(
    qtbot: QtBot,
    ctx: AppContext,
    dialog: DeviceSettingsDialog,
    sims: SimFactory,  # noqa: F811
) -> None:
    sim = sims.start("pelco-d", tcp=True, baud=0)
    cfg = DeviceConfig("cam1", DeviceKind.PTZ, "pelco-d", sim.url, timeout=0.5)
    add(qtbot, ctx, dialog, cfg)
    qtbot.waitUntil(lambda: dialog.dot_colour("cam1") == GREEN, timeout=15_000)
    click_row(qtbot, dialog, "cam1")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "测试成功" in dialog.message_label.text(), timeout=10_000)
    assert "cam1 已发送停止命令" in dialog.message_label.text()


# --------------------------------------------------------------------------- the menu


def test_file_menu_opens_the_device_settings(qtbot: QtBot, ctx: AppContext) -> None:
    from tests.gui.test_main_window import close_window, open_window

    window = open_window(qtbot, ctx)
    try:
        action = window.findChild(QAction, "deviceSettingsAction")
        assert isinstance(action, QAction)
        assert action.text() == "设备设置…"
        assert action in window.file_menu.actions()
        action.trigger()
        dialog = window.findChild(DeviceSettingsDialog)
        assert isinstance(dialog, DeviceSettingsDialog)
        assert dialog.isVisible()
        qtbot.waitUntil(lambda: dialog.loaded)
        action.trigger()  # a second time raises the same dialog
        assert window.findChildren(DeviceSettingsDialog) == [dialog]
        dialog.close()
    finally:
        close_window(qtbot, ctx, window)
