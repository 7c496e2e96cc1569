"""The English interface on a 1366×768 screen: the window fits, the detail pane cuts no word.

English words are longer than the Chinese source strings. On a common duty-room screen
(1366×768) the main window must still fit, and the incident detail pane must show each label
whole: wrapped onto more lines, or elided with "…" and the whole text in its tooltip. And no
Chinese may be left in the window's own words (labels, buttons, headers, tabs, menus) — only in
data such as incident titles and people's names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QDockWidget,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QScrollArea,
    QTabBar,
    QTableWidget,
    QTextEdit,
    QTreeWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot

import console.devices.phone  # noqa: F401 - the manager imports it on first use; at start-up, in the app
from console.app import AppContext
from console.demo_warnings import seed_demo_warnings
from console.devices import DeviceConfig, DeviceKind
from console.domain import ContactDraft, PhoneNumber
from devices.fax.sample import notice_page
from tests.devices.conftest import SimFactory
from tests.gui.conftest import OPERATOR, Seeded, settle
from tests.gui.fax_screenshot import received_tiff
from widgets import i18n
from widgets.elide import ElidedLabel
from widgets.main_window import MainWindow

pytestmark = pytest.mark.gui

SCREEN = (1366, 768)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60]")
TAGS = re.compile(r"<[^>]+>")


@pytest.fixture
def english(qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    """The main window in English, sized to a 1366×768 screen, its board loaded."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    translators = i18n.install_translator(app, "en")
    ctx.services.reference.set_language("en")
    window = MainWindow(ctx)
    try:
        with qtbot.waitSignal(window.layout_restored, timeout=10_000):
            window.show()
        window.resize(*SCREEN)
        qtbot.waitUntil(lambda: window.board.first_page_loaded, timeout=10_000)
        yield window
    finally:
        settle(qtbot, ctx)
        window.close()
        settle(qtbot, ctx)
        window.deleteLater()
        qtbot.wait(10)
        ctx.services.reference.set_language("zh")
        for translator in translators:
            app.removeTranslator(translator)
        i18n.install_translator(app, "zh_CN")


def show_incident(qtbot: QtBot, window: MainWindow, incident_id: int) -> None:
    detail = window.detail
    with qtbot.waitSignal(detail.incident_loaded, timeout=10_000):
        window.show_incident(incident_id)
    qtbot.wait(50)  # the layout settles on the filled-in pane


def fits(widget: QWidget) -> str | None:
    """Why ``widget``'s text is cut off as shown, or None when the operator can read it all."""
    if isinstance(widget, ElidedLabel):
        if widget.is_elided() and widget.text() not in widget.toolTip():
            return f"elided without the whole text in its tooltip: {widget.text()!r}"
        return None
    if isinstance(widget, QLabel):
        if not widget.text():
            return None
        if widget.wordWrap():
            needed = widget.heightForWidth(widget.width())
            if needed > widget.height() + 1:
                return f"needs {needed}px height, has {widget.height()}: {widget.text()!r}"
            return None
        if widget.sizeHint().width() > widget.width() + 1:
            return f"needs {widget.sizeHint().width()}px, has {widget.width()}: {widget.text()!r}"
        return None
    if isinstance(widget, QAbstractButton) and widget.text():
        if widget.sizeHint().width() > widget.width() + 1:
            return f"button needs {widget.sizeHint().width()}px, has {widget.width()}"
        return None
    if isinstance(widget, QComboBox):
        text = widget.currentText()
        room = widget.width() - 30  # the arrow and the frame
        if widget.fontMetrics().horizontalAdvance(text) > room and widget.toolTip() != text:
            return f"combo shows {text!r} cut off without a tooltip"
        return None
    if isinstance(widget, QGroupBox):
        if widget.fontMetrics().horizontalAdvance(widget.title()) > widget.width():
            return f"group title {widget.title()!r} wider than its box"
        return None
    if isinstance(widget, QTreeWidget):
        header = widget.header()
        metrics = widget.fontMetrics()
        for column in range(widget.columnCount()):
            room = header.sectionSize(column) - 8
            if metrics.horizontalAdvance(widget.headerItem().text(column)) > room:
                return f"header {widget.headerItem().text(column)!r} cut off"
            for row in range(widget.topLevelItemCount()):
                item = widget.topLevelItem(row)
                assert item is not None
                text = item.text(column)
                if metrics.horizontalAdvance(text) > room and text not in item.toolTip(column):
                    return f"cell {text!r} cut off without a tooltip"
        return None
    return None


def detail_problems(window: MainWindow) -> list[str]:
    """Whatever of the detail pane's words the operator cannot read whole as it is shown."""
    body = window.detail.body
    viewport = body.parentWidget()
    assert viewport is not None
    problems = []
    if body.width() > viewport.width():  # the pane has no sideways scroll bar
        problems.append(f"body {body.width()}px wider than the pane's {viewport.width()}px")
    for widget in body.findChildren(QWidget):
        if not widget.isVisibleTo(body):
            continue
        right = widget.mapTo(body, QPoint(widget.width(), 0)).x()
        if right > body.width() + 1:
            problems.append(f"{type(widget).__name__} {widget.objectName()} ends at {right}")
        why = fits(widget)
        if why is not None:
            problems.append(f"{type(widget).__name__} {widget.objectName()}: {why}")
    return problems


def test_english_window_fits_1366_and_detail_cuts_no_word(
    qtbot: QtBot, english: MainWindow, seeded: Seeded
) -> None:
    window = english
    # The whole window fits the screen: no dock or pane demands more than 1366 pixels.
    assert window.minimumSizeHint().width() <= SCREEN[0]
    qtbot.waitUntil(lambda: window.width() == SCREEN[0])
    # The board's columns fit beside the docks: the due column is not scrolled out of sight.
    qtbot.waitUntil(lambda: not window.board.view.horizontalScrollBar().isVisible())
    show_incident(qtbot, window, seeded.leak)  # Grade Ⅰ: the longest grade name
    assert window.detail.grade_badge.text() == "Grade Ⅰ (extraordinarily serious)"
    assert detail_problems(window) == []
    # Dragged (or restored from a saved layout) as narrow as the dock goes: still readable.
    window.resizeDocks([window.detail_dock], [1], Qt.Orientation.Horizontal)
    qtbot.wait(50)
    assert window.detail_dock.width() < 400
    assert detail_problems(window) == []


def test_badge_shows_the_whole_grade_when_there_is_room(
    qtbot: QtBot, english: MainWindow, seeded: Seeded
) -> None:
    window = english
    show_incident(qtbot, window, seeded.leak)
    badge = window.detail.grade_badge
    window.resizeDocks([window.detail_dock], [520], Qt.Orientation.Horizontal)
    qtbot.waitUntil(lambda: not badge.is_elided())
    assert badge.shown_text() == "Grade Ⅰ (extraordinarily serious)"
    window.resizeDocks([window.detail_dock], [200], Qt.Orientation.Horizontal)
    qtbot.waitUntil(badge.is_elided)
    assert badge.shown_text().endswith("…")
    assert "Grade Ⅰ (extraordinarily serious)" in badge.toolTip()


def chrome_texts(window: MainWindow) -> list[tuple[str, str]]:
    """The window's own visible words, each with where it was found."""
    found: list[tuple[str, str]] = []

    def add(where: QWidget | str, text: str | None) -> None:
        if text:
            name = where if isinstance(where, str) else type(where).__name__
            if not isinstance(where, str) and where.objectName():
                name += f"#{where.objectName()}"
            found.append((name, TAGS.sub("", text)))

    for widget in window.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel):
            add(widget, widget.text())
        elif isinstance(widget, QAbstractButton):
            add(widget, widget.text())
            add(widget, widget.toolTip())
        elif isinstance(widget, QGroupBox):
            add(widget, widget.title())
        elif isinstance(widget, QDockWidget):
            add(widget, widget.windowTitle())
        elif isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
            add(widget, widget.placeholderText())
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                add(widget, widget.tabText(index))
        elif isinstance(widget, QHeaderView) and widget.model() is not None:
            model = widget.model()
            for section in range(widget.count()):
                add(widget, str(model.headerData(section, widget.orientation()) or ""))

    def menu(actions_of: QWidget, path: str) -> None:
        for action in actions_of.actions():
            add(path, action.text())
            add(path, action.toolTip() if action.toolTip() != action.text() else "")
            sub = action.menu()
            if isinstance(sub, QMenu):
                menu(sub, f"{path} > {action.text()}")

    menu(window.menuBar(), "menu")
    return found


def chinese_in_chrome(window: MainWindow, ctx: AppContext, seeded: Seeded) -> list[str]:
    """The window's own visible words that still hold Chinese once data is taken out."""
    # Data may be Chinese: people's names, incident titles, places, the language's own name.
    data = {user.display_name for user in ctx.services.people.users()}
    for incident_id in (seeded.blast, seeded.river, seeded.fire, seeded.leak, seeded.road):
        incident = ctx.services.incidents.get(incident_id)
        data.update(p for p in (incident.title, incident.address) if p)
    data.update(i18n.LANGUAGES.values())
    chinese = []
    for where, text in chrome_texts(window):
        rest = text
        for value in sorted(data, key=len, reverse=True):
            rest = rest.replace(value, "")
        if CJK.search(rest):
            chinese.append(f"{where}: {text!r}")
    return chinese


# The status bar's shift line (names joined with ", " in English: see the test below).
SHIFT_LABEL = "QLabel#shiftLabel"


def test_no_chinese_in_the_english_chrome(
    qtbot: QtBot, english: MainWindow, ctx: AppContext, seeded: Seeded
) -> None:
    window = english
    show_incident(qtbot, window, seeded.blast)
    settle(qtbot, ctx)
    chinese = chinese_in_chrome(window, ctx, seeded)
    assert [c for c in chinese if not c.startswith(SHIFT_LABEL)] == []


def test_shift_names_joined_in_english(
    qtbot: QtBot, english: MainWindow, ctx: AppContext, seeded: Seeded
) -> None:
    settle(qtbot, ctx)
    qtbot.waitUntil(lambda: "李娜" in english.status.shift_label.text())
    assert [c for c in chinese_in_chrome(english, ctx, seeded) if c.startswith(SHIFT_LABEL)] == []


# -- the bottom and right docks' panes: dispatch, warnings, fax -----------------------------------


def table_problems(table: QTableWidget) -> list[str]:
    """Columns outside the table's width, cut headers, and cut cells without a tooltip."""
    header = table.horizontalHeader()
    metrics = table.fontMetrics()
    columns = [c for c in range(table.columnCount()) if not header.isSectionHidden(c)]
    problems = []
    used = sum(header.sectionSize(c) for c in columns)
    if used > table.viewport().width() + 1:
        problems.append(
            f"{table.objectName()}: columns need {used}px of {table.viewport().width()}"
        )
    for column in columns:
        room = header.sectionSize(column) - 8
        head = table.horizontalHeaderItem(column)
        if head is not None and header.fontMetrics().horizontalAdvance(head.text()) > room:
            problems.append(f"{table.objectName()}: header {head.text()!r} cut off")
        for row in range(table.rowCount()):
            item = table.item(row, column)
            if item is None or metrics.horizontalAdvance(item.text()) <= room:
                continue
            if item.text() not in item.toolTip():
                problems.append(f"{table.objectName()}: cell {item.text()!r} cut, no tooltip")
    return problems


def scrolled_inside(widget: QWidget, pane: QWidget) -> bool:
    """Whether ``widget`` is the content of a scroll area within ``pane`` (a fax page)."""
    parent = widget.parentWidget()
    while parent is not None and parent is not pane:
        if isinstance(parent.parentWidget(), QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def pane_problems(dock: QDockWidget) -> list[str]:
    """Whatever of a dock's pane is out of sight sideways or cut without its whole text."""
    scroller = dock.widget()
    if isinstance(scroller, QScrollArea):  # a pane that may scroll: it must not need to
        inner = scroller.widget()
        assert inner is not None
        pane = inner
        room = scroller.viewport().width()
        sideways = scroller.horizontalScrollBar().isVisible()
    else:
        pane, room, sideways = scroller, dock.width(), False
    problems = []
    if pane.width() > room or pane.minimumSizeHint().width() > room or sideways:
        problems.append(
            f"{pane.objectName()} {pane.width()}px wide (needs {pane.minimumSizeHint().width()})"
            f" in a {room}px dock"
        )
    for widget in pane.findChildren(QWidget):
        if not widget.isVisibleTo(pane) or widget.visibleRegion().isEmpty():
            continue
        right = widget.mapTo(pane, QPoint(widget.width(), 0)).x()
        if right > pane.width() + 1 and not scrolled_inside(widget, pane):
            problems.append(f"{type(widget).__name__} {widget.objectName()} ends at {right}")
        why = fits(widget)
        if why is not None:
            problems.append(f"{type(widget).__name__} {widget.objectName()}: {why}")
        if isinstance(widget, QTableWidget):
            problems += table_problems(widget)
    return problems


def pane_chrome(root: QWidget) -> list[tuple[str, str]]:
    """A pane's own visible words (labels, buttons, headers, tabs, placeholders, choices)."""
    found: list[tuple[str, str]] = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisibleTo(root):
            continue
        name = f"{type(widget).__name__}#{widget.objectName()}"
        texts: list[str] = []
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        elif isinstance(widget, QAbstractButton):
            texts += [widget.text(), widget.toolTip()]
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
            texts.append(widget.placeholderText())
        elif isinstance(widget, QComboBox):
            texts.append(widget.currentText())
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count())]
        elif isinstance(widget, QHeaderView) and widget.model() is not None:
            model = widget.model()
            for section in range(widget.count()):
                texts.append(str(model.headerData(section, widget.orientation()) or ""))
        found += [(name, TAGS.sub("", t)) for t in texts if t]
    return found


def chinese_in_pane(root: QWidget, data: set[str]) -> list[str]:
    """The pane's own words that still hold Chinese once ``data`` is taken out."""
    chinese = []
    for where, text in pane_chrome(root):
        rest = text
        for value in sorted(data, key=len, reverse=True):
            rest = rest.replace(value, "")
        if CJK.search(rest):
            chinese.append(f"{where}: {text!r}")
    return chinese


def raise_dock(qtbot: QtBot, window: MainWindow, dock: QDockWidget) -> None:
    dock.show()
    dock.raise_()
    qtbot.waitUntil(lambda: not dock.visibleRegion().isEmpty())
    qtbot.wait(50)  # the dock's layout settles


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimFactory]:
    factory = SimFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()


def test_dispatch_pane_fits_a_1366_dock_in_english(
    qtbot: QtBot, english: MainWindow, ctx: AppContext, seeded: Seeded, sims: SimFactory
) -> None:
    window = english
    sim = sims.start("ami", tcp=True, extra=("--secret", "s3cret"))
    config = DeviceConfig(
        "pbx", DeviceKind.PBX, "ami", sim.url, username="console", secret="s3cret", timeout=1.0
    )
    ctx.services.devices.add("admin", config)
    unit = "吉林省应急管理厅防汛抗旱指挥部办公室"  # a long unit: the columns must share
    contact = ctx.services.contacts.add(
        OPERATOR,
        ContactDraft(
            name="王某", unit=unit, title="值班科长", phones=(PhoneNumber("办公", "0431-88881234"),)
        ),
    )
    pane = window.dispatch_pane
    show_incident(qtbot, window, seeded.river)
    raise_dock(qtbot, window, window.dispatch_dock)
    qtbot.waitUntil(lambda: pane.line_combo.currentText() == "pbx (PBX)", timeout=15_000)
    qtbot.waitUntil(lambda: pane.contacts_tab.contacts() == [contact])
    qtbot.waitUntil(lambda: pane.incident_check.text() == f"Record for incident #{seeded.river}")
    qtbot.wait(50)
    assert pane_problems(window.dispatch_dock) == []
    # Every column of the directory is in sight, the phones too (the unit gives up width).
    table = pane.contacts_tab.table
    header = table.horizontalHeader()
    assert header.sectionViewportPosition(3) + header.sectionSize(3) <= table.viewport().width()
    first = table.item(0, 0)
    assert first is not None
    assert first.toolTip() == unit
    data = {unit, "王某", "值班科长", "办公 0431-88881234"}
    data.update(user.display_name for user in ctx.services.people.users())
    assert chinese_in_pane(pane, data) == []
    for index in range(pane.tabs.count()):  # each tab's own words, in turn
        pane.tabs.setCurrentIndex(index)
        qtbot.wait(20)
        assert pane_problems(window.dispatch_dock) == [], pane.tabs.tabText(index)
        assert chinese_in_pane(pane, data) == [], pane.tabs.tabText(index)
    settle(qtbot, ctx)


def test_warnings_pane_fits_a_1366_dock_in_english(
    qtbot: QtBot, english: MainWindow, ctx: AppContext, seeded: Seeded
) -> None:
    window = english
    issued = seed_demo_warnings(ctx.services)
    assert issued is not None
    pane = window.warnings_pane
    pane.reload()
    raise_dock(qtbot, window, window.warnings_dock)
    qtbot.waitUntil(lambda: pane.table.rowCount() == 3)
    pane.select_id(issued.draft)
    qtbot.waitUntil(lambda: pane.current is not None and pane.current.id == issued.draft)
    settle(qtbot, ctx)
    qtbot.wait(50)
    assert pane_problems(window.warnings_dock) == []
    data = {w.event for w in pane.warnings} | {w.headline for w in pane.warnings}
    assert chinese_in_pane(pane, data) == []


def test_fax_inbox_fits_a_1366_dock_in_english(
    qtbot: QtBot, english: MainWindow, ctx: AppContext
) -> None:
    window = english
    sender = "+86 431 8890 1234"
    ctx.services.fax.receive("system", "fax1", received_tiff([notice_page()]), sender)
    inbox = window.fax_pane.inbox
    inbox.reload()
    raise_dock(qtbot, window, window.fax_dock)
    qtbot.waitUntil(lambda: inbox.table.rowCount() == 1)
    qtbot.waitUntil(lambda: inbox.page_label.text() == "Page 1/1")
    settle(qtbot, ctx)
    qtbot.wait(50)
    assert pane_problems(window.fax_dock) == []
    # The sender is shown whole, not only in its tooltip.
    table = inbox.table
    room = table.horizontalHeader().sectionSize(1) - 8
    assert table.fontMetrics().horizontalAdvance(sender) <= room
    assert chinese_in_pane(window.fax_pane, set()) == []
