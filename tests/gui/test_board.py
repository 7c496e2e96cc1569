"""The incident board as the duty officer sees it: rows, colours, count, filters and search."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.domain import Grade
from console.models.incident_board import IncidentBoardModel
from console.models.paged import ID_ROLE
from tests.gui.conftest import Seeded, settle
from widgets.incident_board import IncidentBoard

pytestmark = pytest.mark.gui

BG = Qt.ItemDataRole.BackgroundRole
FG = Qt.ItemDataRole.ForegroundRole


@pytest.fixture
def board(qtbot: QtBot, ctx: AppContext, seeded: Seeded) -> Iterator[IncidentBoard]:
    model = IncidentBoardModel(ctx.services, ctx.runner)
    widget = IncidentBoard(ctx, model)
    qtbot.addWidget(widget)
    widget.resize(1200, 500)
    widget.show()
    qtbot.waitUntil(lambda: widget.count_label.text() == f"共 {seeded.open_count} 起")
    qtbot.waitUntil(lambda: widget.proxy.rowCount() == seeded.open_count)
    yield widget
    settle(qtbot, ctx)


def row_of(board: IncidentBoard, incident_id: int) -> int:
    proxy = board.proxy
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data(ID_ROLE) == incident_id:
            return row
    raise AssertionError(f"incident #{incident_id} is not on the board")


def shown_titles(board: IncidentBoard) -> list[str]:
    proxy = board.proxy
    return [proxy.index(r, IncidentBoardModel.COL_TITLE).data() for r in range(proxy.rowCount())]


def test_open_incidents_newest_first_with_count(board: IncidentBoard, seeded: Seeded) -> None:
    assert shown_titles(board) == [
        "长春市南关区居民楼燃气爆炸",
        "四平市铁西区化工厂泄漏",
        "延吉市山林火情",
        "吉林市丰满区松花江水位超警戒",
    ]
    assert board.count_label.text() == "共 4 起"
    assert board.loading_label.isHidden()
    assert not board.empty_label.isVisible()


def test_grade_cell_in_grade_colour_and_row_tinted(board: IncidentBoard, seeded: Seeded) -> None:
    proxy = board.proxy
    for incident_id, grade in (
        (seeded.leak, Grade.I),
        (seeded.blast, Grade.II),
        (seeded.river, Grade.III),
    ):
        row = row_of(board, incident_id)
        grade_cell = proxy.index(row, IncidentBoardModel.COL_GRADE)
        assert grade_cell.data() == grade.numeral
        assert grade_cell.data(BG) == QColor(grade.colour)
        title_bg = proxy.index(row, IncidentBoardModel.COL_TITLE).data(BG)
        # A light tint of the same hue: much paler than the grade colour, not white.
        assert title_bg.lightness() > QColor(grade.colour).lightness()
        assert title_bg != QColor("#ffffff")
        assert abs(title_bg.hue() - QColor(grade.colour).hue()) <= 3
    assert proxy.index(row_of(board, seeded.river), IncidentBoardModel.COL_GRADE).data(
        FG
    ) == QColor("#000000")  # black on yellow
    assert proxy.index(row_of(board, seeded.leak), IncidentBoardModel.COL_GRADE).data(FG) == QColor(
        "#ffffff"
    )  # white on red
    ungraded = row_of(board, seeded.fire)
    assert proxy.index(ungraded, IncidentBoardModel.COL_GRADE).data() == "—"
    assert proxy.index(ungraded, IncidentBoardModel.COL_GRADE).data(BG) is None


def test_overdue_due_cell_red_bold_and_soon_amber(board: IncidentBoard, seeded: Seeded) -> None:
    proxy = board.proxy
    overdue = proxy.index(row_of(board, seeded.river), IncidentBoardModel.COL_DUE)
    assert "超时" in overdue.data()
    assert overdue.data(FG) == QColor("#c62828")
    font = overdue.data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont)
    assert font.bold()
    soon = proxy.index(row_of(board, seeded.leak), IncidentBoardModel.COL_DUE)
    assert soon.data().startswith("首报")
    assert soon.data(FG) == QColor("#b26a00")
    calm = proxy.index(row_of(board, seeded.fire), IncidentBoardModel.COL_DUE)
    assert calm.data(FG) is None


def test_grade_filter_reduces_rows(qtbot: QtBot, board: IncidentBoard) -> None:
    board.grade_combo.setCurrentIndex(board.grade_combo.findData("III"))
    qtbot.waitUntil(lambda: shown_titles(board) == ["吉林市丰满区松花江水位超警戒"])
    qtbot.waitUntil(lambda: board.count_label.text() == "共 1 起")
    board.grade_combo.setCurrentIndex(board.grade_combo.findData("none"))
    qtbot.waitUntil(lambda: shown_titles(board) == ["延吉市山林火情"])


def test_status_buttons_add_closed_incidents(qtbot: QtBot, board: IncidentBoard) -> None:
    from console.domain import IncidentStatus

    board.status_buttons[IncidentStatus.CLOSED].click()
    qtbot.waitUntil(lambda: board.count_label.text() == "共 5 起")
    qtbot.waitUntil(lambda: "白山市浑江区道路塌方" in shown_titles(board))
    for status, button in board.status_buttons.items():
        if status is not IncidentStatus.CLOSED:
            button.click()
    qtbot.waitUntil(lambda: shown_titles(board) == ["白山市浑江区道路塌方"])


def test_area_and_category_filters(qtbot: QtBot, board: IncidentBoard) -> None:
    qtbot.waitUntil(lambda: board.area_combo.count() == 10)  # 全部地区 + 9 prefectures
    board.area_combo.setCurrentIndex(board.area_combo.findData("222400"))  # 延边州
    qtbot.waitUntil(lambda: shown_titles(board) == ["延吉市山林火情"])
    board.area_combo.setCurrentIndex(0)
    board.category_combo.setCurrentIndex(board.category_combo.findData("20000"))  # 事故灾难
    qtbot.waitUntil(
        lambda: shown_titles(board) == ["长春市南关区居民楼燃气爆炸", "四平市铁西区化工厂泄漏"]
    )


def test_search_finds_by_title_after_debounce(qtbot: QtBot, board: IncidentBoard) -> None:
    board.search_edit.insert("松花江")  # QTest.keyClicks cannot type CJK characters
    qtbot.waitUntil(lambda: shown_titles(board) == ["吉林市丰满区松花江水位超警戒"])
    qtbot.waitUntil(lambda: board.count_label.text() == "共 1 起")
    board.search_edit.setText("没有这样的事件")
    qtbot.waitUntil(lambda: board.count_label.text() == "共 0 起")
    qtbot.waitUntil(board.empty_label.isVisible)
    assert board.empty_label.text() == "没有符合条件的事件"


def test_selecting_a_row_emits_its_id(qtbot: QtBot, board: IncidentBoard, seeded: Seeded) -> None:
    row = row_of(board, seeded.fire)
    rect = board.view.visualRect(board.proxy.index(row, IncidentBoardModel.COL_TITLE))
    with qtbot.waitSignal(board.incident_selected) as blocker:
        qtbot.mouseClick(board.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [seeded.fire]
    assert board.selected_id == seeded.fire


def test_new_incident_appears_after_bus_change(
    qtbot: QtBot, board: IncidentBoard, ctx: AppContext
) -> None:
    from tests._core import incident_draft

    ctx.runner.write(
        ctx.services.incidents.create, ctx.actor, incident_draft(title="伊通河堤防管涌")
    )
    qtbot.waitUntil(lambda: board.count_label.text() == "共 5 起")
    qtbot.waitUntil(lambda: "伊通河堤防管涌" in shown_titles(board))


def test_time_range_hides_old_incidents(
    qtbot: QtBot, board: IncidentBoard, ctx: AppContext
) -> None:
    from datetime import timedelta

    from console.timeutil import utcnow
    from tests._core import incident_draft

    old = utcnow() - timedelta(days=10)
    ctx.services.incidents.create(
        ctx.actor, incident_draft(title="十天前的旧事件", occurred_at=old, received_at=old)
    )
    qtbot.waitUntil(lambda: "十天前的旧事件" in shown_titles(board))
    board.time_combo.setCurrentIndex(board.time_combo.findData(7))
    qtbot.waitUntil(lambda: board.count_label.text() == "共 4 起")
    assert "十天前的旧事件" not in shown_titles(board)
    board.time_combo.setCurrentIndex(board.time_combo.findData(30))
    qtbot.waitUntil(lambda: "十天前的旧事件" in shown_titles(board))


def test_today_starts_at_beijing_midnight(board: IncidentBoard) -> None:
    from datetime import UTC, datetime

    from console.timeutil import BEIJING

    board.time_combo.setCurrentIndex(board.time_combo.findData(0))
    since = board.current_filter().since
    assert since is not None
    assert since.tzinfo is UTC
    local = since.astimezone(BEIJING)
    assert (local.hour, local.minute, local.second) == (0, 0, 0)
    assert local.date() == datetime.now(BEIJING).date()


@pytest.mark.parametrize(
    ("grade", "text"),
    [(Grade.I, "#ffffff"), (Grade.II, "#000000"), (Grade.III, "#000000"), (Grade.IV, "#ffffff")],
)
def test_grade_badge_text_has_the_higher_contrast(grade: Grade, text: str) -> None:
    from widgets.incident_board import readable_text

    assert readable_text(QColor(grade.colour)) == QColor(text)


def test_long_category_and_area_have_tooltips(board: IncidentBoard, seeded: Seeded) -> None:
    row = row_of(board, seeded.blast)
    tip = Qt.ItemDataRole.ToolTipRole
    assert board.proxy.index(row, IncidentBoardModel.COL_CATEGORY).data(tip) == "公共设施和设备事故"
    assert board.proxy.index(row, IncidentBoardModel.COL_AREA).data(tip) == "长春市 南关区"
