"""Monitoring stations on the situation map, coloured by their state or their alarm level."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from console.app import AppContext
from console.monitoring.alarms import SilenceRule, StationState
from console.monitoring.ingest import IngestConfig, IngestServer
from console.monitoring.model import (
    LEVEL_COLOURS,
    Alarm,
    Parameter,
    Station,
    Threshold,
)
from console.monitoring.watch import AlarmWatch
from tests.devices.conftest import SimFactory
from tests.gui.test_map import run_js
from tests.gui.test_map_layers import js_json, shown_pane
from widgets.map.view import MapPane
from widgets.monitoring.map_feed import StationMapFeed, map_stations
from widgets.monitoring.pane import STATE_COLOURS

pytestmark = [pytest.mark.gui]
WAIT_MS = 20_000


@pytest.fixture
def sims(tmp_path: Path) -> Iterator[SimFactory]:
    """Simulator processes, each stopped by pid at the end."""
    factory = SimFactory(tmp_path)
    try:
        yield factory
    finally:
        factory.stop_all()


def _station(code: str, name: str, lon: float, lat: float, *thresholds: Threshold) -> Station:
    return Station(
        "hj212",
        code,
        name,
        "污水",
        lon,
        lat,
        parameters=(Parameter("w01018", "化学需氧量", "mg/L", tuple(thresholds)),),
    )


def test_stations_appear_on_the_map_coloured_by_state_and_alarm_after_readings_arrive(
    qtbot: QtBot, ctx: AppContext, sims: SimFactory
) -> None:
    mon = ctx.services.monitoring
    live = mon.add_station("admin", _station("DCSIM" + "1".zfill(19), "南湖排口", 125.30, 43.85))
    # Every ordinary COD value (about 30 mg/L) is past this 四级 limit: an alarm at once.
    breach = mon.add_station(
        "admin",
        _station("DCSIM" + "2".zfill(19), "伊通河排口", 125.35, 43.90, Threshold(4, 1.0)),
    )
    quiet = mon.add_station("admin", _station("NEVERHEARD01", "净月排口", 125.45, 43.80))
    watch = AlarmWatch(mon)
    server = IngestServer(
        mon,
        IngestConfig(host="127.0.0.1", hj212_port=0, flush_seconds=0.1),
        on_batch=watch.on_batch,
    )
    ctx.services.add_listener(server.on_topic)
    ctx.services.add_listener(watch.on_topic)
    server.start()
    pane: MapPane | None = None
    try:
        pane = shown_pane(qtbot, ctx)
        feed = StationMapFeed(ctx, pane)

        def colours() -> dict[str, str]:
            assert pane is not None
            return dict(js_json(qtbot, pane, "dutyMap.stationColours()"))

        grey = STATE_COLOURS[StationState.NEVER]
        before = {f"station-{s.id}": grey for s in (live, breach, quiet)}
        qtbot.waitUntil(lambda: colours() == before, timeout=WAIT_MS)
        assert js_json(qtbot, pane, "dutyMap.kindCounts()").get("station") == 3

        sims.start(
            "hj212",
            tcp=True,
            extra=(
                *("--connect", f"127.0.0.1:{server.ports['hj212']}", "--stations", "2"),
                *("--interval", "0.5"),
            ),
        )
        after = {
            f"station-{live.id}": STATE_COLOURS[StationState.LIVE],
            f"station-{breach.id}": LEVEL_COLOURS[4],
            f"station-{quiet.id}": grey,
        }
        qtbot.waitUntil(lambda: colours() == after, timeout=WAIT_MS)
        shown = {s.name: s for s in feed.last}
        assert shown["伊通河排口"].alarm
        assert shown["伊通河排口"].state == "在线 · 四级"
        assert not shown["南湖排口"].alarm
        assert "w01018 " in shown["南湖排口"].value
        assert "mg/L" in shown["南湖排口"].value
        assert shown["净月排口"].state == "未上报"
        # Zoomed in (no clusters), the station in alarm wears the alarm ring, the others not.
        run_js(qtbot, pane, "dutyMap.setView(125.37, 43.87, 13)")
        script = "[...document.querySelectorAll('.kind-station.alarm')].map(e => e.title)"
        qtbot.waitUntil(lambda: js_json(qtbot, pane, script) == ["伊通河排口"], timeout=WAIT_MS)
        painted = js_json(
            qtbot,
            pane,
            "Object.fromEntries([...document.querySelectorAll('.kind-marker.kind-station')]"
            ".map(e => [e.title, getComputedStyle(e.firstChild).backgroundColor]))",
        )
        assert painted == {
            "南湖排口": _rgb(STATE_COLOURS[StationState.LIVE]),
            "伊通河排口": _rgb(LEVEL_COLOURS[4]),
            "净月排口": _rgb(grey),
        }
    finally:
        server.stop()
        if pane is not None:
            pane.close()
            pane.deleteLater()
            qtbot.wait(50)


def test_a_silent_station_is_orange_then_red_and_the_gravest_alarm_level_wins() -> None:
    now = time.time()
    rule = SilenceRule(stale_s=300, offline_s=1800)

    def station(i: int, seen_ago: float) -> tuple[Station, dict[str, tuple[datetime, float, str]]]:
        seen = datetime.fromtimestamp(now - seen_ago, UTC)
        row = Station(
            "sl651", f"006100000{i}", f"站{i}", "河道水位", 126.5, 43.7, id=i, last_seen_at=seen
        )
        return row, {"Z": (seen, 2.5, "N")}

    overview = [station(1, 10), station(2, 600), station(3, 7200), station(4, 10)]
    at = datetime.now(UTC) - timedelta(minutes=1)

    def alarm(i: int, station_id: int, kind: str, level: int) -> Alarm:
        return Alarm(
            i, station_id, "", "", "Z", kind, level, "active", None, None, at, None, "", "", None
        )

    alarms = [alarm(1, 4, "threshold", 3), alarm(2, 4, "threshold", 2), alarm(3, 3, "offline", 0)]
    shown = {s.id: s for s in map_stations(overview, alarms, rule, now)}
    assert shown["1"].colour == STATE_COLOURS[StationState.LIVE]
    assert shown["2"].colour == STATE_COLOURS[StationState.STALE]
    assert shown["2"].state == "数据延迟"
    assert shown["3"].colour == STATE_COLOURS[StationState.OFFLINE]
    assert shown["3"].state == "离线"
    assert not shown["3"].alarm  # silence is told by the colour, not the alarm ring
    assert shown["4"].colour == LEVEL_COLOURS[2]
    assert shown["4"].alarm
    assert shown["4"].value == "Z 2.5"


def _rgb(colour: str) -> str:
    """``#2e7d32`` as the browser's computed style writes it."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"
