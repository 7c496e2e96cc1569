"""The 通话记录 tab: every call, newest first, a page at a time; re-read when calls change."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.dispatch_data import PAGE_SIZE, CallKey, CallPage, HistoryRow, call_page
from console.domain import CallDirection, CallOutcome
from console.timeutil import format_beijing
from widgets.dispatch.base import DispatchHost, fit_columns, show_error
from widgets.dispatch.groups import OUTCOME_COLOURS
from widgets.forms import PagedReader

REFRESH_DELAY_MS = 300


class HistoryTab(QWidget):
    """Calls as a table: time, in/out, number, who, outcome, incident; a double-click calls back."""

    call_requested = Signal(str)  # a number to dial

    def __init__(self, host: DispatchHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyTab")
        self._host = host
        self._rows: list[HistoryRow] = []
        self.pages: PagedReader[CallPage, CallKey] = PagedReader(
            self,
            host.ctx.runner,
            self._query,
            self._on_page,
            lambda exc: show_error(self.status_label, exc),
        )
        self.page_size = PAGE_SIZE

        self.filter_combo = QComboBox(self)
        self.filter_combo.addItem(self.tr("全部通话"), None)
        self.filter_combo.addItem(self.tr("未接来电"), CallOutcome.MISSED.value)
        self.filter_combo.addItem(self.tr("已接通"), CallOutcome.ANSWERED.value)
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("callHistory")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("时间"),
                self.tr("方向"),
                self.tr("号码"),
                self.tr("对方"),
                self.tr("结果"),
                self.tr("事件"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        fit_columns(self.table)
        self.table.setWordWrap(False)
        self.more_button = QPushButton(self.tr("更早的通话…"), self)
        self.more_button.setVisible(False)
        self.status_label = QLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.filter_combo, 1)
        top.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 4, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.more_button)
        layout.addWidget(self.status_label)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        self.refresh_button.clicked.connect(self.refresh)
        self.more_button.clicked.connect(self._on_more_button_clicked)
        self.filter_combo.currentIndexChanged.connect(self._on_filter_combo_changed)
        self.table.cellDoubleClicked.connect(self._on_table_cell_double_clicked)
        host.ctx.bus.changed.connect(self._on_bus_changed)
        self.refresh()

    def rows(self) -> list[HistoryRow]:
        """The calls listed, newest first."""
        return list(self._rows)

    def _outcome(self) -> CallOutcome | None:
        value = self.filter_combo.currentData()
        return CallOutcome(value) if value else None

    def refresh(self) -> None:
        """Read the newest page again (an answer for the filter before is dropped)."""
        self.pages.restart()

    def _query(self, after: CallKey | None) -> Callable[[], CallPage]:
        services, size, outcome = self._host.ctx.services, self.page_size, self._outcome()
        return lambda: call_page(services, after, size, outcome=outcome)

    def _on_page(self, page: CallPage, appended: bool) -> None:
        if not appended:
            self._rows = []
            self.table.setRowCount(0)
        for entry in page.rows:
            self._add_row(entry)
        self.more_button.setVisible(self.pages.has_next)
        self.status_label.setText(self.tr("显示 {n} 条").format(n=len(self._rows)))

    def _add_row(self, entry: HistoryRow) -> None:
        call = entry.call
        row = self.table.rowCount()
        self.table.insertRow(row)
        direction = self.tr("来电") if call.direction is CallDirection.IN else self.tr("呼出")
        outcome = call.outcome.label if call.outcome else self.tr("进行中")
        cells = (
            format_beijing(call.started_at, seconds=True),
            direction,
            call.number,
            entry.who,
            outcome,
            f"#{call.incident_id}" if call.incident_id else "",
        )
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if col == 4 and call.outcome is not None:
                item.setForeground(QColor(OUTCOME_COLOURS.get(call.outcome, "#555")))
            self.table.setItem(row, col, item)
        self._rows.append(entry)

    @Slot()
    def _on_more_button_clicked(self) -> None:
        self.pages.more()

    @Slot(int, int)
    def _on_table_cell_double_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._rows):
            self.call_requested.emit(self._rows[row].call.number)

    @Slot(int)
    def _on_filter_combo_changed(self, _index: int) -> None:
        self.refresh()

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        self.pages.reload()  # while a read is on its way: one more once it lands

    @Slot(str)
    def _on_bus_changed(self, topic: str) -> None:
        if topic == "calls":
            self._refresh_timer.start()  # a group call announces once per write: one re-read
