"""The demo's monitoring stations: seeded once, reporting live, an alarm now and then."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from console.demo_monitoring import (
    AIR_SIM,
    AIRS,
    RIVER_SIM,
    RIVERS,
    DemoStations,
    seed_demo_stations,
)
from console.domain import LogKind
from console.monitoring.alarms import StationState
from console.services import Services


def _wait(what: str, check: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_demo_stations_report_live_and_a_spike_raises_an_alarm_on_the_log(db_url: str) -> None:
    services = Services.open(db_url)
    demo: DemoStations | None = None
    try:
        assert seed_demo_stations(services) == len(RIVERS) + len(AIRS) == 10
        assert seed_demo_stations(services) == 0  # once only
        mon = services.monitoring
        stations = mon.stations()
        assert {s.kind for s in stations} == {"河道水位", "空气质量"}
        assert all(s.lon and s.lat and s.division_code for s in stations)

        demo = DemoStations(services, interval=0.5, spike_first=None)
        ports = demo.start_stations()
        assert set(ports) == {"hj212", "sl651"}
        assert len(demo.pids) == 2

        def everyone_reported() -> bool:
            return all(s.frames_ok >= 2 and s.frames_rejected == 0 for s in mon.stations())

        _wait("every demo station reporting", everyone_reported)
        river = mon.find("0061000001", "sl651")
        air = mon.find("JLAQ00000000000000000001", "hj212")
        assert river is not None
        assert air is not None
        assert river.name == "松花江临江门水文站"
        assert 1.5 < mon.latest(river.id or 0)["Z"][1] < 2.5  # metres, no alarm
        assert mon.latest(air.id or 0)["a34004"][1] < 75  # µg/m³, no alarm
        assert mon.alarms() == []
        assert demo.watch.state(river.id or 0) is StationState.LIVE

        sim, code, value = demo.spike(AIR_SIM)
        assert sim == AIR_SIM
        (alarm,) = _wait("the demo alarm", lambda: mon.alarms(active_only=True))
        assert (alarm.station_code, alarm.level, alarm.value) == (code, 3, value)
        assert "三级" in alarm.message
        logged = [e.text for e in services.log.page(limit=20) if e.kind is LogKind.MONITORING]
        assert logged == ["监测报警：" + alarm.message]
        _wait("the alarm cleared after the spike", lambda: not mon.alarms(active_only=True))

        _sim, river_code, river_value = demo.spike(RIVER_SIM)
        (flood,) = _wait("the river alarm", lambda: mon.alarms(active_only=True))
        assert (flood.station_code, flood.parameter_code, flood.level) == (river_code, "Z", 3)
        assert flood.value == pytest.approx(river_value)
    finally:
        pids = demo.pids if demo is not None else []
        if demo is not None:
            demo.stop()
        services.close()
    assert pids
    assert all(_gone(pid) for pid in pids)
    assert demo is not None
    assert demo.server is None


def test_the_demo_workstation_runs_the_stations_and_stops_them_with_the_window(
    sqlite_url: str, qapp: object
) -> None:
    from console.app import build_context

    ctx = build_context(sqlite_url, demo=True, monitor_interval_ms=3_600_000, watch=False)
    try:
        demo = ctx.extra.get("demo_stations")
        assert isinstance(demo, DemoStations)
        pids = list(demo.pids)
        assert len(pids) == 2
        mon = ctx.services.monitoring
        _wait("the demo stations' first readings", lambda: mon.reading_count() >= 40)
        assert {s.name for s in mon.stations() if s.frames_ok} == {
            name for name, *_ in (*RIVERS, *AIRS)
        }
    finally:
        ctx.close()
    assert all(_gone(pid) for pid in pids)
    assert demo.server is None
