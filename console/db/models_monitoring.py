"""Tables of monitoring stations, readings and alarms."""

from __future__ import annotations
