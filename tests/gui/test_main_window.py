"""The main window driven as a duty officer would: docks, menus, detail, log, layout, language."""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDockWidget
from pytestqt.qtbot import QtBot

from console.app import AppContext, build_context
from console.domain import DueReport, DueState, Grade, ReportStage
from console.models.duty_log import DutyLogModel
from console.models.incident_board import IncidentBoardModel
from console.timeutil import utcnow
from tests._core import incident_draft
from tests._services import run_with_timeout
from tests.gui.conftest import OPERATOR, Seeded, seed, settle
from widgets import i18n
from widgets.main_window import MainWindow

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "duty_console_en.ts"
QM = ROOT / "resources" / "i18n" / "duty_console_en.qm"
LRELEASE = Path(sys.executable).parent / "pyside6-lrelease"  # of the environment running us


def open_window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    """Show a main window and wait until its layout is restored and the board filled."""
    window = MainWindow(ctx)  # closed by close_window: qtbot would delete it before settling
    with qtbot.waitSignal(window.layout_restored, timeout=10_000):
        window.show()
    qtbot.waitUntil(lambda: window.board.first_page_loaded, timeout=10_000)
    return window


def close_window(qtbot: QtBot, ctx: AppContext, window: MainWindow) -> None:
    """Close the window once its background reads are done, and let its layout save land."""
    settle(qtbot, ctx)
    window.close()
    settle(qtbot, ctx)
    window.deleteLater()
    qtbot.wait(10)


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    win = open_window(qtbot, ctx)
    yield win
    close_window(qtbot, ctx, win)


def log_texts(window: MainWindow) -> list[str]:
    proxy = window.log_pane.proxy
    return [proxy.index(r, DutyLogModel.COL_TEXT).data() for r in range(proxy.rowCount())]


def test_title_docks_and_menus(window: MainWindow) -> None:
    assert window.windowTitle() == "应急值守指挥台 — 张伟"
    docks = {d.objectName(): d.windowTitle() for d in window.findChildren(QDockWidget)}
    assert docks == {
        "intakeDock": "接报",
        "detailDock": "事件详情",
        "dutyLogDock": "值班日志",
        "faxDock": "传真",
        "mapDock": "地图",
        "videoDock": "视频",
        "monitoringDock": "监测",
        "warningsDock": "预警",
        "devicesDock": "设备",
        "dispatchDock": "调度",
    }
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == [
        "文件(&F)",
        "值班(&D)",
        "数据(&A)",
        "视图(&V)",
        "语言(&L)",
        "系统(&S)",  # accounts: widgets/security_ui.py
        "帮助(&H)",
    ]
    assert window.new_intake_action.shortcut().toString() == "F2"
    assert window.handover_action.shortcut().toString() == "F9"
    assert window.refresh_action.shortcut().toString() == "F5"
    header = window.board.proxy.headerData(IncidentBoardModel.COL_GRADE, Qt.Orientation.Horizontal)
    assert header == "等级"


def test_demo_title(qtbot: QtBot, ctx: AppContext) -> None:
    ctx.demo = True
    win = open_window(qtbot, ctx)
    assert win.windowTitle().startswith("【演示】")
    close_window(qtbot, ctx, win)


def test_status_bar_shows_shift_device_database_and_clock(qtbot: QtBot, window: MainWindow) -> None:
    status = window.status
    qtbot.waitUntil(lambda: "王建国" in status.shift_label.text())
    assert status.shift_label.text() == "值班员：张伟、李娜　带班领导：王建国"
    assert status.device_label.text() == "设备：未配置设备"
    assert status.db_label.text() == "数据库：SQLite"
    assert status.clock_label.text().startswith("北京时间 20")
    assert len(status.clock_label.text()) == len("北京时间 2026-11-29 19:05:03")


def test_first_incident_shown_in_detail(qtbot: QtBot, window: MainWindow, seeded: Seeded) -> None:
    qtbot.waitUntil(lambda: window.detail.incident_id == seeded.blast)
    qtbot.waitUntil(lambda: window.detail.title_label.text().endswith("长春市南关区居民楼燃气爆炸"))
    assert window.detail.grade_badge.text() == "Ⅱ级 重大"
    assert Grade.II.colour in window.detail.grade_badge.styleSheet()
    assert window.detail.casualties_value.text() == "死亡 1，受伤 2，失踪 0，被困 0"


def test_grade_change_in_detail_recolours_board(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    window.show_incident(seeded.fire)
    detail = window.detail
    qtbot.waitUntil(lambda: detail.title_label.text().endswith("延吉市山林火情"))
    detail.grade_combo.setCurrentIndex(detail.grade_combo.findData("II"))
    qtbot.mouseClick(detail.grade_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.grade_badge.text() == "Ⅱ级 重大")
    assert detail.message == "已定级：Ⅱ级 重大"
    board = window.board

    def fire_grade_colour() -> object:
        row = board._model.find_row(lambda r: r.incident.id == seeded.fire)
        index = board.proxy.index(row, IncidentBoardModel.COL_GRADE)
        return index.data(Qt.ItemDataRole.BackgroundRole)

    qtbot.waitUntil(
        lambda: (
            fire_grade_colour() == Grade.II.colour
            or (fire_grade_colour() is not None and fire_grade_colour().name() == Grade.II.colour)
        )
    )
    timeline = [detail.timeline_list.item(i).text() for i in range(detail.timeline_list.count())]
    assert any("定级：未定级 → Ⅱ级 重大" in t for t in timeline)


def test_stale_version_conflict_shown_inline(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, seeded: Seeded
) -> None:
    window.show_incident(seeded.leak)
    detail = window.detail
    qtbot.waitUntil(lambda: detail.title_label.text().endswith("四平市铁西区化工厂泄漏"))
    # Somebody at another seat changes the incident behind the pane's back.
    ctx.services.incidents.set_owner("lina", seeded.leak, "lina")
    detail.status_combo.setCurrentIndex(detail.status_combo.findData("verifying"))
    qtbot.mouseClick(detail.status_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已被他人修改" in detail.message)
    assert detail.message_label.styleSheet() == "color: #c62828;"


def test_record_report_sent_for_next_stage(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    window.show_incident(seeded.river)
    detail = window.detail
    qtbot.waitUntil(lambda: detail.title_label.text().endswith("松花江水位超警戒"))
    assert detail.record_button.text() == "记录报送：首报"
    first = detail.due_tree.topLevelItem(0)
    assert (first.text(0), first.text(2)) == ("首报", "已超时")
    qtbot.mouseClick(detail.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: detail.record_button.text() == "记录报送：续报1")
    states = [
        detail.due_tree.topLevelItem(i).text(2) for i in range(detail.due_tree.topLevelItemCount())
    ]
    assert states == ["已报", "待报"]


def test_log_entry_on_top_and_correction_strikes_old(
    qtbot: QtBot, window: MainWindow, seeded: Seeded
) -> None:
    pane = window.log_pane
    qtbot.waitUntil(lambda: window.detail.incident_id is not None)
    pane.entry_edit.setPlainText("19:10 省气象台发布暴雨蓝色预警")
    pane.link_check.setChecked(True)
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: log_texts(window)[:1] == ["19:10 省气象台发布暴雨蓝色预警"])
    top = pane.proxy.index(0, DutyLogModel.COL_INCIDENT)
    assert top.data() == f"#{window.detail.incident_id}"
    assert pane.entry_edit.toPlainText() == ""
    assert pane.message_label.text() == "已记录"

    pane.view.selectRow(0)
    qtbot.mouseClick(pane.correct_button, Qt.MouseButton.LeftButton)
    assert pane.entry_edit.toPlainText() == "19:10 省气象台发布暴雨蓝色预警"
    pane.entry_edit.setPlainText("19:10 省气象台发布暴雨黄色预警")
    qtbot.keyClick(pane.entry_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(log_texts(window)) >= 2 and "黄色" in log_texts(window)[0])
    assert log_texts(window)[0].startswith("[更正 #")
    old = pane.proxy.index(1, DutyLogModel.COL_TEXT)
    assert old.data() == "19:10 省气象台发布暴雨蓝色预警"
    font = old.data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont)
    assert font.strikeOut()
    new_font = pane.proxy.index(0, DutyLogModel.COL_TEXT).data(Qt.ItemDataRole.FontRole)
    assert new_font is None or not new_font.strikeOut()


def test_empty_log_entry_refused_inline(qtbot: QtBot, window: MainWindow) -> None:
    pane = window.log_pane
    qtbot.mouseClick(pane.add_button, Qt.MouseButton.LeftButton)
    assert pane.message_label.text() == "请先输入日志内容"
    assert pane.message_label.isVisible()


def test_f2_opens_intake_dock(qtbot: QtBot, window: MainWindow) -> None:
    window.intake_dock.hide()
    window.new_intake_action.trigger()
    assert window.intake_dock.isVisible()


def test_incident_created_by_intake_is_selected_and_shown(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    incident = ctx.services.incidents.create(ctx.actor, incident_draft(title="伊通河堤防管涌"))
    window.intake_form.incident_created.emit(incident)
    qtbot.waitUntil(lambda: window.detail.title_label.text().endswith("伊通河堤防管涌"))

    def current_title() -> object:
        current = window.board.view.currentIndex()
        return current.siblingAtColumn(IncidentBoardModel.COL_TITLE).data()

    qtbot.waitUntil(lambda: current_title() == "伊通河堤防管涌")
    assert window.board.selected_id == incident.id


def test_alarms_raise_banner_and_status_indicator(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, seeded: Seeded
) -> None:
    ctx.monitor.check_now()
    qtbot.waitUntil(window.banner.isVisible)
    alarms = window.status.alarms
    overdue = [a for a in alarms if a.state is DueState.OVERDUE]
    assert {a.incident_id for a in overdue} >= {seeded.river}
    assert "项已超时" in window.banner.label.text()
    assert window.status.alarm_button.text().startswith("报送提醒：已超时")
    assert "#d32f2f" in window.status.alarm_button.styleSheet()
    qtbot.waitUntil(lambda: len(window.status.alarm_menu.actions()) == len(alarms))
    action = next(a for a in window.status.alarm_menu.actions() if a.data() == seeded.river)
    action.trigger()
    qtbot.waitUntil(lambda: window.detail.incident_id == seeded.river)
    qtbot.mouseClick(window.banner.close_button, Qt.MouseButton.LeftButton)
    assert not window.banner.isVisible()


# Hiding the log brings the map tab behind it forward, which loads the map: its first web view
# probes the GPU, and the offscreen platform has no OpenGL or Vulkan (software rendering is used).
@pytest.mark.qt_log_ignore(
    r"QRhiGles2: Failed to create (temporary )?context",
    r"Failed to create RHI for backend: OpenGL",
    r"This plugin does not support createPlatformVulkanInstance",
    r"QVulkanInstance: Failed to initialize Vulkan",
    r"GBM is not supported with the current configuration",
    r"GPUInfo not initialized on GpuInfoUpdate",
)
def test_layout_restored_after_reopening(qtbot: QtBot, ctx: AppContext) -> None:
    first = open_window(qtbot, ctx)
    first.log_dock.hide()
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, first.detail_dock)
    close_window(qtbot, ctx, first)
    second = open_window(qtbot, ctx)
    assert second.log_dock.isHidden()
    assert second.dockWidgetArea(second.detail_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    second.reset_layout_action.trigger()
    assert not second.log_dock.isHidden()
    assert second.dockWidgetArea(second.detail_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    close_window(qtbot, ctx, second)


def test_language_menu_remembers_choice(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    window.language_actions["en"].trigger()
    settle(qtbot, ctx)
    key = ctx.services.settings.user_key(OPERATOR, i18n.SETTING)
    assert ctx.services.settings.get(key) == "en"
    assert "重新启动" in window.statusBar().currentMessage()


def test_english_labels_after_switching_language(qtbot: QtBot, ctx: AppContext) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install_translator(app, "en")
    try:
        win = open_window(qtbot, ctx)
        menus = [a.text() for a in win.menuBar().actions()]
        assert menus == ["&File", "&Duty", "&Data", "&View", "&Language", "&System", "&Help"]
        assert win.windowTitle() == "Duty Console — 张伟"
        assert win.log_dock.windowTitle() == "Duty log"
        header = win.board.proxy.headerData(IncidentBoardModel.COL_GRADE, Qt.Orientation.Horizontal)
        assert header == "Grade"
        qtbot.waitUntil(lambda: win.board.count_label.text() == "4 incidents")
        close_window(qtbot, ctx, win)
    finally:
        for translator in translators:
            app.removeTranslator(translator)
        i18n.install_translator(app, "zh_CN")


def test_committed_qm_matches_ts(tmp_path: Path) -> None:
    if not LRELEASE.exists():
        found = shutil.which("pyside6-lrelease")
        if found is None:
            pytest.skip("pyside6-lrelease not installed")
        lrelease = Path(found)
    else:
        lrelease = LRELEASE
    fresh = tmp_path / "fresh.qm"
    subprocess.run([str(lrelease), "-silent", str(TS), "-qm", str(fresh)], check=True, timeout=60)
    assert filecmp.cmp(fresh, QM, shallow=False), (
        "resources/i18n/duty_console_en.qm is stale: run installer/data/update_translations.py"
    )


def test_run_gui_reports_bad_database(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from widgets.app import EXIT_DATABASE, run_gui

    bad = tmp_path / "not-a-database.sqlite"
    bad.write_bytes(b"this is not an SQLite file" * 100)
    args = argparse.Namespace(db=f"sqlite:///{bad}", demo=False, operator=None, lang=None)
    assert run_gui(args) == EXIT_DATABASE
    err = capsys.readouterr().err
    assert err.startswith("duty-console: ")
    assert "Traceback" not in err
    assert bad.read_bytes() == b"this is not an SQLite file" * 100


def test_run_gui_writes_screenshot(tmp_path: Path) -> None:
    from widgets.app import run_gui

    url = f"sqlite:///{tmp_path / 'shot.sqlite'}"
    seed(url)
    target = tmp_path / "window.png"
    args = argparse.Namespace(
        db=url, demo=False, operator=OPERATOR, lang=None, screenshot=str(target)
    )
    assert run_gui(args) == 0
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000


def test_build_context_for_second_window(sqlite_url: str, seeded: Seeded) -> None:
    # Two contexts on one database (two seats) can both open: the settings table is shared.
    other = build_context(sqlite_url, operator="lina", monitor_interval_ms=3_600_000)
    try:
        assert other.operator.display_name == "李娜"
    finally:
        other.close()


def test_f9_opens_one_handover_dialog(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    from widgets.handover_dialog import HandoverDialog

    window.handover_action.trigger()
    dialog = window.findChild(HandoverDialog)
    assert isinstance(dialog, HandoverDialog)
    qtbot.waitUntil(dialog.isVisible)
    window.handover_action.trigger()  # F9 again brings the same dialog back, not a second one
    assert len(window.findChildren(HandoverDialog)) == 1
    settle(qtbot, ctx)
    dialog.reject()
    qtbot.waitUntil(lambda: not window.findChildren(HandoverDialog))


@pytest.mark.slow
def test_demo_screenshot_under_xvfb(xvfb: str, tmp_path: Path) -> None:
    """The README's picture: the real program, demo data, an X server, a PNG of the window."""
    program = Path(sys.executable).parent / "duty-console"
    if not program.exists():
        pytest.skip("duty-console is not installed in this environment")
    target = tmp_path / "main_window.png"
    env = {
        **os.environ,
        "DISPLAY": xvfb,
        "QT_QPA_PLATFORM": "xcb",
        "XDG_DATA_HOME": str(tmp_path / "data"),  # a fresh demo database, not the user's
    }
    result = run_with_timeout(
        [program, "--demo", "--screenshot", target], 120, check=False, env=env
    )
    assert result.returncode == 0, result.stderr
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a painted window with text, not a blank frame
    out_dir = os.environ.get("DUTY_CONSOLE_SCREENSHOT_DIR")
    if out_dir:
        shutil.copy(target, Path(out_dir) / target.name)


def test_ctrl_f_focuses_board_search(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    window.find_action.trigger()
    assert window.board.search_edit.hasFocus() or window.focusWidget() is window.board.search_edit


def test_crash_handler_logs_and_stops(caplog: pytest.LogCaptureFixture) -> None:
    from widgets.app import CrashHandler

    handler = CrashHandler()
    try:
        raise ValueError("boom")
    except ValueError as exc:
        with caplog.at_level("CRITICAL"):
            handler(type(exc), exc, exc.__traceback__)
    assert handler.crashed
    assert "unhandled error" in caplog.text
    assert "ValueError: boom" in caplog.text


def test_every_committed_message_is_translated() -> None:
    import xml.etree.ElementTree as ET

    untranslated = []
    for message in ET.parse(TS).getroot().iter("message"):
        translation = message.find("translation")
        assert translation is not None
        if translation.get("type") == "unfinished" or not (translation.text or "").strip():
            untranslated.append(message.findtext("source"))
    assert untranslated == []


def test_double_click_on_linked_log_entry_opens_incident(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, seeded: Seeded
) -> None:
    ctx.services.log.add(ctx.actor, "松花江水位复测", incident_id=seeded.river)
    pane = window.log_pane
    qtbot.waitUntil(lambda: log_texts(window)[:1] == ["松花江水位复测"])
    index = pane.proxy.index(0, DutyLogModel.COL_TEXT)
    rect = pane.view.visualRect(index)
    # A view only honours a double click on the index the first click pressed.
    qtbot.mouseClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(pane.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: window.detail.incident_id == seeded.river)


def test_window_on_both_databases(qtbot: QtBot, db_url: str) -> None:
    seeded = seed(db_url)
    ctx = build_context(db_url, operator=OPERATOR, monitor_interval_ms=3_600_000)
    try:
        win = open_window(qtbot, ctx)
        qtbot.waitUntil(lambda: win.board.count_label.text() == f"共 {seeded.open_count} 起")
        expected = "PostgreSQL" if db_url.startswith("postgresql") else "SQLite"
        assert win.status.db_label.text() == f"数据库：{expected}"
        win.log_pane.entry_edit.setPlainText("数据库切换演练")
        qtbot.mouseClick(win.log_pane.add_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: log_texts(win)[:1] == ["数据库切换演练"])
        close_window(qtbot, ctx, win)
    finally:
        ctx.close()


def test_language_from_flag_else_remembered(qtbot: QtBot, ctx: AppContext) -> None:
    from widgets.app import _language

    assert _language(ctx, None) == "zh_CN"  # nothing stored yet: Chinese
    key = ctx.services.settings.user_key(OPERATOR, i18n.SETTING)
    ctx.services.settings.put(key, "en")
    assert _language(ctx, None) == "en"  # remembered
    assert _language(ctx, "zh_CN") == "zh_CN"  # --lang wins
    settle(qtbot, ctx)


def log_authors(window: MainWindow) -> list[str]:
    proxy = window.log_pane.proxy
    return [proxy.index(r, DutyLogModel.COL_AUTHOR).data() for r in range(proxy.rowCount())]


def timeline_texts(window: MainWindow) -> list[str]:
    timeline = window.detail.timeline_list
    return [timeline.item(i).text() for i in range(timeline.count())]


def test_automatic_entries_signed_by_system_in_log_and_timeline(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, seeded: Seeded
) -> None:
    ctx.monitor.check_now()  # the overdue river report writes an alarm as the system
    qtbot.waitUntil(lambda: "系统" in log_authors(window))
    assert "system" not in log_authors(window)
    window.show_incident(seeded.river)
    qtbot.waitUntil(lambda: any("  系统\n" in t for t in timeline_texts(window)))
    assert not any("  system\n" in t for t in timeline_texts(window))


def _alarm(incident_id: int, state: DueState) -> DueReport:
    return DueReport(incident_id, ReportStage.FIRST, 1, utcnow(), state, "test rules")


def test_banner_flashes_only_for_new_alarms(qtbot: QtBot, window: MainWindow) -> None:
    banner = window.banner
    soon = [_alarm(1, DueState.SOON)]
    banner.show_alarms(soon)
    assert banner.isVisible()
    assert banner.flashing
    qtbot.waitUntil(lambda: not banner.flashing, timeout=10_000)
    banner.show_alarms(soon)  # the next 30-second check finds the same alarm
    assert not banner.flashing
    assert banner.isVisible()
    assert banner.label.text() == "报送提醒：0 项已超时，1 项即将到期。请及时报送。"
    overdue = [_alarm(1, DueState.OVERDUE)]
    banner.show_alarms(overdue)  # soon due became overdue: that is news
    assert banner.flashing
    assert banner.label.text() == "报送提醒：1 项已超时，0 项即将到期。请及时报送。"
    qtbot.mouseClick(banner.close_button, Qt.MouseButton.LeftButton)
    banner.show_alarms(overdue)
    assert not banner.isVisible()  # dismissed, nothing new
    banner.show_alarms([*overdue, _alarm(2, DueState.SOON)])
    assert banner.isVisible()
    assert banner.flashing
    banner.show_alarms([])
    assert not banner.isVisible()


def test_status_indicator_follows_every_check(qtbot: QtBot, window: MainWindow) -> None:
    window.ctx.monitor.alarms_changed.emit([_alarm(1, DueState.SOON)])
    button = window.status.alarm_button
    assert button.text() == "报送提醒：已超时 0 · 即将到期 1"
    qtbot.mouseClick(window.banner.close_button, Qt.MouseButton.LeftButton)
    window.ctx.monitor.alarms_changed.emit([_alarm(1, DueState.OVERDUE)])
    assert button.text() == "报送提醒：已超时 1 · 即将到期 0"
    assert "#d32f2f" in button.styleSheet()
    window.ctx.monitor.alarms_changed.emit([])
    assert button.text() == "报送提醒：无"
    settle(qtbot, window.ctx)


def _layout_shares(window: MainWindow) -> tuple[float, int, int, int]:
    title = window.board.view.columnWidth(IncidentBoardModel.COL_TITLE)
    return (
        window.log_dock.height() / window.height(),
        window.intake_dock.width(),
        window.detail_dock.width(),
        title,
    )


def test_default_layout_gives_log_a_third_and_board_title_room(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert (window.width(), window.height()) == (1600, 900)
    log_share, intake, detail, title = _layout_shares(window)
    assert 0.28 <= log_share <= 0.40
    assert 320 <= intake <= 380
    assert 300 <= detail <= 360
    assert title >= 220  # about 16 Chinese characters of the incident title
    log_view = window.log_pane.view
    rows = log_view.viewport().height() // log_view.verticalHeader().defaultSectionSize()
    assert rows >= 7

    window.resizeDocks([window.log_dock], [120], Qt.Orientation.Vertical)
    window.resizeDocks([window.intake_dock], [500], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: window.log_dock.height() < 200)
    window.reset_layout_action.trigger()
    qtbot.waitUntil(lambda: window.log_dock.height() / window.height() >= 0.28)
    reset = _layout_shares(window)
    assert abs(reset[0] - log_share) < 0.02
    assert abs(reset[1] - intake) <= 4
    assert abs(reset[2] - detail) <= 4


def test_english_window_shows_english_categories_and_areas(
    qtbot: QtBot, ctx: AppContext, seeded: Seeded
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install_translator(app, "en")
    ctx.services.reference.set_language("en")
    try:
        win = open_window(qtbot, ctx)
        docks = {d.objectName(): d.windowTitle() for d in win.findChildren(QDockWidget)}
        assert docks == {
            "intakeDock": "Intake",
            "detailDock": "Incident detail",
            "dutyLogDock": "Duty log",
            "faxDock": "Fax",
            "mapDock": "Map",
            "videoDock": "Video",
            "monitoringDock": "Monitoring",
            "warningsDock": "Warnings",
            "devicesDock": "Devices",
            "dispatchDock": "Dispatch",
        }
        board = win.board
        qtbot.waitUntil(lambda: board.proxy.rowCount() == seeded.open_count)
        row = board._model.find_row(lambda r: r.incident.id == seeded.blast)
        category = board.proxy.index(row, IncidentBoardModel.COL_CATEGORY).data()
        area = board.proxy.index(row, IncidentBoardModel.COL_AREA).data()
        assert category == "Public facility and equipment accident"
        assert area == "Changchun Shi Nanguan Qu"
        qtbot.waitUntil(lambda: board.category_combo.count() > 1)
        combo_texts = [board.category_combo.itemText(i) for i in range(4)]
        assert combo_texts[:2] == ["All categories", "Natural disaster"]
        areas = [board.area_combo.itemText(i) for i in range(board.area_combo.count())]
        assert "Changchun Shi" in areas
        win.show_incident(seeded.river)
        qtbot.waitUntil(lambda: win.detail.category_value.text() == "Flood and drought")
        assert win.detail.area_value.text().startswith("Jilin Shi Fengman Qu")
        form = win.intake_form
        qtbot.waitUntil(form.is_ready)
        assert form.category_combo.itemText(1) == "Natural disaster"
        assert form.prefecture_combo.itemText(1) == "Changchun Shi"
        # The English labels fit the intake dock: no sideways scrolling to reach a field.
        assert not form._scroll.horizontalScrollBar().isVisible()
        close_window(qtbot, ctx, win)
    finally:
        ctx.services.reference.set_language("zh")
        for translator in translators:
            app.removeTranslator(translator)
        i18n.install_translator(app, "zh_CN")


def test_log_pane_explains_why_it_is_empty(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    pane = window.log_pane
    qtbot.waitUntil(lambda: pane.empty_label.isVisible())  # a new database: no entries yet
    assert pane.empty_label.text() == "还没有值班日志：在下方输入，Ctrl+Enter 记录"
    ctx.services.log.add(ctx.actor, "20:00 接班，设备正常")
    qtbot.waitUntil(lambda: log_texts(window)[:1] == ["20:00 接班，设备正常"])
    assert not pane.empty_label.isVisible()
    pane.search_edit.setText("没有这样的日志")
    qtbot.waitUntil(lambda: pane.proxy.rowCount() == 0 and pane.empty_label.isVisible())
    assert pane.empty_label.text() == "没有包含“没有这样的日志”的日志"
    pane.search_edit.clear()
    qtbot.waitUntil(lambda: not pane.empty_label.isVisible())


def test_status_bar_shows_audit_health_and_a_broken_chain(
    qtbot: QtBot, window: MainWindow, ctx: AppContext
) -> None:
    status = window.status
    status.check_audit()
    qtbot.waitUntil(lambda: status.audit_label.text() == "审计 ✓")
    assert "审计链完整" in status.audit_label.toolTip()

    # someone with database rights edits a record behind the program's back
    with ctx.services.db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_no_update")
        first = conn.exec_driver_sql("SELECT min(id) FROM audit").scalar_one()
        conn.exec_driver_sql(f"UPDATE audit SET actor = 'nobody' WHERE id = {first}")
    status.check_audit()
    qtbot.waitUntil(lambda: status.audit_label.text() == "审计链断开")
    assert f"#{first}" in status.audit_label.toolTip()
    assert "#d32f2f" in status.audit_label.styleSheet()
