"""The monitoring pane: a live chart receiving simulator data, threshold lines, station states."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyqtgraph as pg
import pytest
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.monitoring.ingest import IngestConfig, IngestServer
from console.monitoring.model import LEVEL_COLOURS, Parameter, Station, Threshold
from tests.devices.conftest import SimFactory
from widgets.monitoring.pane import MonitoringPane

pytestmark = pytest.mark.gui
WAIT_MS = 20_000


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimFactory]:
    """Simulator processes, each stopped by pid at the end."""
    factory = SimFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()


@pytest.fixture
def ingest(ctx: AppContext) -> Iterator[IngestServer]:
    """Two registered stations and an ingest server in this process (announcing on the bus)."""
    mon = ctx.services.monitoring
    for i in range(2):
        mon.add_station(
            "admin",
            Station(
                "hj212",
                f"DCSIM{i + 1:019d}",
                f"{i + 1}号排口",
                "污水",
                parameters=(
                    Parameter(
                        "w01018",
                        "化学需氧量",
                        "mg/L",
                        (Threshold(3, 45.0, hysteresis=2), Threshold(2, 80.0, hysteresis=5)),
                    ),
                ),
            ),
        )
    server = IngestServer(mon, IngestConfig(host="127.0.0.1", hj212_port=0, flush_seconds=0.1))
    ctx.services.add_listener(server.on_topic)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _curves(pane: MonitoringPane) -> list[pg.PlotDataItem]:
    return [i for i in pane.plot.plotItem.listDataItems() if isinstance(i, pg.PlotDataItem)]


def test_a_live_chart_receives_simulator_data_with_threshold_lines(
    qtbot: QtBot, ctx: AppContext, ingest: IngestServer, sims: SimFactory
) -> None:
    sim = sims.start(
        "hj212",
        tcp=True,
        extra=(
            *("--connect", f"127.0.0.1:{ingest.ports['hj212']}", "--stations", "2"),
            *("--interval", "1"),
        ),
    )
    pane = MonitoringPane(ctx)
    qtbot.addWidget(pane)
    pane.resize(1200, 600)
    pane.show()
    qtbot.waitUntil(lambda: pane.table.rowCount() == 2, timeout=WAIT_MS)
    pane.table.selectAll()

    def two_curves_with_data() -> bool:
        curves = _curves(pane)
        return len(curves) == 2 and all(c.xData is not None and len(c.xData) >= 3 for c in curves)

    qtbot.waitUntil(two_curves_with_data, timeout=WAIT_MS)
    assert pane.parameter.currentData() == "w01018"
    assert pane.resolution.text() == "原始数据"
    legend_names = sorted(c.name() for c in _curves(pane))
    assert legend_names == ["1号排口", "2号排口"]
    lines = [i for i in pane.plot.plotItem.items if isinstance(i, pg.InfiniteLine)]
    assert sorted((line.value(), line.pen.color().name()) for line in lines) == [
        (45.0, LEVEL_COLOURS[3]),
        (80.0, LEVEL_COLOURS[2]),
    ]
    first = pane.table.item(0, 0)
    assert first is not None
    assert first.text() == "在线"

    sim.control("spike 0 w01018 120.5")

    def spike_marked() -> bool:
        spots = [i for i in pane.plot.plotItem.items if isinstance(i, pg.ScatterPlotItem)]
        points = [p for s in spots for p in s.points()]
        return any(
            p.pos().y() == 120.5 and p.brush().color().name() == LEVEL_COLOURS[2] for p in points
        )

    qtbot.waitUntil(spike_marked, timeout=WAIT_MS)


def test_long_ranges_use_the_hourly_rollups(
    qtbot: QtBot, ctx: AppContext, ingest: IngestServer
) -> None:
    from datetime import UTC, datetime, timedelta

    from console.monitoring.model import IngestBatch

    batch = IngestBatch()
    end = int(datetime.now(UTC).timestamp())
    for i in range(7 * 24 * 60):
        t = end - 60 * i
        batch.readings.append(("hj212", "DCSIM0000000000000000001", "w01018", "", t, 30.0, "N"))
    ctx.services.monitoring.store(batch)
    pane = MonitoringPane(ctx)
    qtbot.addWidget(pane)
    pane.resize(1000, 500)
    pane.show()
    qtbot.waitUntil(lambda: pane.table.rowCount() == 2, timeout=WAIT_MS)
    pane.table.selectRow(0)
    qtbot.waitUntil(lambda: bool(_curves(pane)), timeout=WAIT_MS)
    with qtbot.waitSignal(pane.drawn, timeout=WAIT_MS):
        pane.range_buttons.button(3).click()  # 7 days
    series = next(iter(pane.series.values()))
    assert series.resolution != "raw"  # buckets of minutes or hours, never 10 080 points
    assert len(series.t) <= max(200, pane.plot.width())
    assert sum(series.count) == 7 * 24 * 60
    assert pane.resolution.text().startswith("每 ")
    assert pane.resolution.text().endswith("汇总（阴影为最小–最大）")
    assert any(isinstance(i, pg.FillBetweenItem) for i in pane.plot.plotItem.items)
    _ = timedelta


def test_an_alarm_in_the_list_becomes_an_intake_with_one_key(
    qtbot: QtBot, ctx: AppContext, ingest: IngestServer
) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from console.domain import SourceChannel
    from console.monitoring.model import AlarmKind

    mon = ctx.services.monitoring
    station = mon.find("DCSIM0000000000000000001", "hj212")
    assert station is not None
    assert station.id is not None
    alarm = mon.raise_alarm(
        station.id, AlarmKind.THRESHOLD, parameter_code="w01018", level=2, value=120.5, limit=80.0
    )
    pane = MonitoringPane(ctx)
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitUntil(lambda: pane.alarm_list.count() == 1, timeout=WAIT_MS)
    item = pane.alarm_list.item(0)
    assert item is not None
    assert "1号排口 w01018 达到二级阈值：120.5mg/L（阈值 80mg/L）" in item.text()
    qtbot.waitUntil(pane.intake_button.isEnabled, timeout=WAIT_MS)
    QTest.keyClick(pane, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: pane.alarm_status.text().startswith("已转为接报"), timeout=WAIT_MS)
    intake_id = mon.alarm(alarm.id).intake_id
    assert intake_id is not None
    intake = ctx.services.intake.get(intake_id)
    assert intake.channel is SourceChannel.MONITORING
    assert intake.title == alarm.message
    assert intake.recorder == ctx.actor
    qtbot.waitUntil(
        lambda: f"[已转接报 #{intake_id}]" in (pane.alarm_list.item(0) or item).text(),
        timeout=WAIT_MS,
    )


def test_the_refused_frames_of_a_station_open_from_its_row(
    qtbot: QtBot, ctx: AppContext, ingest: IngestServer
) -> None:
    from console.monitoring.model import IngestBatch

    mn = "DCSIM0000000000000000002"
    batch = IngestBatch()
    batch.rejected.append(
        (
            "hj212",
            mn,
            "10.1.1.9:5000",
            "bad_crc",
            "CRC 错误 (bad CRC): 包中 0000，计算得 C181",
            "##0036…0000",
        )
    )
    batch.rejected.append(
        (
            "hj212",
            mn,
            "10.1.1.9:5000",
            "bad_length",
            "长度错误 (bad length): 长度字段 181，数据段实为 183 字节",
            "##0181…",
        )
    )
    ctx.services.monitoring.store(batch)
    pane = MonitoringPane(ctx)
    qtbot.addWidget(pane)
    pane.show()
    qtbot.waitUntil(lambda: pane.table.rowCount() == 2, timeout=WAIT_MS)
    rejected = pane.table.item(1, 5)
    assert rejected is not None
    assert rejected.text() == "2"
    station = ctx.services.monitoring.find(mn, "hj212")
    assert station is not None
    assert station.id is not None
    dialog = pane.show_quarantine(station.id)
    assert dialog is not None
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=WAIT_MS)
    rows = [
        [dialog.table.item(r, c).text() for c in (1, 2)]  # type: ignore[union-attr]
        for r in range(2)
    ]
    assert rows == [
        ["长度错误", "长度错误 (bad length): 长度字段 181，数据段实为 183 字节"],
        ["CRC 错误", "CRC 错误 (bad CRC): 包中 0000，计算得 C181"],
    ]
    assert dialog.summary.text() == "共拒收 2 帧；显示最新 2 条"
