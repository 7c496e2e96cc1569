"""The command-hall display: what a supervisor sees on the wall, in this process and in another."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from console.app import AppContext, build_context
from console.domain import Grade
from console.timeutil import to_beijing, utcnow
from tests._core import incident_draft
from tests.gui.conftest import OPERATOR, Seeded, seed, settle
from widgets.hall_display import OVERDUE, HallDisplay
from widgets.main_window import MainWindow

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
WITHIN_S = 2.0


def open_hall(qtbot: QtBot, ctx: AppContext, **kwargs: Any) -> HallDisplay:
    hall = HallDisplay(ctx, **kwargs)
    qtbot.addWidget(hall)
    with qtbot.waitSignal(hall.loaded, timeout=10_000):
        hall.show_on(None, full_screen=False)
    return hall


@pytest.fixture
def hall(qtbot: QtBot, ctx: AppContext) -> Iterator[HallDisplay]:
    display = open_hall(qtbot, ctx)
    yield display
    settle(qtbot, ctx)
    if isValid(display):  # pytest-qt closes and deletes the widgets it was given first
        display.close()


def titles(hall: HallDisplay) -> list[str]:
    return [hall.model.index(r, 1).data() for r in range(hall.model.rowCount())]


def test_counts_duty_and_rows_by_grade(hall: HallDisplay, seeded: Seeded) -> None:
    values = {key: tile.value_label.text() for key, tile in hall.tiles.items()}
    # Open: Ⅰ leak, Ⅱ blast, Ⅲ river, ungraded fire; the Ⅳ road is closed.
    assert values == {"I": "1", "II": "1", "III": "1", "IV": "0", "none": "1"}
    midnight = to_beijing(utcnow()).replace(hour=0, minute=0, second=0, microsecond=0)
    ages = (600, 300, 30, 20, 10)  # minutes before now that the seeded incidents were received
    today = sum(1 for age in ages if utcnow() - timedelta(minutes=age + 5) >= midnight)
    assert hall.today_tile.value_label.text() == str(today)
    assert int(hall.overdue_tile.value_label.text()) >= 1  # the river's first report
    assert hall.overdue_tile.alert

    duty = hall.duty_label.text()
    assert "张伟、李娜" in duty
    assert "带班领导：王建国" in duty

    assert titles(hall) == [
        "四平市铁西区化工厂泄漏",
        "长春市南关区居民楼燃气爆炸",
        "吉林市丰满区松花江水位超警戒",
        "延吉市山林火情",
    ]
    assert hall.incidents_heading.text() == "处置中事件（4）"
    assert hall.model.index(0, 0).data() == "Ⅰ级"
    assert hall.model.index(3, 0).data() == "未定级"
    assert hall.model.index(1, 2).data() == "长春市 南关区"
    assert hall.model.index(2, 3).data() in ("接报", "核实", "处置中")
    river_due = hall.model.index(2, 4)
    assert "已超时" in river_due.data()
    assert river_due.data(Qt.ItemDataRole.ForegroundRole).color().name() == OVERDUE
    assert hall.incident_stack.currentWidget() is hall.table


def test_nothing_can_be_edited_or_selected(hall: HallDisplay) -> None:
    for view in (hall.table, hall.log_view):
        assert view.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
        assert view.selectionMode() == QAbstractItemView.SelectionMode.NoSelection
        assert view.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert not any(
        hall.model.item(r, c).isEditable()
        for r in range(hall.model.rowCount())
        for c in range(hall.model.columnCount())
    )


def test_latest_log_entries_newest_first(qtbot: QtBot, ctx: AppContext, hall: HallDisplay) -> None:
    for n in range(10):
        ctx.services.log.add(OPERATOR, f"第 {n} 条值班记录")
    qtbot.waitUntil(
        lambda: (
            hall.log_model.rowCount() == 8 and hall.log_model.item(0).text() == "第 9 条值班记录"
        ),
        timeout=5_000,
    )
    assert hall.log_model.item(7).text() == "第 2 条值班记录"
    assert hall.log_model.item(0).data(Qt.ItemDataRole.UserRole + 4) == "张伟"


def test_new_incident_in_this_process_appears(
    qtbot: QtBot, ctx: AppContext, hall: HallDisplay
) -> None:
    draft = incident_draft(title="南关区新接报事件", grade=Grade.I)
    ctx.runner.write(ctx.services.incidents.create, OPERATOR, draft)
    qtbot.waitUntil(lambda: "南关区新接报事件" in titles(hall), timeout=2_000)
    assert hall.tiles["I"].value_label.text() == "2"


def test_empty_database_explains_itself(qtbot: QtBot, sqlite_url: str) -> None:
    ctx = build_context(sqlite_url, read_only=True, monitor_interval_ms=3_600_000)
    try:
        hall = open_hall(qtbot, ctx)
        assert hall.incident_stack.currentWidget() is hall.empty_label
        assert hall.empty_label.text() == "当前无处置中事件"
        assert hall.log_stack.currentWidget() is hall.log_empty
        assert hall.duty_label.text() == "当前未排班"
        assert hall.tiles["I"].value_label.text() == "0"
        settle(qtbot, ctx)
        hall.close()
    finally:
        ctx.close()


def test_read_only_context_writes_nothing(qtbot: QtBot, sqlite_url: str, seeded: Seeded) -> None:
    before = _audit_count(sqlite_url)
    ctx = build_context(sqlite_url, read_only=True, monitor_interval_ms=3_600_000)
    try:
        assert ctx.read_only
        assert ctx.operator.username == "hall"
        hall = open_hall(qtbot, ctx)
        with qtbot.waitSignal(ctx.monitor.alarms_changed, timeout=10_000) as alarms:
            ctx.monitor.check_now()  # read-only: reads what is due, logs no alarm
        assert any(a.incident_id == seeded.river for a in alarms.args[0])
        settle(qtbot, ctx)
        hall.close()
    finally:
        ctx.close()
    assert _audit_count(sqlite_url) == before


def _audit_count(url: str) -> int:
    from console.services import Services

    services = Services.open(url)
    try:
        return services.log.count() + len(services.people.users())
    finally:
        services.close()


def test_view_menu_opens_the_hall_on_a_screen(qtbot: QtBot, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    with qtbot.waitSignal(window.layout_restored, timeout=10_000):
        window.show()
    window.hall_menu.aboutToShow.emit()
    actions = window.hall_menu.actions()
    assert actions
    assert actions[0].text().startswith("在屏幕 1 上显示")
    actions[0].trigger()
    hall = window.hall
    assert isinstance(hall, HallDisplay)
    qtbot.waitUntil(lambda: hall.isVisible() and hall.snapshot is not None, timeout=10_000)
    assert hall.isWindow()
    assert hall.windowTitle() == "应急值守指挥台 · 指挥大厅"
    settle(qtbot, ctx)
    window.close()  # closes the hall display with it
    assert not hall.isVisible()
    settle(qtbot, ctx)
    window.deleteLater()
    qtbot.wait(10)


# --------------------------------------------------------------------------- second process


def _program() -> list[str]:
    script = Path(sys.executable).parent / "duty-console"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from widgets.launcher import main; main()"]


def _read_lines(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = []
    for text in path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(text))
        except json.JSONDecodeError:  # a line being written right now
            break
    return lines


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def test_hall_process_shows_new_incident_within_2_s(
    qtbot: QtBot, db_url: str, tmp_path: Path, record_property: Any
) -> None:
    """Acceptance: `duty-console hall` in a second process sees the workstation's new incident."""
    seed(db_url)
    report = tmp_path / "hall-report.jsonl"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    args = [*_program(), "hall", "--windowed", "--db", db_url, "--report-file", str(report)]
    with (tmp_path / "hall.log").open("wb") as log_file:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT)
    ctx = build_context(db_url, operator=OPERATOR, monitor_interval_ms=3_600_000)
    try:

        def first_line() -> bool:
            assert proc.poll() is None, (tmp_path / "hall.log").read_text(errors="replace")
            return bool(_read_lines(report))

        qtbot.waitUntil(first_line, timeout=60_000)
        first = _read_lines(report)[0]
        assert len(first["incidents"]) == 4
        qtbot.wait(500)  # let the second process's feed settle on its first state

        title = f"跨进程新事件 {db_url.split(':')[0]}"
        ctx.services.incidents.create(OPERATOR, incident_draft(title=title, grade=Grade.II))
        saved = time.time()

        seen: list[dict[str, Any]] = []

        def shown() -> bool:
            assert proc.poll() is None, (tmp_path / "hall.log").read_text(errors="replace")
            seen[:] = [
                line
                for line in _read_lines(report)
                if any(i["title"] == title for i in line["incidents"])
            ]
            return bool(seen)

        qtbot.waitUntil(shown, timeout=int(WITHIN_S * 1000) + 500)
        latency = seen[0]["t"] - saved
        record_property("hall_latency_ms", round(latency * 1000))
        print(f"hall display showed the new incident {latency * 1000:.0f} ms after it was saved")
        assert latency < WITHIN_S
        assert len(seen[0]["incidents"]) == 5
    finally:
        _stop(proc)
        settle(qtbot, ctx)
        ctx.close()
    assert proc.returncode is not None


@pytest.mark.slow
def test_hall_screenshot_under_xvfb(xvfb: str, tmp_path: Path) -> None:
    """The README's picture of the hall display: demo data on an X server, as a PNG."""
    target = tmp_path / "hall-display.png"
    env = {
        **os.environ,
        "DISPLAY": xvfb,
        "QT_QPA_PLATFORM": "xcb",
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    proc = subprocess.run(
        [*_program(), "hall", "--demo", "--db", url, "--screenshot", str(target)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a painted display with text, not a blank frame
    out_dir = os.environ.get("DUTY_CONSOLE_SCREENSHOT_DIR")
    if out_dir:
        shutil.copy(target, Path(out_dir) / target.name)
