"""Device errors in the interface's language, and a status bar that reads its alarm in full.

The device layer words its errors bilingually, ``设备连接中断 (connection lost): …``; the audit
trail keeps that whole text, while the window shows only the half in its language. And on a
1366×768 screen the status bar's reporting-alarm chip is never cut: the clock and the database
label give way first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt, QTranslator
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.devices import DeviceConfig, DeviceKind, DeviceManager, HealthState
from console.domain import DueReport, DueState, ReportStage
from console.timeutil import utcnow
from tests.devices.conftest import Sim, SimFactory, sims  # noqa: F401  (the fixture)
from tests.gui.conftest import settle
from widgets import i18n
from widgets.device_text import device_text, split_bilingual
from widgets.devices import DevicesPane, MatrixRoutingGrid
from widgets.devices.health import health_tooltip
from widgets.main_window import MainWindow

ACTOR = "zhangwei"
SCREEN = (1366, 768)

# --------------------------------------------------------------------------- the helper


@pytest.mark.parametrize(
    ("text", "zh", "en"),
    [
        (
            "设备连接中断 (connection lost): /dev/ttyUSB0 (errno 5)",
            "设备连接中断：/dev/ttyUSB0 (errno 5)",
            "connection lost: /dev/ttyUSB0 (errno 5)",
        ),
        (
            "设备报错 [E01] (device error): bad input (see (manual))",
            "设备报错 [E01]：bad input (see (manual))",
            "device error [E01]: bad input (see (manual))",
        ),
        (
            "设备离线，正在重连 (device offline, reconnecting)",
            "设备离线，正在重连",
            "device offline, reconnecting",
        ),
        (
            "排队超时，未执行 (timed out in the queue; not sent)",
            "排队超时，未执行",
            "timed out in the queue; not sent",
        ),
        (
            "程序内部错误，命令未完成 (internal error; command not completed): KeyError: 3",
            "程序内部错误，命令未完成：KeyError: 3",
            "internal error; command not completed: KeyError: 3",
        ),
        ("未配置的设备 (no such device) 'm1'", "未配置的设备 'm1'", "no such device 'm1'"),
        (  # a bilingual detail inside a bilingual error
            "设备连接中断 (connection lost): PBX: 交换机断开 (PBX hung up)",
            "设备连接中断：PBX: 交换机断开",
            "connection lost: PBX: PBX hung up",
        ),
    ],
)
def test_device_text_shows_the_half_of_the_language(text: str, zh: str, en: str) -> None:
    assert split_bilingual(text) == (zh, en)
    assert device_text(text, "zh_CN") == zh
    assert device_text(text, "en") == en


@pytest.mark.parametrize(
    "text",
    [
        "",
        "OSError: [Errno 5] Input/output error (EIO)",  # no Chinese before the brackets
        "上墙失败（大屏左）：超时",  # full-width brackets: already one language
        "设备报错 (设备)",  # Chinese in the brackets: not a translation
        "设备连接中断 (connection lost",  # unbalanced
        "KeyError: 'x'",
    ],
)
def test_device_text_leaves_other_texts_unchanged(text: str) -> None:
    assert split_bilingual(text) is None
    assert device_text(text, "zh_CN") == text
    assert device_text(text, "en") == text


def test_device_text_follows_the_installed_language(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    text = "设备无响应 (no reply in time): 0.5 s"
    assert device_text(text) == "设备无响应：0.5 s"
    translators = i18n.install_translator(app, "en")
    try:
        assert device_text(text) == "no reply in time: 0.5 s"
    finally:
        restore_chinese(app, translators)
    assert device_text(text) == "设备无响应：0.5 s"


def restore_chinese(app: QApplication, translators: list[QTranslator]) -> None:
    for translator in translators:
        app.removeTranslator(translator)
    i18n.install_translator(app, "zh_CN")


# --------------------------------------------------------------------------- a real failure


@pytest.fixture
def audited(ctx: AppContext) -> Iterator[DeviceManager]:
    """A device manager whose commands are audited in the seeded database."""
    mgr = DeviceManager(recorder=ctx.services.devices.record_command)
    yield mgr
    mgr.stop()


@pytest.fixture
def matrix(sims: SimFactory) -> Sim:  # noqa: F811
    return sims.start("extron-sis", tcp=True, baud=0)


def failed_route_reasons(ctx: AppContext) -> list[str]:
    return [
        str(r.after["reason"])
        for r in ctx.services.audit.latest(50, entity="device")
        if r.action == "device.route" and r.after is not None and not r.after["ok"]
    ]


@pytest.mark.gui
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_killed_matrix_reason_is_shown_in_the_language_and_audited_whole(
    qtbot: QtBot, ctx: AppContext, audited: DeviceManager, matrix: Sim, language: str
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install_translator(app, language) if language == "en" else []
    try:
        audited.configure(
            [DeviceConfig("hall-matrix", DeviceKind.MATRIX, "extron-sis", matrix.url, timeout=0.5)]
        )
        pane = DevicesPane(audited, ACTOR)
        qtbot.addWidget(pane)
        pane.resize(900, 600)
        pane.show()
        grid = pane.choose("hall-matrix")
        assert isinstance(grid, MatrixRoutingGrid)
        qtbot.waitUntil(lambda: grid.table.isEnabled(), timeout=15_000)
        matrix.kill()
        table = grid.table
        rect = table.visualRect(table.model().index(4 - 1, 1 - 1))
        left, plain = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        QTest.mouseClick(table.viewport(), left, plain, rect.center())
        qtbot.waitUntil(lambda: grid.banner.isVisible(), timeout=10_000)
        health = audited.health("hall-matrix")
        assert health is not None
        assert health.state is HealthState.OFFLINE
        stored = health.last_error
        assert "设备连接中断" in stored
        assert "(connection lost)" in stored
        banner = grid.banner.text()
        tip = health_tooltip(health)
        if language == "en":
            assert "connection lost" in banner
            assert "设备连接中断" not in banner
            assert "connection lost" in tip
            assert "设备连接中断" not in tip
        else:
            assert "设备连接中断" in banner
            assert "connection lost" not in banner
            assert "设备连接中断" in tip
            assert "connection lost" not in tip
        # The failed route's reason is audited bilingually, as the device layer worded it.
        settle(qtbot, ctx)
        qtbot.waitUntil(lambda: bool(failed_route_reasons(ctx)), timeout=10_000)
        reason = failed_route_reasons(ctx)[0]
        assert "(" in reason
        assert any("\u4e00" <= c <= "\u9fff" for c in reason)
        assert split_bilingual(reason) is not None
        shown = grid.message_label.text()
        assert device_text(reason) in shown
        chinese, english = split_bilingual(reason) or ("", "")
        assert (english if language == "en" else chinese) in shown
        assert (chinese if language == "en" else english) not in shown
    finally:
        if translators:
            restore_chinese(app, translators)


# --------------------------------------------------------------------------- the status bar


def many_alarms() -> list[DueReport]:
    now = utcnow()
    overdue = [
        DueReport(
            100 + i, ReportStage.FIRST, 1, now - timedelta(minutes=i + 1), DueState.OVERDUE, "test"
        )
        for i in range(12)
    ]
    soon = DueReport(200, ReportStage.FIRST, 1, now + timedelta(minutes=5), DueState.SOON, "test")
    return [*overdue, soon]


@pytest.mark.gui
@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_reporting_chip_shows_its_whole_text_at_1366(
    qtbot: QtBot, ctx: AppContext, language: str
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install_translator(app, language) if language == "en" else []
    assert ctx.devices is not None
    # Ten devices, as in the demo: a dot each.
    ctx.devices.configure(
        [
            DeviceConfig(f"hall-camera-{n}", DeviceKind.PTZ, "pelco-d", "loop://", enabled=False)
            for n in range(10)
        ]
    )
    window = MainWindow(ctx)
    try:
        with qtbot.waitSignal(window.layout_restored, timeout=10_000):
            window.show()
        window.resize(*SCREEN)
        ctx.monitor.alarms_changed.emit(many_alarms())
        bar = window.status
        chip = bar.alarm_button
        qtbot.waitUntil(lambda: "12" in chip.text())
        settle(qtbot, ctx)
        qtbot.wait(50)
        assert window.width() <= SCREEN[0]
        # The whole text is painted: the chip is as wide as its text needs.
        assert chip.width() >= chip.sizeHint().width(), (chip.text(), chip.width())
        text = chip.text()
        assert "12" in text
        assert "1" in text
        assert ("overdue" in text) if language == "en" else ("已超时" in text)
        # Whatever gave way says so in its tooltip.
        for label in (bar.clock_label, bar.db_label):
            if label.is_elided():
                assert label.text() in label.toolTip()
    finally:
        settle(qtbot, ctx)
        window.close()
        settle(qtbot, ctx)
        window.deleteLater()
        qtbot.wait(10)
        if translators:
            restore_chinese(app, translators)
