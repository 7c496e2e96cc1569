"""Monitoring stations on the situation map, coloured by state or alarm level.

:class:`StationMapFeed` reads every station with its newest values and the active alarms (on the
task runner) and hands them to :meth:`widgets.map.view.MapPane.set_stations`: a station in
alarm takes the colour of its gravest threshold level (一级 red … 四级 blue) and the map's alarm
ring; otherwise the colour of its state (live green, stale orange, offline red, never heard
grey — the monitoring pane's dots). It reads again when the stations or alarms change (the
``stations`` and ``monitoring_alarms`` topics, also from other processes), on new readings at
most every few seconds, and on a timer while the map is shown (stale and offline follow the
clock).
"""

from __future__ import annotations

import time
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from console.app import AppContext
from console.map_data import Station as MapStation
from console.monitoring.alarms import SilenceRule
from console.monitoring.model import LEVEL_COLOURS, Alarm, AlarmKind, Station
from widgets.forms import run_guarded
from widgets.map.view import MapPane
from widgets.monitoring.pane import STATE_COLOURS, level_name, state_label

REFRESH_MS = 10_000  # while the map is shown
READINGS_EVERY_S = 5.0  # new readings change the values shown; not worth more often

Overview = list[tuple[Station, dict[str, tuple[datetime, float, str]]]]


def map_stations(
    overview: Overview, alarms: list[Alarm], silence: SilenceRule, now: float
) -> list[MapStation]:
    """The map's stations: colour and words by alarm level, else by state."""
    threshold: dict[int, int] = {}  # station id → gravest active level
    for alarm in alarms:
        if alarm.state == "active" and alarm.kind == AlarmKind.THRESHOLD.value and alarm.level:
            best = threshold.get(alarm.station_id)
            threshold[alarm.station_id] = alarm.level if best is None else min(best, alarm.level)
    out = []
    for station, latest in overview:
        if station.id is None or station.lon is None or station.lat is None:
            continue
        seen = station.last_seen_at.timestamp() if station.last_seen_at else None
        state = silence.state(seen, now)
        words = state_label(state)
        colour = STATE_COLOURS[state]
        level = threshold.get(station.id)
        if level is not None:
            colour = LEVEL_COLOURS.get(level, colour)
            words = f"{words} · {level_name(level)}"
        units = {p.code: p.unit for p in station.parameters}
        value = "  ".join(
            f"{code} {v:g}{units.get(code, '')}" for code, (_t, v, _f) in sorted(latest.items())
        )
        out.append(
            MapStation(
                id=str(station.id),
                name=station.name,
                lon=station.lon,
                lat=station.lat,
                kind=station.kind,
                value=value,
                alarm=level is not None,
                colour=colour,
                state=words,
            )
        )
    return out


class StationMapFeed(QObject):
    """Feeds the map's station layer from the monitoring service; see the module docstring."""

    fed = Signal(list)  # list[console.map_data.Station] handed to the map

    def __init__(
        self, ctx: AppContext, map_pane: MapPane, silence: SilenceRule | None = None
    ) -> None:
        super().__init__(map_pane)
        self.ctx = ctx
        self.map_pane = map_pane
        self.silence = silence or SilenceRule()
        self.last: list[MapStation] = []
        self._loading = False
        self._again = False
        self._last_read = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._on_timer)
        self._timer.start()
        ctx.bus.changed.connect(self._on_changed)
        map_pane.page_ready.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        """Read the stations and active alarms again (off the GUI thread)."""
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._last_read = time.monotonic()
        service = self.ctx.services.monitoring

        def query() -> tuple[Overview, list[Alarm]]:
            return service.overview(), service.alarms(active_only=True, limit=10_000)

        def done() -> None:
            self._loading = False

        run_guarded(
            self.map_pane,
            self.ctx.runner,
            False,
            query,
            on_result=self._show,
            on_error=lambda _e: None,
            before=done,
            after=self._follow_up,
        )

    def _follow_up(self) -> None:
        if self._again:
            self._again = False
            self.reload()

    def _show(self, result: tuple[Overview, list[Alarm]]) -> None:
        overview, alarms = result
        stations = map_stations(overview, alarms, self.silence, time.time())
        if stations != self.last:
            self.last = stations
            self.map_pane.set_stations(stations)
        self.fed.emit(stations)

    def _on_timer(self) -> None:
        if self.map_pane.isVisible():
            self.reload()

    def _on_changed(self, topic: str) -> None:
        if topic in ("stations", "monitoring_alarms") or (
            topic == "readings" and time.monotonic() - self._last_read >= READINGS_EVERY_S
        ):
            self.reload()
