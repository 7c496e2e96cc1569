"""Threshold alarms: levels, hysteresis, minimum duration; station silence states."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from console.domain import LogKind, SourceChannel
from console.monitoring.alarms import SilenceRule, StationState, ThresholdTracker
from console.monitoring.ingest import IngestConfig, IngestServer
from console.monitoring.model import AlarmKind, Direction, Parameter, Station, Threshold
from console.monitoring.watch import AlarmWatch
from console.services import Services
from tests.devices.conftest import SimFactory

LEVELS = (
    Threshold(3, 4.5, hysteresis=0.2),
    Threshold(2, 5.0, hysteresis=0.2),
    Threshold(1, 6.0, hysteresis=0.2),
)


def _levels(tracker: ThresholdTracker, values: list[float], step: float = 60.0) -> list[int]:
    out = []
    for i, value in enumerate(values):
        tracker.feed(i * step, value)
        out.append(tracker.level)
    return out


def test_levels_rise_and_fall_with_the_value() -> None:
    tracker = ThresholdTracker(LEVELS)
    assert _levels(tracker, [4.0, 4.6, 5.1, 6.3, 5.1, 4.0]) == [0, 3, 2, 1, 2, 0]


def test_hysteresis_keeps_a_wobbling_value_at_its_level() -> None:
    tracker = ThresholdTracker(LEVELS)
    assert _levels(tracker, [4.6, 4.4, 4.6, 4.35, 4.29]) == [3, 3, 3, 3, 0]


def test_a_level_needs_its_minimum_duration() -> None:
    tracker = ThresholdTracker((Threshold(2, 100.0, min_duration_s=300),))
    changes = [tracker.feed(t, v) for t, v in [(0, 120), (120, 130), (240, 90), (300, 120)]]
    assert all(c is None for c in changes)  # the breach was interrupted at 240 s
    assert tracker.feed(500, 125) is None
    change = tracker.feed(600, 125)  # 300 s past the limit since 300 s
    assert change is not None
    assert change.raised
    assert (change.before, change.after, change.limit) == (0, 2, 100.0)


def test_a_low_limit_alarms_below_it() -> None:
    tracker = ThresholdTracker((Threshold(4, 6.0, Direction.BELOW, hysteresis=0.5),))
    assert _levels(tracker, [7.0, 5.9, 6.3, 6.6]) == [0, 4, 4, 0]


def test_a_spike_raises_and_its_end_clears() -> None:
    tracker = ThresholdTracker((Threshold(2, 80.0, hysteresis=5.0),))
    assert tracker.feed(0, 30.0) is None
    raised = tracker.feed(60, 987.6)
    assert raised is not None
    assert raised.raised
    assert raised.value == 987.6
    cleared = tracker.feed(120, 31.0)
    assert cleared is not None
    assert not cleared.raised
    assert cleared.after == 0


def test_silence_makes_a_station_stale_then_offline() -> None:
    rule = SilenceRule(stale_s=120, offline_s=600)
    assert rule.state(None, 1000) is StationState.NEVER
    assert rule.state(1000, 1100) is StationState.LIVE
    assert rule.state(1000, 1120) is StationState.STALE
    assert rule.state(1000, 1600) is StationState.OFFLINE


def test_alarms_and_their_clearing_are_written_on_the_duty_log_and_audited(db_url: str) -> None:
    services = Services.open(db_url)
    try:
        mon = services.monitoring
        station = mon.add_station(
            "admin",
            Station(
                "sl651",
                "0061000001",
                "松花江丰满站",
                "河道水位",
                126.56,
                43.72,
                parameters=(Parameter("Z", "水位", "m", (Threshold(3, 4.5, hysteresis=0.2),)),),
            ),
        )
        assert station.id is not None
        alarm = mon.raise_alarm(
            station.id, AlarmKind.THRESHOLD, parameter_code="Z", level=3, value=4.62, limit=4.5
        )
        mon.raise_alarm(station.id, AlarmKind.STALE)
        mon.clear_alarm(station.id, AlarmKind.STALE, log=False)  # replaced by offline
        mon.raise_alarm(station.id, AlarmKind.OFFLINE)
        assert mon.clear_alarm(station.id, AlarmKind.THRESHOLD, "Z") == 1
        assert mon.clear_alarm(station.id, AlarmKind.OFFLINE) == 1
        entries = list(reversed(services.log.page(limit=20)))
        assert [(e.kind, e.author) for e in entries] == [(LogKind.MONITORING, "monitoring")] * 5
        assert [e.text for e in entries] == [
            "监测报警：" + alarm.message,
            "监测报警：松花江丰满站（0061000001）数据延迟",
            "监测报警：松花江丰满站（0061000001）离线",
            "监测报警解除：" + alarm.message,
            "监测报警解除：松花江丰满站（0061000001）离线",
        ]
        assert "4.62m" in alarm.message
        logged = [r for r in services.audit.latest(50, "log_entry") if r.action == "log.add"]
        assert len(logged) == 5
        assert {r.actor for r in logged} == {"monitoring"}
        assert services.audit.verify().ok
    finally:
        services.close()


# --------------------------------------------------------------------------- end to end


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimFactory]:
    """Simulator processes, each stopped by pid at the end."""
    factory = SimFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()


def _wait(what: str, check: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_a_spike_raises_an_alarm_that_becomes_an_intake_and_silence_goes_stale_then_offline(
    db_url: str, sims: SimFactory
) -> None:
    services = Services.open(db_url)
    mon = services.monitoring
    station = mon.add_station(
        "admin",
        Station(
            "hj212",
            "DCSIM0000000000000000001",
            "一号排口",
            "污水",
            125.3,
            43.8,
            parameters=(
                Parameter("w01018", "化学需氧量", "mg/L", (Threshold(2, 80.0, hysteresis=5),)),
            ),
        ),
    )
    assert station.id is not None
    watch = AlarmWatch(mon, SilenceRule(stale_s=1.5, offline_s=3.0), auto_intake_level=2)
    server = IngestServer(
        mon,
        IngestConfig(host="127.0.0.1", hj212_port=0, flush_seconds=0.1, tick_seconds=0.2),
        on_batch=watch.on_batch,
        on_tick=watch.on_tick,
    )
    services.add_listener(server.on_topic)
    services.add_listener(watch.on_topic)
    server.start()
    try:
        sim = sims.start(
            "hj212",
            tcp=True,
            extra=(
                *("--connect", f"127.0.0.1:{server.ports['hj212']}", "--stations", "1"),
                *("--interval", "0.2", "--speed", "60"),
            ),
        )
        _wait("normal readings", lambda: mon.station(station.id or 0).frames_ok >= 3)
        assert mon.alarms() == []
        sim.control("spike 0 w01018 987.6")
        (alarm,) = _wait("the alarm", lambda: mon.alarms(active_only=True))
        assert alarm.kind == "threshold"
        assert alarm.level == 2
        assert alarm.value == 987.6
        assert alarm.limit_value == 80.0
        assert "二级" in alarm.message
        assert "987.6mg/L" in alarm.message
        intake_id = _wait("the intake", lambda: mon.alarm(alarm.id).intake_id)
        intake = services.intake.get(intake_id)
        assert intake.channel is SourceChannel.MONITORING
        assert intake.title == alarm.message
        assert intake.lon == 125.3
        _wait("the alarm cleared by normal values", lambda: not mon.alarms(active_only=True))
        assert mon.alarm(alarm.id).cleared_at is not None
        texts = [e.text for e in services.log.page(limit=50) if e.kind is LogKind.MONITORING]
        assert "监测报警：" + alarm.message in texts
        assert "监测报警解除：" + alarm.message in texts

        sim.control("silence all")
        stale = _wait(
            "a stale alarm", lambda: [a for a in mon.alarms(active_only=True) if a.kind == "stale"]
        )
        assert stale[0].station_id == station.id
        offline = _wait(
            "an offline alarm",
            lambda: [a for a in mon.alarms(active_only=True) if a.kind == "offline"],
        )
        assert "离线" in offline[0].message
        assert [a.kind for a in mon.alarms(active_only=True)] == ["offline"]
        sim.control("resume all")
        _wait("alarms cleared when the station is back", lambda: not mon.alarms(active_only=True))
        assert watch.state(station.id) is StationState.LIVE
    finally:
        server.stop()
        services.close()
