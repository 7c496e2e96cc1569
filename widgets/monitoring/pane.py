"""Monitoring at a glance: stations by state, live curves with threshold lines, 1 h to 30 days.

The station list shows every station with a coloured state dot (live, stale, offline, never
heard) and its newest values. Selecting stations (several at once) draws one curve each of the
chosen parameter; the first station's thresholds are drawn as dashed lines in the level's
colour, and points past a threshold are marked in that colour. Long ranges read the hourly
rollups (the band shows min–max); zooming or panning with the mouse loads the visible range
again at the right resolution. New readings (the ``readings`` topic) redraw the live range at
most once a second. Every query runs on the task runner, never on the GUI thread.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import (
    QCoreApplication,
    QItemSelection,
    QItemSelectionModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.app import AppContext
from console.monitoring.alarms import SilenceRule, StationState
from console.monitoring.model import LEVEL_COLOURS, Alarm, Series, Station
from console.timeutil import format_beijing
from widgets.columns import ColumnFitter
from widgets.devices.health import dot_icon
from widgets.forms import run_guarded
from widgets.monitoring.quarantine import QuarantineDialog

RANGES: tuple[timedelta, ...] = (
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=24),
    timedelta(days=7),
    timedelta(days=30),
)
STATE_COLOURS = {
    StationState.LIVE: "#2e7d32",
    StationState.STALE: "#ef8f00",
    StationState.OFFLINE: "#c62828",
    StationState.NEVER: "#9e9e9e",
}
CURVE_COLOURS = ("#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f")
BEIJING_OFFSET = -8 * 3600  # pyqtgraph's utcOffset follows time.timezone (east is negative)
LIVE_REDRAW_S = 1.0
POLL_MS = 2000
SMOOTH_CURVES = 8


def _tr(text: str) -> str:
    return QCoreApplication.translate("MonitoringPane", text)


def range_labels() -> list[str]:
    """The range buttons' words, in the order of ``RANGES``."""
    return [_tr("1小时"), _tr("6小时"), _tr("24小时"), _tr("7天"), _tr("30天")]


def level_name(level: int) -> str:
    """一级 … 四级 in the operator's language."""
    names = {1: _tr("一级"), 2: _tr("二级"), 3: _tr("三级"), 4: _tr("四级")}
    return names.get(level, str(level))


def state_label(state: StationState) -> str:
    """The operator's word for a station state."""
    return {
        StationState.LIVE: _tr("在线"),
        StationState.STALE: _tr("数据延迟"),
        StationState.OFFLINE: _tr("离线"),
        StationState.NEVER: _tr("未上报"),
    }[state]


def resolution_label(resolutions: set[str]) -> str:
    """What the chart shows: raw readings, or buckets of minutes or hours (with their band)."""
    if not resolutions or resolutions <= {"raw"}:
        return _tr("原始数据")
    coarse = max(resolutions - {"raw"}, key=lambda r: int(r[:-1]) * (60 if r[-1] == "h" else 1))
    if coarse.endswith("m"):
        return _tr("每 {n} 分钟汇总（阴影为最小–最大）").format(n=coarse[:-1])
    return _tr("每 {n} 小时汇总（阴影为最小–最大）").format(n=coarse[:-1])


class MonitoringPane(QWidget):
    """Station list and chart; see the module docstring."""

    drawn = Signal()  # the chart shows the data of the last query (for tests and screenshots)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        silence: SilenceRule | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.silence = silence or SilenceRule()
        self.stations: list[Station] = []
        self.states: dict[int, StationState] = {}
        self.span = RANGES[0]
        self.live = True  # the view follows "now"; off once the operator zooms or pans
        self.view_window: tuple[datetime, datetime] | None = None
        self.series: dict[int, Series] = {}
        self._loading_series = False
        self._loading_stations = False
        self._last_redraw = 0.0
        self._setting_range = False

        self.table = QTableWidget(0, 6, self)
        self.table.setHorizontalHeaderLabels(
            [_tr("状态"), _tr("站名"), _tr("编号"), _tr("最新值"), _tr("最后上报"), _tr("拒收")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        # The newest values take the rest; narrow, the last report, the code and the refused
        # count give way (a row's double-click still opens its refused frames).
        self.columns = ColumnFitter(self.table, stretch=3, optional=(4, 2, 5))
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.table.cellDoubleClicked.connect(self._on_double_click)

        self.parameter = QComboBox(self)
        self.parameter.setMinimumContentsLength(12)
        self.parameter.currentIndexChanged.connect(lambda _i: self.reload_series())
        # The whole "name (code)" where the combo is narrower than it.
        self.parameter.currentTextChanged.connect(self.parameter.setToolTip)
        self.range_buttons = QButtonGroup(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(_tr("参数"), self))
        bar.addWidget(self.parameter)
        bar.addStretch(1)
        # The time ranges on a row of their own: one row is wider than a 1366 screen's dock.
        ranges = QHBoxLayout()
        for i, label in enumerate(range_labels()):
            button = QPushButton(label, self)
            button.setCheckable(True)
            button.setChecked(i == 0)
            self.range_buttons.addButton(button, i)
            ranges.addWidget(button)
        self.range_buttons.idClicked.connect(self._on_range)
        ranges.addStretch(1)
        self.resolution = QLabel("", self)
        bar.addWidget(self.resolution)

        # Options per widget and per item: pyqtgraph's global options belong to every view.
        self.plot = pg.PlotWidget(
            self,
            background="w",
            axisItems={"bottom": pg.DateAxisItem(utcOffset=BEIJING_OFFSET)},
        )
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setTextPen("#333")
            self.plot.getAxis(axis).setPen("#666")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.addLegend(offset=(10, 10), labelTextColor="#333")
        self.plot.getViewBox().sigRangeChangedManually.connect(self._on_manual_range)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(bar)
        right_layout.addLayout(ranges)
        right_layout.addWidget(self.plot, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.alarm_list = QListWidget(self)
        self.alarm_list.setToolTip(_tr("选中报警后按 Ctrl+I 转为接报"))
        self.alarm_list.itemSelectionChanged.connect(self._update_alarm_buttons)
        self.intake_button = QPushButton(_tr("转为接报"), self)
        self.intake_button.setShortcut(QKeySequence("Ctrl+I"))
        self.intake_button.setEnabled(False)
        self.intake_button.clicked.connect(self.alarm_to_intake)
        self.alarm_status = QLabel("", self)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 3)
        alarm_bar = QHBoxLayout()
        alarm_bar.addWidget(QLabel(_tr("报警"), self))
        alarm_bar.addStretch(1)
        alarm_bar.addWidget(self.alarm_status)
        alarm_bar.addWidget(self.intake_button)
        left_layout.addLayout(alarm_bar)
        left_layout.addWidget(self.alarm_list, 1)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([460, 1040])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        self._zoom_timer = QTimer(self)
        self._zoom_timer.setSingleShot(True)
        self._zoom_timer.setInterval(250)
        self._zoom_timer.timeout.connect(self._on_zoom_settled)
        # Another process may run the ingest server: follow the database on a timer as well
        # (and stale/offline follow the clock).
        self._ticks = 0
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._on_poll)
        self._poll.start()
        ctx.bus.changed.connect(self._on_changed)
        self.reload_stations()
        self.reload_alarms()

    # -- data -----------------------------------------------------------------------------------

    def reload_stations(self) -> None:
        """Read the stations and their newest values (off the GUI thread)."""
        if self._loading_stations:
            return
        self._loading_stations = True

        def done() -> None:
            self._loading_stations = False

        run_guarded(
            self,
            self.ctx.runner,
            False,
            self.ctx.services.monitoring.overview,
            on_result=self._show_stations,
            on_error=lambda _e: None,
            before=done,
            after=lambda: None,
        )

    def _show_stations(self, overview: list[tuple[Station, dict[str, Any]]]) -> None:
        selected = set(self.selected_ids())
        now = time.time()
        self.stations = [s for s, _latest in overview]
        self.table.blockSignals(True)
        self.table.setRowCount(len(overview))
        for row, (station, latest) in enumerate(overview):
            assert station.id is not None
            seen = station.last_seen_at.timestamp() if station.last_seen_at else None
            state = self.silence.state(seen, now)
            self.states[station.id] = state
            status = QTableWidgetItem(dot_icon(STATE_COLOURS[state]), state_label(state))
            status.setData(Qt.ItemDataRole.UserRole, station.id)
            units = {p.code: p.unit for p in station.parameters}
            values = "  ".join(
                f"{code} {value:g}{units.get(code, '')}"
                for code, (_t, value, _f) in sorted(latest.items())
            )
            cells = [
                status,
                QTableWidgetItem(station.name),
                QTableWidgetItem(station.code),
                QTableWidgetItem(values),
                QTableWidgetItem(format_beijing(station.last_seen_at, seconds=True) or "—"),
                QTableWidgetItem(str(station.frames_rejected)),
            ]
            for item in cells[:5]:
                item.setToolTip(item.text())  # whole, where a narrow dock elides it
            cells[5].setToolTip(_tr("被拒收的帧数；双击查看拒收记录"))
            for col, item in enumerate(cells):
                self.table.setItem(row, col, item)
        keep = QItemSelection()
        for row, (station, _latest) in enumerate(overview):
            if station.id in selected:
                keep.select(self.table.model().index(row, 0), self.table.model().index(row, 5))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.table.selectionModel().select(keep, flags)
        self.table.blockSignals(False)
        if not self.selected_ids() and overview:
            self.table.selectRow(0)
        if set(self.selected_ids()) != selected or not self.parameter.count():
            self._fill_parameters()

    def selected_ids(self) -> list[int]:
        """Ids of the stations chosen in the list, in list order."""
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        ids = []
        for row in rows:
            item = self.table.item(row, 0)
            if item is not None:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return ids

    def _fill_parameters(self) -> None:
        ids = set(self.selected_ids())
        codes: list[str] = []
        for station in self.stations:
            if station.id in ids:
                codes += [p.code for p in station.parameters if p.code not in codes]
        current = self.parameter.currentData()
        self.parameter.blockSignals(True)
        self.parameter.clear()
        for code in codes:
            param = next(
                (p for s in self.stations if s.id in ids for p in s.parameters if p.code == code),
                None,
            )
            label = (
                _tr("{name}（{code}）").format(name=param.name, code=code)
                if param and param.name
                else code
            )
            self.parameter.addItem(label, code)
        index = self.parameter.findData(current)
        self.parameter.setCurrentIndex(index if index >= 0 else 0)
        self.parameter.blockSignals(False)
        self.reload_series()

    def reload_series(self) -> None:
        """Query the chosen stations' series for the window shown."""
        code = self.parameter.currentData()
        ids = self.selected_ids()
        if not code or not ids or self._loading_series:
            return
        if self.live or self.view_window is None:
            end = datetime.now(UTC) + timedelta(seconds=5)
            self.view_window = (end - self.span, end)
        start, end = self.view_window
        points = max(200, self.plot.width())
        service = self.ctx.services.monitoring
        self._loading_series = True

        def query() -> dict[int, Series]:
            out: dict[int, Series] = {}
            for sid in ids:
                station = next((s for s in self.stations if s.id == sid), None)
                if station is not None and station.parameter(code) is not None:
                    out[sid] = service.series(sid, code, start, end, points)
            return out

        def done() -> None:
            self._loading_series = False

        run_guarded(
            self,
            self.ctx.runner,
            False,
            query,
            on_result=lambda result: self._draw(code, result),
            on_error=lambda _e: None,
            before=done,
            after=lambda: None,
        )

    # -- drawing --------------------------------------------------------------------------------

    def _draw(self, code: str, result: dict[int, Series]) -> None:
        self.series = result
        plot = self.plot
        plot.clear()
        legend = plot.plotItem.legend
        if legend is not None:
            legend.clear()
        resolutions: set[str] = set()
        first: Station | None = None
        for i, (sid, series) in enumerate(result.items()):
            station = next(s for s in self.stations if s.id == sid)
            first = first or station
            colour = CURVE_COLOURS[i % len(CURVE_COLOURS)]
            resolutions.add(series.resolution)
            if series.resolution != "raw" and series.t:
                low = pg.PlotDataItem(series.t, series.low, pen=pg.mkPen(None))
                high = pg.PlotDataItem(series.t, series.high, pen=pg.mkPen(None))
                band = QColor(colour)
                band.setAlpha(50)
                plot.addItem(pg.FillBetweenItem(low, high, brush=pg.mkBrush(band)))
            plot.plot(
                series.t,
                series.mean,
                pen=pg.mkPen(colour, width=2),
                name=station.name,
                antialias=len(result) <= SMOOTH_CURVES,  # many curves: speed over smoothness
            )
            param = station.parameter(code)
            if param is not None and param.thresholds:
                self._mark_breaches(series, param.thresholds)
        if first is not None:
            param = first.parameter(code)
            for threshold in param.thresholds if param else ():
                colour = LEVEL_COLOURS.get(threshold.level, "#000")
                line = pg.InfiniteLine(
                    pos=threshold.value,
                    angle=0,
                    pen=pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine),
                    label=f"{level_name(threshold.level)} {threshold.value:g}",
                    labelOpts={"position": 0.97, "color": colour, "fill": "#ffffffc0"},
                )
                plot.addItem(line)
            unit = param.unit if param else ""
            plot.setLabel("left", f"{code}" + (f" ({unit})" if unit else ""))
        if self.view_window is not None:
            self._setting_range = True
            start, end = self.view_window
            plot.setXRange(start.timestamp(), end.timestamp(), padding=0)
            plot.enableAutoRange(axis="y")
            self._setting_range = False
        self.resolution.setText(resolution_label(resolutions))
        self._last_redraw = time.monotonic()
        self.drawn.emit()

    def _mark_breaches(self, series: Series, thresholds: tuple[Any, ...]) -> None:
        spots = []
        for t, value in zip(series.t, series.mean, strict=True):
            levels = [th.level for th in thresholds if th.breached(value)]
            if levels:
                colour = LEVEL_COLOURS.get(min(levels), "#000")
                spots.append({"pos": (t, value), "brush": pg.mkBrush(colour), "size": 8})
        if spots:
            self.plot.addItem(pg.ScatterPlotItem(spots=spots, pen=pg.mkPen("#ffffff")))

    # -- interaction ----------------------------------------------------------------------------

    def _on_double_click(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.show_quarantine(int(item.data(Qt.ItemDataRole.UserRole)))

    def show_quarantine(self, station_id: int) -> QuarantineDialog | None:
        """Open the refused frames of a station (double-click on its row)."""
        station = next((s for s in self.stations if s.id == station_id), None)
        if station is None:
            return None
        dialog = QuarantineDialog(self.ctx, station, self)
        dialog.setModal(False)
        dialog.show()
        return dialog

    def _on_selection(self) -> None:
        self._fill_parameters()

    def _on_range(self, index: int) -> None:
        self.span = RANGES[index]
        self.live = True
        self.reload_series()

    def _on_manual_range(self, *_args: Any) -> None:
        if self._setting_range:
            return
        self.live = False
        self._zoom_timer.start()

    def _on_zoom_settled(self) -> None:
        (x0, x1), _ = self.plot.getViewBox().viewRange()
        self.view_window = (datetime.fromtimestamp(x0, UTC), datetime.fromtimestamp(x1, UTC))
        self.reload_series()

    def _on_poll(self) -> None:
        if not self.isVisible():
            return
        self._ticks += 1
        if self.live and time.monotonic() - self._last_redraw >= LIVE_REDRAW_S:
            self.reload_series()
        if self._ticks % 3 == 0:
            self.reload_stations()
            self.reload_alarms()

    # -- alarms ---------------------------------------------------------------------------------

    def reload_alarms(self) -> None:
        """Read the active alarms (off the GUI thread)."""
        run_guarded(
            self,
            self.ctx.runner,
            False,
            lambda: self.ctx.services.monitoring.alarms(active_only=True, limit=200),
            on_result=self._show_alarms,
            on_error=lambda _e: None,
            before=lambda: None,
            after=self._update_alarm_buttons,
        )

    def _show_alarms(self, alarms: list[Alarm]) -> None:
        chosen = self.selected_alarm_id()
        self.alarm_list.clear()
        for alarm in alarms:
            when = format_beijing(alarm.raised_at, seconds=True)
            text = f"{when}  {alarm.message}"
            if alarm.intake_id is not None:
                text += _tr("  [已转接报 #{id}]").format(id=alarm.intake_id)
            item = QListWidgetItem(text)
            colour = LEVEL_COLOURS.get(alarm.level, STATE_COLOURS[StationState.OFFLINE])
            if alarm.kind == "stale":
                colour = STATE_COLOURS[StationState.STALE]
            item.setIcon(dot_icon(colour))
            item.setData(Qt.ItemDataRole.UserRole, alarm.id)
            self.alarm_list.addItem(item)
            if alarm.id == chosen:
                item.setSelected(True)
        if chosen is None and alarms:
            self.alarm_list.setCurrentRow(0)

    def selected_alarm_id(self) -> int | None:
        """The alarm chosen in the list, or None."""
        items = self.alarm_list.selectedItems()
        return int(items[0].data(Qt.ItemDataRole.UserRole)) if items else None

    def _update_alarm_buttons(self) -> None:
        self.intake_button.setEnabled(
            self.selected_alarm_id() is not None and not self.ctx.read_only
        )

    def alarm_to_intake(self) -> None:
        """Record the chosen alarm as an intake (source channel: monitoring alarm)."""
        alarm_id = self.selected_alarm_id()
        if alarm_id is None or self.ctx.read_only:
            return
        self.intake_button.setEnabled(False)

        def recorded(intake_id: int) -> None:
            self.alarm_status.setText(_tr("已转为接报 #{id}").format(id=intake_id))
            self.reload_alarms()

        def failed(error: BaseException) -> None:
            self.alarm_status.setText(_tr("转接报失败：{error}").format(error=error))

        run_guarded(
            self,
            self.ctx.runner,
            True,
            self.ctx.services.monitoring.to_intake,
            self.ctx.actor,
            alarm_id,
            on_result=recorded,
            on_error=failed,
            before=lambda: None,
            after=self._update_alarm_buttons,
        )

    def _on_changed(self, topic: str) -> None:
        if topic == "monitoring_alarms":
            self.reload_alarms()
        if topic in ("stations", "monitoring_alarms"):
            self.reload_stations()
        elif (
            topic == "readings"
            and self.live
            and time.monotonic() - self._last_redraw >= LIVE_REDRAW_S
        ):
            self.reload_series()
            self.reload_stations()
