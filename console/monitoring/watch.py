"""Turns stored readings and silent stations into alarms (and, by rule, into intakes).

:class:`AlarmWatch` is the ingest server's ``on_batch`` and ``on_tick``: it runs on the
server's writer thread, after a batch is committed. Each parameter with thresholds has a
:class:`~console.monitoring.alarms.ThresholdTracker`; a level change raises (or clears) an alarm
through the service. Every ``on_tick`` the stations' last frames are compared with the
:class:`~console.monitoring.alarms.SilenceRule`: stale and offline stations raise alarms,
a station heard again clears them. Alarms at ``auto_intake_level`` or more severe become intakes
at once (source channel: monitoring alarm).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from console.monitoring.alarms import SilenceRule, StationState, ThresholdTracker
from console.monitoring.model import AlarmKind, IngestBatch, Station
from console.services.monitoring import MonitoringService

log = logging.getLogger(__name__)

INTAKE_ACTOR = "monitoring"
RELOAD_SECONDS = 10.0


class AlarmWatch:
    """Threshold and silence alarms over a :class:`MonitoringService`."""

    def __init__(
        self,
        service: MonitoringService,
        silence: SilenceRule | None = None,
        auto_intake_level: int | None = None,
        on_alarm: Callable[[int], None] | None = None,
    ) -> None:
        self.service = service
        self.silence = silence or SilenceRule()
        self.auto_intake_level = auto_intake_level
        self.on_alarm = on_alarm  # hears the id of every alarm raised
        self._stations: dict[tuple[str, str], Station] = {}
        self._trackers: dict[tuple[int, str], ThresholdTracker] = {}
        self._states: dict[int, StationState] = {}
        self._loaded = 0.0

    def reload(self) -> None:
        """Re-read stations and thresholds; trackers start at the level of the active alarms."""
        stations = self.service.stations()
        active = {
            (a.station_id, a.parameter_code): a.level
            for a in self.service.alarms(active_only=True, limit=10_000)
            if a.kind == AlarmKind.THRESHOLD.value
        }
        self._stations = {(s.protocol, s.code): s for s in stations}
        trackers: dict[tuple[int, str], ThresholdTracker] = {}
        for station in stations:
            assert station.id is not None
            for param in station.parameters:
                if not param.thresholds:
                    continue
                key = (station.id, param.code)
                old = self._trackers.get(key)
                if old is not None and old.thresholds == param.thresholds:
                    trackers[key] = old
                else:
                    trackers[key] = ThresholdTracker(param.thresholds, active.get(key, 0))
        self._trackers = trackers
        self._loaded = time.monotonic()

    def on_topic(self, topic: str) -> None:
        """A ``Services`` listener: re-read the thresholds when the stations changed."""
        if topic == "stations":
            self._loaded = 0.0

    def on_batch(self, batch: IngestBatch) -> None:
        """Feed a committed batch's readings to the trackers, in time order."""
        if time.monotonic() - self._loaded > RELOAD_SECONDS:
            self.reload()
        series: dict[tuple[int, str], list[tuple[int, float]]] = defaultdict(list)
        for protocol, code, pcode, _unit, t, value, _flag in batch.readings:
            station = self._stations.get((protocol, code))
            if station is None or station.id is None:
                continue
            if (station.id, pcode) in self._trackers:
                series[(station.id, pcode)].append((t, value))
        for key, points in series.items():
            tracker = self._trackers[key]
            for t, value in sorted(points):
                change = tracker.feed(t, value)
                if change is None:
                    continue
                at = datetime.fromtimestamp(t, UTC)
                if change.after == 0:
                    self.service.clear_alarm(key[0], AlarmKind.THRESHOLD, key[1], at)
                    continue
                alarm = self.service.raise_alarm(
                    key[0],
                    AlarmKind.THRESHOLD,
                    parameter_code=key[1],
                    level=change.after,
                    value=change.value,
                    limit=change.limit,
                    at=at,
                )
                self._raised(alarm.id, change.after)
        for station in self._stations.values():  # a station heard again is live
            if station.id is not None and (station.protocol, station.code) in batch.accepted:
                self._set_state(station, StationState.LIVE)

    def on_tick(self) -> None:
        """Compare every station's last frame with the silence rule."""
        if time.monotonic() - self._loaded > RELOAD_SECONDS:
            self.reload()
        now = time.time()
        for station in self.service.stations():
            seen = station.last_seen_at.timestamp() if station.last_seen_at else None
            self._set_state(station, self.silence.state(seen, now))

    def state(self, station_id: int) -> StationState:
        """The last known state of a station."""
        return self._states.get(station_id, StationState.NEVER)

    def _set_state(self, station: Station, state: StationState) -> None:
        assert station.id is not None
        before = self._states.get(station.id)
        if before == state or (before is None and state in (StationState.LIVE, StationState.NEVER)):
            self._states[station.id] = state
            return
        self._states[station.id] = state
        if state in (StationState.LIVE, StationState.NEVER):
            self.service.clear_alarm(station.id, AlarmKind.STALE)
            self.service.clear_alarm(station.id, AlarmKind.OFFLINE)
            return
        kind = AlarmKind.STALE if state is StationState.STALE else AlarmKind.OFFLINE
        if kind is AlarmKind.OFFLINE:  # replaced by the graver alarm: one log entry, not two
            self.service.clear_alarm(station.id, AlarmKind.STALE, log=False)
        alarm = self.service.raise_alarm(station.id, kind)
        self._raised(alarm.id, None)

    def _raised(self, alarm_id: int, level: int | None) -> None:
        if (
            level is not None
            and self.auto_intake_level is not None
            and level <= self.auto_intake_level
        ):
            try:
                self.service.to_intake(INTAKE_ACTOR, alarm_id)
            except Exception:
                log.exception("monitoring alarm %s could not become an intake", alarm_id)
        if self.on_alarm is not None:
            self.on_alarm(alarm_id)
