"""Threshold and silence alarms: the decisions, without storage or threads.

:class:`ThresholdTracker` follows one parameter: a level (1 = 一级 red … 4 = 四级 blue) is
raised once the value has stayed past that level's limit for its minimum duration, and lowered
only when the value is back inside the limit by the hysteresis — so a value wobbling around a
limit does not flap. :class:`SilenceTracker` says whether a station is live, stale or offline
from the time its last frame arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from console.monitoring.model import Threshold


class StationState(StrEnum):
    """How recently a station was heard from."""

    LIVE = "live"
    STALE = "stale"
    OFFLINE = "offline"
    NEVER = "never"  # registered, never heard from


@dataclass(frozen=True, slots=True)
class LevelChange:
    """The alarm level of a parameter changed at ``t`` (0 = no alarm)."""

    before: int
    after: int
    t: float
    value: float
    limit: float | None  # the limit of the level now in force (or of the one left)

    @property
    def raised(self) -> bool:
        """The level got more severe (a smaller number, or any level after none)."""
        return self.after != 0 and (self.before == 0 or self.after < self.before)


@dataclass(slots=True)
class ThresholdTracker:
    """The alarm level of one parameter, reading by reading (times in epoch seconds)."""

    thresholds: tuple[Threshold, ...]
    level: int = 0
    _pending: dict[int, float] = field(default_factory=dict)  # level → first breach time

    def _threshold(self, level: int) -> Threshold | None:
        return next((t for t in self.thresholds if t.level == level), None)

    def feed(self, t: float, value: float) -> LevelChange | None:
        """Take one reading (in time order); the change of level it causes, if any."""
        breached = sorted(th.level for th in self.thresholds if th.breached(value))
        for level in list(self._pending):
            if level not in breached:
                del self._pending[level]
        for level in breached:
            self._pending.setdefault(level, t)
        candidates = [
            th.level
            for th in self.thresholds
            if th.level in self._pending and t - self._pending[th.level] >= th.min_duration_s
        ]
        current = self._threshold(self.level) if self.level else None
        if current is not None and not current.cleared(value):
            candidates.append(self.level)  # held by the hysteresis
        target = min(candidates) if candidates else 0
        if target == self.level:
            return None
        before, self.level = self.level, target
        shown = self._threshold(target) or current
        return LevelChange(before, target, t, value, shown.value if shown else None)


@dataclass(frozen=True, slots=True)
class SilenceRule:
    """A station is stale after ``stale_s`` without a frame, offline after ``offline_s``."""

    stale_s: float = 300.0
    offline_s: float = 1800.0

    def state(self, last_seen: float | None, now: float) -> StationState:
        """The state of a station last heard at ``last_seen`` (epoch s), at ``now``."""
        if last_seen is None:
            return StationState.NEVER
        quiet = now - last_seen
        if quiet >= self.offline_s:
            return StationState.OFFLINE
        if quiet >= self.stale_s:
            return StationState.STALE
        return StationState.LIVE
